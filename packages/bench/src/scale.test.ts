/**
 * The scale rows at smoke size (20 sessions through each server, a wallet with 2 sessions): the
 * same code `pnpm bench:scale` runs at 10,000 and 100, checked for the report's shape, not speed.
 */
import { describe, expect, it } from 'vitest'
import { report, spliceScale } from './report.js'
import { relayScaleRows, scaleDescription, scaleRows } from './scale.js'
import { ensureOpenFiles, openFilesLimit, type ScaleOptions } from './scaleRelay.js'

const SMOKE: ScaleOptions = {
  sessions: 20,
  warmSeconds: 1,
  seconds: 1,
  rounds: 1,
  // wait for every answer: a lost one fails the test (by its timeout) instead of being counted
  drainCapMs: Number.POSITIVE_INFINITY,
  requestBytes: 288,
  answerBytes: 352,
}

const meta = {
  startedAt: new Date('2026-12-01T12:00:00Z'),
  seconds: 10,
  rounds: 3,
  machine: '2× test, shared',
  machineLong: 'a test machine',
  load: [1, 2] as [number, number],
  cluster: '# Cluster\n\n| a | b |\n| - | - |\n| 1 | 2 |\n',
}

describe('scale rows', () => {
  it('measures the relay and the bare router under the same load, and a wallet with one and with N sessions', async () => {
    const rows = await scaleRows(SMOKE, 2)
    const relaySection = 'scale: one relay process, 20 sessions (40 sockets), 1 request/s per session'
    const walletSection = 'scale: a wallet holding 2 sessions (real SDK, its own process)'
    expect(rows.map((r) => [r.section, r.quantity, r.unit])).toEqual([
      [relaySection, 'server RSS, all sessions open, under load', 'MiB'],
      [relaySection, 'server RSS per session (2 sockets, 2 topics), over the empty process', 'B'],
      [relaySection, 'server CPU at 20 requests/s offered, over 1 s', '% of a core'],
      [
        relaySection,
        'server CPU per request (3 frames published, delivered and acked: 12 frames in reply mode 2, the router 15)',
        'µs',
      ],
      [relaySection, 'requests answered per second in the window', 'req/s'],
      [relaySection, 'round trip p50 (dApp socket to wallet socket and back)', 'ms'],
      [relaySection, 'round trip p99', 'ms'],
      [walletSection, 'wallet process RSS after GC', 'MiB'],
      [walletSection, 'wallet JS heap after GC', 'MiB'],
      [walletSection, 'JS heap per held session', 'KiB'],
      [walletSection, 'restore: close(), then createWallet + restoreSessions() on the same storage', 'ms'],
      [walletSection, '`personal_sign` round trip p50 (dApp in another process, relay in a child)', 'ms'],
    ])
    for (const [i, r] of rows.slice(0, 7).entries()) {
      expect(r.baselineName).toBe(
        'bare ws topic router (corked, no mailbox, acks answered OK and dropped), same load',
      )
      expect(r.ours).toHaveLength(1)
      expect(r.baseline).toHaveLength(1)
      // Row 1 is a difference of two RSS readings: at 20 sessions GC noise can make it 0 or below.
      for (const v of [r.ours[0]!, r.baseline![0]!])
        if (i === 1) expect(Number.isFinite(v), r.quantity).toBe(true)
        else expect(v, r.quantity).toBeGreaterThan(0)
    }
    // every request answered through the relay, none refused
    expect(rows[4]!.note).toMatch(/^offered 20\/s; relay: 0 requests unanswered or refused after the run/)
    for (const r of rows.slice(7))
      if (r.baseline) expect(r.baselineName).toBe('the same wallet holding 1 session, same run')
    expect(rows[11]!.ours[0], rows[11]!.quantity).toBeGreaterThan(0)
    expect(rows[11]!.baseline![0], rows[11]!.quantity).toBeGreaterThan(0)

    const md = report(rows, {
      ...meta,
      scaleRun: { startedAt: meta.startedAt, seconds: 5, load: [1, 1], describe: scaleDescription(SMOKE) },
    })
    expect(md).toContain(`## Scale\n\nMeasured 2026-12-01T12:00:00.000Z in 5 s;`)
    expect(md).toContain(`### ${relaySection}\n\n| Quantity`)
    expect(md).toContain(`### ${walletSection}\n\n| Quantity`)
    expect(md).not.toContain('Not measured by this run')
    expect(md.indexOf('## Scale')).toBeLessThan(md.indexOf('## Cluster'))
  })

  it('says when the load generator fell behind the offered rate', () => {
    const result = (answeredPerSecond: number) => ({
      rssMiB: 400,
      rssPerSession: 36_000,
      cpuPercent: 55,
      cpuPerRequest: 76,
      answeredPerSecond,
      p50: 3000,
      p99: 5000,
      openSeconds: 12,
      lost: 0,
      errors: 0,
    })
    const options = { ...SMOKE, sessions: 9900 }
    const behind = relayScaleRows({ floor: [result(7859)], relay: [result(7229)], options })
    expect(behind[4]!.note).toBe(
      'offered 9,900/s; relay: 0 requests unanswered or refused after the run; the load generator (one process holding every client socket, on the same cores) fell behind: the round trips are its queue, compare CPU per request',
    )
    const kept = relayScaleRows({ floor: [result(9800)], relay: [result(9700)], options, capped: 'why' })
    expect(kept[4]!.note).toBe('offered 9,900/s; relay: 0 requests unanswered or refused after the run')
    expect(kept[0]!.note).toBe('why')
  })

  it('bench:scale rewrites the Scale section alone', () => {
    const existing = '# B\n\n## crypto\n\nold crypto\n\n## Scale\n\nNot measured.\n\n## Cluster\n\nc\n'
    const fresh =
      '# B\n\n## crypto\n\nnew crypto\n\n## Scale\n\nMeasured now.\n\n### scale: x\n\nt\n\n## Cluster\n\nd\n'
    expect(spliceScale(existing, fresh)).toBe(
      '# B\n\n## crypto\n\nold crypto\n\n## Scale\n\nMeasured now.\n\n### scale: x\n\nt\n\n## Cluster\n\nc\n',
    )
    expect(() => spliceScale('# B\n', fresh)).toThrow('no "## Scale" section')
  })

  it('runs as many sessions as the open-files limit allows, and says why', () => {
    const limit = openFilesLimit()
    expect(Number.isInteger(limit)).toBe(true)
    expect(ensureOpenFiles(20)).toEqual({ sessions: 20 })
    // 2,000,200 files is over any kernel's nr_open default (1,048,576): prlimit must refuse
    const r = ensureOpenFiles(1_000_000)
    const fit = Math.floor((limit - 200) / 2)
    expect(r.sessions).toBe(fit)
    expect(r.capped).toBe(
      `1,000,000 sessions need 2,000,200 open files per process; the limit here is ${limit.toLocaleString('en-US')} and could not be raised (prlimit refused), so ${fit.toLocaleString('en-US')} sessions`,
    )
  })
})
