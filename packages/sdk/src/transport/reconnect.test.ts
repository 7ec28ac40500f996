import { createRelay, type Relay } from '@pairline/relay'
import {
  bytes,
  Clients,
  countingWebSocket,
  muteTcpServer,
  nextEvent,
  randomTopic,
  record,
  type ScriptedServer,
  scriptedServer,
  waitFor,
} from '@pairline/testkit/transport'
import { decodeClientFrame, encodeError, encodeOk, Op, RelayErrorCode } from '@pairline/wire'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRelayClient } from './relayClient.js'

const clients = new Clients(createRelayClient)
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  await clients.cleanup()
  await Promise.all(cleanups.splice(0).map((f) => f()))
})

async function relayOn(port = 0): Promise<Relay> {
  const r = await createRelay({ port, shutdownTimeoutMs: 500 })
  cleanups.push(() => r.close())
  return r
}

async function server(...args: Parameters<typeof scriptedServer>): Promise<ScriptedServer> {
  const s = await scriptedServer(...args)
  cleanups.push(() => s.close())
  return s
}

describe('relay client: reconnecting', () => {
  it('reconnects after the relay restarts on the same port, subscribes again and sends what was queued', async () => {
    const first = await relayOn()
    const { port } = first
    const a = clients.create(first.url)
    const b = clients.create(first.url)
    const topic = randomTopic()
    await b.subscribe([topic])
    await a.subscribe([randomTopic()])
    const events: string[] = []
    b.on('reconnecting', () => events.push('reconnecting'))
    b.on('open', () => events.push('open'))
    const aDown = nextEvent(a, 'reconnecting')

    await first.close()
    const [down] = await aDown
    expect(down.attempt).toBe(1)
    expect(down.reason.code).toBe('RELAY_UNAVAILABLE')
    expect(a.status).toBe('reconnecting')
    const published = a.publish(topic, bytes('sent while the relay was down'))
    const delivered = nextEvent(b, 'message')
    const aUp = nextEvent(a, 'open')

    await relayOn(port)
    const [m] = await delivered
    const id = await published
    expect(m.id).toEqual(id)
    expect(m.payload).toEqual(bytes('sent while the relay was down'))
    await aUp
    expect(a.status).toBe('open')
    expect(events[0]).toBe('reconnecting')
    expect(events).toContain('open')
    expect(events.indexOf('open')).toBeGreaterThan(0)
  })

  it('sends an unanswered publish again with the same id, and an unanswered subscribe again', async () => {
    const published: string[] = []
    const subscribed: number[] = []
    const s = await server(undefined, (ws, frame, index) => {
      const f = decodeClientFrame(frame)
      if (f?.op === Op.Subscribe) {
        subscribed.push(index)
        if (index > 0) ws.send(encodeOk(f.rid))
      }
      if (f?.op === Op.Publish) {
        published.push(Buffer.from(f.id).toString('hex'))
        // The first connection dies without answering; the second one answers.
        if (index === 0) ws.close(1012, 'restart')
        else ws.send(encodeOk(f.rid))
      }
    })
    const c = clients.create(s.url)
    const subscribing = c.subscribe([randomTopic()])
    const id = await c.publish(randomTopic(), bytes('again'))
    await subscribing
    expect(published).toEqual([Buffer.from(id).toString('hex'), Buffer.from(id).toString('hex')])
    expect(subscribed).toEqual([0, 1])
  })

  // SHUTTING_DOWN: a restart. MAILBOX_LOST: reconnecting makes the session re-send what is unacked.
  it.each([
    ['SHUTTING_DOWN', RelayErrorCode.ShuttingDown, 'the relay is shutting down'],
    ['MAILBOX_LOST', RelayErrorCode.MailboxLost, 'the relay lost stored messages'],
  ])('treats ERROR rid 0 %s as a reason to leave and reconnect', async (_name, code, details) => {
    const s = await server((ws, index) => {
      if (index === 0) ws.send(encodeError(0, code, 'bye'))
    })
    const c = clients.create(s.url)
    const errors = record(c, 'error')
    const [event] = await nextEvent(c, 'reconnecting')
    expect(event.reason.details).toBe(details)
    await nextEvent(c, 'open')
    expect(s.sockets).toHaveLength(2)
    expect(errors).toEqual([])
  })

  it('sends a publish answered STORAGE_UNAVAILABLE again, with the same id, after reconnecting', async () => {
    const published: [number, string][] = []
    const s = await server(undefined, (ws, frame, index) => {
      const f = decodeClientFrame(frame)
      if (f?.op !== Op.Publish) return
      published.push([index, Buffer.from(f.id).toString('hex')])
      ws.send(index === 0 ? encodeError(f.rid, RelayErrorCode.StorageUnavailable, 'down') : encodeOk(f.rid))
    })
    const c = clients.create(s.url, { reconnect: { initialDelayMs: 1, maxDelayMs: 10 } })
    const reconnecting = nextEvent(c, 'reconnecting')
    const id = Buffer.from(await c.publish(randomTopic(), bytes('kept'))).toString('hex')
    const [event] = await reconnecting
    expect(event.reason.details).toBe("the relay's storage is unavailable")
    expect(published).toEqual([
      [0, id],
      [1, id],
    ])
  })

  it('backs off further after close 1013 or 1008 than after 1012', async () => {
    const codes = [1012, 1013, 1008]
    const s = await server((ws, index) => {
      const code = codes[index]
      if (code !== undefined) ws.close(code, 'bye')
    })
    // random 0: no jitter, so delays are exact. initial 10 ms, factor 2.
    const c = clients.create(s.url, { random: () => 0, reconnect: { initialDelayMs: 10, maxDelayMs: 1000 } })
    const seen = record(c, 'reconnecting')
    await waitFor(() => s.sockets.length === 4, 3000, 'fourth connection')
    expect(seen.map((e) => [e.attempt, e.delayMs])).toEqual([
      [1, 10],
      [3, 40],
      [4, 80],
    ])
    expect(seen.map((e) => e.reason.details)).toEqual([
      'socket closed (code 1012: bye)',
      'socket closed (code 1013: bye)',
      'socket closed (code 1008: bye)',
    ])
  })

  it('starts the backoff over once a connection got an OK', async () => {
    const s = await server(undefined, (ws, frame, index) => {
      const f = decodeClientFrame(frame)
      if (f === null) return
      ws.send(encodeOk(f.rid))
      if (index < 2) ws.close(1012)
    })
    const c = clients.create(s.url, { random: () => 0 })
    const seen = record(c, 'reconnecting')
    await c.subscribe([randomTopic()])
    await waitFor(() => seen.length === 2 && c.status === 'open', 3000, 'two reconnects')
    expect(seen.map((e) => e.attempt)).toEqual([1, 1])
  })
})

describe('relay client: timeouts', () => {
  it('rejects a request that gets no answer with REQUEST_TIMEOUT, then reconnects', async () => {
    const s = await server() // accepts the upgrade, never answers a frame
    const c = clients.create(s.url, { requestTimeoutMs: 150 })
    await nextEvent(c, 'open')
    const reconnecting = nextEvent(c, 'reconnecting')
    await expect(c.publish(randomTopic(), bytes('into the void'))).rejects.toMatchObject({
      code: 'REQUEST_TIMEOUT',
      details: 'no reply to PUBLISH within 150 ms',
    })
    const [event] = await reconnecting
    expect(event.reason.code).toBe('REQUEST_TIMEOUT')
    await waitFor(() => s.sockets.length >= 2, 3000, 'a second connection')
  })

  it('drops a connection whose PING goes unanswered', async () => {
    const s = await server()
    const c = clients.create(s.url, { requestTimeoutMs: 100, pingIntervalMs: 30 })
    await nextEvent(c, 'open')
    const [event] = await nextEvent(c, 'reconnecting')
    expect(event.reason).toMatchObject({ code: 'REQUEST_TIMEOUT', details: 'no reply to PING within 100 ms' })
  })

  it('gives up on a connection that never opens', async () => {
    const tcp = await muteTcpServer()
    cleanups.push(() => tcp.close())
    const c = clients.create(tcp.url, { requestTimeoutMs: 100 })
    const [event] = await nextEvent(c, 'reconnecting')
    expect(event.reason).toMatchObject({ code: 'RELAY_UNAVAILABLE', details: 'not open within 100 ms' })
    expect(c.status).toBe('reconnecting')
  })

  it('close() during an unanswered request rejects it with SESSION_CLOSED; nothing reconnects', async () => {
    const s = await server()
    // Fake timers for the client, real sockets: run every timer it left instead of sleeping.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      await closeDuringRequest(s)
    } finally {
      vi.useRealTimers()
    }
  })

  async function closeDuringRequest(s: ScriptedServer): Promise<void> {
    const sockets = countingWebSocket()
    const c = clients.create(s.url, { WebSocket: sockets.WebSocket })
    await nextEvent(c, 'open')
    const pending = expect(c.publish(randomTopic(), bytes('pending'))).rejects.toMatchObject({
      code: 'SESSION_CLOSED',
    })
    const reconnecting = record(c, 'reconnecting')
    await c.close()
    await pending
    await vi.advanceTimersByTimeAsync(60_000) // far past every backoff and timeout
    expect(reconnecting).toEqual([])
    expect(sockets.opened).toBe(1)
    expect(s.sockets).toHaveLength(1)
    expect(c.status).toBe('closed')
  }
})
