import type { Socket } from 'node:net'
import {
  FakeClock,
  Harness,
  hex,
  metric,
  randomId,
  randomTopic,
  type TestClient,
  waitUntil,
} from '@pairline/testkit/relay'
import {
  encodeAck,
  encodePing,
  encodePublish,
  encodeSubscribe,
  encodeUnsubscribe,
  MESSAGE_ID_LEN,
  TOPIC_LEN,
} from '@pairline/wire'
import { afterEach, expect, it } from 'vitest'
import type { RelayLimits } from './limits.js'
import type { Relay } from './relay.js'

const h = new Harness()
afterEach(() => h.cleanup())

/** mulberry32: a seeded generator, so a failing run can be replayed from the seed it prints. */
function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const bytes = (n: number) => {
    const b = new Uint8Array(n)
    for (let i = 0; i < n; i++) b[i] = int(256)
    return b
  }
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
  return { int, bytes, pick }
}
type Rng = ReturnType<typeof prng>

const LIMITS: Partial<RelayLimits> = {
  maxFrameBytes: 2048,
  maxTopicsPerConnection: 8,
  maxMessagesPerTopic: 8,
  maxBytesPerTopic: 4096,
  maxTotalMessages: 60,
  maxTotalBytes: 24 * 1024,
  maxTtlSeconds: 60,
  publishBurst: 100_000,
  frameBurst: 100_000,
  // the fuzz is all bad frames: nobody may be closed for them here (limits.test.ts tests that)
  badFrameBurst: 100_000,
}

/** A small shared pool, so fuzzed subscribes, publishes and acks meet each other. */
const TOPICS = Array.from({ length: 12 }, randomTopic)
const IDS = Array.from({ length: 12 }, randomId)

function validFrame(r: Rng): Uint8Array {
  const topics = () => Array.from({ length: 1 + r.int(4) }, () => r.pick(TOPICS))
  const rid = r.int(2 ** 32)
  switch (r.int(5)) {
    case 0:
      return encodeSubscribe(rid, topics())
    case 1:
      return encodeUnsubscribe(rid, topics())
    case 2:
      return encodePublish(
        rid,
        r.pick(TOPICS),
        r.pick(IDS),
        r.pick([0, 1, 5, 60, 61, 0xffff_ffff]),
        r.bytes(1 + r.int(r.pick([16, 600, 1900]))), // + 57 + 64 extra bytes stays under 2048
      )
    case 3:
      return encodeAck(
        rid,
        Array.from({ length: 1 + r.int(3) }, () => ({ topic: r.pick(TOPICS), id: r.pick(IDS) })),
      )
    default:
      return encodePing(rid)
  }
}

/** One hostile (or, now and then, valid) message: bytes go as binary messages, strings as text. */
function fuzzFrame(r: Rng): Uint8Array | string {
  switch (r.int(10)) {
    case 0:
      return r.bytes(r.int(120))
    case 1:
      return validFrame(r)
    case 2: {
      const b = validFrame(r)
      for (let i = 0, n = 1 + r.int(3); i < n; i++) b[r.int(b.length)]! ^= 1 << r.int(8)
      return b
    }
    case 3: {
      const b = validFrame(r)
      return b.subarray(0, r.int(b.length))
    }
    case 4: {
      const b = validFrame(r)
      return new Uint8Array(Buffer.concat([b, r.bytes(1 + r.int(64))]))
    }
    case 5: {
      // a batch op whose count says something else than its length
      const b = r.int(2) ? encodeSubscribe(r.int(99), [r.pick(TOPICS)]) : encodeAck(r.int(99), [])
      const out = new Uint8Array(
        Buffer.concat([b, r.bytes(r.pick([0, TOPIC_LEN, TOPIC_LEN + MESSAGE_ID_LEN]))]),
      )
      out[5] = r.pick([0, 2, 64, 65, 200, 255])
      return out
    }
    case 6: {
      const b = validFrame(r)
      b[0] = r.int(256)
      return b
    }
    case 7:
      return String.fromCharCode(...Array.from({ length: r.int(40) }, () => r.int(0xffff)))
    case 8:
      return new Uint8Array(0)
    default:
      return new Uint8Array([r.pick([1, 2, 3, 4, 5, 0x81, 0x82, 0x83, 0])])
  }
}

function boundedState(relay: Relay): void {
  const m = relay.metrics()
  expect(metric(m, 'pairline_relay_mailbox_messages')).toBeLessThanOrEqual(LIMITS.maxTotalMessages!)
  expect(metric(m, 'pairline_relay_mailbox_bytes')).toBeLessThanOrEqual(LIMITS.maxTotalBytes!)
  expect(metric(m, 'pairline_relay_subscriptions')).toBeLessThanOrEqual(22 * LIMITS.maxTopicsPerConnection!)
}

/** The bystanders' round trip: delivered live whatever the fuzz stored (§13.5), so always served. */
async function roundTrip(a: TestClient, b: TestClient): Promise<void> {
  const topic = randomTopic()
  const id = randomId()
  expect(await b.subscribe([topic])).toBe('OK')
  expect(await a.publish(topic, id, 60, new Uint8Array([1, 2, 3]))).toBe('OK')
  expect(hex((await b.nextMessage()).id)).toBe(hex(id))
  expect(await b.ack([{ topic, id }])).toBe('OK')
  expect(await b.unsubscribe([topic])).toBe('OK')
}

const SOCKETS = 20
const FRAMES = 2500
const ROUND = 100
const TRIPS = 25

// Fixed work (SOCKETS x FRAMES fuzzed frames while the bystanders make TRIPS round trips),
// so its time depends on the machine, never its outcome; the timeout is only there to end a hang.
it('20 sockets of random and mutated frames: no crash, bounded state, everyone else served', {
  timeout: 300_000,
}, async () => {
  const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32))
  // Printed first, so a run that hangs or dies still says how to replay it.
  console.log(`relay fuzz: FUZZ_SEED=${seed}`)
  const failures: unknown[] = []
  const onFailure = (err: unknown) => failures.push(err)
  process.on('uncaughtException', onFailure)
  process.on('unhandledRejection', onFailure)
  try {
    const clock = new FakeClock()
    const relay = await h.relay({ now: clock.now, limits: LIMITS })
    const [a, b] = await Promise.all([h.client(relay), h.client(relay)])
    const fuzzers = await Promise.all(Array.from({ length: SOCKETS }, () => h.client(relay)))
    let sent = 0

    const run = async (c: TestClient, i: number) => {
      const r = prng(seed + i)
      for (let n = 0; n < FRAMES && c.isOpen; n++) {
        c.raw(fuzzFrame(r))
        sent++
        if (n % 7 === 3 && c.isOpen) {
          // a message in two fragments: the relay must reassemble (or refuse) it like any other
          const frame = validFrame(r)
          const cut = r.int(frame.length)
          c.ws.send(frame.subarray(0, cut), { fin: false })
          c.ws.send(frame.subarray(cut), { fin: true })
        }
        if (n % ROUND === 0) await new Promise((res) => setImmediate(res))
      }
      // sockets 0-3 end with a frame over the size limit; 4-6 with bytes that are not WebSocket
      if (i < 4) c.raw(r.pick([r.bytes(2049 + r.int(4000)), 'x'.repeat(2049 + r.int(4000))]))
      if (i >= 4 && i < 7) (c.ws as unknown as { _socket: Socket })._socket.write(r.bytes(64))
    }
    // Meanwhile the well-behaved pair makes a fixed number of round trips, and the relay's state
    // stays bounded. How the two interleave depends on the machine; what is checked does not.
    const bystander = async () => {
      for (let trip = 0; trip < TRIPS; trip++) {
        await roundTrip(a, b)
        boundedState(relay)
      }
    }
    await Promise.all([...fuzzers.map(run), bystander()])
    expect(sent).toBe(SOCKETS * FRAMES) // no socket was closed early

    await Promise.all(fuzzers.map((c) => c.close()))
    const closes = await Promise.all(fuzzers.map((c) => c.closed.then((x) => x.code)))
    expect(closes.slice(0, 4)).toEqual([1009, 1009, 1009, 1009]) // oversized frames on 0-3
    for (const code of closes.slice(4, 7)) expect([1002, 1006, 1007, 1009]).toContain(code) // not WebSocket
    expect(closes.slice(7)).toEqual(closes.slice(7).map(() => 1005)) // the rest closed themselves
    await waitUntil(() => metric(relay.metrics(), 'pairline_relay_connections') === 2)
    boundedState(relay)
    const m = relay.metrics()
    expect(metric(m, 'pairline_relay_errors_total', '{code="MALFORMED_FRAME"}')).toBeGreaterThan(1000)
    expect(metric(m, 'pairline_relay_errors_total', '{code="NOT_BINARY"}')).toBeGreaterThan(100)
    expect(metric(m, 'pairline_relay_limit_hits_total', '{limit="frame_bytes"}')).toBe(4)
    expect(metric(m, 'pairline_relay_messages_in_total')).toBeGreaterThan(0)
    expect(metric(m, 'pairline_relay_subscriptions')).toBe(0)

    // still serving, and what the fuzz stored expires: nothing is left once clients are gone
    await roundTrip(a, b)
    clock.advance(61_000)
    await relay.sweep()
    expect(metric(relay.metrics(), 'pairline_relay_mailbox_messages')).toBe(0)
    await roundTrip(a, b)
    await Promise.all([a.close(), b.close()])
    await waitUntil(() => metric(relay.metrics(), 'pairline_relay_connections') === 0)
    const end = relay.metrics()
    expect(metric(end, 'pairline_relay_mailbox_bytes')).toBe(0)
    expect(metric(end, 'pairline_relay_topics')).toBe(0)
    expect(metric(end, 'pairline_relay_subscriptions')).toBe(0)
    expect(a.badFrames).toEqual([])
    expect(b.badFrames).toEqual([])
    for (const c of fuzzers) expect(c.badFrames).toEqual([])
    expect(failures, `seed ${seed}`).toEqual([])
  } catch (err) {
    throw new Error(`fuzz failed with FUZZ_SEED=${seed}: ${(err as Error).message}`, { cause: err })
  } finally {
    process.off('uncaughtException', onFailure)
    process.off('unhandledRejection', onFailure)
  }
})
