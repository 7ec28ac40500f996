import {
  deletePrefix,
  REDIS_URL,
  type RedisServer,
  requireRedis,
  startRedisServer,
  uniquePrefix,
} from '@pairline/testkit/redis'
import {
  Harness,
  hex,
  httpGet,
  httpUrl,
  metric,
  randomId,
  randomTopic,
  rawWire,
} from '@pairline/testkit/relay'
import {
  encodeAck,
  encodePing,
  encodePublish,
  encodeSubscribe,
  RELAY_PROTOCOL_V2,
  RelayErrorName,
} from '@pairline/wire'
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

describe('createRelay({ redis }): reply mode 2 (§13.3.1) through asynchronous storage', () => {
  it('keeps replies in request order, coalesces OKs and answers ACKs only on error, across nodes', async () => {
    const a = await h.relay({ redis: { url: REDIS_URL, prefix } })
    const b = await h.relay({ redis: { url: REDIS_URL, prefix } })
    const sub = await rawWire(b, RELAY_PROTOCOL_V2)
    const pub = await rawWire(a, RELAY_PROTOCOL_V2)
    const topic = randomTopic()
    sub.write([encodeSubscribe(1, [topic])])
    expect(await sub.next(1)).toEqual(['OK 1'])
    const [x, y] = [randomId(), randomId()]
    pub.write([
      encodePublish(1, topic, x, 60, bytes('x')),
      encodePublish(2, topic, randomId(), 0, bytes('ttl 0')),
      encodePublish(3, topic, y, 60, bytes('y')),
      encodeAck(4, [{ topic, id: x }]),
      encodePing(5),
    ])
    // Each publish waits for Redis; an ERROR still sends the OK before it first.
    expect(await pub.next(5, RelayErrorName)).toEqual([
      'OK 1',
      'ERROR 2 TTL_OUT_OF_RANGE',
      'OK 3',
      'ERROR 4 NOT_SUBSCRIBED',
      'OK 5',
    ])
    expect(await sub.next(2)).toEqual([`MESSAGE ${hex(x)}`, `MESSAGE ${hex(y)}`])
    // The subscriber's ACKs get no reply; the next PING's OK covers them, and both are gone.
    sub.write([
      encodeAck(2, [
        { topic, id: x },
        { topic, id: y },
      ]),
      encodePing(3),
    ])
    expect(await sub.next(1)).toEqual(['OK 3'])
    const late = await rawWire(a, RELAY_PROTOCOL_V2)
    late.write([encodeSubscribe(1, [topic]), encodePing(2)])
    expect(await late.next(1)).toEqual(['OK 2'])
    for (const w of [sub, pub, late]) w.close()
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
