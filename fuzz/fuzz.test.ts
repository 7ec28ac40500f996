import { describe, expect, it } from 'vitest'
import { BODY_TYPES } from '../packages/sdk/src/messages/envelope.js'
import { expectedCorpus, readCorpus, serialize } from './harness/corpus.js'
import { formatStats, runTarget } from './harness/run.js'
import { runSettings, selectedTargets, TARGETS } from './registry.js'
import { sessionMessageTarget } from './targets/session.js'

// The seed comes first, before any case runs: a failure anywhere replays with FUZZ_SEED.
const { cases, seed } = runSettings()
const targets = selectedTargets()
console.log(
  `fuzz seed ${seed}: ${cases} cases for each of ${targets.length} targets (replay: FUZZ_SEED=${seed} FUZZ_CASES=${cases})`,
)

describe('fuzz corpus (fuzz/corpus, written by pnpm fuzz --write-corpus)', () => {
  it.each(TARGETS.map((t) => [t.name, t] as const))('%s: holds every seed encoding', async (_, t) => {
    const onDisk = readCorpus(t)
    const missing = [...(await expectedCorpus(t)).keys()].filter((name) => !onDisk.has(name))
    expect(missing).toEqual([])
    for (const [name, input] of onDisk) expect(serialize(t, input).length, name).toBeGreaterThan(0)
  })
})

describe('fuzz seeds', () => {
  // Seeds that no longer parse leave a parser's accepting paths unfuzzed (ids became strings and
  // responses gained their request hash in issue 10; until then no req or res was ever accepted).
  it('session-message: every seed is accepted, and every message type has one', async () => {
    const { check } = await sessionMessageTarget.setup()
    const accepted = (await sessionMessageTarget.seeds()).map((seed) => check(seed))
    expect(new Set(accepted)).toEqual(new Set(BODY_TYPES.map((t) => `accepted ${t}`)))
  })
})

describe(`fuzz (${cases} cases per target, seed ${seed})`, () => {
  it.each(targets.map((t) => [t.name, t] as const))(
    '%s: every case parses or ends in a documented rejection',
    async (_, t) => {
      const corpus = [...readCorpus(t).values()]
      const stats = await runTarget(t, { cases, runSeed: seed, corpus })
      console.log(formatStats(stats))
      const total = Object.values(stats.outcomes).reduce((a, b) => a + b, 0)
      expect(total).toBe(cases)
    },
    // A hang guard, not a time bound on the work (the case count is fixed): 10 minutes for the CI
    // run, and 60 ms a case for long runs, whose handshake targets take ~2 ms a case on a busy machine.
    Math.max(600_000, cases * 60),
  )
})
