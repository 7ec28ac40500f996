import { describe, expect, it } from 'vitest'
import { ENTRIES, measure } from '../scripts/size.js'

// Budgets (gzip, every dependency inlined): growth past them must be a deliberate change here.
// Measured 2026-11-26: createDapp 32.6 KiB, protocol core 18.5 KiB, createWallet 95.1 KiB (mostly viem).
// 2026-12-01: numeric comparison on both screens (issue 9) took createDapp 35.4 -> 36.2 KiB and
// createWallet 98.0 -> 99.4 KiB; the dApp budget moves to 37 KiB for it.
// 2026-12-01, issue 10 (request journal, outstanding requests, JCS request hashes, resend timer):
// about +1.8 KiB on createDapp and +2.6 KiB on createWallet; budgets 39 and 104.
// 2026-12-01, issue 14: the wagmi connector is createDapp + 1.0 KiB (39.6 KiB; wagmi itself is only
// imported for its types); budget 41.
const BUDGET_KIB: Record<string, number> = {
  'dApp: createDapp': 39,
  'protocol core (handshake + frames)': 20,
  'wallet: createWallet': 104,
  'wagmi connector: pairline': 41,
}

describe('bundle size budgets', () => {
  for (const entry of ENTRIES.filter((e) => e.name in BUDGET_KIB)) {
    it(`${entry.name} stays within ${BUDGET_KIB[entry.name]} KiB gzip`, async () => {
      const { gzip } = await measure(entry)
      expect(gzip / 1024).toBeLessThanOrEqual(BUDGET_KIB[entry.name]!)
      expect(gzip).toBeGreaterThan(1000) // the bundle really contains the code
    })
  }

  it('the whole main entry bundles for the browser (no node: built-ins, no qrcode)', async () => {
    const { minified } = await measure({ name: 'x', code: `export * from '@pairline/sdk'` })
    expect(minified).toBeGreaterThan(0)
  })
})
