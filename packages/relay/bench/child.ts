/**
 * The child-process side of the relay benchmark (run.ts): starts a server, prints
 * `{"url": ...}` as the first stdout line, then answers each stdin line:
 *   `stats`    -> one JSON line of ChildStats: process.cpuUsage(), main-thread CPU, memoryUsage() figures
 *   `stats gc` -> the same after a full GC (children are started with --expose-gc)
 * It stops when stdin closes, on SIGTERM or SIGINT.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export type ChildServer = { url: string; close(): Promise<void> }

export type ChildStats = {
  /** whole process, all threads (µs) */
  cpu: { user: number; system: number }
  /** the main thread alone (µs, 10 ms resolution): the rest is V8's GC helpers and libuv's pool */
  mainThreadCpu: number
  rss: number
  heapUsed: number
  external: number
  arrayBuffers: number
  /** performance.now() in the child: ms since it started (the clock of --trace-gc lines) */
  uptimeMs: number
}

/** CPU time of the main (JS) thread in µs, from /proc (Linux; NaN elsewhere). USER_HZ is 100. */
function mainThreadCpu(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) * 10_000
  } catch {
    return Number.NaN
  }
}

export function childStats(): ChildStats {
  const m = process.memoryUsage()
  return {
    cpu: process.cpuUsage(),
    mainThreadCpu: mainThreadCpu(),
    rss: m.rss,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    uptimeMs: performance.now(),
  }
}

export async function serveAsChild(start: () => Promise<ChildServer>): Promise<void> {
  const server = await start()
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    const timer = setTimeout(() => process.exit(0), 3000)
    server.close().finally(() => {
      clearTimeout(timer)
      process.exit(0)
    })
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  const lines = createInterface({ input: process.stdin })
  lines.on('line', (line) => {
    const cmd = line.trim()
    if (cmd === 'stats gc') {
      const gc = (globalThis as { gc?: () => void }).gc
      gc?.()
      gc?.()
    } else if (cmd !== 'stats') return
    process.stdout.write(`${JSON.stringify(childStats())}\n`)
  })
  lines.on('close', stop)
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`)
}

/** True when `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1]
  return entry !== undefined && resolve(entry) === fileURLToPath(moduleUrl)
}
