/**
 * pnpm fuzz [--cases N] [--seed S] [--target a,b] [--no-coverage] [--write-corpus]
 *
 * Runs the fuzz campaign (fuzz/fuzz.test.ts) under vitest with V8 coverage of every parser file.
 * Defaults: 10^4 cases per target and a fresh seed, printed first. The long run is
 * `nice -n 19 pnpm fuzz --cases 1000000`. FUZZ_CASES / FUZZ_SEED / FUZZ_TARGETS work too.
 */
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { writeCorpus } from './harness/corpus.js'
import { runSettings, selectedTargets, TARGETS } from './registry.js'

const args = process.argv.slice(2).filter((a) => a !== '--')
const env: Record<string, string | undefined> = { ...process.env }
for (let i = 0; i < args.length; i++) {
  const a = args[i]!
  const value = () => {
    const v = args[++i]
    if (v === undefined) throw new Error(`${a} needs a value`)
    return v
  }
  if (a === '--cases') env.FUZZ_CASES = value()
  else if (a === '--seed') env.FUZZ_SEED = value()
  else if (a === '--target') env.FUZZ_TARGETS = value()
  else if (a === '--no-coverage') env.FUZZ_COVERAGE = '0'
  else if (a === '--write-corpus') env.FUZZ_WRITE_CORPUS = '1'
  else throw new Error(`unknown option ${a} (see fuzz/README.md)`)
}

if (env.FUZZ_WRITE_CORPUS) {
  for (const t of TARGETS) console.log(`fuzz/corpus/${t.corpus ?? t.name}: ${await writeCorpus(t)} seeds`)
  process.exit(0)
}

// Fix the seed here so it is printed before vitest starts, and the same in every worker.
const { cases, seed } = runSettings(env)
env.FUZZ_SEED = String(seed)
env.FUZZ_CASES = String(cases)
selectedTargets(env.FUZZ_TARGETS)
console.log(
  `fuzz seed ${seed}, ${cases} cases per target (replay: pnpm fuzz --seed ${seed} --cases ${cases})`,
)

const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')
const run = spawnSync(process.execPath, [vitest, 'run', '--config', 'fuzz/vitest.config.ts'], {
  stdio: 'inherit',
  env,
})
process.exit(run.status ?? 1)
