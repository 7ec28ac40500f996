import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['@pairline/source'] },
  ssr: { resolve: { conditions: ['@pairline/source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Flaky is broken: never retry.
    retry: 0,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Chromium and Redis: installed (apt, when root) or started for the run, else a clear failure.
          globalSetup: ['test/setup/global.ts'],
          include: [
            'packages/*/src/**/*.test.ts',
            'examples/*/src/**/*.test.ts',
            'examples/*/test/**/*.test.ts',
            'fuzz/**/*.test.ts',
          ],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Builds, packs and npm-installs: heavy on CPU and disk, so it runs once the rest is done
        // instead of starving the tests that talk to sockets and child processes.
        extends: true,
        // Its timeouts only stop a hang (tsc over every .d.ts takes a while on a loaded machine).
        test: {
          name: 'packages',
          include: ['test/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          testTimeout: 300_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
})
