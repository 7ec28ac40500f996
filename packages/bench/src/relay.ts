/**
 * Relay rows: `pnpm bench:relay` (packages/relay/bench/run.ts) run as it is, in its own processes,
 * against the bare router that corks as the relay does; its results.json holds every round.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { median, type Row, ratioGoal } from './measure.js'

const ROOT = new URL('../../..', import.meta.url).pathname
const RESULTS = join(ROOT, 'packages/relay/bench/results.json')

type Rounds = Record<string, number>[]

/** A bare router's p99 above this is the machine stalling, not routing: no verdict from that run. */
const FLOOR_P99_SANE_MS = 5

export function latencyRow(row: Row): Row {
  const floor = median(row.baseline ?? [])
  if (floor <= FLOOR_P99_SANE_MS) return row
  const { met: _, ...rest } = row
  return {
    ...rest,
    unjudged: `the floor's own p99 was ${floor.toFixed(1)} ms (over ${FLOOR_P99_SANE_MS} ms): the machine's load, not the code`,
  }
}

export async function relayRows(): Promise<Row[]> {
  const child = spawn(
    process.execPath,
    ['--conditions=@pairline/source', '--import', 'tsx', 'packages/relay/bench/run.ts'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  )
  const [code] = await once(child, 'exit')
  if (code !== 0) throw new Error(`bench:relay exited with ${code}`)
  const r = JSON.parse(readFileSync(RESULTS, 'utf8')) as { floor: Rounds; relay: Rounds }
  const pick = (key: string) => ({ ours: r.relay.map((x) => x[key]!), baseline: r.floor.map((x) => x[key]!) })
  const section = 'relay (every message acked, 1 KiB, 100 pairs)'
  const baselineName = 'bare ws topic router, corked like the relay, no acks'
  return [
    ratioGoal(
      {
        section,
        quantity: 'relay CPU per delivered message, full load',
        unit: 'µs',
        baselineName,
        ...pick('cpuPerMsg'),
      },
      1.0,
    ),
    latencyRow(
      ratioGoal(
        { section, quantity: 'relay p99 at 2,000 msg/s', unit: 'ms', baselineName, ...pick('p99Low') },
        1.2,
      ),
    ),
    latencyRow(
      ratioGoal(
        { section, quantity: 'relay p99 at 5,000 msg/s', unit: 'ms', baselineName, ...pick('p99') },
        1.3,
      ),
    ),
    ratioGoal(
      {
        section,
        quantity: 'relay RSS per idle subscribed connection (10,000)',
        unit: 'B',
        baselineName,
        ...pick('rssPerConn'),
      },
      1.0,
    ),
    {
      section,
      quantity: 'throughput, delivered msg/s (driver: one process)',
      unit: 'msg/s',
      baselineName,
      ...pick('throughput'),
      note: 'higher is better',
    },
  ]
}
