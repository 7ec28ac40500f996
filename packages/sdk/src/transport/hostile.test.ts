import { createRelay, type Relay } from '@pairline/relay'
import {
  bytes,
  Clients,
  nextEvent,
  randomTopic,
  record,
  type ScriptedServer,
  scriptedServer,
} from '@pairline/testkit/transport'
import { decodeClientFrame, encodeError, encodeMessage, encodeOk, Op, RelayErrorCode } from '@pairline/wire'
import { afterEach, describe, expect, it } from 'vitest'
import type { PairlineError } from '../errors/base.js'
import { fromBase64Url } from '../protocol/bytes.js'
import { createRelayClient } from './relayClient.js'
import type { WebSocketConstructor } from './types.js'

const clients = new Clients(createRelayClient)
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  await clients.cleanup()
  await Promise.all(cleanups.splice(0).map((f) => f()))
})

async function server(...args: Parameters<typeof scriptedServer>): Promise<ScriptedServer> {
  const s = await scriptedServer(...args)
  cleanups.push(() => s.close())
  return s
}

/** xorshift32: the same "random" bytes on every run. */
function garbage(seed: number, count: number): Uint8Array[] {
  let x = seed
  const next = () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x
  }
  return Array.from({ length: count }, () => {
    const frame = new Uint8Array(next() % 80).map(() => next() & 0xff)
    // Keep the first byte off the three relay frame types, so none of it decodes.
    if (frame.length > 0 && frame[0]! >= 0x81 && frame[0]! <= 0x83) frame[0] = 0x7f
    return frame
  })
}

/** Answers every request with OK, like a relay that accepts everything. */
function answerOk(ws: import('ws').WebSocket, frame: Uint8Array): void {
  const f = decodeClientFrame(frame)
  if (f) ws.send(encodeOk(f.rid))
}

describe('relay client: a hostile or broken relay', () => {
  it('turns garbage into error events and keeps working', async () => {
    const subscribed = randomTopic()
    const frames = garbage(0x5eed, 40)
    let subscribedOnce!: () => void
    const ready = new Promise<void>((r) => {
      subscribedOnce = r
    })
    const s = await server(undefined, (ws, frame) => {
      answerOk(ws, frame)
      if (decodeClientFrame(frame)?.op === Op.Subscribe) subscribedOnce()
    })
    const c = clients.create(s.url)
    const errors = record(c, 'error')
    const messages = record(c, 'message')
    await c.subscribe([subscribed])
    await ready
    const ws = s.sockets[0]!
    for (const f of frames) ws.send(f)
    ws.send('a text message')
    ws.send(new Uint8Array([0x81, 0, 0, 0])) // OK, one byte short
    ws.send(new Uint8Array([0x82, 0, 0, 0, 9, 0, 4, 0xff, 0xfe])) // ERROR with invalid UTF-8
    ws.send(encodeMessage(fromBase64Url(subscribed)!, new Uint8Array(16), new Uint8Array(0)).subarray(0, 49))
    ws.send(encodeError(0, RelayErrorCode.MalformedFrame, 'malformed frame')) // no request of ours
    ws.send(encodeError(4242, RelayErrorCode.RateLimited, 'rate limited'))
    ws.send(encodeOk(4242)) // an OK for nothing: ignored
    ws.send(encodeMessage(fromBase64Url(randomTopic())!, new Uint8Array(16), bytes('not subscribed')))
    ws.send(encodeMessage(fromBase64Url(subscribed)!, new Uint8Array(16).fill(1), bytes('real')))
    const [m] = await nextEvent(c, 'message')
    expect(m.payload).toEqual(bytes('real'))
    expect(messages).toHaveLength(1)

    const codes = (errors as PairlineError[]).map((e) => e.code)
    expect(codes.filter((x) => x === 'FRAME_MALFORMED')).toHaveLength(frames.length + 4)
    expect(codes.filter((x) => x === 'RELAY_REJECTED')).toHaveLength(2)
    expect(errors.map((e) => e.details)).toContain('MALFORMED_FRAME (rid 0, no pending request)')
    expect(errors.map((e) => e.details)).toContain('the relay sent a text message')
    expect(c.status).toBe('open')
    await expect(c.publish(randomTopic(), bytes('still fine'))).resolves.toHaveLength(16)
  })

  it('survives a relay that answers every frame with random bytes', async () => {
    const frames = garbage(7, 200)
    let i = 0
    const s = await server(undefined, (ws) => ws.send(frames[i++ % frames.length]!))
    const c = clients.create(s.url, { requestTimeoutMs: 100, pingIntervalMs: 10 })
    const errors = record(c, 'error')
    await nextEvent(c, 'reconnecting') // the PINGs are never answered
    expect(errors.length).toBeGreaterThan(0)
    expect(errors.every((e) => e.code === 'FRAME_MALFORMED')).toBe(true)
  })

  it('retries when the WebSocket constructor itself throws', async () => {
    let tries = 0
    class Broken {
      constructor() {
        tries++
        throw new Error('no sockets here')
      }
    }
    const c = clients.create('ws://127.0.0.1:1', { WebSocket: Broken as unknown as WebSocketConstructor })
    const [first] = await nextEvent(c, 'reconnecting')
    expect(first.reason.details).toBe('could not open a socket: no sockets here')
    await nextEvent(c, 'reconnecting')
    expect(tries).toBeGreaterThanOrEqual(2)
    expect(c.status).toBe('reconnecting')
  })

  it('reports a listener that throws as an error event and keeps delivering', async () => {
    const relay: Relay = await createRelay({ port: 0, shutdownTimeoutMs: 500 })
    cleanups.push(() => relay.close())
    const a = clients.create(relay.url)
    const b = clients.create(relay.url)
    const topic = randomTopic()
    let calls = 0
    b.on('message', () => {
      calls++
      throw new Error('listener bug')
    })
    const errors = record(b, 'error')
    b.on('error', () => {
      throw new Error('a throwing error listener is swallowed')
    })
    await b.subscribe([topic])
    await a.publish(topic, bytes('one'))
    await a.publish(topic, bytes('two'))
    await b.subscribe([topic]) // round trip: both deliveries are in
    expect(calls).toBe(2)
    expect(errors.map((e) => e.code)).toEqual(['INTERNAL_ERROR', 'INTERNAL_ERROR'])
    expect(errors[0]!.walk()).toMatchObject({ message: 'listener bug' })
    expect(b.status).toBe('open')
  })
})
