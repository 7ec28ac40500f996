/**
 * `pnpm bench:cluster`: two relay nodes on Redis against one in-memory relay node, in the same run,
 * with the clients of bench:relay (run.ts): 100 publisher/subscriber pairs, 1 KiB payloads, every
 * delivery acked. On Redis, every publisher is on node A and every subscriber on node B, so each
 * message crosses Redis (Lua store + SPUBLISH, then the ack script).
 *   1. throughput: at most 32 messages in flight per pair; delivered msg/s, relay CPU per message
 *      (both nodes together), Redis CPU per message (INFO CPU deltas)
 *   2. latency: a fixed RATE msg/s in total; one-way publish->delivery p50/p99
 * Redis is a redis-server of its own (no persistence) on a free port, so its CPU is ours alone.
 * Results (medians over rounds, order alternating) go to stdout and bench/cluster-results.md.
 * Env: BENCH_ROUNDS (3), BENCH_SECONDS (4), BENCH_RATE (2000).
 */
import { writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { startRedisServer } from '@pairline/testkit/redis'
import { Redis } from 'ioredis'
import { Child, fmt, Load, median, PROTOCOLS, table } from './run.js'

const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4)
const RATE = Number(process.env.BENCH_RATE ?? 2000)
const WARMUP_MS = 1000

type Kind = 'memory' | 'redis'
type Result = {
  throughput: number
  relayCpu: number
  redisCpu: number
  p50: number
  p99: number
  rate: number
}

/** Redis' own CPU seconds so far (user + sys, main thread and children). */
async function redisCpuSeconds(r: Redis): Promise<number> {
  const info = await r.info('cpu')
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0)
  return field('used_cpu_user') + field('used_cpu_sys')
}

async function nodesCpu(nodes: Child[]): Promise<number[]> {
  const stats = await Promise.all(nodes.map((n) => n.stats()))
  return stats.map((s) => s.cpu.user + s.cpu.system)
}

async function throughput(nodes: Child[], load: Load, redis: Redis | null) {
  load.mode = 'throughput'
  for (const p of load.pairs) load.pump(p)
  await sleep(WARMUP_MS)
  const [c0, r0, d0, t0] = [
    await nodesCpu(nodes),
    redis ? await redisCpuSeconds(redis) : 0,
    load.delivered,
    performance.now(),
  ]
  await sleep(SECONDS * 1000)
  const [c1, r1, d1, t1] = [
    await nodesCpu(nodes),
    redis ? await redisCpuSeconds(redis) : 0,
    load.delivered,
    performance.now(),
  ]
  load.mode = 'idle'
  await load.drain(60_000)
  const delivered = d1 - d0
  const relayMicros = c1.reduce((a, v, i) => a + v - (c0[i] ?? 0), 0)
  return {
    throughput: delivered / ((t1 - t0) / 1000),
    relayCpu: relayMicros / delivered,
    redisCpu: redis ? ((r1 - r0) * 1e6) / delivered : Number.NaN,
  }
}

async function latency(load: Load) {
  load.latencies = new Float64Array(Math.ceil(RATE * SECONDS * 1.5))
  load.sentAt = new Float64Array(load.latencies.length)
  load.latencyCount = 0
  load.latencyStart = process.hrtime.bigint()
  load.mode = 'latency'
  const d0 = load.delivered
  const start = performance.now()
  let sent = 0
  let next = 0
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - start) / 1000) * RATE)
    for (; sent < due; sent++) {
      load.publish(load.pairs[next]!)
      next = (next + 1) % load.pairs.length
    }
  }, 1)
  await sleep(SECONDS * 1000)
  clearInterval(timer)
  await load.drain(60_000)
  load.mode = 'idle'
  const lat = load.latencies.subarray(0, load.latencyCount).sort()
  const q = (p: number) => (lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? Number.NaN) / 1e6
  return { p50: q(0.5), p99: q(0.99), rate: (load.delivered - d0) / ((performance.now() - start) / 1000) }
}

async function measure(kind: Kind, redisUrl: string, round: number): Promise<Result> {
  const env = { ...process.env, BENCH_REDIS_URL: redisUrl, BENCH_REDIS_PREFIX: `pl-bench:${round}:` }
  const script = join(BENCH_DIR, 'relayServer.ts')
  const nodes =
    kind === 'memory'
      ? [new Child('relay', 'memory')]
      : [0, 1].map((i) => new Child('relay', `redis-${i}`, script, env))
  const redis = kind === 'redis' ? new Redis(redisUrl) : null
  try {
    await Promise.all(nodes.map((n) => n.ready()))
    const [a, b] = [nodes[0]!, nodes[nodes.length - 1]!]
    const load = new Load()
    await load.open(a.url, b.url, PROTOCOLS.relay)
    const tp = await throughput(nodes, load, redis)
    const lat = await latency(load)
    if (load.errors) throw new Error(`${kind}: ${load.errors} error frames (${load.firstError})`)
    await load.close()
    return { ...tp, ...lat }
  } finally {
    await Promise.all(nodes.map((n) => n.stop()))
    redis?.disconnect()
  }
}

const ROWS: { key: keyof Result; label: string; unit: string; digits: number }[] = [
  { key: 'throughput', label: 'Throughput (delivered msg/s, 100 pairs, window 32)', unit: '', digits: 0 },
  { key: 'relayCpu', label: 'Relay CPU per delivered message (all nodes)', unit: 'µs', digits: 2 },
  { key: 'redisCpu', label: 'Redis CPU per delivered message (INFO CPU)', unit: 'µs', digits: 2 },
  {
    key: 'p50',
    label: `Latency p50 publish→delivery at ${RATE.toLocaleString('en-US')} msg/s`,
    unit: 'ms',
    digits: 3,
  },
  {
    key: 'p99',
    label: `Latency p99 publish→delivery at ${RATE.toLocaleString('en-US')} msg/s`,
    unit: 'ms',
    digits: 3,
  },
  { key: 'rate', label: 'Achieved rate in the latency phase (msg/s)', unit: '', digits: 0 },
]

function report(results: Record<Kind, Result[]>, startedAt: Date, seconds: number): string {
  const cpu = cpus()
  const rows: string[][] = [['Metric', 'One node, in memory', 'Two nodes on Redis', 'Ratio (Redis/memory)']]
  for (const m of ROWS) {
    const mem = median(results.memory.map((r) => r[m.key]))
    const red = median(results.redis.map((r) => r[m.key]))
    rows.push([
      m.label,
      fmt(mem, m.digits, m.unit),
      fmt(red, m.digits, m.unit),
      Number.isFinite(mem) ? `${fmt(red / mem, 2, '')}×` : '',
    ])
  }
  return [
    '# Relay cluster benchmark: two nodes on Redis vs one in-memory node',
    '',
    `Measured ${startedAt.toISOString()} by \`pnpm bench:cluster\` (packages/relay/bench/cluster.ts) in ${seconds.toFixed(0)} s.`,
    `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; a redis-server of its own`,
    `(no persistence) on loopback. ${ROUNDS} rounds, order alternating, fresh processes each; medians. On Redis the`,
    'publishers are on node A and the subscribers on node B: every message crosses Redis. Two relay nodes,',
    'Redis and the driver share the same 2 cores, so the Redis throughput is a floor, not a ceiling.',
    '',
    ...table(['left', 'right', 'right', 'right'], rows),
    '',
  ].join('\n')
}

async function main(): Promise<void> {
  const startedAt = new Date()
  const t0 = performance.now()
  const server = await startRedisServer()
  const results: Record<Kind, Result[]> = { memory: [], redis: [] }
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of (round % 2 === 0 ? ['memory', 'redis'] : ['redis', 'memory']) as Kind[]) {
        const r = await measure(kind, server.url, round)
        results[kind].push(r)
        process.stderr.write(
          `round ${round + 1} ${kind}: ${r.throughput.toFixed(0)} msg/s, relay ${r.relayCpu.toFixed(2)} µs/msg, ` +
            `redis ${r.redisCpu.toFixed(2)} µs/msg, p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms at ${r.rate.toFixed(0)} msg/s\n`,
        )
      }
    }
  } finally {
    await server.stop()
  }
  const md = report(results, startedAt, (performance.now() - t0) / 1000)
  process.stdout.write(md)
  writeFileSync(join(BENCH_DIR, 'cluster-results.md'), md)
}

main().catch((err: Error) => {
  process.stderr.write(`bench:cluster failed: ${err.stack ?? err.message}\n`)
  process.exit(1)
})
