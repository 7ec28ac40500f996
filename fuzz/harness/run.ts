import * as fc from 'fast-check'
import { PairlineError } from '../../packages/sdk/src/errors/base.js'
import { ProviderRpcError } from '../../packages/sdk/src/errors/provider.js'
import { mutateBytes, mutateText } from './mutate.js'
import { mutateJson } from './mutateJson.js'
import { nameHash, rng } from './rng.js'
import type { Input, Stats, Target } from './types.js'

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder('utf-8', { fatal: false })

/** The label of a documented rejection, or null when `err` is a crash. */
export function rejectionLabel(err: unknown): string | null {
  if (err instanceof ProviderRpcError) return `rpc:${err.code}`
  if (err instanceof PairlineError) return String(err.code)
  return null
}

/** Per-target seed: one run seed, a different stream per target, so one target replays alone. */
export function targetSeed(runSeed: number, name: string): number {
  return (runSeed ^ nameHash(name)) >>> 0
}

function mutated(t: Target, corpus: readonly Input[]): fc.Arbitrary<Input> {
  const text = corpus.filter((c): c is string => typeof c === 'string')
  const bytes = corpus.map((c) => (typeof c === 'string' ? utf8.encode(c) : c))
  return fc.tuple(fc.nat({ max: corpus.length - 1 }), fc.integer()).map(([i, s]) => {
    const r = rng(s)
    if (t.kind === 'text') return mutateText(text[i % text.length]!, r, text, t.maxLength)
    if (t.kind === 'json' && r.below(10) < 7) {
      return utf8.encode(mutateJson(fromUtf8.decode(bytes[i]!), r))
    }
    return mutateBytes(bytes[i]!, r, bytes, t.maxLength)
  })
}

function randomInput(t: Target): fc.Arbitrary<Input> {
  if (t.kind === 'text') {
    const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))
    return fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit, maxLength: 200 }))
  }
  return fc.uint8Array({ maxLength: 512 })
}

function heapMiB(): number {
  return Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10
}

/**
 * Runs `cases` inputs through one target: 60 % mutations of the corpus, 30 % property-based inputs
 * from the target's grammar (mutations again when it has none), 10 % random bytes or text. Every
 * case must end in an accepted parse or a documented rejection; anything else fails the property,
 * and fast-check reports the seed and the path that replay it.
 */
export async function runTarget(
  t: Target,
  o: { cases: number; runSeed: number; corpus: readonly Input[] },
): Promise<Stats> {
  const seed = targetSeed(o.runSeed, t.name)
  const harness = await t.setup()
  const outcomes: Record<string, number> = {}
  let maxCaseMs = 0
  const before = heapMiB()
  const started = performance.now()
  const input = fc.oneof(
    { arbitrary: mutated(t, o.corpus), weight: 6 },
    { arbitrary: t.generate ?? mutated(t, o.corpus), weight: 3 },
    { arbitrary: randomInput(t), weight: 1 },
  )
  await fc.assert(
    fc.asyncProperty(input, async (x) => {
      const t0 = performance.now()
      let label: string
      try {
        label = await harness.check(x)
      } catch (err) {
        const code = rejectionLabel(err)
        if (code === null || !t.rejects.includes(code)) throw err
        label = code
      }
      const ms = performance.now() - t0
      if (ms > maxCaseMs) maxCaseMs = ms
      outcomes[label] = (outcomes[label] ?? 0) + 1
    }),
    { seed, numRuns: o.cases, endOnFailure: true },
  )
  const ms = performance.now() - started
  return {
    target: t.name,
    seed,
    cases: o.cases,
    outcomes,
    ms,
    maxCaseMs,
    heapMiB: { before, after: heapMiB() },
  }
}

export function formatStats(s: Stats): string {
  const counts = Object.entries(s.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')
  const rate = Math.round(s.cases / (s.ms / 1000))
  return (
    `fuzz ${s.target}: ${s.cases} cases in ${(s.ms / 1000).toFixed(1)} s (${rate}/s, slowest case ` +
    `${s.maxCaseMs.toFixed(1)} ms, heap ${s.heapMiB.before}->${s.heapMiB.after} MiB, seed ${s.seed}): ${counts}`
  )
}
