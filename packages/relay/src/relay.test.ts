import { type Socket, connect as tcpConnect } from 'node:net'
import {
  FakeClock,
  Harness,
  hex,
  httpGet,
  httpUrl,
  metric,
  randomId,
  randomTopic,
  rawUpgrade,
  type TestClient,
  waitUntil,
} from '@pairline/testkit/relay'
import { RelayErrorCode } from '@pairline/wire'
import { afterEach, describe, expect, it } from 'vitest'

const h = new Harness()
afterEach(() => h.cleanup())

const utf8 = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8')

async function expectMessage(c: TestClient, topic: Uint8Array, id: Uint8Array, payload: string) {
  const m = await c.nextMessage()
  expect({ topic: hex(m.topic), id: hex(m.id), payload: text(m.payload) }).toEqual({
    topic: hex(topic),
    id: hex(id),
    payload,
  })
}

describe('pub/sub', () => {
  it('delivers a publish from one client to a subscriber on another', async () => {
    const relay = await h.relay()
    const [pub, sub] = await Promise.all([h.client(relay), h.client(relay)])
    const topic = randomTopic()
    const id = randomId()
    expect(await sub.subscribe([topic])).toBe('OK')
    expect(await pub.publish(topic, id, 60, utf8('hello'))).toBe('OK')
    await expectMessage(sub, topic, id, 'hello')
    await sub.expectNoMessage()
    await pub.expectNoMessage() // not subscribed: the publisher gets nothing back
    expect(pub.badFrames).toEqual([])
    expect(sub.badFrames).toEqual([])
  })

  it('fans out to three subscribers, once each, and not to other topics', async () => {
    const relay = await h.relay()
    const pub = await h.client(relay)
    const subs = await Promise.all([h.client(relay), h.client(relay), h.client(relay)])
    const other = await h.client(relay)
    const topic = randomTopic()
    const id = randomId()
    for (const s of subs) expect(await s.subscribe([topic])).toBe('OK')
    expect(await other.subscribe([randomTopic()])).toBe('OK')
    expect(await pub.publish(topic, id, 60, utf8('to all'))).toBe('OK')
    for (const s of subs) await expectMessage(s, topic, id, 'to all')
    for (const s of subs) await s.expectNoMessage()
    await other.expectNoMessage()
    expect(metric(relay.metrics(), 'pairline_relay_messages_out_total')).toBe(3)
  })

  it("keeps a topic's messages in publish order, live and stored", async () => {
    const relay = await h.relay()
    const [pub, live] = await Promise.all([h.client(relay), h.client(relay)])
    const topic = randomTopic()
    expect(await live.subscribe([topic])).toBe('OK')
    const ids = Array.from({ length: 8 }, randomId)
    const results = await Promise.all(ids.map((id, i) => pub.publish(topic, id, 60, utf8(`m${i}`))))
    expect(results).toEqual(ids.map(() => 'OK'))
    for (const [i, id] of ids.entries()) await expectMessage(live, topic, id, `m${i}`)
    const late = await h.client(relay)
    expect(await late.subscribe([topic])).toBe('OK')
    for (const [i, id] of ids.entries()) await expectMessage(late, topic, id, `m${i}`)
  })

  it('unsubscribe stops live delivery (the message stays stored for others)', async () => {
    const relay = await h.relay()
    const [pub, sub] = await Promise.all([h.client(relay), h.client(relay)])
    const topic = randomTopic()
    expect(await sub.subscribe([topic])).toBe('OK')
    expect(await sub.unsubscribe([topic])).toBe('OK')
    expect(await pub.publish(topic, randomId(), 60, utf8('x'))).toBe('OK')
    await sub.expectNoMessage()
    expect(metric(relay.metrics(), 'pairline_relay_subscriptions')).toBe(0)
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(1)
    // unsubscribing a topic that was never subscribed is fine
    expect(await sub.unsubscribe([randomTopic()])).toBe('OK')
  })

  it('PING answers OK with its rid', async () => {
    const relay = await h.relay()
    const c = await h.client(relay)
    expect(await c.ping()).toBe('OK')
    c.raw(new Uint8Array([0x05, 0xde, 0xad, 0xbe, 0xef]))
    expect(await c.nextReply()).toEqual({ type: 'OK', rid: 0xdeadbeef })
  })
})

describe('mailbox', () => {
  it('keeps a message published with nobody subscribed for a late subscriber', async () => {
    const relay = await h.relay()
    const pub = await h.client(relay)
    const topic = randomTopic()
    const id = randomId()
    expect(await pub.publish(topic, id, 60, utf8('stored'))).toBe('OK')
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(1)
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_bytes')).toBe(6)
    const late = await h.client(relay)
    expect(await late.subscribe([topic])).toBe('OK')
    await expectMessage(late, topic, id, 'stored')
  })

  it('an ack removes the message for everyone (a new subscriber no longer gets it)', async () => {
    const relay = await h.relay()
    const [pub, sub] = await Promise.all([h.client(relay), h.client(relay)])
    const topic = randomTopic()
    const id = randomId()
    const keep = randomId()
    expect(await pub.publish(topic, id, 60, utf8('one'))).toBe('OK')
    expect(await pub.publish(topic, keep, 60, utf8('two'))).toBe('OK')
    expect(await sub.subscribe([topic])).toBe('OK')
    await expectMessage(sub, topic, id, 'one')
    await expectMessage(sub, topic, keep, 'two')
    expect(await sub.ack([{ topic, id }])).toBe('OK')
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(1)
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_bytes')).toBe(3)
    const next = await h.client(relay)
    expect(await next.subscribe([topic])).toBe('OK')
    await expectMessage(next, topic, keep, 'two')
    await next.expectNoMessage()
    // acking again, or an unknown id, is ignored
    expect(await next.ack([{ topic, id }])).toBe('OK')
    expect(await next.ack([{ topic, id: randomId() }])).toBe('OK')
    expect(await next.ack([{ topic, id: keep }])).toBe('OK')
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(0)
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_bytes')).toBe(0)
  })

  it('redelivers to a subscriber that disconnected before acking', async () => {
    const relay = await h.relay()
    const pub = await h.client(relay)
    const topic = randomTopic()
    const id = randomId()
    let sub = await h.client(relay)
    expect(await sub.subscribe([topic])).toBe('OK')
    expect(await pub.publish(topic, id, 60, utf8('again'))).toBe('OK')
    await expectMessage(sub, topic, id, 'again')
    expect((await sub.close()).code).toBe(1005)
    await waitUntil(() => metric(relay.metrics(), 'pairline_relay_connections') === 1)
    expect(metric(relay.metrics(), 'pairline_relay_subscriptions')).toBe(0)
    sub = await h.client(relay)
    expect(await sub.subscribe([topic])).toBe('OK')
    await expectMessage(sub, topic, id, 'again')
    expect(await sub.ack([{ topic, id }])).toBe('OK')
    // and after an unsubscribe/subscribe on one connection, once acked, nothing comes back
    expect(await sub.unsubscribe([topic])).toBe('OK')
    expect(await sub.subscribe([topic])).toBe('OK')
    await sub.expectNoMessage()
  })

  it('subscribing twice to a topic on one connection does not deliver twice', async () => {
    const relay = await h.relay()
    const c = await h.client(relay)
    const topic = randomTopic()
    const id = randomId()
    expect(await c.publish(topic, id, 60, utf8('once'))).toBe('OK')
    expect(await c.subscribe([topic, topic])).toBe('OK')
    await expectMessage(c, topic, id, 'once')
    expect(await c.subscribe([topic])).toBe('OK')
    await c.expectNoMessage()
    expect(metric(relay.metrics(), 'pairline_relay_subscriptions')).toBe(1)
  })

  it('stores a duplicate publish of the same (topic, id) once, and answers OK', async () => {
    const relay = await h.relay()
    const [pub, sub] = await Promise.all([h.client(relay), h.client(relay)])
    const topic = randomTopic()
    const id = randomId()
    expect(await sub.subscribe([topic])).toBe('OK')
    expect(await pub.publish(topic, id, 60, utf8('first'))).toBe('OK')
    expect(await pub.publish(topic, id, 60, utf8('second'))).toBe('OK')
    await expectMessage(sub, topic, id, 'first')
    await sub.expectNoMessage()
    const m = relay.metrics()
    expect(metric(m, 'pairline_relay_mailbox_messages')).toBe(1)
    expect(metric(m, 'pairline_relay_messages_in_total')).toBe(1)
    expect(metric(m, 'pairline_relay_bytes_in_total')).toBe(5)
    const late = await h.client(relay)
    expect(await late.subscribe([topic])).toBe('OK')
    await expectMessage(late, topic, id, 'first')
    await late.expectNoMessage()
    // the same id on another topic is another message
    expect(await pub.publish(randomTopic(), id, 60, utf8('elsewhere'))).toBe('OK')
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(2)
  })

  it('drops a message at the end of its TTL (clock injected through `now`)', async () => {
    const clock = new FakeClock()
    const relay = await h.relay({ now: clock.now })
    const pub = await h.client(relay)
    const topic = randomTopic()
    const shortId = randomId()
    const longId = randomId()
    expect(await pub.publish(topic, shortId, 1, utf8('short'))).toBe('OK')
    expect(await pub.publish(topic, longId, 60, utf8('long'))).toBe('OK')
    clock.advance(2000)
    await relay.sweep()
    expect(metric(relay.metrics(), 'pairline_relay_expired_total')).toBe(1)
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(1)
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_bytes')).toBe(4)
    const late = await h.client(relay)
    expect(await late.subscribe([topic])).toBe('OK')
    await expectMessage(late, topic, longId, 'long')
    await late.expectNoMessage()
    clock.advance(60_000)
    await relay.sweep()
    expect(metric(relay.metrics(), 'pairline_relay_expired_total')).toBe(2)
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(0)
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_bytes')).toBe(0)
  })

  it('refuses an ACK for a topic the connection is not subscribed to, and acks nothing of that batch', async () => {
    const relay = await h.relay()
    const c = await h.client(relay)
    const mine = randomTopic()
    const theirs = randomTopic()
    const id = randomId()
    expect(await c.publish(mine, id, 60, utf8('x'))).toBe('OK')
    expect(await c.ack([{ topic: theirs, id }])).toBe('NOT_SUBSCRIBED')
    expect(await c.ack([{ topic: mine, id }])).toBe('NOT_SUBSCRIBED')
    expect(await c.subscribe([mine])).toBe('OK')
    await c.nextMessage()
    expect(
      await c.ack([
        { topic: mine, id },
        { topic: theirs, id },
      ]),
    ).toBe('NOT_SUBSCRIBED')
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(1)
    expect(metric(relay.metrics(), 'pairline_relay_errors_total', '{code="NOT_SUBSCRIBED"}')).toBe(3)
    expect(await c.ack([{ topic: mine, id }])).toBe('OK')
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(0)
  })
})

describe('createRelay', () => {
  it('listens on 127.0.0.1 by default, and rejects a taken port or a bad limit', async () => {
    const relay = await h.relay()
    expect(relay.host).toBe('127.0.0.1')
    expect(relay.url).toBe(`ws://127.0.0.1:${relay.port}`)
    expect(relay.port).toBeGreaterThan(0)
    await expect(h.relay({ port: relay.port })).rejects.toMatchObject({
      name: 'RelayError',
      code: 'RELAY_LISTEN_FAILED',
      message: `The client listener could not bind 127.0.0.1:${relay.port}. (EADDRINUSE)`,
    })
    await expect(h.relay({ limits: { maxFrameBytes: 0 } })).rejects.toMatchObject({
      code: 'RELAY_INVALID_LIMIT',
      message: 'Relay limit maxFrameBytes must be a positive integer (got 0).',
    })
    await expect(h.relay({ limits: { publishRate: 1.5 } })).rejects.toThrow(/publishRate/)
    await expect(h.relay({ limits: { ipv6PrefixLength: 129 } })).rejects.toMatchObject({
      code: 'RELAY_INVALID_LIMIT',
      message: 'Relay limit ipv6PrefixLength must be at most 128 (got 129).',
    })
    await expect(h.relay({ limits: { maxFrames: 1 } as never })).rejects.toMatchObject({
      code: 'RELAY_INVALID_LIMIT',
      message: 'There is no relay limit called maxFrames.',
    })
    await expect(h.relay({ trustedProxies: ['10.0.0.0/33'] })).rejects.toMatchObject({
      code: 'RELAY_INVALID_OPTION',
      message: 'A trusted proxy must be an IP address or a CIDR range. (got "10.0.0.0/33")',
    })
    await expect(h.relay({ tls: { cert: 'not a certificate', key: 'nor a key' } })).rejects.toMatchObject({
      code: 'RELAY_TLS_FAILED',
      shortMessage: 'The TLS certificate or key cannot be used.',
    })
  })
})

describe('HTTP', () => {
  it('GET /healthz on the operations listener is 200 ok; unknown paths and methods are 404', async () => {
    const relay = await h.relay()
    expect(relay.opsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(relay.opsUrl).not.toBe(`http://127.0.0.1:${relay.port}`)
    expect(await httpGet(httpUrl(relay, '/healthz'))).toEqual({
      status: 200,
      body: 'ok\n',
      contentType: 'text/plain',
    })
    expect((await httpGet(httpUrl(relay, '/healthz?probe=1'))).status).toBe(200)
    expect((await httpGet(httpUrl(relay, '/'))).status).toBe(404)
    expect((await httpGet(httpUrl(relay, '/healthz/x'))).status).toBe(404)
    expect((await httpGet(httpUrl(relay, '/metricsx'))).status).toBe(404)
    const ops = new URL(relay.opsUrl!)
    const post = await new Promise<number>((resolve, reject) => {
      const s = tcpConnect(Number(ops.port), ops.hostname, () =>
        s.end('POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'),
      )
      let out = ''
      s.on('data', (d) => {
        out += d.toString()
      })
      s.on('end', () => resolve(Number(out.split(' ')[1])))
      s.on('error', reject)
    })
    expect(post).toBe(404)
  })

  it('the client port serves neither /metrics nor /healthz (426), and no ops listener with ops: false', async () => {
    const relay = await h.relay()
    const client = `http://127.0.0.1:${relay.port}`
    for (const path of ['/metrics', '/healthz', '/']) {
      expect(await httpGet(`${client}${path}`)).toEqual({
        status: 426,
        body: 'WebSocket upgrades only; /healthz and /metrics are on the operations listener\n',
        contentType: 'text/plain',
      })
    }
    const none = await h.relay({ ops: false })
    expect(none.opsUrl).toBe(null)
    expect(await (await h.client(none)).ping()).toBe('OK')
  })

  it('GET /metrics lists the documented metrics, and its counters move', async () => {
    const relay = await h.relay({ limits: { maxTtlSeconds: 60 } })
    const before = await httpGet(httpUrl(relay, '/metrics'))
    expect(before.status).toBe(200)
    expect(before.contentType).toBe('text/plain; version=0.0.4')
    const names = [...before.body.matchAll(/^# TYPE (\S+) (gauge|counter)$/gm)].map((m) => `${m[1]} ${m[2]}`)
    expect(names).toEqual([
      'pairline_relay_connections gauge',
      'pairline_relay_connections_total counter',
      'pairline_relay_pending_upgrades gauge',
      'pairline_relay_topics gauge',
      'pairline_relay_subscriptions gauge',
      'pairline_relay_mailbox_messages gauge',
      'pairline_relay_mailbox_bytes gauge',
      'pairline_relay_messages_in_total counter',
      'pairline_relay_messages_out_total counter',
      'pairline_relay_bytes_in_total counter',
      'pairline_relay_expired_total counter',
      'pairline_relay_storage_degraded gauge',
      'pairline_relay_mailbox_lost_total counter',
      'pairline_relay_evicted_total counter',
      'pairline_relay_memory_bytes gauge',
      'pairline_relay_drops_total counter',
      'pairline_relay_limit_hits_total counter',
      'pairline_relay_errors_total counter',
    ])
    expect(metric(before.body, 'pairline_relay_messages_in_total')).toBe(0)
    expect(metric(before.body, 'pairline_relay_connections')).toBe(0)

    const [pub, sub] = await Promise.all([h.client(relay), h.client(relay)])
    const topic = randomTopic()
    expect(await sub.subscribe([topic, randomTopic()])).toBe('OK')
    expect(await pub.publish(topic, randomId(), 30, utf8('12345678'))).toBe('OK')
    expect(await pub.publish(topic, randomId(), 0, utf8('x'))).toBe('TTL_OUT_OF_RANGE')
    expect(await pub.publish(topic, randomId(), 61, utf8('x'))).toBe('TTL_OUT_OF_RANGE')
    pub.raw('not binary')
    expect((await pub.nextError()).name).toBe('NOT_BINARY')
    await sub.nextMessage()

    const after = (await httpGet(httpUrl(relay, '/metrics'))).body
    const withoutMemory = (t: string) => t.replace(/^pairline_relay_memory_bytes\{.*\n/gm, '')
    expect(withoutMemory(after)).toBe(withoutMemory(relay.metrics()))
    expect(metric(after, 'pairline_relay_memory_bytes', '{kind="rss"}')).toBeGreaterThan(0)
    const values = Object.fromEntries(
      after
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('pairline_relay_memory_bytes'))
        .map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]),
    )
    expect(values).toEqual({
      pairline_relay_connections: 2,
      pairline_relay_connections_total: 2,
      pairline_relay_pending_upgrades: 0,
      pairline_relay_topics: 2,
      pairline_relay_subscriptions: 2,
      pairline_relay_mailbox_messages: 1,
      pairline_relay_mailbox_bytes: 8,
      pairline_relay_messages_in_total: 1,
      pairline_relay_messages_out_total: 1,
      pairline_relay_bytes_in_total: 8,
      pairline_relay_expired_total: 0,
      pairline_relay_storage_degraded: 0,
      pairline_relay_mailbox_lost_total: 0,
      pairline_relay_evicted_total: 0,
      'pairline_relay_limit_hits_total{limit="ttl"}': 2,
      'pairline_relay_errors_total{code="NOT_BINARY"}': 1,
      'pairline_relay_errors_total{code="TTL_OUT_OF_RANGE"}': 2,
    })
  })

  it('never shows a topic, message id, payload or address in /metrics', async () => {
    const relay = await h.relay({ limits: { maxMessagesPerTopic: 1 } })
    const c = await h.client(relay)
    const topic = randomTopic()
    const id = randomId()
    const payload = utf8('secret-payload-3f9a')
    expect(await c.publish(topic, id, 60, payload)).toBe('OK')
    expect(await c.publish(topic, randomId(), 60, payload)).toBe('TOPIC_MAILBOX_FULL')
    expect(await c.subscribe([topic])).toBe('OK')
    await c.nextMessage()
    const body = (await httpGet(httpUrl(relay, '/metrics'))).body
    expect(body).toMatch(/^[\x20-\x7e\n]*$/) // plain ASCII: no raw topic bytes either
    for (const b of [topic, id, payload]) {
      const buf = Buffer.from(b)
      for (const form of [
        buf.toString('hex'),
        buf.toString('hex').toUpperCase(),
        buf.toString('base64'),
        buf.toString('base64url'),
        buf.toString('latin1'),
        buf.subarray(0, 8).toString('hex'),
        buf.subarray(0, 6).toString('base64url'),
      ]) {
        expect(body.includes(form), form).toBe(false)
      }
    }
    expect(body).not.toContain('127.0.0.1')
    expect(metric(body, 'pairline_relay_limit_hits_total', '{limit="topic_mailbox"}')).toBe(1)
  })
})

describe('graceful shutdown', () => {
  it('sends ERROR SHUTTING_DOWN, closes clients with 1012, resolves once they left, then refuses', async () => {
    // A timeout far beyond the test's: close() resolving at all shows it did not wait for it.
    const relay = await h.relay({ shutdownTimeoutMs: 600_000 })
    const clients = await Promise.all([h.client(relay), h.client(relay), h.client(relay)])
    const topic = randomTopic()
    expect(await clients[0]!.subscribe([topic])).toBe('OK')
    await relay.close()
    for (const c of clients) {
      expect(await c.nextError()).toEqual({
        rid: 0,
        code: RelayErrorCode.ShuttingDown,
        name: 'SHUTTING_DOWN',
        message: 'relay shutting down',
      })
      expect((await c.closed).code).toBe(1012)
    }
    await expect(httpGet(httpUrl(relay, '/healthz'))).rejects.toThrow(/ECONNREFUSED/)
    await expect(h.client(relay)).rejects.toThrow(/ECONNREFUSED/)
    expect(relay.close()).toBe(relay.close()) // idempotent
    await relay.close()
  })

  it('answers /healthz 503 while shutting down and terminates a client that never closes', async () => {
    const relay = await h.relay({ shutdownTimeoutMs: 200 })
    const normal = await h.client(relay)
    const stuck = await h.client(relay)
    // The stuck client reads nothing: it never sees the close frame, so it never answers it.
    ;(stuck.ws as unknown as { _socket: Socket })._socket.pause()

    // An HTTP connection to the operations listener that is mid-request when close() starts (so
    // not idle): one full request and the first lines of a second one, sent together.
    const ops = new URL(relay.opsUrl!)
    const http = tcpConnect(Number(ops.port), ops.hostname)
    let answer = ''
    let onAnswer = () => {}
    http.setEncoding('latin1')
    http.on('data', (d: string) => {
      answer += d
      onAnswer()
    })
    const answered = (text: string) =>
      new Promise<void>((resolve) => {
        onAnswer = () => answer.includes(text) && resolve()
        onAnswer()
      })
    await new Promise<void>((r) => http.once('connect', () => r()))
    http.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n')
    await answered('ok\n')

    const closing = relay.close()
    let done = false
    void closing.then(() => {
      done = true
    })
    expect((await normal.closed).code).toBe(1012)
    http.write('\r\n')
    await answered('shutting down\n')
    expect(answer).toMatch(/HTTP\/1\.1 200 OK[\s\S]*HTTP\/1\.1 503 Service Unavailable/)
    expect(done).toBe(false) // still waiting for the stuck client
    await closing
    expect(metric(relay.metrics(), 'pairline_relay_connections')).toBe(0)
    expect(metric(relay.metrics(), 'pairline_relay_subscriptions')).toBe(0)
    http.destroy()
    ;(stuck.ws as unknown as { _socket: Socket })._socket.resume()
    // terminated by the relay; the close frame it had queued may or may not be read first
    expect([1006, 1012]).toContain((await stuck.closed).code)
  })

  it('does not wait for sockets it refused at a connection limit (they never answer the close)', async () => {
    const relay = await h.relay({ shutdownTimeoutMs: 600_000, limits: { maxConnections: 1 } })
    const c = await h.client(relay)
    const refused = await rawUpgrade(relay)
    await relay.close()
    await refused.ended
    expect((await c.closed).code).toBe(1012)
  })

  it('refuses new WebSocket connections once closing has started', async () => {
    const relay = await h.relay({ shutdownTimeoutMs: 200 })
    const stuck = await h.client(relay)
    ;(stuck.ws as unknown as { _socket: Socket })._socket.pause()
    const closing = relay.close()
    await expect(h.client(relay)).rejects.toThrow()
    await closing
  })
})
