/**
 * Issue 11's mailbox-exhaustion attack against the real CLI: one address, many connections,
 * maximum-size publishes at the maximum TTL, while 100 well-behaved pairs (each on its own
 * loopback address) publish and ack. Fixed work on both sides, no time bounds: every assertion
 * is about what happened, and the latencies are printed, beside a run without the attacker.
 */
import {
  httpGet,
  killRelayClis,
  metric,
  randomId,
  randomTopic,
  relayListening,
  spawnRelayCli,
  TestClient,
} from '@pairline/testkit/relay'
import { afterEach, expect, it } from 'vitest'

const MiB = 1024 * 1024
const FRAME = 64 * 1024
/** The largest payload a 64 KiB PUBLISH carries (57 bytes of header). */
const MAX_PAYLOAD = FRAME - 57
const TOTAL_BYTES = 32 * MiB
const MAX_TTL = 7 * 24 * 3600
// The attacker's address is allowed to fill the whole mailbox (as behind a large NAT): the relay
// must then make room for the others by eviction. With the default per-IP quota (1/16 of the
// total) it would be refused far earlier.
const ARGS = [
  '--port',
  '0',
  '--max-frame-bytes',
  String(FRAME),
  '--max-total-bytes',
  String(TOTAL_BYTES),
  '--max-total-messages',
  '20000',
  '--max-stored-bytes-per-ip',
  String(TOTAL_BYTES),
  '--max-stored-messages-per-ip',
  '20000',
]
const PAIRS = 100
const MESSAGES_PER_PAIR = 20
const ATTACK_CONNECTIONS = 16
const ATTACK_PUBLISHES = 150
/**
 * What the relay process may use beyond its configured stored bytes (§13.5 "Memory"): frames that
 * were refused or evicted but not yet collected (V8 frees ArrayBuffers after a GC, so up to about
 * the stored bytes again), ws receive buffers of 232 sockets, and V8's heap headroom. Measured
 * here: +69 MiB over the idle relay with 32 MiB stored.
 */
const OVERHEAD = 96 * MiB

const clients: TestClient[] = []
afterEach(() => {
  for (const c of clients.splice(0)) c.ws.terminate()
  killRelayClis()
})

async function connect(url: string, localAddress: string): Promise<TestClient> {
  const c = await TestClient.connect(url, { localAddress })
  clients.push(c)
  return c
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}

/** 100 pairs, each publishing MESSAGES_PER_PAIR messages one after the other, each acked. */
async function wellBehaved(url: string, onDelivered: () => void): Promise<number[]> {
  const pairs = await Promise.all(
    Array.from({ length: PAIRS }, async (_, i) => {
      const from = `127.0.1.${i + 1}`
      return [await connect(url, from), await connect(url, from)] as const
    }),
  )
  const latencies: number[] = []
  await Promise.all(
    pairs.map(async ([dapp, wallet]) => {
      const topic = randomTopic()
      expect(await wallet.subscribe([topic])).toBe('OK')
      for (let n = 0; n < MESSAGES_PER_PAIR; n++) {
        const id = randomId()
        const sent = performance.now()
        const published = dapp.publish(topic, id, 86_400, new Uint8Array(1024).fill(n))
        const m = await wallet.nextMessage()
        latencies.push(performance.now() - sent)
        expect(Buffer.from(m.id).equals(Buffer.from(id))).toBe(true)
        expect(await published).toBe('OK')
        expect(await wallet.ack([{ topic, id }])).toBe('OK')
        onDelivered()
      }
    }),
  )
  expect(latencies.length).toBe(PAIRS * MESSAGES_PER_PAIR)
  return latencies
}

/** One address, many connections, the largest publishes at the longest TTL, to topics nobody reads. */
async function attack(url: string, onFull: () => void): Promise<Record<string, number>> {
  const sockets = await Promise.all(
    Array.from({ length: ATTACK_CONNECTIONS }, () => connect(url, '127.0.0.66')),
  )
  const payload = new Uint8Array(MAX_PAYLOAD).fill(0x41)
  const outcomes: Record<string, number> = {}
  await Promise.all(
    sockets.map(async (c) => {
      for (let n = 0; n < ATTACK_PUBLISHES; n++) {
        const o = await c.publish(randomTopic(), randomId(), MAX_TTL, payload)
        outcomes[o] = (outcomes[o] ?? 0) + 1
        if (o !== 'OK') onFull()
      }
    }),
  )
  return outcomes
}

async function startRelay() {
  const cli = spawnRelayCli(ARGS)
  const { url, health } = await relayListening(cli)
  const metrics = async () => (await httpGet(health.replace('/healthz', '/metrics'))).body
  return { cli, url, metrics }
}

it('one address exhausting the mailbox: every well-behaved message is delivered, memory stays bounded', {
  timeout: 300_000,
}, async () => {
  // Without the attacker: the same well-behaved work on a fresh relay.
  const quiet = await startRelay()
  const baseline = await wellBehaved(quiet.url, () => {})
  quiet.cli.child.kill('SIGTERM')
  await quiet.cli.exited
  for (const c of clients.splice(0)) c.ws.terminate()

  const relay = await startRelay()
  const rss = async () => metric(await relay.metrics(), 'pairline_relay_memory_bytes', '{kind="rss"}')!
  const rssBefore = await rss()
  let full: () => void = () => {}
  const mailboxFull = new Promise<void>((resolve) => {
    full = resolve
  })
  const attacking = attack(relay.url, () => full())
  // The well-behaved pairs start once the attacker has filled the mailbox (an event, its first
  // refusal), and run while it goes on. Memory is sampled every 100 delivered messages.
  await mailboxFull
  const samples: Promise<number>[] = []
  let delivered = 0
  const underAttack = await wellBehaved(relay.url, () => {
    if (++delivered % 100 === 0) samples.push(rss())
  })
  const outcomes = await attacking
  const m = await relay.metrics()
  const rssMax = Math.max(...(await Promise.all(samples)), await rss())

  const row = (name: string, xs: number[]) =>
    `${name.padEnd(18)} p50 ${percentile(xs, 50).toFixed(2).padStart(7)} ms   p99 ${percentile(xs, 99).toFixed(2).padStart(7)} ms`
  console.log(
    [
      `exhaustion: ${PAIRS} pairs x ${MESSAGES_PER_PAIR} messages (1 KiB, acked), publish -> delivery`,
      row('without attacker', baseline),
      row('under attack', underAttack),
      `attacker (1 address, ${ATTACK_CONNECTIONS} connections, ${ATTACK_PUBLISHES} x ${MAX_PAYLOAD} B at ${MAX_TTL} s): ${JSON.stringify(outcomes)}`,
      `relay: stored ${metric(m, 'pairline_relay_mailbox_bytes')} B of ${TOTAL_BYTES}, evicted ${metric(m, 'pairline_relay_evicted_total')}, ` +
        `RSS ${(rssBefore / MiB).toFixed(1)} MiB before, at most ${(rssMax / MiB).toFixed(1)} MiB during (bound ${((rssBefore + TOTAL_BYTES + OVERHEAD) / MiB).toFixed(1)})`,
    ].join('\n'),
  )
  // Every well-behaved message was delivered and stored (wellBehaved checks each one); the
  // attacker got the room that was left, then refusals, never the others' room.
  expect(outcomes.OK).toBeGreaterThan(0)
  expect(outcomes.RELAY_MAILBOX_FULL).toBeGreaterThan(0)
  const refusals = ['OK', 'RELAY_MAILBOX_FULL', 'IP_QUOTA_EXCEEDED', 'CONNECTION_QUOTA_EXCEEDED']
  expect(Object.keys(outcomes).filter((k) => !refusals.includes(k))).toEqual([])
  expect(metric(m, 'pairline_relay_evicted_total')).toBeGreaterThan(0)
  expect(metric(m, 'pairline_relay_mailbox_bytes')).toBeLessThanOrEqual(TOTAL_BYTES)
  expect(rssMax).toBeLessThanOrEqual(rssBefore + TOTAL_BYTES + OVERHEAD)
})
