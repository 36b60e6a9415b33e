// Owns how tests find the cluster tier's engines (PostgreSQL and Redis on loopback, build/scripts/test-engines.sh):
// where they are absent the tier is skipped with one line, unless PARLEY_REQUIRE_CLUSTER_TIER=1 (CI) makes it fail.
import { describe } from 'vitest'

export interface TestEngines {
  databaseUrl: string
  redisUrl: string
}

/** The engines from the environment, or null when either is missing. */
export function testEngines(env: NodeJS.ProcessEnv = process.env): TestEngines | null {
  const databaseUrl = env['PARLEY_TEST_DATABASE_URL']?.trim()
  const redisUrl = env['PARLEY_TEST_REDIS_URL']?.trim()
  return databaseUrl && redisUrl ? { databaseUrl, redisUrl } : null
}

/**
 * `describe` for tests that need the engines: runs them when present; skips them when absent (vitest.config.ts says
 * so in one line for the whole tier); throws when absent and PARLEY_REQUIRE_CLUSTER_TIER=1, so CI cannot pass by skipping.
 */
export function describeWithEngines(name: string, body: (engines: TestEngines) => void): void {
  const engines = testEngines()
  if (engines) {
    describe(name, () => body(engines))
    return
  }
  if (process.env['PARLEY_REQUIRE_CLUSTER_TIER'] === '1') {
    throw new Error('PARLEY_REQUIRE_CLUSTER_TIER=1 but PARLEY_TEST_DATABASE_URL / PARLEY_TEST_REDIS_URL are not set.')
  }
  describe.skip(name, () => body({ databaseUrl: '', redisUrl: '' }))
}
