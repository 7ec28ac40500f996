import { describe, expect, it } from 'vitest'
import { absoluteGoal, alternate, median, ratioGoal, ratioOf } from './measure.js'
import { latencyRow } from './relay.js'
import { report } from './report.js'

const meta = {
  startedAt: new Date('2026-12-01T12:00:00Z'),
  seconds: 10,
  rounds: 3,
  machine: '2× test, shared',
  machineLong: 'a test machine',
  load: [1, 2] as [number, number],
  cluster: '# Cluster\n\n| a | b |\n| - | - |\n| 1 | 2 |\n',
}

describe('BENCHMARKS.md rows', () => {
  it('the ratio is the median of the per-round ratios, not a ratio of medians', () => {
    // per-round ratios 2, 1, 4: median 2; medians 20 / 10 would also say 2, so make them differ
    const row = { ours: [20, 30, 40], baseline: [10, 30, 10] }
    expect(ratioOf(row)).toBe(2)
    expect(median(row.ours) / median(row.baseline)).toBe(3)
  })

  it('checks ratio goals against the ratio and absolute goals against the median', () => {
    const base = { section: 's', quantity: 'q', unit: 'ms' }
    expect(ratioGoal({ ...base, ours: [1, 1, 1], baseline: [1, 1, 1] }, 1.0)).toMatchObject({
      goal: '≤ 1x',
      met: true,
    })
    expect(ratioGoal({ ...base, ours: [2, 2, 2], baseline: [1, 1, 1] }, 1.3)).toMatchObject({
      goal: '≤ 1.3x',
      met: false,
    })
    expect(absoluteGoal({ ...base, ours: [300, 200, 100] }, 250)).toMatchObject({
      goal: '≤ 250 ms',
      met: true,
    })
    expect(absoluteGoal({ ...base, ours: [300, 260, 100] }, 250)).toMatchObject({
      goal: '≤ 250 ms',
      met: false,
    })
  })

  it('alternates the order of the measurements between rounds', async () => {
    const order: string[] = []
    const step = (name: string, value: number) => () => {
      order.push(name)
      return value
    }
    const r = await alternate({ a: step('a', 1), b: step('b', 2) }, 3)
    expect(order).toEqual(['a', 'b', 'b', 'a', 'a', 'b'])
    expect(r).toEqual({ a: [1, 1, 1], b: [2, 2, 2] })
  })

  it('writes each row with ours, baseline, ratio, spread, machine and goal, then the goals list', () => {
    const md = report(
      [
        ratioGoal(
          {
            section: 'crypto',
            quantity: 'seal',
            unit: 'µs',
            ours: [10, 12, 11],
            baselineName: 'node',
            baseline: [5, 5, 5],
          },
          2.5,
        ),
        absoluteGoal({ section: 'start-up', quantity: 'cold start', unit: 'ms', ours: [140, 150, 160] }, 250),
      ],
      meta,
    )
    expect(md).toContain('| seal ')
    expect(md).toMatch(
      /\| seal +\| +11\.0 µs \| +5\.00 µs \| node +\| +2\.20x \| +10\.0–12\.0 µs \| 2× test, shared \| ≤ 2\.5x +\| +met +\|/,
    )
    expect(md).toContain('## Cluster (from `pnpm bench:cluster`, not re-run here)')
    expect(md).toContain('- met: seal: 2.20x (goal ≤ 2.5x)')
    expect(md).toContain('- met: cold start: 150 ms (goal ≤ 250 ms)')
  })

  it('gives no verdict on a p99 when the floor itself stalled (machine load)', () => {
    const base = { section: 'relay', quantity: 'p99', unit: 'ms', baselineName: 'floor' }
    const calm = latencyRow(ratioGoal({ ...base, ours: [1, 1, 1], baseline: [0.9, 0.9, 0.9] }, 1.3))
    expect(calm).toMatchObject({ met: true })
    const loaded = latencyRow(ratioGoal({ ...base, ours: [8, 9, 10], baseline: [20, 30, 40] }, 1.3))
    expect(loaded.met).toBeUndefined()
    expect(loaded.unjudged).toBe(
      "the floor's own p99 was 30.0 ms (over 5 ms): the machine's load, not the code",
    )
    const md = report([loaded], meta)
    expect(md).toContain(
      "- not judged: p99: 0.30x (goal ≤ 1.3x): the floor's own p99 was 30.0 ms (over 5 ms): the machine's load, not the code",
    )
  })
})
