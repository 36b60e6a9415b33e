// The migration runner: brings a database from its PRAGMA user_version up to the latest schema, one
// migration per transaction, and refuses databases written by a newer version of Parley.
import type { Database } from 'better-sqlite3'
import { createLogger } from '../../../shared/logger'
import { StoreError, toStoreError } from './errors'
import { MIGRATIONS, type Migration } from './migrations'

const log = createLogger('core:store:migrate')

export function readSchemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/** Apply every migration newer than the database's version, in order. Returns the resulting version. */
export function runMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const ordered = [...migrations].sort((a, b) => a.version - b.version)
  const latest = ordered.at(-1)?.version ?? 0
  const current = readSchemaVersion(db)
  if (current > latest) {
    throw new StoreError(
      'STORE_NEWER_VERSION',
      `This message database was created by a newer version of Parley (schema version ${current}; ` +
        `this version understands up to ${latest}). Update Parley to open it.`
    )
  }
  for (const migration of ordered) {
    if (migration.version <= current) continue
    const apply = db.transaction(() => {
      migration.up(db)
      // user_version lives in the database header, so setting it is part of this transaction.
      db.pragma(`user_version = ${migration.version}`)
    })
    try {
      apply()
    } catch (err) {
      const cause = toStoreError(err, `Upgrading the message database to version ${migration.version} failed`)
      // Keep precise causes (disk full, busy, corrupt); anything else is reported as a failed upgrade.
      if (cause.code !== 'STORE_FAILED') throw cause
      throw new StoreError('STORE_MIGRATION_FAILED', cause.message, { cause: err })
    }
  }
  const reached = readSchemaVersion(db)
  // Creating a fresh database is routine; upgrading a user's existing one is worth a line in the log.
  if (current > 0 && reached > current) log.info('upgraded message database', { from: current, to: reached })
  return reached
}
