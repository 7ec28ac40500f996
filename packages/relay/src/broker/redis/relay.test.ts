import {
  deletePrefix,
  REDIS_URL,
  type RedisServer,
  requireRedis,
  startRedisServer,
  uniquePrefix,
} from '@pairline/testkit/redis'
import { Harness, hex, httpGet, httpUrl, metric, randomId, randomTopic } from '@pairline/testkit/relay'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

const h = new Harness()
const prefix = uniquePrefix()
beforeAll(() => requireRedis())
afterEach(() => h.cleanup())
afterAll(() => deletePrefix(prefix))

const bytes = (s: string) => new TextEncoder().encode(s)

describe('createRelay({ redis }): two relays, one Redis', () => {
  it('routes between clients on different relays, stores for the offline, and an ack on one removes for both', async () => {
    const a = await h.relay({ redis: { url: REDIS_URL, prefix } })
    const b = await h.relay({ redis: { url: REDIS_URL, prefix } })
    const [pub, sub] = [await h.client(a), await h.client(b)]
    const topic = randomTopic()
    expect(await sub.subscribe([topic])).toBe('OK')
    const id = randomId()
    expect(await pub.publish(topic, id, 60, bytes('across'))).toBe('OK')
    const m = await sub.nextMessage()
    expect([hex(m.id), Buffer.from(m.payload).toString()]).toEqual([hex(id), 'across'])

    // Offline: published on B, read on A later; acked on A, gone for B.
    const offline = randomTopic()
    const id2 = randomId()
    expect(await sub.publish(offline, id2, 60, bytes('stored'))).toBe('OK')
    const reader = await h.client(a)
    expect(await reader.subscribe([offline])).toBe('OK')
    expect(hex((await reader.nextMessage()).id)).toBe(hex(id2))
    expect(await reader.ack([{ topic: offline, id: id2 }])).toBe('OK')
    const late = await h.client(b)
    expect(await late.subscribe([offline])).toBe('OK')
    expect(await late.ping()).toBe('OK')
    expect(late.queued).toBe(0)
    expect((await httpGet(httpUrl(a, '/healthz'))).body).toBe('ok\n')
  })
})

describe('createRelay({ redis }) when Redis goes away', () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(() => server?.stop())

  it('says degraded, closes clients with STORAGE_UNAVAILABLE and 1013, refuses new ones, then recovers', async () => {
    const relay = await h.relay({ redis: { url: server.url, prefix } })
    const c = await h.client(relay)
    await server.kill()
    expect(await c.nextError()).toMatchObject({ rid: 0, name: 'STORAGE_UNAVAILABLE' })
    expect(await c.closed).toEqual({ code: 1013, reason: 'storage unavailable' })
    const health = await httpGet(httpUrl(relay, '/healthz'))
    expect([health.status, health.body]).toEqual([503, 'degraded: storage unavailable\n'])
    expect(metric(relay.metrics(), 'pairline_relay_storage_degraded')).toBe(1)
    const refused = await h.client(relay)
    expect(await refused.nextError()).toMatchObject({ rid: 0, name: 'STORAGE_UNAVAILABLE' })
    expect((await refused.closed).code).toBe(1013)

    await server.start()
    // The relay's own sweeper probes Redis once a second: wait for it to say ok again.
    while ((await httpGet(httpUrl(relay, '/healthz'))).status !== 200) await nextProbe()
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_lost_total')).toBe(1)
    const back = await h.client(relay)
    expect(await back.publish(randomTopic(), randomId(), 60, bytes('again'))).toBe('OK')
  })
})

/** Waits about one sweep period: only between polls of a condition, never as an assertion. */
const nextProbe = () => new Promise((resolve) => setTimeout(resolve, 200))
