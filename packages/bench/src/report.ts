/** BENCHMARKS.md from the rows: one table per section, then the goals met and missed. */
import { cpus } from 'node:os'
import { table } from '../../relay/bench/run.js'
import { median, type Row, ratioOf } from './measure.js'
import { SCALE_SECTION_PREFIX } from './scaleSection.js'

export function machineLabel(): string {
  const model = cpus()[0]?.model ?? 'cpu'
  const short = /EPYC/i.test(model) ? 'AMD EPYC' : /Xeon/i.test(model) ? 'Xeon' : model.split(' ')[0]
  return `${cpus().length}× ${short}, shared`
}

const num = (v: number): string => {
  if (!Number.isFinite(v)) return 'n/a'
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}
const withUnit = (v: number, unit: string) => `${num(v)} ${unit}`

function spread(xs: readonly number[], unit: string): string {
  if (xs.length < 2) return 'exact'
  return `${num(Math.min(...xs))}–${num(Math.max(...xs))} ${unit}`
}

type Meta = {
  startedAt: Date
  seconds: number
  rounds: number
  machine: string
  machineLong: string
  /** 1-minute load average at the start and the end */
  load: [number, number]
  cluster: string
  /** when the scale rows were measured (they may come from a `pnpm bench:scale` run of their own) */
  scaleRun?: { startedAt: Date; seconds: number; load: [number, number]; describe: string[] }
}

const isScale = (section: string) => section.startsWith(SCALE_SECTION_PREFIX)

function scaleBlock(rows: Row[], m: Meta): string[] {
  const scale = rows.filter((r) => isScale(r.section))
  const lines = ['## Scale', '']
  if (scale.length === 0 || !m.scaleRun) {
    return [
      ...lines,
      'Not measured by this run: 10,000 paired sessions (20,000 sockets) through one relay and a wallet',
      'holding 100 sessions are not yet in the harness.',
      '',
    ]
  }
  const r = m.scaleRun
  lines.push(
    `Measured ${r.startedAt.toISOString()} in ${r.seconds.toFixed(0)} s; 1-minute load average ${r.load[0].toFixed(1)} at the start, ${r.load[1].toFixed(1)} at the end.`,
    ...r.describe,
    '',
  )
  for (const s of [...new Set(scale.map((x) => x.section))]) {
    lines.push(
      `### ${s}`,
      '',
      ...sectionTable(
        scale.filter((x) => x.section === s),
        m.machine,
      ),
      '',
    )
  }
  return lines
}

/**
 * `existing` (a BENCHMARKS.md) with its `## Scale` block, up to the next `## ` heading, replaced by
 * the one in `fresh`: how `pnpm bench:scale` updates the scale rows alone.
 */
export function spliceScale(existing: string, fresh: string): string {
  const block = (md: string) => {
    const start = md.indexOf('\n## Scale\n')
    if (start < 0) throw new Error('no "## Scale" section')
    const next = md.indexOf('\n## ', start + 1)
    return { start: start + 1, end: next < 0 ? md.length : next + 1 }
  }
  const f = block(fresh)
  const e = block(existing)
  return existing.slice(0, e.start) + fresh.slice(f.start, f.end) + existing.slice(e.end)
}

function sectionTable(rows: Row[], machine: string): string[] {
  const cells = [
    ['Quantity', 'Ours', 'Baseline', 'Baseline is', 'Ratio', 'Spread (ours)', 'Machine', 'Goal', 'Met'],
  ]
  for (const r of rows) {
    const ratio = ratioOf(r)
    cells.push([
      r.note ? `${r.quantity} (${r.note})` : r.quantity,
      withUnit(median(r.ours), r.unit),
      r.baseline ? withUnit(median(r.baseline), r.unit) : '–',
      r.baselineName ?? '–',
      Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : '–',
      spread(r.ours, r.unit),
      machine,
      r.goal ?? '',
      r.unjudged ? 'not judged' : r.met === undefined ? '' : r.met ? 'met' : '**missed**',
    ])
  }
  return table(['left', 'right', 'right', 'left', 'right', 'right', 'left', 'left', 'center'], cells)
}

export function report(rows: Row[], m: Meta): string {
  const lines = [
    '# Pairline benchmarks',
    '',
    `Written by \`pnpm bench\` (packages/bench) on ${m.startedAt.toISOString()} in ${m.seconds.toFixed(0)} s.`,
    `Machine "${m.machine}": ${m.machineLong}; 1-minute load average ${m.load[0].toFixed(1)} at the start,`,
    `${m.load[1].toFixed(1)} at the end (the machine was shared with other work: timings are noisy, ratios`,
    'hold better than absolute figures). Each timed row: medians of',
    `${m.rounds} rounds, ours and its baseline alternating in the same run; the ratio is the median of the`,
    'per-round ratios (ours / baseline: below 1 is better for us); the spread is the range of ours over the',
    'rounds. CPU rows are user + system CPU time of the measuring process; latencies are wall clock.',
    '',
  ]
  const sections = [...new Set(rows.map((r) => r.section))].filter((s) => !isScale(s))
  for (const s of sections) {
    lines.push(
      `## ${s}`,
      '',
      ...sectionTable(
        rows.filter((r) => r.section === s),
        m.machine,
      ),
      '',
    )
  }
  lines.push(
    ...scaleBlock(rows, m),
    '## Cluster (from `pnpm bench:cluster`, not re-run here)',
    '',
    ...m.cluster
      .replace(/^# .*\n/, '')
      .trim()
      .split('\n'),
    '',
    '## Goals',
    '',
  )
  for (const r of rows.filter((x) => x.unjudged)) {
    lines.push(`- not judged: ${r.quantity}: ${ratioOf(r).toFixed(2)}x (goal ${r.goal}): ${r.unjudged}`)
  }
  for (const r of rows.filter((x) => x.met !== undefined)) {
    const ratio = ratioOf(r)
    const value = r.ratioGoal ? `${ratio.toFixed(2)}x` : withUnit(median(r.ours), r.unit)
    lines.push(`- ${r.met ? 'met' : '**missed**'}: ${r.quantity}: ${value} (goal ${r.goal})`)
  }
  return `${lines.join('\n')}\n`
}
