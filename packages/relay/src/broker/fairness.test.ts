import { encodeMessage, RelayErrorCode } from '@pairline/wire'
import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS } from '../limits.js'
import { type MailboxLimits, MemoryBroker } from './memory.js'
import { Message, type StoredMessage, type Subscriber } from './types.js'

const T0 = 1_700_000_000_000
const key = (n: number, len: number) => String.fromCharCode(n).repeat(len)

let nextId = 0
function msg(topic: number, size: number, source: string, publisher: number, ttlSeconds = 3600, at = T0) {
  const id = ++nextId
  const t = new Uint8Array(32).fill(topic)
  const i = new Uint8Array(16)
  new DataView(i.buffer).setUint32(0, id)
  return new Message(
    key(topic, 32),
    Buffer.from(i).toString('latin1'),
    encodeMessage(t, i, new Uint8Array(size)),
    size,
    at + ttlSeconds * 1000,
    at,
    source,
    publisher,
  )
}

class Recorder implements Subscriber {
  readonly got: StoredMessage[] = []
  deliver(m: StoredMessage): void {
    this.got.push(m)
  }
}

const LIMITS: MailboxLimits = {
  ...DEFAULT_LIMITS,
  maxTotalMessages: 1000,
  maxTotalBytes: 10_000,
  maxStoredMessagesPerConnection: 50,
  maxStoredBytesPerConnection: 4000,
  maxStoredMessagesPerIp: 80,
  maxStoredBytesPerIp: 6000,
}

describe('fair storage (MemoryBroker)', () => {
  it('caps the TTL of a message nobody is subscribed to at maxUnsubscribedTtlSeconds', () => {
    const broker = new MemoryBroker(LIMITS, T0)
    const lonely = msg(1, 10, 'a', 1, 7 * 24 * 3600)
    broker.publish(lonely)
    expect(lonely.expiresAt).toBe(T0 + 600_000)
    const sub = new Recorder()
    broker.subscribe(key(2, 32), sub, T0)
    const heard = msg(2, 10, 'a', 1, 7 * 24 * 3600)
    broker.publish(heard)
    expect(heard.expiresAt).toBe(T0 + 7 * 24 * 3600_000)
    broker.sweep(T0 + 601_000)
    expect(broker.stats()).toMatchObject({ mailboxMessages: 1, expired: 1 })
  })

  it('refuses past the per-connection quota, then past the per-IP quota, counting what stays stored', () => {
    const broker = new MemoryBroker(LIMITS, T0)
    const first = [0, 1, 2].map((t) => msg(t, 1000, 'a', 1))
    for (const m of first) expect(broker.publish(m)).toEqual({ ok: true, duplicate: false })
    const over = broker.publish(msg(9, 1001, 'a', 1))
    expect(over).toEqual({ ok: false, code: RelayErrorCode.ConnectionQuotaExceeded })
    // another connection from the same address: its own quota, the address's shared one
    for (let i = 0; i < 3; i++) expect(broker.publish(msg(10 + i, 1000, 'a', 2)).ok).toBe(true)
    expect(broker.publish(msg(20, 1, 'a', 3))).toEqual({ ok: false, code: RelayErrorCode.IpQuotaExceeded })
    // another address is not affected
    expect(broker.publish(msg(21, 1000, 'b', 4)).ok).toBe(true)
    // an ack frees both quotas
    broker.ack(first[0]!.topicKey, first[0]!.idKey)
    expect(broker.publish(msg(30, 1000, 'a', 1)).ok).toBe(true)
    expect(broker.publish(msg(31, 1, 'a', 3))).toEqual({ ok: false, code: RelayErrorCode.IpQuotaExceeded })
  })

  it('an ack, an expiry or the end of a connection: quotas count what is stored, nothing else', () => {
    const broker = new MemoryBroker(LIMITS, T0)
    const stored = [msg(1, 2000, 'a', 1), msg(2, 2000, 'a', 1)]
    for (const m of stored) expect(broker.publish(m).ok).toBe(true)
    expect(broker.publish(msg(3, 1, 'a', 1)).ok).toBe(false)
    broker.ack(stored[0]!.topicKey, stored[0]!.idKey)
    expect(broker.publish(msg(3, 2000, 'a', 1)).ok).toBe(true)
    broker.sweep(T0 + 601_000) // all three expire (nobody subscribed: 600 s cap)
    expect(broker.stats().mailboxMessages).toBe(0)
    expect(broker.publish(msg(4, 4000, 'a', 1, 60, T0 + 601_000)).ok).toBe(true)
  })

  it('delivers to an online subscriber whatever the mailbox holds, and says it did not store', () => {
    const broker = new MemoryBroker({ ...LIMITS, maxTotalMessages: 2 }, T0)
    expect(broker.publish(msg(1, 10, 'x', 1)).ok).toBe(true)
    expect(broker.publish(msg(2, 10, 'x', 1)).ok).toBe(true)
    const sub = new Recorder()
    broker.subscribe(key(3, 32), sub, T0)
    const live = msg(3, 10, 'x', 1)
    expect(broker.publish(live)).toEqual({
      ok: true,
      duplicate: false,
      notStored: RelayErrorCode.RelayMailboxFull,
    })
    expect(sub.got).toEqual([live])
    // with no subscriber, the same refusal is an error
    expect(broker.publish(msg(4, 10, 'x', 1))).toEqual({ ok: false, code: RelayErrorCode.RelayMailboxFull })
  })

  it('when full, evicts expired messages first, then the oldest unsubscribed ones of the heaviest source', () => {
    const limits = {
      ...LIMITS,
      maxTotalBytes: 5000,
      maxStoredBytesPerIp: 5000,
      maxStoredBytesPerConnection: 5000,
    }
    const broker = new MemoryBroker(limits, T0)
    const sub = new Recorder()
    broker.subscribe(key(50, 32), sub, T0)
    // heavy source h: one message on a subscribed topic (oldest), then unsubscribed ones
    const heard = msg(50, 1000, 'h', 1, 3600, T0)
    expect(broker.publish(heard).ok).toBe(true)
    const old = [1, 2, 3].map((t) => msg(t, 1000, 'h', 1, 3600, T0 + t))
    for (const m of old) expect(broker.publish(m).ok).toBe(true)
    // light source l: 1000 bytes with a 1 s TTL, expired by the time the relay is full
    const short = msg(60, 1000, 'l', 2, 1, T0)
    expect(broker.publish(short).ok).toBe(true)
    expect(broker.stats().mailboxBytes).toBe(5000)
    // full: a publish from l, 5 s later, first takes the expired message's room
    const later = T0 + 5000
    expect(broker.publish(msg(61, 1000, 'l', 2, 60, later)).ok).toBe(true)
    expect(broker.stats()).toMatchObject({ expired: 1, evicted: 0, mailboxBytes: 5000 })
    // then l is lighter than h: h's oldest unsubscribed message goes, not the subscribed one
    expect(broker.publish(msg(62, 1000, 'l', 2, 60, later)).ok).toBe(true)
    expect(broker.stats().evicted).toBeGreaterThanOrEqual(1)
    const next = new Recorder()
    broker.subscribe(old[0]!.topicKey, next, later)
    expect(next.got).toEqual([])
    broker.subscribe(heard.topicKey, next, later)
    expect(next.got).toEqual([heard])
    // never evicted for a source as heavy: h cannot push out l once l holds as much as h would
    const h = broker.stats()
    expect(h.mailboxBytes).toBeLessThanOrEqual(5000)
  })

  it('refuses (RELAY_MAILBOX_FULL) a source that would be the heaviest: it cannot evict others', () => {
    const limits = {
      ...LIMITS,
      maxTotalBytes: 4000,
      maxStoredBytesPerIp: 4000,
      maxStoredBytesPerConnection: 4000,
    }
    const broker = new MemoryBroker(limits, T0)
    for (let i = 0; i < 2; i++) expect(broker.publish(msg(i, 1000, 'a', 1)).ok).toBe(true)
    for (let i = 0; i < 2; i++) expect(broker.publish(msg(10 + i, 1000, 'b', 2)).ok).toBe(true)
    expect(broker.publish(msg(20, 1000, 'a', 1))).toEqual({
      ok: false,
      code: RelayErrorCode.RelayMailboxFull,
    })
    expect(broker.stats()).toMatchObject({ evicted: 0, mailboxBytes: 4000 })
    // a new, light source evicts from one of the two heavy ones
    expect(broker.publish(msg(30, 1000, 'c', 3)).ok).toBe(true)
    expect(broker.stats()).toMatchObject({ evicted: 1, mailboxBytes: 4000 })
  })
})
