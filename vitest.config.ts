// Test projects: unit (pure logic), integration (real server on port 0, real SQLite in temp dirs),
// e2e (the built renderer through the browser host in Debian Chromium). Benchmarks are not tests.
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'

/**
 * The same integration files again with the server's store in PostgreSQL (cluster mode): one parameterised suite, not
 * a copy. Files whose servers are not TestServers (the desktop host, children) stay on SQLite and are left out, as are
 * the cluster-* files (they pick their engines themselves, and skip without them). Without the engines the project is
 * left out and the whole tier is named in one line, unless PARLEY_REQUIRE_CLUSTER_TIER=1 (CI): then absence fails.
 */
function postgresIntegrationProjects(): TestProjectInlineConfiguration[] {
  if (!process.env['PARLEY_TEST_DATABASE_URL'] || !process.env['PARLEY_TEST_REDIS_URL']) {
    if (process.env['PARLEY_REQUIRE_CLUSTER_TIER'] === '1') {
      throw new Error('PARLEY_REQUIRE_CLUSTER_TIER=1 but PARLEY_TEST_DATABASE_URL / PARLEY_TEST_REDIS_URL are not set (build/scripts/test-engines.sh).')
    }
    console.warn(
      'cluster tier skipped (integration-pg and the cluster-* tests): no PostgreSQL / Redis; eval "$(bash build/scripts/test-engines.sh start)" to run it'
    )
    return []
  }
  return [
    {
      test: {
        name: 'integration-pg',
        include: ['test/integration/**/*.test.ts'],
        exclude: ['test/integration/host-*.test.ts', 'test/integration/cluster-*.test.ts'],
        env: { PARLEY_TEST_STORE: 'postgres' },
        globalSetup: ['test/support/pg-global-setup.ts'],
        testTimeout: 120_000,
        hookTimeout: 60_000,
        fileParallelism: false,
        sequence: { groupOrder: 2 }
      }
    }
  ]
}

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
      ...postgresIntegrationProjects(),
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
