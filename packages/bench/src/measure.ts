/**
 * What every section measures with: CPU time (user + system of this process, which runs one JS
 * thread here) per operation, in rounds that alternate ours and the floor, so both see the same load
 * on a machine other work shares. A row keeps every round: the median is the value, min-max the
 * spread, and the ratio is the median of the per-round ratios (never two separate runs divided).
 */
export type Sample = { rounds: number[] }

export const ROUNDS = Number.parseInt(process.env.BENCH_ROUNDS ?? '3', 10)

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** CPU µs per call of `fn`, over `n` calls after `warm` unmeasured ones. */
export function cpuPerOp(fn: () => unknown, n: number, warm = Math.ceil(n / 5)): number {
  for (let i = 0; i < warm; i++) fn()
  const c0 = process.cpuUsage()
  for (let i = 0; i < n; i++) fn()
  const c = process.cpuUsage(c0)
  return (c.user + c.system) / n
}

/** The same for an async operation, awaited one at a time. */
export async function cpuPerAsyncOp(
  fn: () => Promise<unknown>,
  n: number,
  warm = Math.ceil(n / 5),
): Promise<number> {
  for (let i = 0; i < warm; i++) await fn()
  const c0 = process.cpuUsage()
  for (let i = 0; i < n; i++) await fn()
  const c = process.cpuUsage(c0)
  return (c.user + c.system) / n
}

/** Runs each named measurement once per round, in an order that alternates between rounds. */
export async function alternate<K extends string>(
  fns: Record<K, () => number | Promise<number>>,
  rounds = ROUNDS,
): Promise<Record<K, number[]>> {
  const keys = Object.keys(fns) as K[]
  const out = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>
  for (let r = 0; r < rounds; r++) {
    for (const k of r % 2 ? [...keys].reverse() : keys) out[k].push(await fns[k]())
  }
  return out
}

/** One BENCHMARKS.md row. `baseline` absent: an absolute figure (its goal, if any, is absolute too). */
export type Row = {
  section: string
  quantity: string
  unit: string
  ours: number[]
  baselineName?: string
  baseline?: number[]
  /** the goal as text, e.g. "≤ 2.5x", "≤ 8 ms" */
  goal?: string
  /** true/false when the goal was checked here */
  met?: boolean
  /** why this run cannot judge the goal (then `met` is absent) */
  unjudged?: string
  /** the goal bounds the ratio (else the value itself) */
  ratioGoal?: boolean
  note?: string
}

export function ratioOf(row: Pick<Row, 'ours' | 'baseline'>): number {
  if (!row.baseline) return Number.NaN
  return median(row.ours.map((v, i) => v / row.baseline![i]!))
}

/** `goal` for a ratio: ours/baseline ≤ max. */
export function ratioGoal(row: Omit<Row, 'goal' | 'met'>, max: number): Row {
  return { ...row, goal: `≤ ${max}x`, met: ratioOf(row) <= max, ratioGoal: true }
}

/** `goal` for an absolute value: median(ours) ≤ max. */
export function absoluteGoal(row: Omit<Row, 'goal' | 'met'>, max: number): Row {
  return { ...row, goal: `≤ ${max} ${row.unit}`, met: median(row.ours) <= max }
}
