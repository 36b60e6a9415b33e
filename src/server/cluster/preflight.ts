// Owns the startup checks of cluster mode: before the store opens, PostgreSQL is reached with a short-lived pg client
// and what is wrong (unreachable, wrong password, no such database, schema too new) becomes one sentence.
import pg from 'pg'
import { redactUrl } from './bus'
import { latestPostgresVersion, SchemaTooNewError, SCHEMA_VERSION_QUERY } from '../store/postgres/migrate'

/** How long the check waits for PostgreSQL to answer at all. */
export const PREFLIGHT_CONNECT_TIMEOUT_MS = 5_000

export type PreflightCode = 'DATABASE_UNREACHABLE' | 'DATABASE_AUTH_FAILED' | 'DATABASE_MISSING' | 'DATABASE_REFUSED' | 'SCHEMA_TOO_NEW'

/** What the startup check found wrong; the message is the sentence the CLI prints. */
export class PreflightError extends Error {
  constructor(
    readonly code: PreflightCode,
    message: string
  ) {
    super(message)
    this.name = 'PreflightError'
  }
}

/** PostgreSQL's SQLSTATE codes the check words (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const INVALID_PASSWORD = '28P01'
const INVALID_AUTHORIZATION = '28000'
const INVALID_CATALOG_NAME = '3D000'
const UNDEFINED_TABLE = '42P01'

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function databaseName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || '(the default database)'
  } catch {
    return '(unknown)'
  }
}

/** The one sentence for a failed connection attempt. */
export function describeConnectFailure(url: string, err: unknown): PreflightError {
  const where = redactUrl(url)
  const code = errorCode(err)
  if (code === INVALID_PASSWORD) {
    return new PreflightError('DATABASE_AUTH_FAILED', `PostgreSQL at ${where} refused the password; check the user and password in PARLEY_DATABASE_URL.`)
  }
  if (code === INVALID_AUTHORIZATION) {
    return new PreflightError('DATABASE_REFUSED', `PostgreSQL at ${where} refused the connection (${errorText(err)}); check the user in PARLEY_DATABASE_URL and pg_hba.conf.`)
  }
  if (code === INVALID_CATALOG_NAME) {
    return new PreflightError(
      'DATABASE_MISSING',
      `PostgreSQL at ${where} has no database "${databaseName(url)}"; create it (createdb) or fix the name in PARLEY_DATABASE_URL.`
    )
  }
  return new PreflightError(
    'DATABASE_UNREACHABLE',
    `PostgreSQL at ${where} cannot be reached (${errorText(err)}); check PARLEY_DATABASE_URL and that PostgreSQL is running.`
  )
}

/** Connects once, reads the schema version, disconnects; throws a PreflightError whose message says what is wrong. */
export async function checkDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PREFLIGHT_CONNECT_TIMEOUT_MS })
  // A connection lost after connect() is reported by the query below; the event only must not go unhandled.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (err) {
    await client.end().catch(() => {})
    throw describeConnectFailure(url, err)
  }
  try {
    const found = await client.query<{ version: number | string }>(SCHEMA_VERSION_QUERY).then(
      (result) => Number(result.rows[0]?.version ?? 0),
      (err: unknown) => {
        if (errorCode(err) === UNDEFINED_TABLE) return 0 // an empty database: the store migrates it
        throw err
      }
    )
    const known = latestPostgresVersion()
    if (found > known) throw new PreflightError('SCHEMA_TOO_NEW', new SchemaTooNewError(found, known).message)
  } catch (err) {
    if (err instanceof PreflightError) throw err
    throw describeConnectFailure(url, err)
  } finally {
    await client.end().catch(() => {})
  }
}
