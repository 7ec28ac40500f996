import { defineConfig } from 'vitest/config'
import { selectedTargets } from './registry.js'

/**
 * `pnpm fuzz`: the fuzz campaign alone, with V8 coverage of the parser files each target names.
 * Settings come from fuzz/cli.ts through FUZZ_CASES / FUZZ_SEED / FUZZ_TARGETS.
 */
export default defineConfig({
  root: new URL('..', import.meta.url).pathname,
  resolve: { conditions: ['@pairline/source'] },
  ssr: { resolve: { conditions: ['@pairline/source'] } },
  test: {
    include: ['fuzz/fuzz.test.ts'],
    // Fixed work, not a time budget: a long run takes as long as its cases take.
    testTimeout: 0,
    hookTimeout: 0,
    retry: 0,
    maxWorkers: 1,
    coverage: {
      enabled: process.env.FUZZ_COVERAGE !== '0',
      provider: 'v8',
      include: [...new Set(selectedTargets().flatMap((t) => t.files))],
      reporter: ['text', 'json-summary'],
      // A failed run still says how far it got.
      reportOnFailure: true,
      reportsDirectory: process.env.FUZZ_COVERAGE_DIR ?? 'fuzz/.coverage',
    },
  },
})
