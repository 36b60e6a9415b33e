// The message store's use of the shared migration runner (src/shared/sqlite-migrations.ts): its own migration list,
// and the runner's failures turned into StoreErrors with sentences for people.
import type { Database } from 'better-sqlite3'
import { createLogger } from '../../../shared/logger'
import { readSchemaVersion, runSchemaMigrations, SchemaMigrationError, SchemaTooNewError } from '../../../shared/sqlite-migrations'
import { StoreError, toStoreError } from './errors'
import { MIGRATIONS, type Migration } from './migrations'

const log = createLogger('core:store:migrate')

export { readSchemaVersion }

/** Apply every migration newer than the database's version, in order. Returns the resulting version. */
export function runMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  let outcome
  try {
    outcome = runSchemaMigrations(db, migrations)
  } catch (err) {
    if (err instanceof SchemaTooNewError) {
      throw new StoreError(
        'STORE_NEWER_VERSION',
        `This message database was created by a newer version of Parley (schema version ${err.current}; ` +
          `this version understands up to ${err.latest}). Update Parley to open it.`
      )
    }
    if (!(err instanceof SchemaMigrationError)) throw err
    const cause = toStoreError(err.cause, `Upgrading the message database to version ${err.version} failed`)
    // Keep precise causes (disk full, busy, corrupt); anything else is reported as a failed upgrade.
    if (cause.code !== 'STORE_FAILED') throw cause
    throw new StoreError('STORE_MIGRATION_FAILED', cause.message, { cause: err.cause })
  }
  // Creating a fresh database is routine; upgrading a user's existing one is worth a line in the log.
  if (outcome.from > 0 && outcome.to > outcome.from) log.info('upgraded message database', { from: outcome.from, to: outcome.to })
  return outcome.to
}
