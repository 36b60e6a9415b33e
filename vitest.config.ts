// Test projects: unit (pure logic), integration (real server on port 0, real SQLite in temp dirs),
// e2e (the built renderer through the browser host in Debian Chromium). Benchmarks are not tests.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    pool: 'forks',
    // Tests log warnings and errors only, unless PARLEY_LOG asks for more.
    env: { PARLEY_LOG: process.env['PARLEY_LOG'] ?? 'warn' },
    // One plain 'N passed, N failed' line at the end, for CI.
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Groups run one after another (unit, then integration, then e2e): the machine has two cores.
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000, sequence: { groupOrder: 0 } } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 }
        }
      },
      {
        // The same integration files again with the server's store in PostgreSQL (cluster mode): one parameterised
        // suite, not a copy. Files whose servers are not TestServers (children, the desktop host) stay on SQLite and
        // are left out. Needs PARLEY_TEST_DATABASE_URL; without it the files skip with one line (test/support/engines.ts).
        test: {
          name: 'integration-pg',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/host-*.test.ts'],
          env: { PARLEY_TEST_STORE: 'postgres' },
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 }
        }
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // Finds (or installs) the browser once, before any e2e file runs.
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 3 }
        }
      }
    ]
  }
})
