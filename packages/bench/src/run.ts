/**
 * `pnpm bench`: every benchmark of issue 16 in one run, written to BENCHMARKS.md at the repository
 * root (and printed). Each row: ours, its floor or baseline measured in the same run, the ratio
 * (median of per-round ratios), the spread of ours over the rounds, the machine, and the goal met or
 * missed. Sections run one after another, never side by side.
 *
 * Env: BENCH_ROUNDS (3), BENCH_ONLY=crypto,sessions,startup,bundle,relay,scale (a subset; BENCHMARKS.md
 * is then left alone), bench:relay's own knobs (packages/relay/bench/run.ts), and the scale rows'
 * BENCH_SCALE_SESSIONS (10000), BENCH_SCALE_SECONDS (10), BENCH_SCALE_WARM (3), BENCH_SCALE_ROUNDS (1),
 * BENCH_SCALE_WALLET (100).
 * `--scale` (`pnpm bench:scale`): the scale rows alone, written into BENCHMARKS.md's `## Scale`
 * section; every other line of the file is kept.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { bundleRows } from './bundle.js'
import { cryptoRows } from './crypto.js'
import { ROUNDS, type Row } from './measure.js'
import { relayRows } from './relay.js'
import { machineLabel, report, spliceScale } from './report.js'
import { scaleDescription, scaleRows } from './scale.js'
import { sessionRows } from './sessions.js'
import { startupRows } from './startup.js'

const ROOT = new URL('../../..', import.meta.url).pathname
const SECTIONS: Record<string, () => Promise<Row[]>> = {
  bundle: bundleRows,
  crypto: cryptoRows,
  sessions: sessionRows,
  startup: startupRows,
  relay: relayRows,
  scale: () => scaleRows(),
}
const scaleOnly = process.argv.includes('--scale')
const only = scaleOnly ? ['scale'] : process.env.BENCH_ONLY?.split(',').filter(Boolean)

async function main(): Promise<void> {
  const startedAt = new Date()
  const t0 = performance.now()
  const load0 = loadavg()[0]!
  const rows: Row[] = []
  let scaleRun: { startedAt: Date; seconds: number; load: [number, number]; describe: string[] } | undefined
  for (const [name, run] of Object.entries(SECTIONS)) {
    if (only && !only.includes(name)) continue
    const s0 = performance.now()
    const at = new Date()
    const l0 = loadavg()[0]!
    rows.push(...(await run()))
    const seconds = (performance.now() - s0) / 1000
    if (name === 'scale')
      scaleRun = { startedAt: at, seconds, load: [l0, loadavg()[0]!], describe: scaleDescription() }
    process.stderr.write(`bench: ${name} done in ${seconds.toFixed(0)} s\n`)
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
    ...(scaleRun ? { scaleRun } : {}),
  })
  // The analysis of the missed goals is kept by hand beside the bench and appended to each report.
  const why = readFileSync(join(ROOT, 'packages/bench/why.md'), 'utf8')
  const full = `${md.trimEnd()}\n\n${why}`
  process.stdout.write(full)
  const file = join(ROOT, 'BENCHMARKS.md')
  if (scaleOnly) {
    writeFileSync(file, spliceScale(readFileSync(file, 'utf8'), md))
    process.stderr.write('BENCHMARKS.md: the Scale section rewritten, the rest kept\n')
  } else if (only) process.stderr.write('BENCHMARKS.md left alone (BENCH_ONLY set)\n')
  else writeFileSync(file, full)
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`)
  process.exit(1)
})
