import * as fc from 'fast-check'
import { receiverState } from '../../packages/sdk/src/protocol/frameCipher.js'
import {
  FrameReceiver,
  FrameSender,
  MAX_FRAME_PLAINTEXT,
  pad,
  parseFrame,
  peekMessageType,
  type ReceiverState,
  unpad,
} from '../../packages/sdk/src/protocol/index.js'
import type { Target } from '../harness/types.js'
import { bytesOf, hex, must, SDK, sameBytes, toHex, vectors } from './shared.js'

const NOW = vectors.transport.nowSeconds as number
const W2D_KEY = hex(vectors.handshake.w2dKey)
const vectorFrames = (vectors.transport.frames as { direction: string; frameHex: string }[]).map((f) => ({
  direction: f.direction,
  bytes: hex(f.frameHex),
}))

/** Authentic w2d frames: the vectors' three, then more from a sender on the same key (sizes, epochs). */
function authenticFrames(): Uint8Array[] {
  const out = vectorFrames.filter((f) => f.direction === 'w2d').map((f) => f.bytes)
  const sender = new FrameSender({
    key: W2D_KEY,
    nowSeconds: NOW,
    policy: { afterMessages: 3, afterSeconds: 1e9 },
    state: { epoch: 1, counter: 3, epochStartedAt: NOW, messagesInEpoch: 1 },
  })
  for (const n of [1, 31, 33, 200, 257, 1000, 4096, MAX_FRAME_PLAINTEXT]) {
    out.push(sender.seal(new Uint8Array(n).fill(0x61), NOW))
  }
  sender.destroy()
  return out
}

/** Envelope (§7.1): the two-byte header every message starts with. */
export const envelopeTarget: Target = {
  name: 'envelope',
  files: [`${SDK}/protocol/envelope.ts`],
  kind: 'bytes',
  maxLength: 256,
  rejects: ['FRAME_MALFORMED', 'FRAME_UNSUPPORTED_VERSION'],
  seeds: () => [
    hex(vectors.handshake.message1Hex),
    hex(vectors.handshake.message2Hex),
    hex(vectors.resume.message1Hex),
    hex(vectors.resume.message2Hex),
    vectorFrames[0]!.bytes,
  ],
  setup: () => ({
    check(input) {
      const type = peekMessageType(bytesOf(input))
      return `type ${type}`
    },
  }),
}

/** Padding (§7.3): only the one canonical encoding of each length is accepted. */
export const paddingTarget: Target = {
  name: 'padding',
  files: [`${SDK}/protocol/padding.ts`],
  kind: 'bytes',
  maxLength: 70_000,
  rejects: ['PADDING_INVALID'],
  seeds: () => [1, 2, 32, 33, 64, 65, 256, 257, 1000, 65_536].map((n) => pad(new Uint8Array(n).fill(7))),
  generate: fc.uint8Array({ minLength: 1, maxLength: 3000 }).map((b) => pad(b)),
  setup: () => ({
    check(input) {
      const b = bytesOf(input)
      const plaintext = unpad(b)
      must(sameBytes(pad(plaintext), b), 'unpad accepted a non-canonical padding')
      return 'accepted'
    },
  }),
}

/** Frame header (§7.2), parsed without a key. */
export const frameTarget: Target = {
  name: 'frame',
  files: [`${SDK}/protocol/frame.ts`, `${SDK}/protocol/envelope.ts`],
  kind: 'bytes',
  corpus: 'frame-open',
  maxLength: 70_000,
  rejects: ['FRAME_MALFORMED', 'FRAME_UNSUPPORTED_VERSION', 'UNEXPECTED_MESSAGE'],
  seeds: authenticFrames,
  setup: () => ({
    check(input) {
      const b = bytesOf(input)
      const f = parseFrame(b)
      must(f.header.length === 14 && f.header.length + f.ciphertext.length === b.length, 'frame split wrong')
      must(
        Number.isInteger(f.epoch) && (Number.isSafeInteger(f.counter) || f.counter === Infinity),
        'bad counter',
      )
      return 'parsed'
    },
  }),
}

const DECRYPT_FAILED = 'The ciphertext failed authentication.'

function sameState(a: ReceiverState, b: ReceiverState): boolean {
  return (
    a.current.epoch === b.current.epoch &&
    sameBytes(a.current.key, b.current.key) &&
    (a.previous === null) === (b.previous === null) &&
    (a.previous === null ||
      (a.previous.epoch === b.previous!.epoch && sameBytes(a.previous.key, b.previous!.key))) &&
    a.window.last === b.window.last &&
    sameBytes(new Uint8Array(a.window.ring.buffer), new Uint8Array(b.window.ring.buffer))
  )
}

/**
 * Opening transport frames (§7.4) from two receiver states (fresh; one epoch on with the previous
 * key in grace). Properties: a tampered frame never opens; a failure leaves the state exactly as
 * it was; every AEAD failure is one error, whatever was changed (no oracle); the padding check
 * after the AEAD is never reached by a tampered frame.
 */
export const frameOpenTarget: Target = {
  name: 'frame-open',
  files: [`${SDK}/protocol/frameCipher.ts`, `${SDK}/protocol/replay.ts`, `${SDK}/protocol/frame.ts`],
  kind: 'bytes',
  maxLength: 70_000,
  rejects: [
    'FRAME_MALFORMED',
    'FRAME_UNSUPPORTED_VERSION',
    'UNEXPECTED_MESSAGE',
    'FRAME_DECRYPT_FAILED',
    'FRAME_REPLAYED',
    'FRAME_TOO_OLD',
    'FRAME_EPOCH_REJECTED',
    'COUNTER_EXHAUSTED',
  ],
  seeds: authenticFrames,
  setup() {
    const authentic = new Set(authenticFrames().map(toHex))
    const fresh = new FrameReceiver({ key: W2D_KEY, graceSeconds: 1e9 })
    const later = new FrameReceiver({ key: W2D_KEY, graceSeconds: 1e9 })
    later.open(vectorFrames[2]!.bytes, NOW) // epoch 1, epoch 0 kept for the grace period
    const states = [receiverState(fresh), receiverState(later)]
    return {
      check(input) {
        const b = bytesOf(input)
        const state = states[b.length & 1]!
        const rx = new FrameReceiver({ key: W2D_KEY, graceSeconds: 1e9, state })
        try {
          rx.open(b, NOW)
          must(authentic.has(toHex(b)), 'a frame nobody sealed was accepted (forgery)')
          return 'accepted'
        } catch (err) {
          must(sameState(receiverState(rx), state), 'a rejected frame changed the receiver state')
          const e = err as { code?: string; shortMessage?: string }
          must(e.code !== 'PADDING_INVALID', 'a tampered frame passed the AEAD')
          if (e.code === 'FRAME_DECRYPT_FAILED') must(e.shortMessage === DECRYPT_FAILED, 'two AEAD errors')
          throw err
        } finally {
          rx.destroy()
        }
      },
    }
  },
}
