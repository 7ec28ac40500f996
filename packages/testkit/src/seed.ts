/**
 * The seed of one test file's property tests (fast-check): `FUZZ_SEED` replays a run, else a
 * fresh one. It is printed when the file loads, before any case runs, so a run that fails, hangs
 * or times out always says how to replay it. Every property keeps a fixed `numRuns`.
 */
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export function propertySeed(fileUrl: string): number {
  const env = process.env.FUZZ_SEED
  const seed = env === undefined || env === '' ? crypto.getRandomValues(new Uint32Array(1))[0]! : Number(env)
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`FUZZ_SEED must be an integer from 0 to 2^32 - 1, got ${JSON.stringify(env)}`)
  }
  const file = relative(process.cwd(), fileURLToPath(fileUrl))
  console.info(`property seed ${seed} for ${file} (replay: FUZZ_SEED=${seed} npx vitest run ${file})`)
  return seed
}
