import type { Socket } from 'node:net'
import {
  FakeClock,
  Harness,
  hex,
  metric,
  randomId,
  randomTopic,
  rawUpgrade,
  type TestClient,
  waitUntil,
} from '@pairline/testkit/relay'
import { encodePublish, encodeSubscribe } from '@pairline/wire'
import { afterEach, describe, expect, it } from 'vitest'
import type { Relay } from './relay.js'

const h = new Harness()
afterEach(() => h.cleanup())

const sized = (n: number) => new Uint8Array(n).fill(0x61)
const limitHits = (relay: Relay, name: string) =>
  metric(relay.metrics(), 'pairline_relay_limit_hits_total', `{limit="${name}"}`)
const drops = (relay: Relay, reason: string) =>
  metric(relay.metrics(), 'pairline_relay_drops_total', `{reason="${reason}"}`)
const socketOf = (c: TestClient) => (c.ws as unknown as { _socket: Socket })._socket

/** Two well-behaved clients that must keep working whatever a third one does. */
async function bystanders(relay: Relay): Promise<[TestClient, TestClient]> {
  return Promise.all([h.client(relay), h.client(relay)])
}

/** A full round trip between the bystanders on a fresh topic: subscribe, publish, receive, ack. */
async function roundTrip(a: TestClient, b: TestClient, payload = sized(8)): Promise<void> {
  const topic = randomTopic()
  const id = randomId()
  expect(await b.subscribe([topic])).toBe('OK')
  expect(await a.publish(topic, id, 60, payload)).toBe('OK')
  const m = await b.nextMessage()
  expect(hex(m.id)).toBe(hex(id))
  expect(await b.ack([{ topic, id }])).toBe('OK')
  expect(await b.unsubscribe([topic])).toBe('OK')
  expect(await a.ping()).toBe('OK')
}

describe('frame size', () => {
  it('closes a connection that sends a frame over maxFrameBytes with 1009; others carry on', async () => {
    const relay = await h.relay({ limits: { maxFrameBytes: 1024 } })
    const [a, b] = await bystanders(relay)
    const bad = await h.client(relay)
    const topic = randomTopic()
    // exactly at the limit is fine
    expect(await bad.publish(topic, randomId(), 60, sized(1024 - 57))).toBe('OK')
    const frame = encodePublish(1, topic, randomId(), 60, sized(1025 - 57))
    expect(frame.length).toBe(1025)
    bad.raw(frame)
    await roundTrip(a, b)
    expect((await bad.closed).code).toBe(1009)
    await roundTrip(a, b)
    expect(limitHits(relay, 'frame_bytes')).toBe(1)
    expect(drops(relay, 'frame_too_large')).toBe(1)
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(1)

    const text = await h.client(relay)
    text.raw('x'.repeat(2000))
    expect((await text.closed).code).toBe(1009)
    expect(limitHits(relay, 'frame_bytes')).toBe(2)
  })
})

describe('topics per connection', () => {
  it('refuses a SUBSCRIBE over the limit with TOO_MANY_TOPICS, atomically', async () => {
    const relay = await h.relay({ limits: { maxTopicsPerConnection: 4 } })
    const [a, b] = await bystanders(relay)
    const c = await h.client(relay)
    const t = Array.from({ length: 6 }, randomTopic)
    expect(await c.subscribe(t.slice(0, 3))).toBe('OK')
    expect(await c.subscribe([t[3]!, t[4]!])).toBe('TOO_MANY_TOPICS')
    await roundTrip(a, b)
    // none of the refused batch is subscribed: no live delivery, and ACK says NOT_SUBSCRIBED
    const id = randomId()
    expect(await a.publish(t[3]!, id, 60, sized(1))).toBe('OK')
    expect(await a.publish(t[4]!, randomId(), 60, sized(1))).toBe('OK')
    await c.expectNoMessage()
    expect(await c.ack([{ topic: t[3]!, id }])).toBe('NOT_SUBSCRIBED')
    expect(metric(relay.metrics(), 'pairline_relay_subscriptions')).toBe(3)
    // topics already held do not count again; duplicates in a batch count once
    expect(await c.subscribe([t[0]!, t[1]!, t[3]!, t[3]!])).toBe('OK')
    expect((await c.nextMessage()).id).toEqual(id)
    expect(await c.subscribe([t[5]!])).toBe('TOO_MANY_TOPICS')
    expect(await c.unsubscribe([t[0]!])).toBe('OK')
    expect(await c.subscribe([t[5]!])).toBe('OK')
    expect(metric(relay.metrics(), 'pairline_relay_subscriptions')).toBe(4)
    expect(limitHits(relay, 'topics_per_connection')).toBe(2)
    expect(metric(relay.metrics(), 'pairline_relay_errors_total', '{code="TOO_MANY_TOPICS"}')).toBe(2)
    // the limit is per connection
    const d = await h.client(relay)
    expect(await d.subscribe(t.slice(0, 4))).toBe('OK')
  })

  it('by default one connection holds 1,024 topics (a wallet with 256 sessions mid-resume), not 1,025', async () => {
    const relay = await h.relay()
    expect(relay.limits.maxTopicsPerConnection).toBe(1024)
    const wallet = await h.client(relay)
    const topics = Array.from({ length: 1025 }, randomTopic)
    for (let i = 0; i < 1024; i += 64) expect(await wallet.subscribe(topics.slice(i, i + 64))).toBe('OK')
    expect(await wallet.subscribe([topics[1024]!])).toBe('TOO_MANY_TOPICS')
    // with that many, a message on any of them is delivered and acked as with one
    const [pub] = await bystanders(relay)
    const id = randomId()
    expect(await pub.publish(topics[700]!, id, 60, sized(1))).toBe('OK')
    expect((await wallet.nextMessage()).id).toEqual(id)
    expect(await wallet.ack([{ topic: topics[700]!, id }])).toBe('OK')
    expect(await wallet.ack([{ topic: topics[1024]!, id }])).toBe('NOT_SUBSCRIBED')
    expect(await wallet.unsubscribe([topics[700]!])).toBe('OK')
    expect(await wallet.ack([{ topic: topics[700]!, id }])).toBe('NOT_SUBSCRIBED')
    expect(await wallet.subscribe([topics[1024]!])).toBe('OK')
    expect(metric(relay.metrics(), 'pairline_relay_subscriptions')).toBe(1024)
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(0)
  })

  it('per address and in all, subscriptions stay within what 64 per connection allowed (TOO_MANY_TOPICS)', async () => {
    const relay = await h.relay({
      trustedProxies: ['127.0.0.1'],
      limits: { maxTopicsPerConnection: 4, maxTopicsPerIp: 6, maxSubscriptions: 9 },
    })
    const here = [await h.client(relay), await h.client(relay)]
    expect(await here[0]!.subscribe(Array.from({ length: 4 }, randomTopic))).toBe('OK')
    expect(await here[1]!.subscribe(Array.from({ length: 3 }, randomTopic))).toBe('TOO_MANY_TOPICS')
    const two = [randomTopic(), randomTopic()]
    expect(await here[1]!.subscribe(two)).toBe('OK')
    expect(limitHits(relay, 'topics_per_ip')).toBe(1)
    // another address: the relay-wide bound (9) is what is left: 3 more
    const away = await h.client(relay, { headers: { 'x-forwarded-for': '203.0.113.7' } })
    expect(await away.subscribe(Array.from({ length: 4 }, randomTopic))).toBe('TOO_MANY_TOPICS')
    expect(await away.subscribe(Array.from({ length: 3 }, randomTopic))).toBe('OK')
    expect(limitHits(relay, 'subscriptions')).toBe(1)
    // unsubscribing and closing give the room back
    expect(await here[1]!.unsubscribe([two[0]!])).toBe('OK')
    expect(await away.subscribe([randomTopic()])).toBe('OK')
    await here[0]!.close()
    await waitUntil(() => metric(relay.metrics(), 'pairline_relay_subscriptions') === 5)
    expect(await here[1]!.subscribe(Array.from({ length: 3 }, randomTopic))).toBe('OK')
    expect(metric(relay.metrics(), 'pairline_relay_subscriptions')).toBe(8)
  })
})

describe('mailbox limits', () => {
  it('TOPIC_MAILBOX_FULL at maxMessagesPerTopic; other topics unaffected; an ack makes room', async () => {
    const relay = await h.relay({ limits: { maxMessagesPerTopic: 3 } })
    const [a, b] = await bystanders(relay)
    const c = await h.client(relay)
    const topic = randomTopic()
    const ids = Array.from({ length: 3 }, randomId)
    for (const id of ids) expect(await c.publish(topic, id, 60, sized(1))).toBe('OK')
    expect(await c.publish(topic, randomId(), 60, sized(1))).toBe('TOPIC_MAILBOX_FULL')
    await roundTrip(a, b)
    // a retry of a stored message is still answered OK
    expect(await c.publish(topic, ids[0]!, 60, sized(1))).toBe('OK')
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(3)
    expect(await c.subscribe([topic])).toBe('OK')
    expect(await c.ack([{ topic, id: ids[1]! }])).toBe('OK')
    expect(await c.publish(topic, randomId(), 60, sized(1))).toBe('OK')
    expect(limitHits(relay, 'topic_mailbox')).toBe(1)
    expect(drops(relay, 'mailbox_full')).toBe(1)
  })

  it('TOPIC_MAILBOX_FULL at maxBytesPerTopic (payload bytes, exact boundary)', async () => {
    const relay = await h.relay({ limits: { maxBytesPerTopic: 100 } })
    const [a, b] = await bystanders(relay)
    const c = await h.client(relay)
    const topic = randomTopic()
    expect(await c.publish(topic, randomId(), 60, sized(60))).toBe('OK')
    expect(await c.publish(topic, randomId(), 60, sized(41))).toBe('TOPIC_MAILBOX_FULL')
    await roundTrip(a, b, sized(100))
    expect(await c.publish(topic, randomId(), 60, sized(40))).toBe('OK')
    expect(await c.publish(topic, randomId(), 60, sized(1))).toBe('TOPIC_MAILBOX_FULL')
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_bytes')).toBe(100)
  })

  it('RELAY_MAILBOX_FULL at maxTotalMessages; an online subscriber is served anyway; acks free room', async () => {
    const relay = await h.relay({ limits: { maxTotalMessages: 3 } })
    const [a, b] = await bystanders(relay)
    const c = await h.client(relay)
    const topics = Array.from({ length: 3 }, randomTopic)
    const ids = topics.map(() => randomId())
    for (const [i, t] of topics.entries()) expect(await c.publish(t, ids[i]!, 60, sized(1))).toBe('OK')
    expect(await c.publish(randomTopic(), randomId(), 60, sized(1))).toBe('RELAY_MAILBOX_FULL')
    // the bystanders still connect, subscribe, receive and ack
    const topic = randomTopic()
    expect(await b.subscribe([topic, topics[0]!])).toBe('OK')
    expect(hex((await b.nextMessage()).id)).toBe(hex(ids[0]!))
    // b is online: delivered although nothing can be stored (§13.5, delivery never waits for room)
    const live = randomId()
    expect(await a.publish(topic, live, 60, sized(1))).toBe('OK')
    expect(hex((await b.nextMessage()).id)).toBe(hex(live))
    expect(drops(relay, 'delivered_not_stored')).toBe(1)
    // with nobody subscribed, the refusal stands until room is made
    expect(await a.publish(randomTopic(), randomId(), 60, sized(1))).toBe('RELAY_MAILBOX_FULL')
    expect(await b.ack([{ topic: topics[0]!, id: ids[0]! }])).toBe('OK')
    await roundTrip(a, b)
    expect(await c.publish(randomTopic(), randomId(), 60, sized(1))).toBe('OK')
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(3)
    // c's three topics, b's subscription to `topic`, the last one: no empty topic is left behind
    expect(metric(relay.metrics(), 'pairline_relay_topics')).toBe(5)
    expect(limitHits(relay, 'relay_mailbox')).toBe(3)
  })

  it('RELAY_MAILBOX_FULL at maxTotalBytes', async () => {
    const relay = await h.relay({ limits: { maxTotalBytes: 100 } })
    const [a, b] = await bystanders(relay)
    const c = await h.client(relay)
    expect(await c.publish(randomTopic(), randomId(), 60, sized(50))).toBe('OK')
    expect(await c.publish(randomTopic(), randomId(), 60, sized(42))).toBe('OK')
    expect(await c.publish(randomTopic(), randomId(), 60, sized(9))).toBe('RELAY_MAILBOX_FULL')
    await roundTrip(a, b, sized(8))
    expect(await c.publish(randomTopic(), randomId(), 60, sized(8))).toBe('OK')
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_bytes')).toBe(100)
  })
})

describe('TTL', () => {
  it('refuses ttl 0 and ttl > maxTtlSeconds with TTL_OUT_OF_RANGE', async () => {
    const relay = await h.relay({ limits: { maxTtlSeconds: 60 } })
    const [a, b] = await bystanders(relay)
    const c = await h.client(relay)
    const topic = randomTopic()
    expect(await c.publish(topic, randomId(), 0, sized(1))).toBe('TTL_OUT_OF_RANGE')
    await roundTrip(a, b)
    expect(await c.publish(topic, randomId(), 61, sized(1))).toBe('TTL_OUT_OF_RANGE')
    expect(await c.publish(topic, randomId(), 0xffff_ffff, sized(1))).toBe('TTL_OUT_OF_RANGE')
    expect(await c.publish(topic, randomId(), 1, sized(1))).toBe('OK')
    expect(await c.publish(topic, randomId(), 60, sized(1))).toBe('OK')
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(2)
    expect(limitHits(relay, 'ttl')).toBe(3)
  })
})

describe('rate limits (clock injected through `now`)', () => {
  it('publish rate: a burst, then RATE_LIMITED, then allowed again after refill', async () => {
    const clock = new FakeClock()
    const relay = await h.relay({ now: clock.now, limits: { publishRate: 2, publishBurst: 3 } })
    const [a, b] = await bystanders(relay)
    const c = await h.client(relay)
    const topic = randomTopic()
    const burst = await Promise.all(
      Array.from({ length: 5 }, () => c.publish(topic, randomId(), 60, sized(1))),
    )
    expect(burst).toEqual(['OK', 'OK', 'OK', 'RATE_LIMITED', 'RATE_LIMITED'])
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(3)
    // other connections have their own bucket; other frames are not publishes
    await roundTrip(a, b)
    expect(await c.ping()).toBe('OK')
    expect(await c.subscribe([topic])).toBe('OK')
    clock.advance(499)
    expect(await c.publish(topic, randomId(), 60, sized(1))).toBe('RATE_LIMITED')
    clock.advance(1) // 500 ms at 2/s is one token (the refused attempt above spent nothing)
    expect(await c.publish(topic, randomId(), 60, sized(1))).toBe('OK')
    expect(await c.publish(topic, randomId(), 60, sized(1))).toBe('RATE_LIMITED')
    clock.advance(60_000) // refills to the burst, not beyond
    const again = await Promise.all(
      Array.from({ length: 4 }, () => c.publish(topic, randomId(), 60, sized(1))),
    )
    expect(again).toEqual(['OK', 'OK', 'OK', 'RATE_LIMITED'])
    expect(limitHits(relay, 'publish_rate')).toBe(5)
  })

  it('frame rate: every kind of frame counts; RATE_LIMITED, then allowed after refill', async () => {
    const clock = new FakeClock()
    const relay = await h.relay({ now: clock.now, limits: { frameRate: 2, frameBurst: 4 } })
    const [a, b] = await bystanders(relay)
    const c = await h.client(relay)
    const topic = randomTopic()
    const first = await Promise.all([
      c.ping(),
      c.subscribe([topic]),
      c.publish(topic, randomId(), 60, sized(1)),
      c.ping(),
      c.ping(),
      c.publish(topic, randomId(), 60, sized(1)),
      c.subscribe([randomTopic()]),
    ])
    expect(first).toEqual(['OK', 'OK', 'OK', 'OK', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED'])
    await c.nextMessage() // the one publish that went through
    // each connection has its own bucket: a round trip is 3 frames for b and 2 for a
    await roundTrip(a, b)
    clock.advance(1000)
    expect(await c.ping()).toBe('OK')
    expect(await c.ping()).toBe('OK')
    expect(await c.ping()).toBe('RATE_LIMITED')
    expect(limitHits(relay, 'frame_rate')).toBe(4)
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(1)
  })
})

describe('connection limits', () => {
  it('closes the connection over maxConnectionsPerIp with 1008 (address from a trusted proxy)', async () => {
    const relay = await h.relay({ trustedProxies: ['127.0.0.1'], limits: { maxConnectionsPerIp: 2 } })
    const as = (ip: string) => h.client(relay, { headers: { 'x-forwarded-for': ip } })
    const first = await as('203.0.113.7')
    await as('203.0.113.7')
    const third = await as('203.0.113.7')
    const other = await as('203.0.113.8')
    const local = await h.client(relay) // no header: the proxy itself, counted at its own address
    expect(await third.closed).toEqual({ code: 1008, reason: 'too many connections from this address' })
    await roundTrip(other, local)
    expect(await first.ping()).toBe('OK')
    expect(limitHits(relay, 'connections_per_ip')).toBe(1)
    expect(metric(relay.metrics(), 'pairline_relay_connections')).toBe(4)
    // a slot frees when a connection from that address closes
    await first.close()
    await waitUntil(() => metric(relay.metrics(), 'pairline_relay_connections') === 3)
    const again = await as('203.0.113.7')
    expect(await again.ping()).toBe('OK')
  })

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy: the TCP connection is refused', async () => {
    const relay = await h.relay({ limits: { maxConnectionsPerIp: 2 } })
    const as = (ip: string) => h.client(relay, { headers: { 'x-forwarded-for': ip } })
    const [a, b] = [await as('203.0.113.1'), await as('203.0.113.2')]
    await expect(as('203.0.113.3')).rejects.toThrow(/socket hang up|ECONNRESET/)
    expect(limitHits(relay, 'connections_per_ip')).toBe(1)
    await roundTrip(a, b)
  })

  it('closes connections over maxConnections with 1013', async () => {
    const relay = await h.relay({ limits: { maxConnections: 2 } })
    const [a, b] = await bystanders(relay)
    const c = await h.client(relay)
    expect(await c.closed).toEqual({ code: 1013, reason: 'relay full' })
    await roundTrip(a, b)
    expect(limitHits(relay, 'connections')).toBe(1)
    expect(metric(relay.metrics(), 'pairline_relay_connections')).toBe(2)
    expect(metric(relay.metrics(), 'pairline_relay_connections_total')).toBe(2)
    await a.close()
    await waitUntil(() => metric(relay.metrics(), 'pairline_relay_connections') === 1)
    const d = await h.client(relay)
    await roundTrip(d, b)
  })
})

describe('refused connections', () => {
  it('are closed with their code and then terminated when they do not answer the close', async () => {
    const relay = await h.relay({
      trustedProxies: ['127.0.0.1'],
      limits: { maxConnections: 2, maxConnectionsPerIp: 1 },
    })
    const a = await h.client(relay, { headers: { 'x-forwarded-for': '203.0.113.1' } })
    const perIp = await rawUpgrade(relay, { 'x-forwarded-for': '203.0.113.1' })
    const b = await h.client(relay, { headers: { 'x-forwarded-for': '203.0.113.2' } })
    const full = await rawUpgrade(relay, { 'x-forwarded-for': '203.0.113.3' })
    // neither raw socket ever answers: the relay ends them itself
    await Promise.all([perIp.ended, full.ended])
    // an unmasked server close frame: 0x88, length, u16 code, reason
    const closeFrame = (b: Buffer) => b.subarray(b.indexOf('\r\n\r\n') + 4)
    expect(closeFrame(perIp.received()).subarray(0, 4).toString('hex')).toBe(`88${(2 + 38).toString(16)}03f0`)
    expect(closeFrame(full.received()).toString('latin1')).toBe('\x88\x0c\x03\xf5relay full')
    await roundTrip(a, b)
    expect(metric(relay.metrics(), 'pairline_relay_connections')).toBe(2)
  })
})

describe('heartbeat', () => {
  it('terminates a connection that stops answering pings; others stay (ticks driven by the test)', async () => {
    const relay = await h.relay({ limits: { heartbeatIntervalMs: 3_600_000 } })
    const [a, b] = await bystanders(relay)
    const silent = await h.client(relay, { autoPong: false })
    // A browser cannot answer pings with pongs, but its PING frames show it is alive.
    const browser = await h.client(relay, { autoPong: false })
    for (let tick = 0; tick < 4; tick++) {
      relay.heartbeat()
      // anything received marks a connection alive; a's and b's pongs go out before their PINGs
      expect(await Promise.all([a.ping(), b.ping(), browser.ping()])).toEqual(['OK', 'OK', 'OK'])
    }
    expect((await silent.closed).code).toBe(1006) // terminated at the second tick: no close frame
    await roundTrip(a, b)
    expect(browser.isOpen).toBe(true)
    expect(drops(relay, 'heartbeat_timeout')).toBe(1)
    expect(metric(relay.metrics(), 'pairline_relay_connections')).toBe(3)
  })
})

describe('unsent bytes', () => {
  it('closes a subscriber that does not read (1013) and keeps its mailbox', async () => {
    const relay = await h.relay({
      limits: {
        maxBufferedBytes: 64 * 1024,
        maxFrameBytes: 64 * 1024,
        maxBytesPerTopic: 64 * 1024 * 1024,
        maxStoredBytesPerConnection: 64 * 1024 * 1024,
        maxStoredBytesPerIp: 64 * 1024 * 1024,
        publishBurst: 1000,
      },
    })
    const [a, b] = await bystanders(relay)
    const slow = await h.client(relay)
    const topic = randomTopic()
    expect(await slow.subscribe([topic])).toBe('OK')
    socketOf(slow).pause()
    const payload = sized(60_000)
    let published = 0
    while (drops(relay, 'slow_consumer') === undefined) {
      // ~70 on Linux defaults (the kernel buffers a few MB first); 500 would be 30 MB
      if (published >= 500) throw new Error('the relay kept buffering for a reader that does not read')
      expect(await a.publish(topic, randomId(), 60, payload)).toBe('OK')
      published++
    }
    expect(limitHits(relay, 'buffered_bytes')).toBe(1)
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(published)
    await roundTrip(a, b)
    socketOf(slow).resume()
    expect((await slow.closed).code).toBe(1013)
  })

  it('closes a client that floods requests without reading the replies (1013)', async () => {
    const relay = await h.relay({ limits: { maxBufferedBytes: 16 * 1024, frameRate: 1e9, frameBurst: 1e9 } })
    const [a, b] = await bystanders(relay)
    const flood = await h.client(relay)
    socketOf(flood).pause()
    const ping = new Uint8Array([0x05, 0, 0, 0, 0]) // answered with a 5-byte OK
    let sent = 0
    while (drops(relay, 'slow_consumer') === undefined) {
      if (sent >= 2_000_000)
        throw new Error('the relay kept buffering replies for a client that does not read')
      for (let i = 0; i < 5000; i++) flood.raw(ping)
      sent += 5000
      await new Promise((r) => setImmediate(r))
    }
    await roundTrip(a, b)
    socketOf(flood).resume()
    expect((await flood.closed).code).toBe(1013)
  })
})

describe('bad frames', () => {
  it('answers a text frame with NOT_BINARY (rid 0) and keeps the connection', async () => {
    const relay = await h.relay()
    const [a, b] = await bystanders(relay)
    const c = await h.client(relay)
    c.raw('{"op":"subscribe"}')
    expect(await c.nextError()).toEqual({
      rid: 0,
      code: 2,
      name: 'NOT_BINARY',
      message: 'frames must be binary',
    })
    c.raw('')
    expect((await c.nextError()).name).toBe('NOT_BINARY')
    await roundTrip(a, b)
    expect(await c.ping()).toBe('OK')
  })

  it('answers malformed frames, unknown ops and empty frames with MALFORMED_FRAME', async () => {
    const relay = await h.relay()
    const [a, b] = await bystanders(relay)
    const c = await h.client(relay)
    const topic = randomTopic()
    const cases: [Uint8Array, number][] = [
      [new Uint8Array(0), 0],
      [new Uint8Array([0x01]), 0],
      [new Uint8Array([0x05, 0, 0, 0]), 0],
      [new Uint8Array([0x07, 0, 0, 0, 42]), 42],
      [new Uint8Array([0x81, 0, 0, 0, 43]), 43], // a relay frame sent by a client
      [new Uint8Array([0x05, 0, 0, 0, 44, 0]), 44], // PING with a trailing byte
      [encodeSubscribe(45, []), 45], // count 0
      [encodeSubscribe(46, [topic]).subarray(0, 37), 46],
      [encodePublish(47, topic, randomId(), 60, new Uint8Array(0)), 47], // empty payload
      [new Uint8Array([0x04, 0, 0, 0, 48, 65]), 48],
      [new Uint8Array(300).fill(0xff), 0xffffffff],
    ]
    for (const [frame, rid] of cases) {
      c.raw(frame)
      expect(await c.nextError(), hex(frame)).toEqual({
        rid,
        code: 1,
        name: 'MALFORMED_FRAME',
        message: 'malformed frame',
      })
    }
    await roundTrip(a, b)
    expect(await c.ping()).toBe('OK')
    expect(metric(relay.metrics(), 'pairline_relay_errors_total', '{code="MALFORMED_FRAME"}')).toBe(
      cases.length,
    )
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(0)
  })
})
