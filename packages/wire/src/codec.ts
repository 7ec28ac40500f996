/**
 * The relay wire format (docs/PROTOCOL.md §13): binary WebSocket messages, one operation each.
 * Pure and dependency-free, shared by the SDK's relay client and the relay itself. Decoders never
 * throw: they return `null` for anything malformed, and the caller answers with an error frame.
 */

export const TOPIC_LEN = 32
export const MESSAGE_ID_LEN = 16

/** Client -> relay operations. */
export const Op = {
  Subscribe: 0x01,
  Unsubscribe: 0x02,
  Publish: 0x03,
  Ack: 0x04,
  Ping: 0x05,
} as const
export type Op = (typeof Op)[keyof typeof Op]

/** Relay -> client frames. */
export const Reply = {
  Ok: 0x81,
  Error: 0x82,
  Message: 0x83,
} as const

/** At most this many topics (or acks) in one batched frame. */
export const MAX_BATCH = 64

export type ClientFrame =
  | { op: typeof Op.Subscribe | typeof Op.Unsubscribe; rid: number; topics: Uint8Array[] }
  | {
      op: typeof Op.Publish
      rid: number
      topic: Uint8Array
      id: Uint8Array
      ttl: number
      payload: Uint8Array
    }
  | { op: typeof Op.Ack; rid: number; acks: { topic: Uint8Array; id: Uint8Array }[] }
  | { op: typeof Op.Ping; rid: number }

export type RelayFrame =
  | { type: typeof Reply.Ok; rid: number }
  | { type: typeof Reply.Error; rid: number; code: number; message: string }
  | { type: typeof Reply.Message; topic: Uint8Array; id: Uint8Array; payload: Uint8Array }

// Big-endian integers read and written byte by byte: no DataView per frame (the relay decodes
// several frames per delivered message, issue 16).
function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24
  b[at + 1] = v >>> 16
  b[at + 2] = v >>> 8
  b[at + 3] = v
}

// ---- client -> relay ------------------------------------------------------------------------

export function encodeSubscribe(
  rid: number,
  topics: readonly Uint8Array[],
  op: 0x01 | 0x02 = Op.Subscribe,
): Uint8Array {
  const out = new Uint8Array(6 + topics.length * TOPIC_LEN)
  out[0] = op
  putU32(out, 1, rid)
  out[5] = topics.length
  for (let i = 0; i < topics.length; i++) out.set(topics[i]!, 6 + i * TOPIC_LEN)
  return out
}

export function encodeUnsubscribe(rid: number, topics: readonly Uint8Array[]): Uint8Array {
  return encodeSubscribe(rid, topics, Op.Unsubscribe)
}

/** PUBLISH ‖ rid ‖ topic(32) ‖ id(16) ‖ u32be ttl seconds ‖ payload */
export function encodePublish(
  rid: number,
  topic: Uint8Array,
  id: Uint8Array,
  ttl: number,
  payload: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(1 + 4 + TOPIC_LEN + MESSAGE_ID_LEN + 4 + payload.length)
  out[0] = Op.Publish
  putU32(out, 1, rid)
  out.set(topic, 5)
  out.set(id, 5 + TOPIC_LEN)
  putU32(out, 5 + TOPIC_LEN + MESSAGE_ID_LEN, ttl)
  out.set(payload, 9 + TOPIC_LEN + MESSAGE_ID_LEN)
  return out
}

export function encodeAck(rid: number, acks: readonly { topic: Uint8Array; id: Uint8Array }[]): Uint8Array {
  const item = TOPIC_LEN + MESSAGE_ID_LEN
  const out = new Uint8Array(6 + acks.length * item)
  out[0] = Op.Ack
  putU32(out, 1, rid)
  out[5] = acks.length
  acks.forEach((a, i) => {
    out.set(a.topic, 6 + i * item)
    out.set(a.id, 6 + i * item + TOPIC_LEN)
  })
  return out
}

export function encodePing(rid: number): Uint8Array {
  const out = new Uint8Array(5)
  out[0] = Op.Ping
  putU32(out, 1, rid)
  return out
}

/** Byte offsets in a PUBLISH frame: op ‖ rid ‖ topic ‖ id ‖ u32be ttl ‖ payload (§13.2). */
export const PUBLISH_TOPIC_AT = 5
export const PUBLISH_ID_AT = PUBLISH_TOPIC_AT + TOPIC_LEN
export const PUBLISH_TTL_AT = PUBLISH_ID_AT + MESSAGE_ID_LEN
export const PUBLISH_PAYLOAD_AT = PUBLISH_TTL_AT + 4
/** Byte offsets in an ACK frame: op ‖ rid ‖ n ‖ (topic ‖ id) × n (§13.2). */
export const ACK_ITEMS_AT = 6
export const ACK_ITEM_LEN = TOPIC_LEN + MESSAGE_ID_LEN

/**
 * The op of `b` when it is a well-formed client frame, else 0: the same rules as
 * decodeClientFrame (which is built on it), without allocating, so that the relay can read the
 * fields of its busiest frames (PUBLISH, ACK) at the offsets above, straight from `b` (issue 16).
 */
export function clientFrameOp(b: Uint8Array): Op | 0 {
  if (b.length < 5) return 0
  switch (b[0]) {
    case Op.Subscribe:
    case Op.Unsubscribe: {
      const n = b[5]
      return n !== undefined && n >= 1 && n <= MAX_BATCH && b.length === 6 + n * TOPIC_LEN ? (b[0] as Op) : 0
    }
    case Op.Publish:
      return b.length > PUBLISH_PAYLOAD_AT ? Op.Publish : 0
    case Op.Ack: {
      const n = b[5]
      return n !== undefined && n >= 1 && n <= MAX_BATCH && b.length === ACK_ITEMS_AT + n * ACK_ITEM_LEN
        ? Op.Ack
        : 0
    }
    case Op.Ping:
      return b.length === 5 ? Op.Ping : 0
    default:
      return 0
  }
}

/** The rid of a frame of at least 5 bytes (bytes 1–4, u32be). */
export function ridAt(b: Uint8Array): number {
  return u32(b, 1)
}

/** Views into `b` (no copies): the relay copies what it stores. */
export function decodeClientFrame(b: Uint8Array): ClientFrame | null {
  const op = clientFrameOp(b)
  if (op === 0) return null
  const rid = u32(b, 1)
  switch (op) {
    case Op.Subscribe:
    case Op.Unsubscribe: {
      const n = b[5]!
      const topics: Uint8Array[] = []
      for (let i = 0; i < n; i++) topics.push(b.subarray(6 + i * TOPIC_LEN, 6 + (i + 1) * TOPIC_LEN))
      return { op, rid, topics }
    }
    case Op.Publish:
      return {
        op,
        rid,
        topic: b.subarray(PUBLISH_TOPIC_AT, PUBLISH_ID_AT),
        id: b.subarray(PUBLISH_ID_AT, PUBLISH_TTL_AT),
        ttl: u32(b, PUBLISH_TTL_AT),
        payload: b.subarray(PUBLISH_PAYLOAD_AT),
      }
    case Op.Ack: {
      const n = b[5]!
      const acks: { topic: Uint8Array; id: Uint8Array }[] = []
      for (let i = 0; i < n; i++) {
        const at = ACK_ITEMS_AT + i * ACK_ITEM_LEN
        acks.push({
          topic: b.subarray(at, at + TOPIC_LEN),
          id: b.subarray(at + TOPIC_LEN, at + ACK_ITEM_LEN),
        })
      }
      return { op, rid, acks }
    }
    case Op.Ping:
      return { op, rid }
  }
}

// ---- relay -> client ------------------------------------------------------------------------

export function encodeOk(rid: number): Uint8Array {
  const out = new Uint8Array(5)
  out[0] = Reply.Ok
  putU32(out, 1, rid)
  return out
}

const utf8Encoder = new TextEncoder()
// ignoreBOM: a leading U+FEFF is part of the text; without it the decoder would strip it silently.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export function encodeError(rid: number, code: number, message: string): Uint8Array {
  const text = utf8Encoder.encode(message)
  const out = new Uint8Array(7 + text.length)
  out[0] = Reply.Error
  putU32(out, 1, rid)
  out[5] = code >>> 8
  out[6] = code
  out.set(text, 7)
  return out
}

/** MESSAGE ‖ topic(32) ‖ id(16) ‖ payload, written into `out` when given (it must be exactly as long). */
export function encodeMessage(
  topic: Uint8Array,
  id: Uint8Array,
  payload: Uint8Array,
  out?: Uint8Array,
): Uint8Array {
  const length = 1 + TOPIC_LEN + MESSAGE_ID_LEN + payload.length
  if (!out) out = new Uint8Array(length)
  else if (out.length !== length) throw new RangeError(`a MESSAGE frame here is ${length} bytes`)
  out[0] = Reply.Message
  out.set(topic, 1)
  out.set(id, 1 + TOPIC_LEN)
  out.set(payload, 1 + TOPIC_LEN + MESSAGE_ID_LEN)
  return out
}

export function decodeRelayFrame(b: Uint8Array): RelayFrame | null {
  if (b.length < 1) return null
  switch (b[0]) {
    case Reply.Ok:
      return b.length === 5 ? { type: Reply.Ok, rid: u32(b, 1) } : null
    case Reply.Error: {
      if (b.length < 7) return null
      let message: string
      try {
        message = utf8Decoder.decode(b.subarray(7))
      } catch {
        return null
      }
      return { type: Reply.Error, rid: u32(b, 1), code: (b[5]! << 8) | b[6]!, message }
    }
    case Reply.Message: {
      const head = 1 + TOPIC_LEN + MESSAGE_ID_LEN
      if (b.length <= head) return null
      return {
        type: Reply.Message,
        topic: b.subarray(1, 1 + TOPIC_LEN),
        id: b.subarray(1 + TOPIC_LEN, head),
        payload: b.subarray(head),
      }
    }
    default:
      return null
  }
}

// ---- reply modes (docs/PROTOCOL.md §13.3.1) ----------------------------------------------------

/**
 * The WebSocket subprotocol that asks for reply mode 2: ACKs answered only on error, OKs
 * cumulative and coalesced. Without it (not offered, or not named in the relay's upgrade response)
 * a connection is in mode 1, where every request gets its own reply.
 */
export const RELAY_PROTOCOL_V2 = 'pairline-relay.2'

/** The reply mode of a connection whose upgrade response named `protocol` ('' for none). */
export function replyMode(protocol: string | undefined): 1 | 2 {
  return protocol === RELAY_PROTOCOL_V2 ? 2 : 1
}

/**
 * Settles the requests an OK with `rid` answers, taking them out of `pending` (rid -> request, in
 * send order, as a Map iterates) and calling `each` on each, oldest first: in mode 2 that request
 * and every one sent before it (§13.3.1); in mode 1 each request gets its own OK, in order, so the
 * same rule takes exactly that one. An OK for a rid not pending (an ACK's, from a relay in mode 1;
 * a late one) answers nothing. Returns how many it settled.
 */
export function answeredBy<T>(pending: Map<number, T>, rid: number, each: (request: T) => void): number {
  if (!pending.has(rid)) return 0
  let n = 0
  for (const [r, request] of pending) {
    pending.delete(r)
    n++
    each(request)
    if (r === rid) break
  }
  return n
}
