import { createRelay, type Relay } from '@pairline/relay'
import { manualTimers } from '@pairline/testkit/timers'
import {
  bytes,
  Clients,
  nextEvent,
  randomTopic,
  record,
  type SentFrame,
  writeCountingSocket,
} from '@pairline/testkit/transport'
import { Op } from '@pairline/wire'
import { afterEach, describe, expect, it } from 'vitest'
import { ACK_HOLD_MS } from './ackBatcher.js'
import { createRelayClient } from './relayClient.js'

const clients = new Clients(createRelayClient)
const relays: Relay[] = []
afterEach(async () => {
  await clients.cleanup()
  await Promise.all(relays.splice(0).map((r) => r.close()))
})

async function relay(): Promise<Relay> {
  const r = await createRelay({ port: 0, shutdownTimeoutMs: 500 })
  relays.push(r)
  return r
}

/**
 * A relay, a publisher `a`, and `b` subscribed to `topic` on a manual clock, its socket writes
 * counted.
 */
async function holder() {
  const r = await relay()
  const a = clients.create(r.url)
  const timers = manualTimers()
  const socket = writeCountingSocket()
  const b = clients.create(r.url, { WebSocket: socket.WebSocket, timers })
  const topic = randomTopic()
  await b.subscribe([topic])
  return { r, a, b, timers, socket, topic }
}

/** The frames sent after the first `from`, as [op, writes made before it]. */
const after = (sent: SentFrame[], from: number) => sent.slice(from).map((s) => [s.op, s.write])

describe('relay client: acks ride with the next request (PROTOCOL.md §13.9)', () => {
  it('holds an ack until the next request, then sends both in one socket write; the relay removed it', async () => {
    const { r, a, b, timers, socket, topic } = await holder()
    const got = nextEvent(b, 'message')
    await a.publish(topic, bytes('one'))
    const [m] = await got
    const before = socket.seen.sent.length
    const writes = socket.seen.writes
    b.ack(topic, m.id)
    await Promise.resolve()
    expect([after(socket.seen.sent, before), timers.pending()]).toEqual([[], [ACK_HOLD_MS]])
    await b.publish(randomTopic(), bytes('two'))
    // the ACK first, then the PUBLISH, both before the next write: one write carried the two
    expect(after(socket.seen.sent, before)).toEqual([
      [Op.Ack, writes],
      [Op.Publish, writes],
    ])
    expect(socket.seen.writes).toBe(writes + 1)
    expect(timers.pending()).toEqual([]) // sent with the request: its hold timer is gone
    const c = clients.create(r.url)
    const late = record(c, 'message')
    await c.subscribe([topic])
    expect(late).toEqual([])
  })

  it(`with nothing else to send, sends an ack ${ACK_HOLD_MS} ms later on the client's timers`, async () => {
    const { r, a, b, timers, socket, topic } = await holder()
    const got = record(b, 'message')
    const two = nextEvent(b, 'message')
    await a.publish(topic, bytes('one'))
    await a.publish(topic, bytes('two'))
    await two
    const before = socket.seen.sent.length
    for (const m of got) b.ack(topic, m.id)
    expect(timers.pending()).toEqual([ACK_HOLD_MS]) // one timer for what waits
    timers.advance(ACK_HOLD_MS - 1)
    expect(after(socket.seen.sent, before)).toEqual([])
    timers.advance(1)
    // both acks in one ACK frame, sent by the timer itself
    expect(after(socket.seen.sent, before).map(([op]) => op)).toEqual([Op.Ack])
    await b.subscribe([randomTopic()]) // its OK follows the ACK's handling
    const c = clients.create(r.url)
    const late = record(c, 'message')
    await c.subscribe([topic])
    expect(late).toEqual([])
  })

  it('an ack held when its connection drops is forgotten: the relay delivers the message again after the reconnect', async () => {
    const r = await relay()
    const a = clients.create(r.url)
    const timers = manualTimers()
    const counted = writeCountingSocket()
    const sockets: InstanceType<typeof counted.WebSocket>[] = []
    class Tracked extends counted.WebSocket {
      constructor(url: string, protocols?: string[]) {
        super(url, protocols)
        sockets.push(this)
      }
    }
    const b = clients.create(r.url, { WebSocket: Tracked, timers })
    const topic = randomTopic()
    await b.subscribe([topic])
    const first = nextEvent(b, 'message')
    await a.publish(topic, bytes('one'))
    const [m] = await first
    const before = counted.seen.sent.length
    b.ack(topic, m.id)
    expect(timers.pending()).toEqual([ACK_HOLD_MS])

    const again = nextEvent(b, 'message')
    sockets[0]!.terminate() // the connection is gone with the ack still held
    const [redelivered] = await again
    expect(redelivered.id).toEqual(m.id)
    expect(redelivered.payload).toEqual(bytes('one'))
    // the held ack was dropped with its connection: no ACK left on either socket, no timer waits
    expect(after(counted.seen.sent, before).map(([op]) => op)).not.toContain(Op.Ack)
    expect(timers.pending()).toEqual([])
  })
})
