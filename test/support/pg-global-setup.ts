// Owns the integration-pg project's run mark and teardown: every database the run makes (one per test server or
// store folder) carries the mark in its name, and the teardown drops those, whatever the tests left.
import { randomBytes } from 'node:crypto'
import { dropRunTestDatabases } from './test-database'

export function setup(): void {
  // Read by the test processes, which start after this.
  process.env['PARLEY_TEST_RUN_ID'] = randomBytes(4).toString('hex')
}

export async function teardown(): Promise<void> {
  await dropRunTestDatabases()
}
