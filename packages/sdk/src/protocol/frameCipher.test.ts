import { chacha20poly1305 } from '@noble/ciphers/chacha'
import { refusal } from '@pairline/testkit/errors'
import { fixedBytes } from '@pairline/testkit/protocol'
import { propertySeed } from '@pairline/testkit/seed'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { concatBytes, equalBytes, fromUtf8, utf8 } from './bytes.js'
import {
  encodeFrameHeader,
  FRAME_MIN_PADDED,
  MAX_FRAME_LEN,
  MAX_FRAME_PLAINTEXT,
  MIN_FRAME_LEN,
  parseFrame,
} from './frame.js'
import {
  FrameReceiver,
  FrameSender,
  MAX_EPOCH,
  MAX_EPOCH_SKIP,
  nextEpochKey,
  receiverState,
  senderState,
} from './frameCipher.js'
import { chachaNonce } from './noise/suite.js'
import { pad } from './padding.js'
import { REPLAY_WINDOW } from './replay.js'

const code = (c: string) => expect.objectContaining({ code: c })
const NOW = 1_800_000_000
fc.configureGlobal({ seed: propertySeed(import.meta.url) })

/** Every way `open` may refuse a tampered or junk frame: code and message, nothing else. */
const FRAME_REFUSALS = [
  'COUNTER_EXHAUSTED: The frame counter is at or above the limit.',
  'FRAME_DECRYPT_FAILED: The ciphertext failed authentication.',
  'FRAME_DECRYPT_FAILED: The ciphertext is shorter than its tag.',
  'FRAME_EPOCH_REJECTED: The frame belongs to an epoch this side no longer holds.',
  'FRAME_MALFORMED: The message has an unknown type.',
  'FRAME_MALFORMED: The message is too short to have a header.',
  'FRAME_MALFORMED: The transport frame has an impossible length.',
  'FRAME_REPLAYED: This frame was already received.',
  'FRAME_TOO_OLD: The frame is older than the replay window.',
  'FRAME_UNSUPPORTED_VERSION: The message has an unsupported version.',
  'UNEXPECTED_MESSAGE: Expected a transport frame.',
]
const DECRYPT_FAILED = 'FRAME_DECRYPT_FAILED: The ciphertext failed authentication.'

function pair(o: { afterMessages?: number; afterSeconds?: number; grace?: number; limit?: number } = {}) {
  const key = fixedBytes(7)
  const policy = { afterMessages: o.afterMessages ?? 1000, afterSeconds: o.afterSeconds ?? 600 }
  const limit = o.limit === undefined ? {} : { counterLimit: o.limit }
  const tx = new FrameSender({ key, nowSeconds: NOW, policy, ...limit })
  const rx = new FrameReceiver({ key, graceSeconds: o.grace ?? 60, ...limit })
  return { tx, rx, key }
}

const text = (s: string) => utf8(s)
const read = (b: Uint8Array) => fromUtf8(b)

describe('transport frames', () => {
  it('a signature, a transaction hash, a rejection and an ack fill the same size bucket', () => {
    const { tx } = pair()
    const id = 1_733_000_000_123
    const sizes = [
      { t: 'res', id, result: `0x${'ab'.repeat(65)}` },
      { t: 'res', id, result: `0x${'ab'.repeat(32)}` },
      { t: 'res', id, error: { code: 4001, message: 'The user rejected the request.' } },
      { t: 'res', id, error: { code: 8000, message: 'The request expired.' } },
      { t: 'ack' },
    ].map((m) => tx.seal(text(JSON.stringify({ ...m, v: 1, seq: 4_000_000, ack: 4_000_000 })), NOW).length)
    expect(new Set(sizes)).toEqual(new Set([MIN_FRAME_LEN]))
    expect(MIN_FRAME_LEN).toBe(14 + 2 + FRAME_MIN_PADDED + 16)
  })

  it('round-trips, with the header as AD and padding to a bucket of at least 256 bytes', () => {
    const { tx, rx } = pair()
    const f = tx.seal(text('hello'), NOW)
    expect(f.length).toBe(14 + 2 + 256 + 16)
    expect(parseFrame(f)).toMatchObject({ epoch: 0, counter: 0 })
    expect(read(rx.open(f, NOW).plaintext)).toBe('hello')
    // Two plaintexts in the same bucket give frames of the same size.
    expect(tx.seal(text('a'.repeat(33)), NOW).length).toBe(tx.seal(text('b'.repeat(64)), NOW).length)
  })

  it('seals in place: the frame equals header ‖ AEAD(pad(plaintext)), its padded part on a 4-byte boundary', () => {
    const { tx, rx, key } = pair()
    const plaintext = text('x'.repeat(1000))
    const f = tx.seal(plaintext, NOW)
    expect((f.byteOffset + 14) % 4).toBe(0)
    const header = encodeFrameHeader({ epoch: 0, counter: 0 })
    const expected = chacha20poly1305(key, chachaNonce(0), header).encrypt(
      pad(plaintext, MAX_FRAME_PLAINTEXT, 256),
    )
    expect(equalBytes(f, concatBytes(header, expected))).toBe(true)
    // The plaintext is a view of the decrypted buffer: everything else in it is the prefix and zeros.
    const opened = rx.open(f, NOW).plaintext
    expect(read(opened)).toBe('x'.repeat(1000))
    const all = new Uint8Array(opened.buffer)
    opened.fill(0)
    expect(all.slice(2).every((b) => b === 0)).toBe(true)
  })
  it('any single bit flip anywhere in a frame fails, and the receiver state does not change', () => {
    const { tx, rx } = pair()
    const f = tx.seal(text('{"id":1,"method":"personal_sign"}'), NOW)
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), (i, bit) => {
        const m = f.slice()
        m[i % m.length]! ^= 1 << bit
        const before = JSON.stringify(receiverState(rx), (_, v) => (v instanceof Uint8Array ? [...v] : v))
        expect(FRAME_REFUSALS).toContain(refusal(() => rx.open(m, NOW)))
        const after = JSON.stringify(receiverState(rx), (_, v) => (v instanceof Uint8Array ? [...v] : v))
        expect(after).toBe(before)
      }),
      { numRuns: 500 },
    )
    expect(read(rx.open(f, NOW).plaintext)).toContain('personal_sign')
  })

  it('changing the counter of an authentic frame makes the AEAD fail', () => {
    const { tx, rx } = pair()
    const f = tx.seal(text('x'), NOW)
    f[13] = 1
    expect(() => rx.open(f, NOW)).toThrowError(code('FRAME_DECRYPT_FAILED'))
  })

  it('delivers every frame exactly once when duplicated', () => {
    const { tx, rx } = pair()
    const frames = Array.from({ length: 50 }, (_, i) => tx.seal(text(`m${i}`), NOW))
    const got: string[] = []
    for (const f of [...frames, ...frames]) {
      try {
        got.push(read(rx.open(f, NOW).plaintext) as string)
      } catch (e) {
        expect(e).toEqual(code('FRAME_REPLAYED'))
      }
    }
    expect(got).toEqual(frames.map((_, i) => `m${i}`))
  })

  it('accepts random reordering within the window exactly once (property)', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...Array(300).keys()], { minLength: 300, maxLength: 300 }),
        fc.array(fc.nat(299)),
        (order, dups) => {
          const { tx, rx } = pair({ afterMessages: 1e9 })
          const frames = Array.from({ length: 300 }, (_, i) => tx.seal(text(`m${i}`), NOW))
          const seen = new Set<string>()
          for (const i of [...order, ...dups]) {
            try {
              const m = read(rx.open(frames[i]!, NOW).plaintext) as string
              expect(seen.has(m)).toBe(false)
              seen.add(m)
            } catch (e) {
              expect(e).toEqual(code('FRAME_REPLAYED'))
            }
          }
          expect(seen.size).toBe(300)
        },
      ),
      { numRuns: 15 },
    )
  })

  it('window edges: last - W is accepted, last - W - 1 is too old', () => {
    const { tx, rx } = pair({ afterMessages: 1e9 })
    const frames = Array.from({ length: REPLAY_WINDOW + 3 }, (_, i) => tx.seal(text(`${i}`), NOW))
    const last = REPLAY_WINDOW + 2
    rx.open(frames[last]!, NOW)
    expect(() => rx.open(frames[last - REPLAY_WINDOW - 1]!, NOW)).toThrowError(code('FRAME_TOO_OLD'))
    expect(read(rx.open(frames[last - REPLAY_WINDOW]!, NOW).plaintext)).toBe(`${last - REPLAY_WINDOW}`)
  })

  it('a forged frame with counter +2^40 does not move the window; a valid one does', () => {
    const { tx, rx, key } = pair()
    const f0 = tx.seal(text('zero'), NOW)
    const forged = f0.slice()
    forged[8] = 1 // counter += 2^40
    expect(() => rx.open(forged, NOW)).toThrowError(code('FRAME_DECRYPT_FAILED'))
    expect(read(rx.open(f0, NOW).plaintext)).toBe('zero')
    // A genuine sender far ahead: its frame moves the window and old counters become too old.
    const far = new FrameSender({
      key,
      nowSeconds: NOW,
      state: { epoch: 0, counter: 2 ** 40, epochStartedAt: NOW, messagesInEpoch: 0 },
    })
    rx.open(far.seal(text('far'), NOW), NOW)
    expect(() => rx.open(tx.seal(text('old'), NOW), NOW)).toThrowError(code('FRAME_TOO_OLD'))
  })

  it('counters at or above the limit are rejected, and the sender stops at its cap', () => {
    const { tx, rx } = pair({ limit: 3 })
    const frames = [0, 1, 2].map((i) => tx.seal(text(`${i}`), NOW))
    expect(() => tx.seal(text('3'), NOW)).toThrowError(code('COUNTER_EXHAUSTED'))
    for (const f of frames) rx.open(f, NOW)
    const over = new FrameSender({
      key: fixedBytes(7),
      nowSeconds: NOW,
      state: { epoch: 0, counter: 3, epochStartedAt: NOW, messagesInEpoch: 0 },
    })
    expect(() => rx.open(over.seal(text('x'), NOW), NOW)).toThrowError(code('COUNTER_EXHAUSTED'))
    // A counter >= 2^53 on the wire is never accepted either.
    const huge = frames[0]!.slice()
    huge[6] = 0xff
    expect(() => rx.open(huge, NOW)).toThrowError(code('COUNTER_EXHAUSTED'))
  })

  it('rekeys every N messages; the receiver follows epochs', () => {
    const { tx, rx, key } = pair({ afterMessages: 3 })
    const frames = Array.from({ length: 10 }, (_, i) => tx.seal(text(`${i}`), NOW))
    expect(frames.map((f) => parseFrame(f).epoch)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3])
    expect(frames.map((f) => read(rx.open(f, NOW).plaintext))).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ])
    expect(rx.epoch).toBe(3)
    // Epoch 1's key is Rekey(epoch 0's key).
    const k1 = nextEpochKey(key)
    const other = new FrameReceiver({ key: k1 })
    expect(refusal(() => other.open(frames[0]!, NOW))).toBe(DECRYPT_FAILED)
  })

  it('rekeys every T seconds', () => {
    const { tx } = pair({ afterSeconds: 60 })
    expect(parseFrame(tx.seal(text('a'), NOW)).epoch).toBe(0)
    expect(parseFrame(tx.seal(text('b'), NOW + 59)).epoch).toBe(0)
    expect(parseFrame(tx.seal(text('c'), NOW + 60)).epoch).toBe(1)
    expect(parseFrame(tx.seal(text('d'), NOW + 100)).epoch).toBe(1)
  })

  it('late frames of the previous epoch are accepted during the grace period, rejected after, and the old key is wiped', () => {
    const { tx, rx } = pair({ afterMessages: 2, grace: 30 })
    const [a, b, c, d] = [0, 1, 2, 3].map((i) => tx.seal(text(`${i}`), NOW))
    rx.open(a!, NOW)
    rx.open(c!, NOW) // epoch 1: previous key kept
    expect(rx.hasPreviousKey).toBe(true)
    expect(read(rx.open(b!, NOW + 29).plaintext)).toBe('1')
    const { tx: tx2, rx: rx2 } = pair({ afterMessages: 2, grace: 30 })
    const [a2, b2, c2] = [0, 1, 2].map((i) => tx2.seal(text(`${i}`), NOW))
    rx2.open(a2!, NOW)
    rx2.open(c2!, NOW)
    expect(() => rx2.open(b2!, NOW + 30)).toThrowError(code('FRAME_EPOCH_REJECTED'))
    expect(rx2.hasPreviousKey).toBe(false)
    expect(receiverState(rx2).previous).toBeNull()
    expect(read(rx.open(d!, NOW + 31).plaintext)).toBe('3')
  })

  it('after a rekey, the current state cannot decrypt earlier frames (forward secrecy)', () => {
    const { tx, rx } = pair({ afterMessages: 2, grace: 0 })
    const early = [tx.seal(text('secret-0'), NOW), tx.seal(text('secret-1'), NOW)]
    for (const f of early) rx.open(f, NOW)
    rx.open(tx.seal(text('later'), NOW), NOW)
    rx.tick(NOW + 1)
    const dump = receiverState(rx)
    expect(dump.previous).toBeNull()
    // An attacker holding the dumped state (key and all) tries the recorded frames with a fresh window.
    const thief = new FrameReceiver({ key: dump.current.key })
    for (const f of early) expect(refusal(() => thief.open(f, NOW))).toBe(DECRYPT_FAILED)
    const thief2 = new FrameReceiver({ key: nextEpochKey(dump.current.key) })
    for (const f of early) expect(refusal(() => thief2.open(f, NOW))).toBe(DECRYPT_FAILED)
  })

  it('jumps up to MAX_EPOCH_SKIP epochs, not more', () => {
    const { tx, rx } = pair({ afterMessages: 1 })
    const frames = Array.from({ length: MAX_EPOCH_SKIP + 3 }, (_, i) => tx.seal(text(`${i}`), NOW))
    rx.open(frames[0]!, NOW)
    expect(read(rx.open(frames[MAX_EPOCH_SKIP]!, NOW).plaintext)).toBe(`${MAX_EPOCH_SKIP}`)
    expect(() => rx.open(frames[MAX_EPOCH_SKIP + 2]!, NOW)).not.toThrow()
    const { tx: t2, rx: r2 } = pair({ afterMessages: 1 })
    const f2 = Array.from({ length: MAX_EPOCH_SKIP + 2 }, (_, i) => t2.seal(text(`${i}`), NOW))
    expect(() => r2.open(f2[MAX_EPOCH_SKIP + 1]!, NOW)).toThrowError(code('FRAME_EPOCH_REJECTED'))
  })

  it('reflected frames fail (each direction has its own key)', () => {
    const ka = fixedBytes(1)
    const kb = fixedBytes(2)
    const aTx = new FrameSender({ key: ka, nowSeconds: NOW })
    const aRx = new FrameReceiver({ key: kb })
    const f = aTx.seal(text('to b'), NOW)
    expect(() => aRx.open(f, NOW)).toThrowError(code('FRAME_DECRYPT_FAILED'))
  })

  it.each([
    ['empty', new Uint8Array(0), 'FRAME_MALFORMED'],
    ['header only', new Uint8Array([1, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'FRAME_MALFORMED'],
    [
      'one byte short',
      new Uint8Array(MIN_FRAME_LEN - 1).fill(0).map((_, i) => (i === 0 ? 1 : i === 1 ? 0x10 : 0)),
      'FRAME_MALFORMED',
    ],
    ['64 KiB', new Uint8Array(65_536).map((_, i) => (i === 0 ? 1 : i === 1 ? 0x10 : 0)), 'FRAME_MALFORMED'],
    [
      'wrong version',
      new Uint8Array(MIN_FRAME_LEN).map((_, i) => (i === 0 ? 2 : 0x10)),
      'FRAME_UNSUPPORTED_VERSION',
    ],
    [
      'handshake message in transport phase',
      new Uint8Array(80).map((_, i) => (i === 0 ? 1 : i === 1 ? 1 : 0)),
      'UNEXPECTED_MESSAGE',
    ],
    ['unknown type', new Uint8Array(80).map((_, i) => (i === 0 ? 1 : i === 1 ? 0x77 : 0)), 'FRAME_MALFORMED'],
  ])('rejects %s', (_, bytes, c) => {
    const { rx } = pair()
    expect(() => rx.open(bytes, NOW)).toThrowError(code(c))
  })

  it('truncated and extended frames fail before the AEAD (no padded length fits them)', () => {
    const { tx, rx } = pair()
    const f = tx.seal(text('hello'), NOW)
    const ext = new Uint8Array(f.length + 1)
    ext.set(f)
    for (const bad of [f.subarray(0, f.length - 1), ext]) {
      expect(() => rx.open(bad, NOW)).toThrowError(
        expect.objectContaining({
          code: 'FRAME_MALFORMED',
          shortMessage: 'The transport frame has an impossible length.',
        }),
      )
    }
    expect(read(rx.open(f, NOW).plaintext)).toBe('hello')
  })

  it('a frame one padding bucket longer is still a length some frame has, so it reaches the AEAD', () => {
    const { tx, rx } = pair()
    const f = tx.seal(text('hello'), NOW) // 14 + 2 + 256 + 16
    const longer = new Uint8Array(f.length + 64) // 14 + 2 + 320 + 16: the next bucket
    longer.set(f)
    expect(() => rx.open(longer, NOW)).toThrowError(code('FRAME_DECRYPT_FAILED'))
  })

  it('refuses oversized plaintexts and allows the maximum', () => {
    const { tx, rx } = pair()
    expect(() => tx.seal(new Uint8Array(MAX_FRAME_PLAINTEXT + 1), NOW)).toThrowError(
      code('PAYLOAD_TOO_LARGE'),
    )
    const f = tx.seal(new Uint8Array(MAX_FRAME_PLAINTEXT).fill(1), NOW)
    expect(f.length).toBe(MAX_FRAME_LEN)
    expect(f.length).toBeLessThanOrEqual(14 + 65_535)
    expect(rx.open(f, NOW).plaintext.length).toBe(MAX_FRAME_PLAINTEXT)
  })

  it('a flood of junk frames keeps the state unchanged', () => {
    const { tx, rx } = pair()
    rx.open(tx.seal(text('first'), NOW), NOW)
    const before = receiverState(rx)
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.boolean(), (junk, header) => {
        if (header && junk.length > 1) {
          junk[0] = 1
          junk[1] = 0x10
        }
        expect(FRAME_REFUSALS).toContain(refusal(() => rx.open(junk, NOW)))
      }),
      { numRuns: 2000 },
    )
    const after = receiverState(rx)
    expect(equalBytes(after.current.key, before.current.key)).toBe(true)
    expect(after.window).toEqual(before.window)
    expect(read(rx.open(tx.seal(text('still works'), NOW), NOW).plaintext)).toBe('still works')
  })

  it('destroy() wipes keys and refuses further use', () => {
    const { tx, rx } = pair()
    const f = tx.seal(text('x'), NOW)
    tx.destroy()
    rx.destroy()
    expect(senderState(tx).key.every((b) => b === 0)).toBe(true)
    expect(receiverState(rx).current.key.length).toBe(0)
    expect(() => tx.seal(text('y'), NOW)).toThrowError(code('SESSION_CLOSED'))
    expect(() => rx.open(f, NOW)).toThrowError(code('SESSION_CLOSED'))
  })

  it('epochs never wrap: at 2^32 - 1 a due rekey refuses to send (COUNTER_EXHAUSTED)', () => {
    const key = fixedBytes(0x20)
    const tx = new FrameSender({
      key,
      nowSeconds: NOW,
      policy: { afterMessages: 1, afterSeconds: 1e9 },
      state: { epoch: MAX_EPOCH - 1, counter: 10, epochStartedAt: NOW, messagesInEpoch: 1 },
    })
    expect(parseFrame(tx.seal(text('last epoch'), NOW)).epoch).toBe(MAX_EPOCH)
    expect(() => tx.seal(text('one more'), NOW)).toThrowError(
      expect.objectContaining({
        code: 'COUNTER_EXHAUSTED',
        shortMessage: 'This session has used its last epoch.',
      }),
    )
    expect(tx.epoch).toBe(MAX_EPOCH)
    expect(tx.counter).toBe(11)
  })

  it('state export/import resumes exactly where it left off', () => {
    const { tx, rx, key } = pair({ afterMessages: 2 })
    const fs = Array.from({ length: 5 }, (_, i) => tx.seal(text(`${i}`), NOW))
    rx.open(fs[0]!, NOW)
    rx.open(fs[2]!, NOW)
    const rx2 = new FrameReceiver({ key, state: receiverState(rx) })
    expect(() => rx2.open(fs[2]!, NOW)).toThrowError(code('FRAME_REPLAYED'))
    expect(read(rx2.open(fs[1]!, NOW).plaintext)).toBe('1')
    const tx2 = new FrameSender({
      key: senderState(tx).key,
      nowSeconds: NOW,
      policy: { afterMessages: 2, afterSeconds: 600 },
      state: senderState(tx),
    })
    expect(read(rx2.open(tx2.seal(text('next'), NOW), NOW).plaintext)).toBe('next')
  })
})
