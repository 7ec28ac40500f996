import { createRelay, type Relay, type RelayOptions } from '@pairline/relay'
import {
  bytes,
  Clients,
  countingWebSocket,
  deadUrl,
  nextEvent,
  randomTopic,
  record,
} from '@pairline/testkit/transport'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocket as WsWebSocket } from 'ws'
import { createRelayClient } from './relayClient.js'
import type { RelayMessage } from './types.js'

const clients = new Clients(createRelayClient)
const relays: Relay[] = []
afterEach(async () => {
  await clients.cleanup()
  await Promise.all(relays.splice(0).map((r) => r.close()))
})

async function relay(options: RelayOptions = {}): Promise<Relay> {
  const r = await createRelay({ port: 0, shutdownTimeoutMs: 500, ...options })
  relays.push(r)
  return r
}

describe('relay client: publish and subscribe (real relay)', () => {
  it('delivers between two clients; an ack removes the message for everyone', async () => {
    const r = await relay()
    const a = clients.create(r.url)
    const b = clients.create(r.url)
    const topic = randomTopic()
    await b.subscribe([topic])
    expect(b.status).toBe('open')
    const got = nextEvent(b, 'message')
    const id = await a.publish(topic, bytes('hello'))
    expect(id).toHaveLength(16)
    const [m] = await got
    expect(m).toEqual({ topic, id, payload: bytes('hello') })

    b.ack(topic, m.id)
    // Acks go out before any later request, so once this OK is back the relay has removed it.
    await b.subscribe([topic])
    const c = clients.create(r.url)
    const late = record(c, 'message')
    // The relay sends stored messages before its OK to a SUBSCRIBE.
    await c.subscribe([topic])
    expect(late).toEqual([])
  })

  it('acks many messages in batches of at most 64', async () => {
    const r = await relay()
    const a = clients.create(r.url)
    const b = clients.create(r.url)
    const topic = randomTopic()
    await Promise.all(Array.from({ length: 70 }, (_, i) => a.publish(topic, bytes(`m${i}`))))
    const errors = record(b, 'error')
    const seen: RelayMessage[] = []
    b.on('message', (m) => {
      seen.push(m)
      b.ack(m.topic, m.id)
    })
    await b.subscribe([topic])
    expect(seen.map((m) => new TextDecoder().decode(m.payload))).toEqual(
      Array.from({ length: 70 }, (_, i) => `m${i}`),
    )
    await b.unsubscribe([topic])
    b.ack(topic, seen[0]!.id) // no longer subscribed: dropped here, not refused by the relay
    await b.subscribe([randomTopic()])
    const c = clients.create(r.url)
    const late = record(c, 'message')
    await c.subscribe([topic])
    expect(late).toEqual([])
    expect(errors).toEqual([])
  })

  it('does not get messages of topics it is not (or no longer) subscribed to', async () => {
    const r = await relay()
    const a = clients.create(r.url)
    const b = clients.create(r.url)
    const [mine, other] = [randomTopic(), randomTopic()]
    const seen = record(b, 'message')
    await b.subscribe([mine])
    await a.publish(other, bytes('not for b'))
    await b.unsubscribe([mine])
    await a.publish(mine, bytes('after unsubscribe'))
    await b.subscribe([randomTopic()]) // a round trip after both publishes
    expect(seen).toEqual([])
  })

  it('drains the mailbox: a message published while the subscriber was away arrives on subscribe', async () => {
    const r = await relay()
    const a = clients.create(r.url)
    const topic = randomTopic()
    const id = await a.publish(topic, bytes('while you were out'), { ttlSeconds: 60 })
    const b = clients.create(r.url)
    const got = nextEvent(b, 'message')
    await b.subscribe([topic])
    const [m] = await got
    expect(m.id).toEqual(id)
    expect(m.payload).toEqual(bytes('while you were out'))
  })

  it('uses the id it is given and the relay stores a (topic, id) once', async () => {
    const r = await relay()
    const a = clients.create(r.url)
    const topic = randomTopic()
    const id = new Uint8Array(16).fill(7)
    expect(await a.publish(topic, bytes('x'), { id })).toEqual(id)
    expect(await a.publish(topic, bytes('x'), { id })).toEqual(id)
    const b = clients.create(r.url)
    const seen = record(b, 'message')
    await b.subscribe([topic])
    expect(seen).toHaveLength(1)
  })

  it('subscribes in frames of at most 64 topics', async () => {
    const r = await relay({ limits: { maxTopicsPerConnection: 200 } })
    const a = clients.create(r.url)
    const b = clients.create(r.url)
    const topics = Array.from({ length: 130 }, randomTopic)
    await b.subscribe(topics)
    const seen = record(b, 'message')
    await a.publish(topics[0]!, bytes('first'))
    await a.publish(topics[129]!, bytes('last'))
    await b.subscribe([topics[64]!])
    expect(seen.map((m) => m.topic)).toEqual([topics[0], topics[129]])
  })
})

describe('relay client: the socket', () => {
  it('uses an injected WebSocket class and goes connecting -> open', async () => {
    const r = await relay()
    const urls: string[] = []
    class Counting extends WsWebSocket {
      constructor(url: string) {
        super(url)
        urls.push(url)
      }
    }
    const c = clients.create(r.url, { WebSocket: Counting })
    expect(c.status).toBe('connecting')
    await nextEvent(c, 'open')
    expect(c.status).toBe('open')
    expect(urls).toEqual([r.url])
  })
})

describe('relay client: the relay says no', () => {
  it('rejects a publish to a full mailbox with RELAY_REJECTED TOPIC_MAILBOX_FULL', async () => {
    const r = await relay({ limits: { maxMessagesPerTopic: 1 } })
    const a = clients.create(r.url)
    const topic = randomTopic()
    await a.publish(topic, bytes('one'))
    await expect(a.publish(topic, bytes('two'))).rejects.toMatchObject({
      code: 'RELAY_REJECTED',
      details: 'TOPIC_MAILBOX_FULL',
    })
    expect(a.status).toBe('open')
  })

  it('rejects a TTL over the relay maximum with RELAY_REJECTED TTL_OUT_OF_RANGE', async () => {
    const r = await relay({ limits: { maxTtlSeconds: 60 } })
    const a = clients.create(r.url)
    await expect(a.publish(randomTopic(), bytes('x'), { ttlSeconds: 61 })).rejects.toMatchObject({
      code: 'RELAY_REJECTED',
      details: 'TTL_OUT_OF_RANGE',
    })
    await expect(a.publish(randomTopic(), bytes('x'), { ttlSeconds: 60 })).resolves.toHaveLength(16)
  })

  it('rejects a refused subscription and does not subscribe it again', async () => {
    const r = await relay({ limits: { maxTopicsPerConnection: 2 } })
    const b = clients.create(r.url)
    const [t1, t2, t3] = [randomTopic(), randomTopic(), randomTopic()]
    await b.subscribe([t1])
    await expect(b.subscribe([t1, t2, t3])).rejects.toMatchObject({
      code: 'RELAY_REJECTED',
      details: 'TOO_MANY_TOPICS',
    })
    // t2 and t3 were forgotten, t1 kept: there is room for exactly one more.
    await b.subscribe([t2])
    const a = clients.create(r.url)
    const seen = record(b, 'message')
    await a.publish(t1, bytes('still subscribed'))
    await a.publish(t3, bytes('never subscribed'))
    await b.subscribe([t2])
    expect(seen.map((m) => m.topic)).toEqual([t1])
  })

  it('rejects a frame over the relay size limit instead of sending it for ever', async () => {
    const r = await relay({ limits: { maxFrameBytes: 1024 } })
    const a = clients.create(r.url)
    await a.subscribe([randomTopic()])
    const reconnecting = nextEvent(a, 'reconnecting')
    await expect(a.publish(randomTopic(), new Uint8Array(2000))).rejects.toMatchObject({
      code: 'RELAY_REJECTED',
      details: 'FRAME_TOO_LARGE',
    })
    const [event] = await reconnecting
    expect(event.reason.details).toContain('1009')
    await expect(a.publish(randomTopic(), new Uint8Array(100))).resolves.toHaveLength(16)
  })
})

describe('relay client: arguments and close()', () => {
  it('refuses bad arguments with INVALID_ARGUMENT', async () => {
    const url = await deadUrl()
    expect(() => clients.create('http://relay.example')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => clients.create('not a url')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(() => clients.create(url, { requestTimeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    const c = clients.create(url)
    const invalid = { code: 'INVALID_ARGUMENT' }
    await expect(c.subscribe(['not-a-topic'])).rejects.toMatchObject(invalid)
    await expect(c.subscribe([randomTopic().slice(1)])).rejects.toMatchObject(invalid)
    await expect(c.publish(randomTopic(), new Uint8Array(0))).rejects.toMatchObject(invalid)
    await expect(c.publish(randomTopic(), bytes('x'), { ttlSeconds: 0 })).rejects.toMatchObject(invalid)
    await expect(c.publish(randomTopic(), bytes('x'), { ttlSeconds: 1.5 })).rejects.toMatchObject(invalid)
    await expect(c.publish(randomTopic(), bytes('x'), { id: new Uint8Array(15) })).rejects.toMatchObject(
      invalid,
    )
    expect(() => c.ack(randomTopic(), new Uint8Array(3))).toThrow(expect.objectContaining(invalid))
    const badRandom = clients.create(url, { randomBytes: () => new Uint8Array(4) })
    await expect(badRandom.publish(randomTopic(), bytes('x'))).rejects.toMatchObject(invalid)
  })

  it('close() rejects queued work with SESSION_CLOSED and never reconnects', async () => {
    const url = await deadUrl()
    // The client's timers are fake, its sockets real: "never reconnects" is then shown by running
    // every timer it left, not by sleeping through a few backoff periods.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      await closeWhileReconnecting(url)
    } finally {
      vi.useRealTimers()
    }
  })

  async function closeWhileReconnecting(url: string): Promise<void> {
    const sockets = countingWebSocket()
    const c = clients.create(url, { WebSocket: sockets.WebSocket })
    const reconnecting = record(c, 'reconnecting')
    await nextEvent(c, 'reconnecting') // the relay is not there
    expect(c.status).toBe('reconnecting')
    const closedError = { code: 'SESSION_CLOSED' }
    const queued = expect(c.publish(randomTopic(), bytes('queued'))).rejects.toMatchObject(closedError)
    const subscribed = expect(c.subscribe([randomTopic()])).rejects.toMatchObject(closedError)
    const closeEvent = nextEvent(c, 'close')
    await c.close()
    await closeEvent
    expect(c.status).toBe('closed')
    await queued
    await subscribed
    await expect(c.publish(randomTopic(), bytes('late'))).rejects.toMatchObject({ code: 'SESSION_CLOSED' })
    await expect(c.subscribe([randomTopic()])).rejects.toMatchObject({ code: 'SESSION_CLOSED' })
    await expect(c.unsubscribe([randomTopic()])).rejects.toMatchObject({ code: 'SESSION_CLOSED' })
    c.ack(randomTopic(), new Uint8Array(16)) // dropped, no throw
    const attempts = reconnecting.length
    const opened = sockets.opened
    expect(opened).toBeGreaterThanOrEqual(1)
    await vi.advanceTimersByTimeAsync(60_000) // far past every backoff (10-50 ms) and timeout
    expect(sockets.opened).toBe(opened)
    expect(reconnecting.length).toBe(attempts)
    expect(c.status).toBe('closed')
    expect(c.close()).toBe(c.close())
  }

  it('close() while open closes the socket: the relay sees the connection go', async () => {
    const r = await relay()
    const c = clients.create(r.url)
    await c.subscribe([randomTopic()])
    expect(r.metrics()).toMatch(/^pairline_relay_connections 1$/m)
    await c.close()
    await expect.poll(() => r.metrics()).toMatch(/^pairline_relay_connections 0$/m)
  })
})
