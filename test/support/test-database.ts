// Owns the PostgreSQL databases of the tests that run on PostgreSQL: which engine the suite runs on
// (PARLEY_TEST_STORE), a fresh database per test server on the engine at PARLEY_TEST_DATABASE_URL, dropped after.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openServerStore, type WorkerStoreHandle } from '../../src/server/store/worker-store'

export type TestStoreEngine = 'sqlite' | 'postgres'

/** The engine this run of the suite stores in: the `integration-pg` project sets PARLEY_TEST_STORE=postgres. */
export function testStoreEngine(env: NodeJS.ProcessEnv = process.env): TestStoreEngine {
  return env['PARLEY_TEST_STORE'] === 'postgres' ? 'postgres' : 'sqlite'
}

/** The administrative address of the test engine (a database the test role may connect to and create others from). */
export function testDatabaseAdminUrl(env: NodeJS.ProcessEnv = process.env): string | null {
  return env['PARLEY_TEST_DATABASE_URL']?.trim() || null
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

async function onAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const adminUrl = testDatabaseAdminUrl()
  if (!adminUrl) throw new Error('PARLEY_TEST_DATABASE_URL is not set (see build/scripts/test-engines.sh).')
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** This run's mark in its databases' names (set by the global set-up), so a teardown drops only its own. */
function runId(): string {
  return /^[0-9a-f]+$/.test(process.env['PARLEY_TEST_RUN_ID'] ?? '') ? (process.env['PARLEY_TEST_RUN_ID'] as string) : '0'
}

/** Creates an empty database for one test server; returns its address. */
export async function createTestDatabase(): Promise<string> {
  const name = `parley_t_${runId()}_${randomBytes(6).toString('hex')}`
  await onAdmin((client) => client.query(`CREATE DATABASE ${name}`))
  return withDatabase(testDatabaseAdminUrl() as string, name)
}

/** Drops a database made by createTestDatabase (its connections are ended first). */
export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1)
  if (!/^parley_t_[0-9a-f]+_[0-9a-f]+$/.test(name)) throw new Error(`Not a test database: ${name}`)
  await onAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
}

/** The database of each data folder opened by openTestStore, so a reopen finds what the first open wrote. */
const storeDatabases = new Map<string, string>()

/**
 * The server store the way the suite's engine keeps it, opened directly (store-level tests): SQLite in `dataDir`, or
 * on PostgreSQL one database per data folder (a reopen of the folder opens it again; dropped by the global teardown).
 */
export async function openTestStore(dataDir: string): Promise<WorkerStoreHandle> {
  if (testStoreEngine() !== 'postgres') return openServerStore(dataDir)
  let databaseUrl = storeDatabases.get(dataDir)
  if (!databaseUrl) {
    databaseUrl = await createTestDatabase()
    storeDatabases.set(dataDir, databaseUrl)
  }
  return openServerStore(dataDir, { databaseUrl })
}

/** Drops the databases this run made (parley_t_<run>_...): the integration-pg project's teardown. */
export async function dropRunTestDatabases(): Promise<number> {
  const prefix = `parley\\_t\\_${runId()}\\_%`
  return onAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [prefix])
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`)
    return rows.length
  })
}
