// StoreError: the roaming store's typed failure (a stable code plus a sentence for people), and the one
// place that turns raw SQLite exceptions into StoreErrors.
import Database from 'better-sqlite3'
import { AppError } from '../../../shared/errors'

export type StoreErrorCode =
  | 'STORE_NEWER_VERSION' // the file was written by a newer Parley; we refuse to touch it
  | 'STORE_CORRUPT' // not a database, or damaged pages / unreadable rows
  | 'STORE_OPEN_FAILED' // the file or its folder cannot be created or opened
  | 'STORE_BUSY' // another process holds the database locked past the busy timeout
  | 'STORE_FULL' // the disk is full
  | 'STORE_READ_ONLY' // the file or folder is not writable
  | 'STORE_MIGRATION_FAILED' // a schema upgrade failed and was rolled back
  | 'STORE_BAD_ARGUMENT' // a caller passed something the store cannot use
  | 'STORE_CLOSED' // the store was used after close()
  | 'STORE_FAILED' // any other SQLite failure
  | 'STORE_RESTARTED' // the store's worker thread died during the call and was restarted: retry (it may have committed)

export class StoreError extends Error {
  readonly code: StoreErrorCode

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StoreError'
    this.code = code
  }

  /** The form every other layer carries (IPC, browser host): AppError code 'STORE_ERROR', same sentence. */
  toAppError(): AppError {
    return new AppError('STORE_ERROR', this.message, { cause: this })
  }

  toJSON(): { code: StoreErrorCode; message: string } {
    return { code: this.code, message: this.message }
  }
}

/** SQLite result-code prefixes (better-sqlite3 reports extended codes such as SQLITE_BUSY_SNAPSHOT). */
const CODE_BY_SQLITE_PREFIX: ReadonlyArray<[string, StoreErrorCode, string]> = [
  ['SQLITE_CORRUPT', 'STORE_CORRUPT', 'The message database is damaged'],
  ['SQLITE_NOTADB', 'STORE_CORRUPT', 'The message database file is not a database (it may be damaged)'],
  ['SQLITE_BUSY', 'STORE_BUSY', 'The message database is in use by another Parley window or process'],
  ['SQLITE_LOCKED', 'STORE_BUSY', 'The message database is locked'],
  ['SQLITE_FULL', 'STORE_FULL', 'The disk is full, so messages cannot be saved'],
  ['SQLITE_READONLY', 'STORE_READ_ONLY', 'The message database is read-only, so messages cannot be saved'],
  ['SQLITE_CANTOPEN', 'STORE_OPEN_FAILED', 'The message database file cannot be opened'],
  ['SQLITE_PERM', 'STORE_OPEN_FAILED', 'Parley is not allowed to open the message database file'],
  ['SQLITE_IOERR', 'STORE_FAILED', 'Reading or writing the message database failed (disk error)']
]

/**
 * Wrap anything thrown while `action` ran (a sentence like "Could not save the message") into a StoreError.
 * StoreErrors pass through unchanged so the innermost, most precise sentence wins.
 */
export function toStoreError(err: unknown, action: string): StoreError {
  if (err instanceof StoreError) return err
  if (err instanceof Database.SqliteError) {
    const match = CODE_BY_SQLITE_PREFIX.find(([prefix]) => err.code.startsWith(prefix))
    if (match) return new StoreError(match[1], `${action}: ${match[2]}.`, { cause: err })
    return new StoreError('STORE_FAILED', `${action}: the database reported "${err.message}".`, { cause: err })
  }
  const detail = err instanceof Error ? err.message : String(err)
  return new StoreError('STORE_FAILED', `${action}: ${detail}.`, { cause: err })
}
