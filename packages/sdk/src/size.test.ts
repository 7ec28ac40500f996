import { describe, expect, it } from 'vitest'
import { ENTRIES, measure } from '../scripts/size.js'

// Budgets (gzip, every dependency inlined) live beside each entry in scripts/size.ts.
describe('bundle size budgets', () => {
  for (const entry of ENTRIES.filter((e) => e.budgetKiB !== undefined)) {
    it(`${entry.name} stays within ${entry.budgetKiB} KiB gzip`, async () => {
      const { gzip } = await measure(entry)
      expect(gzip / 1024).toBeLessThanOrEqual(entry.budgetKiB!)
      expect(gzip).toBeGreaterThan(1000) // the bundle really contains the code
    })
  }

  it('every export path of the package that runs in a browser has a budget', async () => {
    const { readFile } = await import('node:fs/promises')
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, unknown>
    }
    // /storage/file is Node's file system, not for a browser bundle. A new entry point (the wagmi
    // connector, the modal) fails here until scripts/size.ts has a line with its import and budget.
    const browserPaths = Object.keys(pkg.exports).filter((p) => p !== './storage/file')
    const budgeted = ENTRIES.filter((e) => e.budgetKiB !== undefined).map((e) => e.code)
    const missing = browserPaths.filter(
      (p) => !budgeted.some((code) => code.includes(`'@pairline/sdk${p === '.' ? '' : p.slice(1)}'`)),
    )
    expect(missing).toEqual([])
  })

  it('createDapp brings no viem and none of the wallet side (issue 16: a dApp-only app loads no viem)', async () => {
    const { inputs } = await measure({ name: 'dApp', code: `export { createDapp } from '@pairline/sdk'` })
    expect(inputs.filter((p) => /(^|\/)viem\/|sdk\/src\/wallet\//.test(p))).toEqual([])
    expect(inputs.some((p) => p.endsWith('sdk/src/dapp/createDapp.ts'))).toBe(true)
  })

  it('the whole main entry bundles for the browser (no node: built-ins, no qrcode)', async () => {
    const { minified } = await measure({ name: 'x', code: `export * from '@pairline/sdk'` })
    expect(minified).toBeGreaterThan(0)
  })
})
