/**
 * Scale, relay side: BENCH_SCALE_SESSIONS (10,000) sessions, two sockets each (scaleLoad.ts), through
 * one relay process, 1 request/s per session, beside the bare ws router (packages/relay/bench,
 * no mailbox, no acks kept) under the same load in the same run. Each server is a fresh child; its
 * RSS and CPU come from the child itself (process.memoryUsage, process.cpuUsage) over a fixed
 * window after a warm-up.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ChildStats } from '../../relay/bench/child.js'
import { Child, type Kind, PROTOCOLS } from '../../relay/bench/run.js'
import { alternate } from './measure.js'
import { ScaleLoad } from './scaleLoad.js'

const envInt = (name: string, fallback: number): number => {
  const v = process.env[name]
  return v ? Number.parseInt(v, 10) : fallback
}

export type ScaleOptions = {
  sessions: number
  warmSeconds: number
  seconds: number
  rounds: number
  /** how long to wait for the last answers after the window (ms); Infinity: until all arrive */
  drainCapMs: number
  requestBytes: number
  answerBytes: number
}

export const SCALE: ScaleOptions = {
  sessions: envInt('BENCH_SCALE_SESSIONS', 10_000),
  warmSeconds: envInt('BENCH_SCALE_WARM', 3),
  seconds: envInt('BENCH_SCALE_SECONDS', 10),
  rounds: envInt('BENCH_SCALE_ROUNDS', 1),
  drainCapMs: 5000,
  /** the sealed frames of a personal_sign as the SDK publishes them (measured): request and follow-up 288 B, answer 352 B */
  requestBytes: 288,
  answerBytes: 352,
}

/** The soft open-files limit of this process (Linux /proc/self/limits), NaN elsewhere. */
export function openFilesLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'latin1')
      .split('\n')
      .find((l) => l.startsWith('Max open files'))
    return Number(line?.trim().split(/\s+/)[3])
  } catch {
    return Number.NaN
  }
}

/** Open files a process needs besides its sockets (stdio, pipes, epoll, loader thread, listener). */
const RESERVE_FILES = 200

/**
 * Each server child holds 2 sockets per session and this process the other ends: raise this
 * process's limit (children inherit it) with prlimit when it is too low. When it cannot be raised
 * (not root, or a container's hard limit), as many sessions as fit, and why.
 */
export function ensureOpenFiles(sessions: number): { sessions: number; capped?: string } {
  const need = 2 * sessions + RESERVE_FILES
  const limit = openFilesLimit()
  if (!(limit < need)) return { sessions }
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${need}:${need}`], { stdio: 'ignore' })
    if (openFilesLimit() >= need) return { sessions }
  } catch {}
  const fit = Math.floor((limit - RESERVE_FILES) / 2)
  if (fit < 1) throw new Error(`scale bench: the open-files limit is ${limit}: raise it (ulimit -n ${need})`)
  const capped =
    `${sessions.toLocaleString('en-US')} sessions need ${need.toLocaleString('en-US')} open files per process; ` +
    `the limit here is ${limit.toLocaleString('en-US')} and could not be raised (prlimit refused), so ${fit.toLocaleString('en-US')} sessions`
  process.stderr.write(`scale bench: ${capped}\n`)
  return { sessions: fit, capped }
}

export type ScaleResult = {
  rssMiB: number
  rssPerSession: number
  cpuPercent: number
  cpuPerRequest: number
  answeredPerSecond: number
  p50: number
  p99: number
  openSeconds: number
  lost: number
  errors: number
}

const cpuMicros = (a: ChildStats, b: ChildStats) => b.cpu.user - a.cpu.user + (b.cpu.system - a.cpu.system)

function percentile(ns: number[], p: number): number {
  if (ns.length === 0) return Number.NaN
  const s = Float64Array.from(ns).sort()
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]! / 1e6
}

async function measureOnce(kind: Kind, o: ScaleOptions): Promise<ScaleResult> {
  const env = { ...process.env, BENCH_MAX_CONNECTIONS: String(2 * o.sessions + 1000) }
  const child = new Child(kind, 'scale', undefined, env)
  await child.ready()
  const load = new ScaleLoad(o)
  try {
    const empty = await child.stats(true)
    const t0 = performance.now()
    await load.open(child.url, PROTOCOLS[kind])
    // the relay in reply mode 2 as the SDK gets it (1 only with BENCH_RELAY_MODE=1), the floor in 1
    const mode = PROTOCOLS[kind].length > 0 ? 2 : 1
    if (load.replyModes.size !== 1 || !load.replyModes.has(mode))
      throw new Error(`scale ${kind}: reply modes ${[...load.replyModes].join(',')}, expected ${mode}`)
    const openSeconds = (performance.now() - t0) / 1000
    load.start()
    await sleep(o.warmSeconds * 1000)
    const a = await child.stats()
    const answered0 = load.answered
    const w0 = performance.now()
    load.recording = true
    await sleep(o.seconds * 1000)
    const b = await child.stats()
    const windowS = (performance.now() - w0) / 1000
    load.recording = false
    const answered = load.answered - answered0
    load.stop()
    // a lost answer must not hang the bench: it waits at most drainCapMs, then counts what is missing
    const drained = load.drained()
    await (Number.isFinite(o.drainCapMs) ? Promise.race([drained, sleep(o.drainCapMs)]) : drained)
    if (load.errors)
      process.stderr.write(`scale ${kind}: ${load.errors} error frames, first ${load.firstError}\n`)
    const r: ScaleResult = {
      rssMiB: b.rss / 2 ** 20,
      rssPerSession: (b.rss - empty.rss) / o.sessions,
      cpuPercent: (cpuMicros(a, b) / (windowS * 1e6)) * 100,
      cpuPerRequest: cpuMicros(a, b) / answered,
      answeredPerSecond: answered / windowS,
      p50: percentile(load.roundTrips, 0.5),
      p99: percentile(load.roundTrips, 0.99),
      openSeconds,
      lost: load.sent - load.answered,
      errors: load.errors,
    }
    process.stderr.write(`scale ${kind}, ${o.sessions} sessions: ${JSON.stringify(r)}\n`)
    return r
  } finally {
    await load.close()
    await child.stop()
  }
}

/** Floor and relay, `rounds` times each, order alternating. */
export async function measureScale(
  asked: ScaleOptions = SCALE,
): Promise<Record<Kind, ScaleResult[]> & { options: ScaleOptions; capped?: string }> {
  const { sessions, capped } = ensureOpenFiles(asked.sessions)
  const o = { ...asked, sessions }
  const floor: ScaleResult[] = []
  const relay: ScaleResult[] = []
  await alternate(
    {
      floor: async () => floor.push(await measureOnce('floor', o)),
      relay: async () => relay.push(await measureOnce('relay', o)),
    },
    o.rounds,
  )
  return { floor, relay, options: o, ...(capped ? { capped } : {}) }
}

export const pick = (rs: ScaleResult[], k: keyof ScaleResult) => rs.map((r) => r[k])
