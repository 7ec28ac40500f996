import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildSessionVectors } from './sessionVectors.js'
import { buildVectors } from './vectors.js'

/**
 * Writes docs/vectors/pairline-v1.json (./vectors.ts) and pairline-v1-session.json
 * (./sessionVectors.ts) from fixed inputs.
 * Run from anywhere: `npx tsx packages/sdk/scripts/generate-vectors.ts` (or `pnpm vectors`).
 */
for (const [name, build] of [
  ['pairline-v1.json', buildVectors],
  ['pairline-v1-session.json', buildSessionVectors],
] as const) {
  const file = fileURLToPath(new URL(`../../../docs/vectors/${name}`, import.meta.url))
  const text = `${JSON.stringify(build(), null, 2)}\n`
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, text)
  console.log(`wrote ${file} (${text.length} bytes)`)
}
