// Owns bringing a PostgreSQL database to the schema this server knows: the applied versions in parley_schema, the
// missing migrations applied in one transaction under a lock (two nodes starting together migrate once), a newer
// schema refused.
import type { PostgresSyncConnection } from './sync-connection'
import { POSTGRES_MIGRATIONS } from './schema'

/** The advisory lock a migrating node holds, so a second node waits and then finds the work done. */
const MIGRATION_LOCK_KEY = 0x5041524d // "PARM"

export class SchemaTooNewError extends Error {
  readonly code = 'SCHEMA_TOO_NEW'
  constructor(found: number, known: number) {
    super(
      `The PostgreSQL database has schema version ${found}, newer than this server knows (${known}): ` +
        'run a newer Parley server, or point PARLEY_DATABASE_URL at another database.'
    )
    this.name = 'SchemaTooNewError'
  }
}

export function latestPostgresVersion(): number {
  return POSTGRES_MIGRATIONS.reduce((latest, migration) => Math.max(latest, migration.version), 0)
}

/** Applies what is missing; returns the schema version now in force. */
export function migratePostgres(db: PostgresSyncConnection, now: number = Date.now()): number {
  const known = latestPostgresVersion()
  db.execute('BEGIN')
  try {
    db.execute('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY])
    db.execute('CREATE TABLE IF NOT EXISTS parley_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)')
    const rows = db.execute('SELECT COALESCE(MAX(version), 0) AS version FROM parley_schema')
    const current = Number(rows[0]?.['version'] ?? 0)
    if (current > known) throw new SchemaTooNewError(current, known)
    for (const migration of POSTGRES_MIGRATIONS) {
      if (migration.version <= current) continue
      db.execute(migration.sql)
      db.execute('INSERT INTO parley_schema (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, now])
    }
    db.execute('COMMIT')
  } catch (err) {
    try {
      db.execute('ROLLBACK')
    } catch {
      // The connection is gone: PostgreSQL rolled back.
    }
    throw err
  }
  return known
}

/** The schema version a database holds, or 0 for an empty one (the startup check reads it without migrating). */
export const SCHEMA_VERSION_QUERY = "SELECT COALESCE(MAX(version), 0) AS version FROM parley_schema"
