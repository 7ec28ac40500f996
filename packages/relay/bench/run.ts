/**
 * `pnpm bench:relay`: the relay measured side by side with a bare `ws` topic router speaking the
 * same wire format (bareRouter.ts, the floor), in the same run, reported as relay/floor ratios.
 *
 * Each server runs in child processes (fresh ones per round, order alternating between rounds);
 * the clients live here, in one process, so send and receive timestamps share a clock.
 * Traffic child, in order:
 *   1. throughput: 100 publisher/subscriber pairs, 1 KiB payloads, at most WINDOW messages in flight
 *      per pair (published, not yet delivered), every delivery acked; delivered msg/s and server
 *      CPU (user+system) per delivered message
 *   2. latency: the same pairs at a fixed 5,000 msg/s in total, one-way publish->delivery p50/p99
 * Idle child: 10,000 connections, each subscribed to one random topic; server RSS delta per
 * connection, both ends measured after a forced GC.
 * Medians over the rounds go to stdout and to bench/results.md (not for experiments: see below).
 * Exit code 0 whatever the ratios; 1 only when the run itself broke.
 *
 * Env knobs (for quick runs and profiling): BENCH_ROUNDS (3), BENCH_SECONDS (4), BENCH_IDLE (10000),
 * BENCH_KINDS (floor,relay), BENCH_CPU_PROF=<dir> (children write V8 .cpuprofile files there),
 * BENCH_CHILD_FLAGS (extra node flags for the server children, e.g. --trace-gc),
 * BENCH_LATENCY_DUMP=<dir> (raw latency samples per child as CSV: send time ms, latency ms),
 * BENCH_RELAY_SCRIPT=<file> (another relay child, e.g. a patched copy, in place of relayServer.ts),
 * BENCH_FLOOR_CORK=0 (the floor does not cork a tick's writes per socket as the relay does: the naive
 * router of earlier runs, a softer floor), BENCH_FLOOR_QUIET=1 (the floor does not answer ACKs: a
 * stricter floor), BENCH_RELAY_MODE=1 (the relay in reply mode 1, every request answered, as before
 * PROTOCOL §13.3.1).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import {
  encodeAck,
  encodePing,
  encodePublish,
  encodeSubscribe,
  MESSAGE_ID_LEN,
  RELAY_PROTOCOL_V2,
  Reply,
  replyMode,
  TOPIC_LEN,
} from '@pairline/wire'
import { WebSocket } from 'ws'
import { type ChildStats, isMain } from './child.js'

setFlagsFromString('--expose-gc')
const driverGc = runInNewContext('gc') as () => void

const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
const REPO_ROOT = join(BENCH_DIR, '..', '..', '..')

const envInt = (name: string, fallback: number): number => {
  const v = process.env[name]
  return v ? Number.parseInt(v, 10) : fallback
}

const ROUNDS = envInt('BENCH_ROUNDS', 3)
const SECONDS = envInt('BENCH_SECONDS', 4)
const IDLE_CONNECTIONS = envInt('BENCH_IDLE', 10_000)
const PAIRS = 100
const PAYLOAD_BYTES = 1024
const WINDOW = 32
const WARMUP_MS = 1000
const LATENCY_RATE = 5000
/** A lighter paced phase first (issue 16's p99 goal at 2,000 msg/s). */
const LOW_RATE = 2000
const LATENCY_TICK_MS = 1
const IDLE_BATCH = 500
const IDLE_WARMUP = 500
const TTL_SECONDS = 300
const PROF_DIR = process.env.BENCH_CPU_PROF
const LATENCY_DUMP = process.env.BENCH_LATENCY_DUMP

export type Kind = 'floor' | 'relay'
const KINDS = (process.env.BENCH_KINDS ?? 'floor,relay').split(',') as Kind[]
/**
 * What each server is offered at connect. The relay: reply mode 2, as the SDK offers it. The floor:
 * nothing (it answers every frame, ACKs too), or with BENCH_FLOOR_QUIET=1 mode 2 as well (it then
 * answers ACKs not at all and every other request with its own OK: a stricter floor).
 */
const FLOOR_QUIET = process.env.BENCH_FLOOR_QUIET === '1'
/** BENCH_RELAY_MODE=1: the relay is offered nothing, so it answers as before reply mode 2. */
const RELAY_MODE_1 = process.env.BENCH_RELAY_MODE === '1'
export const PROTOCOLS: Record<Kind, string[]> = {
  floor: FLOOR_QUIET ? [RELAY_PROTOCOL_V2] : [],
  relay: RELAY_MODE_1 ? [] : [RELAY_PROTOCOL_V2],
}
const SCRIPT: Record<Kind, string> = {
  floor: join(BENCH_DIR, 'bareRouter.ts'),
  relay: process.env.BENCH_RELAY_SCRIPT ?? join(BENCH_DIR, 'relayServer.ts'),
}

// Frame offsets (wire/codec.ts): PUBLISH op‖rid‖topic‖id‖ttl‖payload, MESSAGE op‖topic‖id‖payload,
// ACK op‖rid‖n‖(topic‖id)*
const PUB_ID_AT = 5 + TOPIC_LEN
const PUB_PAYLOAD_AT = 9 + TOPIC_LEN + MESSAGE_ID_LEN
const MSG_ID_AT = 1 + TOPIC_LEN
const MSG_PAYLOAD_AT = 1 + TOPIC_LEN + MESSAGE_ID_LEN
const ACK_ID_AT = 6 + TOPIC_LEN

// ---- child processes ---------------------------------------------------------------------------

export class Child {
  readonly kind: Kind
  readonly proc: ChildProcess
  url = ''
  readonly #waiting: { resolve: (s: ChildStats) => void; reject: (e: Error) => void }[] = []
  readonly #ready: Promise<void>
  #exited = false

  constructor(kind: Kind, label: string, script = SCRIPT[kind], env: NodeJS.ProcessEnv = process.env) {
    this.kind = kind
    const flags = ['--conditions=@pairline/source', '--import', 'tsx', '--expose-gc']
    if (process.env.BENCH_CHILD_FLAGS) flags.push(...process.env.BENCH_CHILD_FLAGS.split(' ').filter(Boolean))
    // One directory per child: node writes a profile per thread (tsx runs a loader thread too);
    // the main thread's is the biggest.
    if (PROF_DIR)
      flags.push('--cpu-prof', `--cpu-prof-dir=${join(PROF_DIR, `${kind}-${label}-${Date.now()}`)}`)
    this.proc = spawn(process.execPath, [...flags, script], {
      cwd: REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    const lines = createInterface({ input: this.proc.stdout! })
    let onUrl: () => void = () => {}
    let onFail: (e: Error) => void = () => {}
    this.#ready = new Promise<void>((resolve, reject) => {
      onUrl = resolve
      onFail = reject
    })
    lines.on('line', (line) => {
      // Anything else a child prints (node's --trace-gc, say) is passed on to stderr.
      if (!line.startsWith('{')) return void process.stderr.write(`[${kind}] ${line}\n`)
      const msg = JSON.parse(line) as { url?: string } & ChildStats
      if (msg.url) {
        this.url = msg.url
        onUrl()
      } else this.#waiting.shift()?.resolve(msg)
    })
    this.proc.on('exit', (code, signal) => {
      this.#exited = true
      const err = new Error(`${kind} child exited (code ${code}, signal ${signal})`)
      onFail(err)
      for (const w of this.#waiting.splice(0)) w.reject(err)
    })
  }

  ready(): Promise<void> {
    return this.#ready
  }

  stats(gc = false): Promise<ChildStats> {
    if (this.#exited) return Promise.reject(new Error(`${this.kind} child has exited`))
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject })
      this.proc.stdin!.write(gc ? 'stats gc\n' : 'stats\n')
    })
  }

  async stop(): Promise<void> {
    if (this.#exited) return
    const exited = once(this.proc, 'exit')
    this.proc.stdin!.end()
    const kill = setTimeout(() => this.proc.kill('SIGKILL'), 8000)
    await exited
    clearTimeout(kill)
  }
}

/** CPU seconds all processes have used so far (Linux /proc/stat; USER_HZ is 100), NaN elsewhere. */
export function machineBusySeconds(): number {
  try {
    const f = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number)
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f
    return (user + nice + system + irq + softirq + steal) / 100
  } catch {
    return Number.NaN
  }
}

const cpuMicros = (a: ChildStats, b: ChildStats) => b.cpu.user - a.cpu.user + (b.cpu.system - a.cpu.system)
const mainMicros = (a: ChildStats, b: ChildStats) => b.mainThreadCpu - a.mainThreadCpu

// ---- clients -----------------------------------------------------------------------------------

function open(url: string, protocols: string[] = []): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false })
    ws.once('open', () => {
      ws.off('error', reject)
      ws.on('error', () => {})
      resolve(ws)
    })
    ws.once('error', reject)
  })
}

function randomTopic(): Buffer {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(TOPIC_LEN)))
}

const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength)

/** Opens `n` sockets in batches, each subscribed to one random topic (SUBSCRIBE answered OK). */
async function openSubscribed(url: string, n: number): Promise<WebSocket[]> {
  const all: WebSocket[] = []
  for (let done = 0; done < n; ) {
    const batch = Math.min(IDLE_BATCH, n - done)
    const opened = await Promise.all(
      Array.from({ length: batch }, () =>
        open(url).then(
          (ws) =>
            new Promise<WebSocket>((resolve, reject) => {
              ws.once('message', (data: Buffer) =>
                data[0] === Reply.Ok ? resolve(ws) : reject(new Error(`subscribe refused: ${data[0]}`)),
              )
              ws.send(encodeSubscribe(1, [randomTopic()]))
            }),
        ),
      ),
    )
    all.push(...opened)
    done += batch
  }
  return all
}

async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map((ws) => {
      if (ws.readyState === ws.CLOSED) return undefined
      const closed = once(ws, 'close')
      ws.close()
      return closed
    }),
  )
}

type Pair = {
  pub: WebSocket
  sub: WebSocket
  /** PUBLISH frame, preallocated; rid, id and timestamp are rewritten before each send. */
  pubFrame: Buffer
  /** ACK frame for the pair's topic, preallocated; rid and id rewritten per delivery. */
  ackFrame: Buffer
  seq: number
  ackRid: number
  sent: number
  delivered: number
  /** rid of the publisher's last OK: OKs come in order, and in reply mode 2 one covers all before it */
  oks: number
  /** rid of the subscriber's last OK (its ACKs' in mode 1; in mode 2 the drain's PING's) */
  ackOks: number
  /** reply mode 2 on the subscriber: its ACKs are not answered, a PING at the drain covers them */
  quiet: boolean
  /** rid of the drain's last PING (mode 2), -1 before one */
  pingRid: number
}

type Mode = 'idle' | 'throughput' | 'latency'

export class Load {
  readonly pairs: Pair[] = []
  mode: Mode = 'idle'
  delivered = 0
  errors = 0
  firstError = ''
  latencies = new Float64Array(0)
  /** ns since latencyStart, per sample (for BENCH_LATENCY_DUMP) */
  sentAt = new Float64Array(0)
  latencyStart = 0n
  latencyCount = 0

  /**
   * Publishers connect to `url`, subscribers to `subUrl` (another relay node, for bench:cluster).
   * `protocols`: offered at connect; the relay's are [RELAY_PROTOCOL_V2] (reply mode 2, PROTOCOL.md
   * §13.3.1), as the SDK's client offers it.
   */
  async open(url: string, subUrl = url, protocols: string[] = []): Promise<void> {
    for (let i = 0; i < PAIRS; i++) {
      const [pub, sub] = await Promise.all([open(url, protocols), open(subUrl, protocols)])
      const topic = randomTopic()
      const id = crypto.getRandomValues(new Uint8Array(MESSAGE_ID_LEN))
      const payload = crypto.getRandomValues(new Uint8Array(PAYLOAD_BYTES))
      const pair: Pair = {
        pub,
        sub,
        pubFrame: asBuffer(encodePublish(0, topic, id, TTL_SECONDS, payload)),
        ackFrame: asBuffer(encodeAck(0, [{ topic, id }])),
        seq: 0,
        ackRid: 0,
        sent: 0,
        delivered: 0,
        oks: 0,
        ackOks: 0,
        quiet: replyMode(sub.protocol) === 2,
        pingRid: -1,
      }
      await new Promise<void>((resolve, reject) => {
        sub.once('message', (data: Buffer) =>
          data[0] === Reply.Ok ? resolve() : reject(new Error('subscribe refused')),
        )
        sub.send(encodeSubscribe(1, [topic]))
      })
      sub.on('message', (data: Buffer) => this.#onSubscriber(pair, data))
      pub.on('message', (data: Buffer) => {
        if (data[0] === Reply.Ok) pair.oks = data.readUInt32BE(1)
        else this.#error(data)
      })
      this.pairs.push(pair)
    }
  }

  #error(data: Buffer): void {
    this.errors++
    if (!this.firstError) this.firstError = `frame 0x${data[0]?.toString(16)} ${data.subarray(7).toString()}`
  }

  #onSubscriber(pair: Pair, data: Buffer): void {
    const type = data[0]
    if (type === Reply.Message) {
      pair.delivered++
      this.delivered++
      if (this.mode === 'latency' && this.latencyCount < this.latencies.length) {
        const sentAt = data.readBigUInt64BE(MSG_PAYLOAD_AT)
        this.sentAt[this.latencyCount] = Number(sentAt - this.latencyStart)
        this.latencies[this.latencyCount++] = Number(process.hrtime.bigint() - sentAt)
      }
      const ack = pair.ackFrame
      data.copy(ack, ACK_ID_AT, MSG_ID_AT, MSG_ID_AT + MESSAGE_ID_LEN)
      ack.writeUInt32BE(++pair.ackRid >>> 0, 1)
      pair.sub.send(ack)
      if (this.mode === 'throughput') this.pump(pair)
    } else if (type === Reply.Ok) pair.ackOks = data.readUInt32BE(1)
    else this.#error(data)
  }

  publish(pair: Pair): void {
    const f = pair.pubFrame
    const seq = ++pair.seq
    f.writeUInt32BE(seq >>> 0, 1)
    f.writeUInt32BE(seq >>> 0, PUB_ID_AT) // first 4 id bytes: unique per pair (the rest is random)
    f.writeBigUInt64BE(process.hrtime.bigint(), PUB_PAYLOAD_AT)
    pair.sent++
    pair.pub.send(f) // ws copies while masking, so the frame can be rewritten right away
  }

  pump(pair: Pair): void {
    while (pair.sent - pair.delivered < WINDOW) this.publish(pair)
  }

  /**
   * Waits until everything sent was delivered, acked and answered. In reply mode 2 the subscriber
   * sends a PING once all is delivered: its OK says every ACK before it was taken.
   */
  async drain(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    const pairSettled = (p: Pair) => {
      if (p.delivered !== p.sent || p.oks !== p.sent) return false
      if (!p.quiet) return p.ackOks === p.ackRid
      if (p.pingRid !== p.ackRid) {
        // not pinged since the last ACK
        p.ackRid++
        p.pingRid = p.ackRid
        p.sub.send(encodePing(p.ackRid))
      }
      return p.ackOks === p.pingRid
    }
    // Every pair each time, not up to the first unsettled one (as every() would): else one PING
    // went out per 20 ms round, and the drain of 100 pairs in mode 2 took 2 s.
    const settled = () => {
      let all = true
      for (const p of this.pairs) if (!pairSettled(p)) all = false
      return all
    }
    while (!settled()) {
      if (Date.now() > deadline) {
        const behind = this.pairs.reduce((n, p) => n + (p.sent - p.delivered), 0)
        throw new Error(
          `drain timed out: ${behind} messages undelivered, ${this.errors} error frames (${this.firstError})`,
        )
      }
      await sleep(20)
    }
  }

  async close(): Promise<void> {
    await closeAll(this.pairs.flatMap((p) => [p.pub, p.sub]))
  }
}

// ---- phases ------------------------------------------------------------------------------------

type Result = {
  throughput: number
  cpuPerMsg: number
  /** kernel (system) part of cpuPerMsg */
  sysPerMsg: number
  mainPerMsg: number
  helpersPerMsg: number
  latencyMainPerMsg: number
  latencyHelpersPerMsg: number
  cpuUtil: number
  /** the client side's CPU use in the throughput phase: near 1 core means the driver limited it */
  driverUtil: number
  /** the whole machine's CPU use in the throughput phase (cores, /proc/stat): above server + driver is noise */
  machineUtil: number
  latencyMachineUtil: number
  latencyDriverUtil: number
  p50: number
  p99: number
  p50Low: number
  p99Low: number
  latencyCpuPerMsg: number
  latencyRate: number
  rssPerConn: number
  heapPerConn: number
  idleOpenSeconds: number
}

async function idlePhase(
  child: Child,
): Promise<Pick<Result, 'rssPerConn' | 'heapPerConn' | 'idleOpenSeconds'>> {
  // Warm the accept/subscribe path once so one-time costs (JIT code, heap growth) stay out of the delta.
  await closeAll(await openSubscribed(child.url, IDLE_WARMUP))
  await sleep(300)
  const before = await child.stats(true)
  const t0 = performance.now()
  const sockets = await openSubscribed(child.url, IDLE_CONNECTIONS)
  const idleOpenSeconds = (performance.now() - t0) / 1000
  await sleep(1000)
  const after = await child.stats(true)
  await closeAll(sockets)
  return {
    rssPerConn: (after.rss - before.rss) / IDLE_CONNECTIONS,
    heapPerConn: (after.heapUsed - before.heapUsed) / IDLE_CONNECTIONS,
    idleOpenSeconds,
  }
}

async function throughputPhase(
  child: Child,
  load: Load,
): Promise<
  Pick<
    Result,
    | 'throughput'
    | 'cpuPerMsg'
    | 'sysPerMsg'
    | 'mainPerMsg'
    | 'helpersPerMsg'
    | 'cpuUtil'
    | 'driverUtil'
    | 'machineUtil'
  >
> {
  load.mode = 'throughput'
  for (const p of load.pairs) load.pump(p)
  await sleep(WARMUP_MS)
  const s0 = await child.stats()
  const m0 = machineBusySeconds()
  const c0 = process.cpuUsage()
  const d0 = load.delivered
  const t0 = performance.now()
  await sleep(SECONDS * 1000)
  const s1 = await child.stats()
  const m1 = machineBusySeconds()
  const c1 = process.cpuUsage(c0)
  const d1 = load.delivered
  const t1 = performance.now()
  load.mode = 'idle'
  await load.drain()
  const seconds = (t1 - t0) / 1000
  const cpu = cpuMicros(s0, s1)
  return {
    throughput: (d1 - d0) / seconds,
    cpuPerMsg: cpu / (d1 - d0),
    sysPerMsg: (s1.cpu.system - s0.cpu.system) / (d1 - d0),
    mainPerMsg: mainMicros(s0, s1) / (d1 - d0),
    helpersPerMsg: (cpu - mainMicros(s0, s1)) / (d1 - d0),
    cpuUtil: cpu / 1e6 / seconds,
    driverUtil: (c1.user + c1.system) / 1e6 / seconds,
    machineUtil: (m1 - m0) / seconds,
  }
}

async function latencyPhase(
  child: Child,
  load: Load,
  rate = LATENCY_RATE,
): Promise<
  Pick<
    Result,
    | 'p50'
    | 'p99'
    | 'latencyCpuPerMsg'
    | 'latencyMainPerMsg'
    | 'latencyHelpersPerMsg'
    | 'latencyRate'
    | 'latencyMachineUtil'
    | 'latencyDriverUtil'
  >
> {
  load.latencies = new Float64Array(Math.ceil(rate * SECONDS * 1.5))
  load.sentAt = new Float64Array(load.latencies.length)
  load.latencyCount = 0
  load.latencyStart = process.hrtime.bigint()
  load.mode = 'latency'
  const d0 = load.delivered
  const s0 = await child.stats()
  const m0 = machineBusySeconds()
  const c0 = process.cpuUsage()
  const start = performance.now()
  let sent = 0
  let next = 0
  const pairs = load.pairs
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - start) / 1000) * rate)
    for (; sent < due; sent++) {
      load.publish(pairs[next]!)
      next = (next + 1) % pairs.length
    }
  }, LATENCY_TICK_MS)
  await sleep(SECONDS * 1000)
  clearInterval(timer)
  await load.drain()
  const s1 = await child.stats()
  const m1 = machineBusySeconds()
  const c1 = process.cpuUsage(c0)
  const seconds = (performance.now() - start) / 1000
  load.mode = 'idle'
  if (LATENCY_DUMP) {
    const rows = Array.from(
      { length: load.latencyCount },
      (_, i) => `${(load.sentAt[i]! / 1e6).toFixed(3)},${(load.latencies[i]! / 1e6).toFixed(3)}`,
    )
    writeFileSync(
      join(LATENCY_DUMP, `${child.kind}-pid${child.proc.pid}-uptime${s0.uptimeMs.toFixed(0)}ms.csv`),
      `sent_ms,latency_ms\n${rows.join('\n')}\n`,
    )
  }
  const lat = load.latencies.subarray(0, load.latencyCount).sort()
  const q = (p: number) => (lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? Number.NaN) / 1e6
  const delivered = load.delivered - d0
  return {
    p50: q(0.5),
    p99: q(0.99),
    latencyCpuPerMsg: cpuMicros(s0, s1) / delivered,
    latencyMainPerMsg: mainMicros(s0, s1) / delivered,
    latencyHelpersPerMsg: (cpuMicros(s0, s1) - mainMicros(s0, s1)) / delivered,
    latencyRate: delivered / seconds,
    latencyMachineUtil: (m1 - m0) / seconds,
    latencyDriverUtil: (c1.user + c1.system) / 1e6 / seconds,
  }
}

async function withChild<T>(kind: Kind, label: string, fn: (child: Child) => Promise<T>): Promise<T> {
  const child = new Child(kind, label)
  try {
    await child.ready()
    return await fn(child)
  } finally {
    await child.stop()
    // The driver's garbage (10,000 closed client sockets, say) must not land in the next child's
    // measured phases as driver GC pauses.
    driverGc()
  }
}

/** Traffic and idle connections each get a fresh child, so neither inherits the other's heap. */
async function measure(kind: Kind): Promise<Result> {
  const traffic = await withChild(kind, 'traffic', async (child) => {
    const load = new Load()
    await load.open(child.url, child.url, PROTOCOLS[kind])
    const tp = await throughputPhase(child, load)
    const low = await latencyPhase(child, load, LOW_RATE)
    const lat = await latencyPhase(child, load)
    if (load.errors) throw new Error(`${kind}: ${load.errors} error frames (${load.firstError})`)
    await load.close()
    return { ...tp, ...lat, p50Low: low.p50, p99Low: low.p99 }
  })
  const idle = await withChild(kind, 'idle', idlePhase)
  return { ...traffic, ...idle }
}

// ---- report ------------------------------------------------------------------------------------

type Metric = {
  key: keyof Result
  label: string
  unit: string
  digits: number
  /** Upper bound on relay/floor, when the metric has a target. */
  target?: number
  /** false: no relay/floor ratio (machine-wide figures) */
  ratio?: boolean
}

const METRICS: Metric[] = [
  { key: 'throughput', label: 'Throughput (delivered msg/s, 100 pairs, window 32)', unit: '', digits: 0 },
  {
    key: 'cpuPerMsg',
    label: 'Server CPU per routed message at full load',
    unit: 'µs',
    digits: 2,
    target: 1.0,
  },
  { key: 'sysPerMsg', label: '… kernel (system) part, all threads', unit: 'µs', digits: 2 },
  { key: 'mainPerMsg', label: '… main (JS) thread', unit: 'µs', digits: 2 },
  {
    key: 'helpersPerMsg',
    label: '… other threads (V8 GC helpers): main + these = total',
    unit: 'µs',
    digits: 2,
  },
  { key: 'cpuUtil', label: 'Server CPU use at full load (cores)', unit: '', digits: 2 },
  { key: 'driverUtil', label: 'Client (driver) CPU use at full load (cores)', unit: '', digits: 2 },
  {
    key: 'machineUtil',
    label: 'Whole machine CPU use at full load (cores)',
    unit: '',
    digits: 2,
    ratio: false,
  },
  { key: 'p50Low', label: 'Latency p50 publish→delivery at 2k msg/s', unit: 'ms', digits: 3 },
  { key: 'p99Low', label: 'Latency p99 publish→delivery at 2k msg/s', unit: 'ms', digits: 3, target: 1.2 },
  { key: 'p50', label: 'Latency p50 publish→delivery at 5k msg/s', unit: 'ms', digits: 3 },
  { key: 'p99', label: 'Latency p99 publish→delivery at 5k msg/s', unit: 'ms', digits: 3, target: 1.3 },
  { key: 'latencyRate', label: 'Achieved rate in latency phase (msg/s)', unit: '', digits: 0 },
  { key: 'latencyCpuPerMsg', label: 'Server CPU per message at 5k msg/s', unit: 'µs', digits: 2 },
  { key: 'latencyMainPerMsg', label: '… main (JS) thread', unit: 'µs', digits: 2 },
  { key: 'latencyHelpersPerMsg', label: '… other threads (V8 GC helpers)', unit: 'µs', digits: 2 },
  { key: 'latencyDriverUtil', label: 'Client (driver) CPU use at 5k msg/s (cores)', unit: '', digits: 2 },
  {
    key: 'latencyMachineUtil',
    label: 'Whole machine CPU use at 5k msg/s (cores)',
    unit: '',
    digits: 2,
    ratio: false,
  },
  { key: 'rssPerConn', label: 'RSS per idle subscribed connection', unit: 'B', digits: 0, target: 1.0 },
  { key: 'heapPerConn', label: 'JS heap per idle subscribed connection', unit: 'B', digits: 0 },
]

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export const fmt = (v: number, digits: number, unit: string) =>
  Number.isFinite(v)
    ? `${v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}${unit ? ` ${unit}` : ''}`
    : 'n/a'

export type Align = 'left' | 'right' | 'center'

/** A Markdown table laid out the way Biome formats one, so results.md passes `biome check`. */
export function table(align: Align[], rows: string[][]): string[] {
  const width = align.map((_, c) => Math.max(3, ...rows.map((r) => [...(r[c] ?? '')].length)))
  const pad = (text: string, c: number) => {
    const room = width[c]! - [...text].length
    if (align[c] === 'right') return ' '.repeat(room) + text
    if (align[c] === 'center') return ' '.repeat(room >> 1) + text + ' '.repeat(room - (room >> 1))
    return text + ' '.repeat(room)
  }
  const line = (cells: string[]) => `| ${cells.map((t, c) => pad(t, c)).join(' | ')} |`
  const rule = align.map((a, c) => {
    const w = width[c]!
    return a === 'right' ? `${'-'.repeat(w - 1)}:` : a === 'center' ? `:${'-'.repeat(w - 2)}:` : '-'.repeat(w)
  })
  return [line(rows[0]!), `| ${rule.join(' | ')} |`, ...rows.slice(1).map(line)]
}

function report(results: Record<Kind, Result[]>, startedAt: Date, seconds: number): string {
  const cpu = cpus()
  const floor = results.floor
  const relay = results.relay
  const lines: string[] = [
    '# Relay benchmark: relay vs bare ws router (floor)',
    '',
    `Measured ${startedAt.toISOString()} by \`pnpm bench:relay\` (packages/relay/bench/run.ts) in ${seconds.toFixed(0)} s.`,
    `Node ${process.version}, ${process.platform} ${process.arch}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM.`,
    `${ROUNDS} rounds, order alternating (floor first in odd rounds), fresh server processes for each`,
    'round and kind (one for traffic, one for idle connections); each cell is the median over rounds.',
    `Traffic: ${PAIRS} publisher/subscriber pairs on their own topics, ${PAYLOAD_BYTES} B payloads, every delivery acked;`,
    `full load for ${SECONDS} s with at most ${WINDOW} messages in flight per pair, then ${LOW_RATE.toLocaleString('en-US')} and ${LATENCY_RATE.toLocaleString('en-US')} msg/s paced`,
    `for ${SECONDS} s each (one-way latency, clients and clock in one process). Server CPU is user + system time of`,
    'the server process over the measured window divided by the messages delivered in it.',
    "The floor corks a tick's writes per socket, as the relay does (BENCH_FLOOR_CORK=0: it does not).",
    'Targets are issue 16\'s goals. The machine may be shared with other work: see "Whole machine".',
    `Memory: ${IDLE_CONNECTIONS.toLocaleString('en-US')} idle connections, each subscribed to one random topic; server RSS and`,
    'heap deltas after a forced GC at both ends. "Whole machine" CPU comes from /proc/stat: anything',
    'above server + driver is other load on the machine (noise).',
    '',
  ]
  const summary: string[][] = [['Metric', 'Floor', 'Relay', 'Ratio (relay/floor)', 'Target', 'Result']]
  let pass = true
  for (const m of METRICS) {
    const f = floor.length ? median(floor.map((r) => r[m.key])) : Number.NaN
    const r = relay.length ? median(relay.map((x) => x[m.key])) : Number.NaN
    const ratio = r / f
    const ok = m.target === undefined ? undefined : ratio <= m.target
    if (ok === false) pass = false
    summary.push([
      m.label,
      fmt(f, m.digits, m.unit),
      fmt(r, m.digits, m.unit),
      m.ratio === false ? '' : `${fmt(ratio, 2, '')}×`,
      m.target === undefined ? '' : `≤ ${m.target}×`,
      ok === undefined ? '' : ok ? 'pass' : '**fail**',
    ])
  }
  lines.push(...table(['left', 'right', 'right', 'right', 'right', 'center'], summary))
  lines.push('', pass ? 'All targets met.' : '**Some targets missed.**', '', '## Per round', '')
  const perRound: string[][] = [
    ['Metric', ...Array.from({ length: ROUNDS }, (_, i) => [`floor #${i + 1}`, `relay #${i + 1}`]).flat()],
  ]
  for (const m of METRICS) {
    const cells: string[] = [`${m.label}${m.unit ? ` (${m.unit})` : ''}`]
    for (let i = 0; i < ROUNDS; i++) {
      cells.push(
        fmt(floor[i]?.[m.key] ?? Number.NaN, m.digits, ''),
        fmt(relay[i]?.[m.key] ?? Number.NaN, m.digits, ''),
      )
    }
    perRound.push(cells)
  }
  lines.push(...table(['left', ...perRound[0]!.slice(1).map((): Align => 'right')], perRound))
  return `${lines.join('\n')}\n`
}

// ---- main --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const startedAt = new Date()
  const t0 = performance.now()
  const results: Record<Kind, Result[]> = { floor: [], relay: [] }
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? KINDS : [...KINDS].reverse()
    for (const kind of order) {
      const r = await measure(kind)
      results[kind].push(r)
      process.stderr.write(
        `round ${round + 1} ${kind}: ${r.throughput.toFixed(0)} msg/s, ${r.cpuPerMsg.toFixed(2)} µs/msg ` +
          `(server ${r.cpuUtil.toFixed(2)} / driver ${r.driverUtil.toFixed(2)} cores), p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, ` +
          `${r.rssPerConn.toFixed(0)} B RSS/conn (${r.idleOpenSeconds.toFixed(1)} s to open)\n`,
      )
    }
  }
  const md = report(results, startedAt, (performance.now() - t0) / 1000)
  process.stdout.write(md)
  // Experiments (a patched relay, extra node flags, profiling, one kind only) must not overwrite the
  // committed results.
  const experiment = [
    'BENCH_RELAY_SCRIPT',
    'BENCH_CHILD_FLAGS',
    'BENCH_CPU_PROF',
    'BENCH_KINDS',
    'BENCH_FLOOR_CORK',
    'BENCH_FLOOR_QUIET',
    'BENCH_RELAY_MODE',
  ].filter((k) => process.env[k])
  if (experiment.length) process.stderr.write(`results.md left alone (${experiment.join(', ')} set)\n`)
  else {
    writeFileSync(join(BENCH_DIR, 'results.md'), md)
    // Every round of every metric, for `pnpm bench` (packages/bench) to put in BENCHMARKS.md.
    writeFileSync(join(BENCH_DIR, 'results.json'), `${JSON.stringify({ startedAt, ...results }, null, 2)}\n`)
  }
}

// bench/cluster.ts imports the pieces above; only `pnpm bench:relay` runs this benchmark.
if (isMain(import.meta.url)) {
  main().catch((err: Error) => {
    process.stderr.write(`bench:relay failed: ${err.stack ?? err.message}\n`)
    process.exit(1)
  })
}
