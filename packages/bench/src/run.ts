/**
 * `pnpm bench`: every benchmark of issue 16 in one run, written to BENCHMARKS.md at the repository
 * root (and printed). Each row: ours, its floor or baseline measured in the same run, the ratio
 * (median of per-round ratios), the spread of ours over the rounds, the machine, and the goal met or
 * missed. Sections run one after another, never side by side.
 *
 * Env: BENCH_ROUNDS (3), BENCH_ONLY=crypto,sessions,startup,bundle,relay (a subset; BENCHMARKS.md is
 * then left alone), and bench:relay's own knobs (packages/relay/bench/run.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { bundleRows } from './bundle.js'
import { cryptoRows } from './crypto.js'
import { ROUNDS, type Row } from './measure.js'
import { relayRows } from './relay.js'
import { machineLabel, report } from './report.js'
import { sessionRows } from './sessions.js'
import { startupRows } from './startup.js'

const ROOT = new URL('../../..', import.meta.url).pathname
const SECTIONS: Record<string, () => Promise<Row[]>> = {
  bundle: bundleRows,
  crypto: cryptoRows,
  sessions: sessionRows,
  startup: startupRows,
  relay: relayRows,
}
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean)

async function main(): Promise<void> {
  const startedAt = new Date()
  const t0 = performance.now()
  const load0 = loadavg()[0]!
  const rows: Row[] = []
  for (const [name, run] of Object.entries(SECTIONS)) {
    if (only && !only.includes(name)) continue
    const s0 = performance.now()
    rows.push(...(await run()))
    process.stderr.write(`bench: ${name} done in ${((performance.now() - s0) / 1000).toFixed(0)} s\n`)
  }
  const cluster = readFileSync(join(ROOT, 'packages/relay/bench/cluster-results.md'), 'utf8')
  const md = report(rows, {
    startedAt,
    seconds: (performance.now() - t0) / 1000,
    rounds: ROUNDS,
    machine: machineLabel(),
    machineLong: `Node ${process.version}, ${process.platform} ${process.arch}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    load: [load0, loadavg()[0]!],
    cluster,
  })
  process.stdout.write(md)
  if (only) process.stderr.write('BENCHMARKS.md left alone (BENCH_ONLY set)\n')
  else writeFileSync(join(ROOT, 'BENCHMARKS.md'), md)
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`)
  process.exit(1)
})
