import { createRelay, type Relay } from '@pairline/relay'
import { bytes, Clients, nextEvent, randomTopic, record, scriptedServer } from '@pairline/testkit/transport'
import {
  decodeClientFrame,
  encodeError,
  encodeMessage,
  encodeOk,
  Op,
  RELAY_PROTOCOL_V2,
  RelayErrorCode,
  Reply,
} from '@pairline/wire'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocket as WsWebSocket } from 'ws'
import { fromBase64Url } from '../protocol/bytes.js'
import { createRelayClient } from './relayClient.js'

const clients = new Clients(createRelayClient)
const relays: Relay[] = []
afterEach(async () => {
  vi.useRealTimers()
  await clients.cleanup()
  await Promise.all(relays.splice(0).map((r) => r.close()))
})

async function relay(): Promise<Relay> {
  const r = await createRelay({ port: 0, shutdownTimeoutMs: 500 })
  relays.push(r)
  return r
}

/** ws, recording what the relay named and the op byte of every frame it sent. */
function recordingSocket() {
  const seen = { protocols: [] as string[], ops: [] as number[] }
  class Recording extends WsWebSocket {
    constructor(url: string, protocols?: string[]) {
      super(url, protocols)
      this.on('open', () => seen.protocols.push(this.protocol))
      this.on('message', (d: ArrayBuffer | Buffer) => seen.ops.push(new Uint8Array(d as ArrayBuffer)[0]!))
    }
  }
  return { seen, WebSocket: Recording }
}

/** ws that drops the protocols it is given (an app's own class from before reply mode 2). */
class OneArgument extends WsWebSocket {
  constructor(url: string) {
    super(url)
  }
}

describe('relay client: reply mode 2 (PROTOCOL.md §13.3.1)', () => {
  it('negotiates mode 2 with the relay; its acks get no reply and never time out', async () => {
    const r = await relay()
    const a = clients.create(r.url)
    const sub = recordingSocket()
    const b = clients.create(r.url, {
      WebSocket: sub.WebSocket,
      requestTimeoutMs: 1000,
      pingIntervalMs: 60_000,
    })
    const topic = randomTopic()
    await b.subscribe([topic])
    expect(sub.seen.protocols).toEqual(['pairline-relay.2'])
    const got = nextEvent(b, 'message')
    await a.publish(topic, bytes('one'))
    const [m] = await got
    const reconnecting = record(b, 'reconnecting')
    const errors = record(b, 'error')
    // The ack's timer would be fake too: running every timer far past requestTimeoutMs shows there
    // is none (an unanswered request with a timer drops the connection with REQUEST_TIMEOUT).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    b.ack(topic, m.id)
    // the ack waits (ACK_HOLD_MS, §13.9) on fake timers too: advancing sends it, with no timer of its own
    vi.advanceTimersByTime(10_000)
    vi.useRealTimers()
    expect([b.status, reconnecting, errors]).toEqual(['open', [], []])
    // The next request's OK covers the ack: the relay had removed the message.
    await b.subscribe([randomTopic()])
    expect(sub.seen.ops).toEqual([Reply.Ok, Reply.Message, Reply.Ok])
    const c = clients.create(r.url)
    const late = record(c, 'message')
    await c.subscribe([topic])
    expect(late).toEqual([])
  })

  it('a client class that drops the protocols argument gets mode 1 and works the same', async () => {
    const r = await relay()
    const a = clients.create(r.url, { WebSocket: OneArgument })
    const b = clients.create(r.url, { WebSocket: OneArgument })
    const topic = randomTopic()
    await b.subscribe([topic])
    const errors = record(b, 'error')
    const got = nextEvent(b, 'message')
    await a.publish(topic, bytes('old'))
    const [m] = await got
    b.ack(topic, m.id)
    await b.subscribe([randomTopic()])
    const c = clients.create(r.url)
    const late = record(c, 'message')
    await c.subscribe([topic])
    expect([late, errors]).toEqual([[], []])
  })

  it('one OK settles every request sent up to its rid; a refused ACK is still reported', async () => {
    const topic = randomTopic()
    const topicBytes = fromBase64Url(topic)!
    const publishRids: number[] = []
    const server = await scriptedServer(
      () => {},
      (ws, frame) => {
        const f = decodeClientFrame(frame)
        if (f?.op === Op.Subscribe) {
          ws.send(encodeMessage(topicBytes, new Uint8Array(16).fill(7), bytes('m')))
          ws.send(encodeOk(f.rid))
        }
        if (f?.op === Op.Publish && publishRids.push(f.rid) === 3) ws.send(encodeOk(f.rid)) // one OK for 3
        if (f?.op === Op.Ack) ws.send(encodeError(f.rid, RelayErrorCode.NotSubscribed, 'not subscribed'))
      },
    )
    try {
      const sub = recordingSocket()
      const c = clients.create(server.url, { WebSocket: sub.WebSocket })
      const errors = record(c, 'error')
      const got = nextEvent(c, 'message')
      await c.subscribe([topic])
      expect(sub.seen.protocols).toEqual([RELAY_PROTOCOL_V2]) // ws servers echo the first one offered
      const [m] = await got
      c.ack(topic, m.id)
      const published = await Promise.all([1, 2, 3].map((i) => c.publish(randomTopic(), bytes(`p${i}`))))
      expect(published).toHaveLength(3)
      expect(publishRids).toHaveLength(3)
      expect(errors.map((e) => [e.code, e.details])).toEqual([['RELAY_REJECTED', 'NOT_SUBSCRIBED']])
      expect(c.status).toBe('open')
    } finally {
      await server.close()
    }
  })
})
