import { check, decodeJsonObject, encodeJson, malformed } from '../protocol/json.js'

/**
 * Session messages (docs/PROTOCOL.md §14): JSON objects inside transport frames. Every message
 * has `v`, `t` (type), `seq` (the sender's per-direction sequence number, 0 for messages that are
 * not retransmitted: ack, pong) and `ack` (the highest seq the sender has received in order).
 */
export const BODY_TYPES = [
  'approve',
  'reject',
  'confirm',
  'abort',
  'req',
  'res',
  'event',
  'extend',
  'ping',
  'pong',
  'ack',
  'close',
] as const
export type BodyType = (typeof BODY_TYPES)[number]

export type Envelope = { v: 1; t: BodyType; seq: number; ack: number }
/** The type-specific part; the channel adds v, seq and ack. */
export type Body = { t: BodyType } & Record<string, unknown>
export type SessionMessage = Envelope & Record<string, unknown>

const MAX_SEQ = 2 ** 48

export function encodeSessionMessage(m: SessionMessage): Uint8Array {
  return encodeJson(m)
}

/** Parses the envelope strictly; the type-specific fields are checked by the dApp and wallet sides. */
export function decodeSessionMessage(bytes: Uint8Array): SessionMessage {
  const what = 'session message'
  const o = decodeJsonObject(bytes, what)
  check.integer(o.v, 'v', what, 1, 1)
  if (typeof o.t !== 'string' || !(BODY_TYPES as readonly string[]).includes(o.t)) {
    throw malformed(what, 't must be a known message type')
  }
  check.integer(o.seq, 'seq', what, 0, MAX_SEQ)
  check.integer(o.ack, 'ack', what, 0, MAX_SEQ)
  return o as SessionMessage
}

/** The size of `body` encoded with the largest seq and ack: what a frame must hold to carry it. */
export function maxEncodedSize(body: Body): number {
  return encodeSessionMessage({ ...body, v: 1, seq: MAX_SEQ, ack: MAX_SEQ }).length
}

/** Messages that are delivered reliably (kept until acked, retransmitted, deduplicated by seq). */
export function isReliable(t: BodyType): boolean {
  return t !== 'ack' && t !== 'pong'
}
