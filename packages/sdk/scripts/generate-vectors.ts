import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildVectors } from './vectors.js'

/**
 * Writes docs/vectors/pairline-v1.json from fixed inputs (see ./vectors.ts).
 * Run from anywhere: `npx tsx packages/sdk/scripts/generate-vectors.ts` (or `pnpm vectors`).
 */
const file = fileURLToPath(new URL('../../../docs/vectors/pairline-v1.json', import.meta.url))
const text = `${JSON.stringify(buildVectors(), null, 2)}\n`
mkdirSync(dirname(file), { recursive: true })
writeFileSync(file, text)
console.log(`wrote ${file} (${text.length} bytes)`)
