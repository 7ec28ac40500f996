import { encodeMessage, RelayErrorCode } from '@pairline/wire'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS } from '../limits.js'
import { MemoryBroker } from './memory.js'
import { Message, type StoredMessage, type Subscriber } from './types.js'

const key = (n: number, len: number) => String.fromCharCode(n).repeat(len)

function message(
  topic: number,
  id: number,
  size: number,
  expiresAt: number,
  from: { source?: string; publisher?: number; at?: number } = {},
): StoredMessage {
  const t = new Uint8Array(32).fill(topic)
  const i = new Uint8Array(16).fill(id)
  return new Message(
    key(topic, 32),
    key(id, 16),
    encodeMessage(t, i, new Uint8Array(size)),
    size,
    expiresAt,
    from.at ?? expiresAt - 2000,
    from.source ?? '192.0.2.1',
    from.publisher ?? 1,
  )
}

/** No quota or TTL cap in the way: these tests are about the mailbox itself. */
const OPEN = {
  ...DEFAULT_LIMITS,
  maxUnsubscribedTtlSeconds: DEFAULT_LIMITS.maxTtlSeconds,
  maxStoredMessagesPerConnection: 1e9,
  maxStoredBytesPerConnection: 1e12,
  maxStoredMessagesPerIp: 1e9,
  maxStoredBytesPerIp: 1e12,
}

class Recorder implements Subscriber {
  readonly got: StoredMessage[] = []
  deliver(m: StoredMessage): void {
    this.got.push(m)
  }
}

describe('MemoryBroker', () => {
  it('expires a message never before expiresAt and at most 1 s after it (sweeps are by the second)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
        fc.integer({ min: 1, max: 7 * 24 * 3600 }),
        (start, ttl) => {
          const broker = new MemoryBroker(OPEN, start)
          const expiresAt = start + ttl * 1000
          expect(broker.publish(message(1, 1, 10, expiresAt, { at: start }))).toEqual({
            ok: true,
            duplicate: false,
          })
          broker.sweep(expiresAt - 1)
          expect(broker.stats().mailboxMessages).toBe(1)
          broker.sweep(expiresAt + 999)
          expect(broker.stats()).toEqual({
            topics: 0,
            mailboxMessages: 0,
            mailboxBytes: 0,
            expired: 1,
            evicted: 0,
          })
        },
      ),
      { numRuns: 100 },
    )
  })

  it('keeps its counts exact through random publish, ack, subscribe and sweep', () => {
    const limits = {
      ...OPEN,
      maxMessagesPerTopic: 4,
      maxBytesPerTopic: 64,
      maxTotalMessages: 10,
      maxTotalBytes: 120,
    }
    const op = fc.oneof(
      fc.record({
        k: fc.constant('pub' as const),
        t: fc.nat(5),
        i: fc.nat(7),
        size: fc.integer({ min: 1, max: 40 }),
      }),
      fc.record({ k: fc.constant('ack' as const), t: fc.nat(5), i: fc.nat(7) }),
      fc.record({ k: fc.constant('sub' as const), t: fc.nat(5) }),
      fc.record({ k: fc.constant('unsub' as const), t: fc.nat(5) }),
      fc.record({ k: fc.constant('tick' as const), s: fc.integer({ min: 0, max: 3 }) }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        let now = 1_000_000
        const broker = new MemoryBroker(limits, now)
        const sub = new Recorder()
        // the model: what is stored, by topic, and who listens
        const model = new Map<number, Map<number, { size: number; expiresAt: number }>>()
        const subscribed = new Set<number>()
        for (const o of ops) {
          if (o.k === 'pub') {
            const box = model.get(o.t) ?? new Map()
            const r = broker.publish(message(o.t, o.i, o.size, now + 2000))
            if (box.has(o.i)) expect(r).toEqual({ ok: true, duplicate: true })
            else {
              const boxBytes = [...box.values()].reduce((n, m) => n + m.size, 0)
              const all = [...model.values()].flatMap((b) => [...b.values()])
              const allBytes = all.reduce((n, m) => n + m.size, 0)
              // one source: nothing is ever evicted; a subscribed topic still gets the message live
              const refused = (code: number) =>
                subscribed.has(o.t) ? { ok: true, duplicate: false, notStored: code } : { ok: false, code }
              if (box.size >= limits.maxMessagesPerTopic || boxBytes + o.size > limits.maxBytesPerTopic) {
                expect(r).toEqual(refused(RelayErrorCode.TopicMailboxFull))
              } else if (all.length >= limits.maxTotalMessages || allBytes + o.size > limits.maxTotalBytes) {
                expect(r).toEqual(refused(RelayErrorCode.RelayMailboxFull))
              } else {
                expect(r).toEqual({ ok: true, duplicate: false })
                box.set(o.i, { size: o.size, expiresAt: now + 2000 })
                model.set(o.t, box)
              }
            }
          } else if (o.k === 'ack') {
            broker.ack(key(o.t, 32), key(o.i, 16))
            model.get(o.t)?.delete(o.i)
          } else if (o.k === 'sub') {
            const before = sub.got.length
            broker.subscribe(key(o.t, 32), sub, now)
            const live = [...(model.get(o.t)?.values() ?? [])].filter((m) => m.expiresAt > now)
            const expected = subscribed.has(o.t) ? 0 : live.length
            expect(sub.got.length - before).toBe(expected)
            subscribed.add(o.t)
          } else if (o.k === 'unsub') {
            broker.unsubscribe(key(o.t, 32), sub)
            subscribed.delete(o.t)
          } else {
            now += o.s * 1000
            broker.sweep(now)
            for (const box of model.values()) {
              for (const [i, m] of box) if (Math.ceil(m.expiresAt / 1000) * 1000 <= now) box.delete(i)
            }
          }
          const all = [...model.values()].flatMap((b) => [...b.values()])
          const topics = new Set([...subscribed, ...[...model].filter(([, b]) => b.size > 0).map(([t]) => t)])
          const stats = broker.stats()
          expect({
            topics: stats.topics,
            messages: stats.mailboxMessages,
            bytes: stats.mailboxBytes,
          }).toEqual({
            topics: topics.size,
            messages: all.length,
            bytes: all.reduce((n, m) => n + m.size, 0),
          })
        }
      }),
      { numRuns: 300 },
    )
  })

  it('moves long-lived frames out of mostly empty slabs, unchanged, with exact counts', () => {
    const start = 1_700_000_000_000
    const broker = new MemoryBroker(OPEN, start)
    const idKey = (id: Uint8Array) => Buffer.from(id).toString('latin1')
    // 10,000 frames of 1 KiB payload (about 10 MiB of slabs) on 100 topics; 1 in 100 is never acked.
    const kept: { topic: number; frame: Uint8Array; buffer: ArrayBufferLike }[] = []
    for (let i = 0; i < 10_000; i++) {
      const t = new Uint8Array(32).fill(i % 100)
      const id = new Uint8Array(16)
      new DataView(id.buffer).setUint32(0, i)
      const payload = new Uint8Array(1024).fill(i % 251)
      const frame = encodeMessage(t, id, payload, broker.frameBuffer(49 + payload.length))
      const m = new Message(
        key(i % 100, 32),
        idKey(id),
        frame,
        payload.length,
        start + 3600_000,
        start,
        'a',
        1,
      )
      expect(broker.publish(m)).toEqual({ ok: true, duplicate: false })
      if (i % 100 === 7)
        kept.push({ topic: i % 100, frame: encodeMessage(t, id, payload), buffer: frame.buffer })
      else broker.ack(m.topicKey, m.idKey)
    }
    for (let s = 1; s <= 4; s++) broker.sweep(start + s * 1000)
    expect(broker.stats()).toEqual({
      topics: 1,
      mailboxMessages: 100,
      mailboxBytes: 100 * 1024,
      expired: 0,
      evicted: 0,
    })
    const sub = new Recorder()
    broker.subscribe(key(7, 32), sub, start + 4000)
    expect(sub.got.length).toBe(100)
    let moved = 0
    sub.got.forEach((m, j) => {
      expect(Buffer.from(m.frame).equals(kept[j]!.frame)).toBe(true)
      if (m.frame.buffer !== kept[j]!.buffer) moved++
    })
    // all but those in the slab still taking new frames (256 KiB: at most 3 kept frames)
    expect(moved).toBeGreaterThanOrEqual(97)
  })
})
