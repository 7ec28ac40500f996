import * as fc from 'fast-check'
import {
  type ClientFrame,
  decodeClientFrame,
  decodeRelayFrame,
  encodeAck,
  encodeError,
  encodeMessage,
  encodeOk,
  encodePing,
  encodePublish,
  encodeSubscribe,
  Op,
  type RelayFrame,
  Reply,
} from '../../packages/wire/src/index.js'
import type { Target } from '../harness/types.js'
import { bytesOf, must, sameBytes } from './shared.js'

const topic = new Uint8Array(32).fill(7)
const id = new Uint8Array(16).fill(9)
const u32 = fc.nat({ max: 0xffffffff })
const bytesN = (n: number) => fc.uint8Array({ minLength: n, maxLength: n })

function encodeClient(f: ClientFrame): Uint8Array {
  switch (f.op) {
    case Op.Subscribe:
    case Op.Unsubscribe:
      return encodeSubscribe(f.rid, f.topics, f.op)
    case Op.Publish:
      return encodePublish(f.rid, f.topic, f.id, f.ttl, f.payload)
    case Op.Ack:
      return encodeAck(f.rid, f.acks)
    case Op.Ping:
      return encodePing(f.rid)
  }
}

function encodeRelay(f: RelayFrame): Uint8Array {
  if (f.type === Reply.Ok) return encodeOk(f.rid)
  if (f.type === Reply.Error) return encodeError(f.rid, f.code, f.message)
  return encodeMessage(f.topic, f.id, f.payload)
}

const wireFiles = ['packages/wire/src/codec.ts']

/** Client -> relay frames (§13.2): null or a frame that re-encodes to the same bytes. */
export const wireClientTarget: Target = {
  name: 'wire-client',
  files: wireFiles,
  kind: 'bytes',
  maxLength: 70_000,
  rejects: [],
  seeds: () => [
    encodeSubscribe(1, [topic]),
    encodeSubscribe(
      2,
      Array.from({ length: 64 }, () => topic),
      Op.Unsubscribe,
    ),
    encodePublish(3, topic, id, 300, new TextEncoder().encode('hi')),
    encodeAck(4, [{ topic, id }]),
    encodePing(5),
  ],
  generate: fc.oneof(
    fc
      .tuple(u32, fc.array(bytesN(32), { minLength: 1, maxLength: 64 }))
      .map(([r, t]) => encodeSubscribe(r, t)),
    fc
      .tuple(u32, bytesN(32), bytesN(16), u32, fc.uint8Array({ minLength: 1, maxLength: 300 }))
      .map((a) => encodePublish(...a)),
    fc
      .tuple(u32, fc.array(fc.record({ topic: bytesN(32), id: bytesN(16) }), { minLength: 1, maxLength: 64 }))
      .map(([r, a]) => encodeAck(r, a)),
  ),
  setup: () => ({
    check(input) {
      const b = bytesOf(input)
      const f = decodeClientFrame(b)
      if (f === null) return 'null'
      must(sameBytes(encodeClient(f), b), 'a decoded client frame does not re-encode to its bytes')
      return `op ${f.op}`
    },
  }),
}

/** Relay -> client frames (§13.3), as the SDK's relay client decodes them. */
export const wireRelayTarget: Target = {
  name: 'wire-relay',
  files: wireFiles,
  kind: 'bytes',
  maxLength: 70_000,
  rejects: [],
  seeds: () => [
    encodeOk(1),
    encodeError(1, 7, 'rate limited'),
    encodeMessage(topic, id, new Uint8Array([1, 16, 0])),
  ],
  generate: fc.oneof(
    fc
      .tuple(u32, fc.nat({ max: 0xffff }), fc.string({ maxLength: 40 }))
      .map(([r, c, m]) => encodeError(r, c, m)),
    fc
      .tuple(bytesN(32), bytesN(16), fc.uint8Array({ minLength: 1, maxLength: 300 }))
      .map(([t, i, p]) => encodeMessage(t, i, p)),
  ),
  setup: () => ({
    check(input) {
      const b = bytesOf(input)
      const f = decodeRelayFrame(b)
      if (f === null) return 'null'
      must(sameBytes(encodeRelay(f), b), 'a decoded relay frame does not re-encode to its bytes')
      return `type ${f.type}`
    },
  }),
}
