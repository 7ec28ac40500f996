import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['@pairline/source'] },
  ssr: { resolve: { conditions: ['@pairline/source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'fuzz/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Flaky is broken: never retry.
    retry: 0,
  },
})
