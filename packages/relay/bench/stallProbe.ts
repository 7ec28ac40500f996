/**
 * The bench relay (relayServer.ts) with a stall probe, for finding latency stalls at a fixed rate:
 *   BENCH_KINDS=relay BENCH_RELAY_SCRIPT=packages/relay/bench/stallProbe.ts BENCH_CHILD_FLAGS=--trace-gc \
 *   BENCH_LATENCY_DUMP=<dir> pnpm bench:relay
 * On stderr: `probe <ms> sweep <d> ms` for a sweep over 0.5 ms and `probe <ms> lag <d> ms` when a
 * 1 ms timer fired over 6 ms late (the event loop was held). <ms> is the process's uptime, the clock
 * of --trace-gc lines and of the dump files' names (the uptime when their phase began).
 */
import { MemoryBroker } from '../src/broker/memory.js'
import { serveAsChild } from './child.js'
import { startBenchRelay } from './relayServer.js'

const log = (s: string) => process.stderr.write(`probe ${performance.now().toFixed(1)} ${s}\n`)
const sweep = MemoryBroker.prototype.sweep
MemoryBroker.prototype.sweep = function (this: MemoryBroker, now: number) {
  const a = performance.now()
  sweep.call(this, now)
  const d = performance.now() - a
  if (d > 0.5) log(`sweep ${d.toFixed(2)} ms`)
}
let last = performance.now()
setInterval(() => {
  const n = performance.now()
  if (n - last > 6) log(`lag ${(n - last).toFixed(1)} ms`)
  last = n
}, 1).unref()
await serveAsChild(() => startBenchRelay(0))
