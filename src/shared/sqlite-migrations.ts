// Owns the one SQLite migration runner of the client store and the server: numbered migrations applied in order,
// one transaction each, tracked in PRAGMA user_version; a database newer than the list is refused, never guessed at.
// Each side keeps its own list and words its own errors; this module imports no runtime code (types only).
import type { Database } from 'better-sqlite3'

/** One schema step: `up` moves the database from version - 1 to `version` (SQL, or JS that rewrites rows). */
export interface SchemaMigration {
  version: number
  up(db: Database): void
}

/** The database was written by a newer program: its version is beyond the last migration this one knows. */
export class SchemaTooNewError extends Error {
  readonly code = 'SCHEMA_TOO_NEW'
  readonly current: number
  readonly latest: number

  /** `message`: the caller's own sentence for its users (which database, what to do). */
  constructor(current: number, latest: number, message?: string) {
    super(message ?? `The database is at schema version ${current}, newer than this program understands (${latest}).`)
    this.name = 'SchemaTooNewError'
    this.current = current
    this.latest = latest
  }
}

/** A migration threw; its transaction was rolled back, so the database stays at `version - 1`. `cause` is the throw. */
export class SchemaMigrationError extends Error {
  readonly code = 'SCHEMA_MIGRATION_FAILED'
  readonly version: number

  constructor(version: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(`Upgrading the database to schema version ${version} failed: ${reason}`, { cause })
    this.name = 'SchemaMigrationError'
    this.version = version
  }
}

export interface MigrationOutcome {
  /** user_version before the run (0 = a fresh database). */
  from: number
  /** user_version after the run. */
  to: number
}

export function readSchemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/** The highest version in the list (0 for none). */
export function latestSchemaVersion(migrations: readonly SchemaMigration[]): number {
  return migrations.reduce((latest, migration) => Math.max(latest, migration.version), 0)
}

/**
 * Applies every migration newer than the database's version, in version order, each in its own transaction with
 * the new user_version (which lives in the database header, so a failed step leaves no trace). Throws
 * SchemaTooNewError before touching anything when the database is beyond the list, SchemaMigrationError when a
 * step fails; the database then stays at the last version that succeeded.
 */
export function runSchemaMigrations(db: Database, migrations: readonly SchemaMigration[]): MigrationOutcome {
  const ordered = [...migrations].sort((a, b) => a.version - b.version)
  ordered.forEach((migration, index) => {
    // user_version is written into a PRAGMA (no parameters there): only plain integers, each once.
    if (!Number.isSafeInteger(migration.version) || migration.version < 1) {
      throw new Error(`Migration version ${migration.version} is not a positive integer.`)
    }
    if (index > 0 && ordered[index - 1]?.version === migration.version) {
      throw new Error(`Two migrations claim schema version ${migration.version}.`)
    }
  })
  const latest = ordered.at(-1)?.version ?? 0
  const current = readSchemaVersion(db)
  if (current > latest) throw new SchemaTooNewError(current, latest)
  for (const migration of ordered) {
    if (migration.version <= current) continue
    const apply = db.transaction(() => {
      migration.up(db)
      db.pragma(`user_version = ${migration.version}`)
    })
    try {
      apply()
    } catch (err) {
      throw new SchemaMigrationError(migration.version, err)
    }
  }
  return { from: current, to: readSchemaVersion(db) }
}
