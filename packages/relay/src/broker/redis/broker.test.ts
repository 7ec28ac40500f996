import {
  deletePrefix,
  freePort,
  REDIS_URL,
  type RedisServer,
  requireRedis,
  startRedisServer,
  uniquePrefix,
} from '@pairline/testkit/redis'
import { encodeMessage, RelayErrorCode } from '@pairline/wire'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS } from '../../limits.js'
import { Message, type StoredMessage, type Subscriber } from '../types.js'
import type { RedisBroker } from './broker.js'
import { createRedisBroker } from './index.js'
import { epochKey, topicKeys } from './keys.js'

const key = (n: number, len: number) => String.fromCharCode(n).repeat(len)
const T0 = Date.now()

function message(
  topic: number,
  id: number,
  size: number,
  expiresAt = T0 + 60_000,
  source = '192.0.2.1',
  publisher = 1,
): Message {
  const frame = encodeMessage(
    new Uint8Array(32).fill(topic),
    new Uint8Array(16).fill(id),
    new Uint8Array(size).fill(id),
  )
  return new Message(key(topic, 32), key(id, 16), frame, size, expiresAt, T0, source, publisher)
}

/** Records deliveries; `next()` resolves with the next one. */
class Recorder implements Subscriber {
  readonly got: StoredMessage[] = []
  #waiting: ((m: StoredMessage) => void)[] = []
  deliver(m: StoredMessage): void {
    this.got.push(m)
    this.#waiting.shift()?.(m)
  }
  next(): Promise<StoredMessage> {
    return new Promise((resolve) => this.#waiting.push(resolve))
  }
}

const prefix = uniquePrefix()
const open: RedisBroker[] = []

async function node(limits = DEFAULT_LIMITS, url = REDIS_URL): Promise<RedisBroker> {
  const b = await createRedisBroker({ url, prefix }, limits)
  open.push(b)
  return b
}

beforeAll(() => requireRedis())
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()))
  await deletePrefix(prefix)
})
afterAll(() => deletePrefix(prefix))

describe('RedisBroker on real Redis, two nodes', () => {
  it('delivers a message published on node A to a subscriber on node B, once', async () => {
    const [a, b] = [await node(), await node()]
    const sub = new Recorder()
    await b.subscribe(key(1, 32), sub, T0)
    const got = sub.next()
    expect(await a.publish(message(1, 7, 100))).toEqual({ ok: true, duplicate: false })
    const m = await got
    expect(Buffer.from(m.frame).equals(Buffer.from(message(1, 7, 100).frame))).toBe(true)
    expect(m.idKey).toBe(key(7, 16))
  })

  it('keeps the mailbox across nodes: published on A while nobody listens, read on B, acked for all', async () => {
    const [a, b] = [await node(), await node()]
    await a.publish(message(2, 1, 10))
    await a.publish(message(2, 2, 20))
    expect(a.stats()).toMatchObject({ mailboxMessages: 2, mailboxBytes: 30 })
    const sub = new Recorder()
    await b.subscribe(key(2, 32), sub, T0)
    expect(sub.got.map((m) => m.idKey)).toEqual([key(1, 16), key(2, 16)])
    // The ack on B removes it for A too, and A learns that it no longer stores it.
    const released = new Promise<void>((resolve) => a.onRelease(resolve))
    await b.ack(key(2, 32), key(1, 16))
    await released
    expect(a.stats()).toMatchObject({ mailboxMessages: 1, mailboxBytes: 20 })
    const late = new Recorder()
    await a.subscribe(key(2, 32), late, T0)
    expect(late.got.map((m) => m.idKey)).toEqual([key(2, 16)])
  })

  it('stores a duplicate (topic, id) once, whichever node it comes through', async () => {
    const [a, b] = [await node(), await node()]
    expect(await a.publish(message(3, 1, 10))).toEqual({ ok: true, duplicate: false })
    expect(await b.publish(message(3, 1, 10))).toEqual({ ok: true, duplicate: true })
    const sub = new Recorder()
    await b.subscribe(key(3, 32), sub, T0)
    expect(sub.got).toHaveLength(1)
    expect(b.stats().mailboxMessages).toBe(0)
  })

  it('holds the per-topic limits across nodes, and frees room when messages expire', async () => {
    const limits = { ...DEFAULT_LIMITS, maxMessagesPerTopic: 2, maxBytesPerTopic: 100 }
    const [a, b] = [await node(limits), await node(limits)]
    await a.publish(message(4, 1, 10, T0 + 1_000))
    await b.publish(message(4, 2, 10))
    expect(await a.publish(message(4, 3, 10))).toEqual({ ok: false, code: RelayErrorCode.TopicMailboxFull })
    expect(await b.publish(message(5, 1, 101))).toEqual({ ok: false, code: RelayErrorCode.TopicMailboxFull })
    // Message 1 expired (by the relay's clock): the publish prunes it and fits.
    const later = await createRedisBroker({ url: REDIS_URL, prefix }, limits, () => T0 + 1_001)
    open.push(later)
    expect(await later.publish(message(4, 3, 10))).toEqual({ ok: true, duplicate: false })
  })

  it('holds the totals per node', async () => {
    const limits = { ...DEFAULT_LIMITS, maxTotalMessages: 1 }
    const [a, b] = [await node(limits), await node(limits)]
    await a.publish(message(6, 1, 10))
    expect(await a.publish(message(7, 1, 10))).toEqual({ ok: false, code: RelayErrorCode.RelayMailboxFull })
    expect(await b.publish(message(7, 1, 10))).toEqual({ ok: true, duplicate: false })
  })

  it('delivers to subscribers on other nodes even when the topic mailbox refuses to store', async () => {
    const limits = { ...DEFAULT_LIMITS, maxMessagesPerTopic: 1 }
    const [a, b] = [await node(limits), await node(limits)]
    const sub = new Recorder()
    await b.subscribe(key(10, 32), sub, T0)
    const two = Promise.all([sub.next(), sub.next()])
    expect(await a.publish(message(10, 1, 10))).toEqual({ ok: true, duplicate: false })
    expect(await a.publish(message(10, 2, 10))).toEqual({
      ok: true,
      duplicate: false,
      notStored: RelayErrorCode.TopicMailboxFull,
    })
    expect((await two).map((m) => m.idKey)).toEqual([key(1, 16), key(2, 16)])
  })

  it('caps the TTL of a message for a topic nobody subscribes to, on any node', async () => {
    const limits = { ...DEFAULT_LIMITS, maxUnsubscribedTtlSeconds: 60 }
    const [a, b] = [await node(limits), await node(limits)]
    await a.publish(message(11, 1, 10, T0 + 3_600_000))
    const before = new Recorder()
    await b.subscribe(key(11, 32), before, T0 + 59_000)
    expect(before.got).toHaveLength(1)
    const after = new Recorder()
    await b.subscribe(key(11, 32), after, T0 + 60_000)
    expect(after.got).toHaveLength(0)
  })

  it('holds the per-connection and per-address quotas per node', async () => {
    const limits = { ...DEFAULT_LIMITS, maxStoredMessagesPerConnection: 1, maxStoredMessagesPerIp: 2 }
    const [a, b] = [await node(limits), await node(limits)]
    await a.publish(message(12, 1, 10, undefined, 'x', 1))
    expect(await a.publish(message(12, 2, 10, undefined, 'x', 1))).toEqual({
      ok: false,
      code: RelayErrorCode.ConnectionQuotaExceeded,
    })
    await a.publish(message(12, 3, 10, undefined, 'x', 2))
    expect(await a.publish(message(12, 4, 10, undefined, 'x', 3))).toEqual({
      ok: false,
      code: RelayErrorCode.IpQuotaExceeded,
    })
    // Another node counts its own connections and addresses.
    expect(await b.publish(message(12, 4, 10, undefined, 'x', 1))).toEqual({ ok: true, duplicate: false })
  })

  it('at its totals, evicts the oldest message of a heavier source, for every node', async () => {
    const limits = { ...DEFAULT_LIMITS, maxTotalMessages: 3 }
    const [a, b] = [await node(limits), await node(limits)]
    await a.publish(message(13, 1, 10, undefined, 'heavy', 1))
    await a.publish(message(13, 2, 10, undefined, 'heavy', 2))
    await a.publish(message(13, 3, 10, undefined, 'heavy', 3))
    expect(await a.publish(message(14, 1, 10, undefined, 'light', 4))).toEqual({ ok: true, duplicate: false })
    expect(a.stats()).toMatchObject({ mailboxMessages: 3, evicted: 1 })
    const sub = new Recorder()
    await b.subscribe(key(13, 32), sub, T0)
    expect(sub.got.map((m) => m.idKey)).toEqual([key(2, 16), key(3, 16)])
  })

  it('never delivers a message after its TTL, and frees it in Redis', async () => {
    const a = await node()
    await a.publish(message(8, 1, 10, T0 + 1_000))
    const sub = new Recorder()
    await a.subscribe(key(8, 32), sub, T0 + 1_000)
    expect(sub.got).toHaveLength(0)
    const r = new Redis(REDIS_URL)
    const k = topicKeys(prefix, key(8, 32))
    expect(await r.exists(k.q, k.m)).toBe(0)
    r.disconnect()
    await a.sweep(T0 + 2_000)
    expect(a.stats()).toMatchObject({ mailboxMessages: 0, mailboxBytes: 0, expired: 1 })
  })

  it('reports a lost mailbox on every node when the epoch key vanishes', async () => {
    const [a, b] = [await node(), await node()]
    const lost = [a, b].map(
      (n) => new Promise<void>((resolve) => n.watch({ degraded() {}, restored() {}, lost: resolve })),
    )
    const r = new Redis(REDIS_URL)
    await r.del(epochKey(prefix, 'epoch'))
    r.disconnect()
    await a.sweep(Date.now())
    await b.sweep(Date.now())
    await Promise.all(lost)
    expect([a.health(), b.health()]).toEqual(['ok', 'ok'])
  })
})

describe('createRedisBroker', () => {
  it('fails with a message naming the target when Redis does not answer, and leaves nothing running', async () => {
    const port = await freePort()
    await expect(
      createRedisBroker({ url: `redis://:secret@127.0.0.1:${port}`, connectTimeoutMs: 300 }, DEFAULT_LIMITS),
    ).rejects.toThrow(`Redis (redis://:***@127.0.0.1:${port}) did not answer within 300 ms`)
  })
})

describe('RedisBroker when its Redis restarts', () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(() => server?.stop())

  it('goes degraded when Redis dies, reconnects by itself, and reports the lost mailbox', async () => {
    const a = await node(DEFAULT_LIMITS, server.url)
    await a.publish(message(9, 1, 10))
    const events: string[] = []
    const degraded = new Promise<void>((resolve) =>
      a.watch({
        degraded() {
          events.push('degraded')
          resolve()
        },
        restored: () => events.push('restored'),
        lost: () => events.push('lost'),
      }),
    )
    await server.kill()
    await degraded
    expect(a.health()).toBe('degraded')
    expect(await a.publish(message(9, 2, 10))).toEqual({ ok: false, code: RelayErrorCode.StorageUnavailable })
    await server.start()
    const restored = new Promise<void>((resolve) => a.watch({ degraded() {}, restored: resolve, lost() {} }))
    // As the relay does (once a second), sweep until the probe finds Redis back.
    const sweeper = setInterval(() => void a.sweep(Date.now()), 50)
    await restored
    clearInterval(sweeper)
    expect(events).toEqual(['degraded', 'lost', 'restored'])
    expect(await a.publish(message(9, 2, 10))).toEqual({ ok: true, duplicate: false })
  })
})
