// Owns where an account's database lives on this device: its file name, moving an older version's file to it,
// opening it, and removing it (with its WAL companions) when the account is deleted.
import { existsSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import { StoreError, type OpenStoreOptions } from '../store'
import type { MessageStore } from '../store/types'
import { openWorkerMessageStore } from '../store/worker/worker-store'

/** How a shell opens an account's store: in the store worker thread (tests may pass their own opener). */
export type StoreOpener = (path: string, options: OpenStoreOptions) => Promise<MessageStore>

const log = createLogger('core:account-files')

/** SQLite's companion files of a database in WAL mode: they move with it. */
const DATABASE_COMPANION_SUFFIXES = ['', '-wal', '-shm']

export function accountDatabasePath(dataDir: string, user: string): string {
  return join(dataDir, encodeURIComponent(user) + '.sqlite')
}

/**
 * Older versions named the account's database after the user id as typed ('Alice.sqlite'). On a case-sensitive
 * file system that is another file than the canonical 'alice.sqlite': move it (with its WAL) to the canonical
 * name when only the old one exists, so the history stays with the account.
 */
export function adoptLegacyDatabase(dataDir: string, user: string, spellings: readonly string[]): void {
  const canonicalPath = accountDatabasePath(dataDir, user)
  if (existsSync(canonicalPath)) return
  for (const spelling of spellings) {
    const legacyPath = accountDatabasePath(dataDir, spelling.trim())
    if (legacyPath === canonicalPath || !existsSync(legacyPath)) continue
    for (const suffix of DATABASE_COMPANION_SUFFIXES) {
      if (existsSync(legacyPath + suffix)) renameSync(legacyPath + suffix, canonicalPath + suffix)
    }
    log.info('moved the account database to its canonical name', { user })
    return
  }
}

/**
 * Opens the account's database (moving a legacy-named one first) in the store worker thread, so no query blocks
 * the shell's event loop; failures become a sentence for the user.
 */
export async function openAccountStore(
  dataDir: string,
  user: string,
  spellings: readonly string[],
  nativeBinding?: string,
  open: StoreOpener = openWorkerMessageStore
): Promise<MessageStore> {
  try {
    adoptLegacyDatabase(dataDir, user, spellings)
    // The store creates the data folder itself (and says so when it cannot).
    return await open(accountDatabasePath(dataDir, user), nativeBinding ? { nativeBinding } : {})
  } catch (err) {
    log.error('could not open the message database', { error: String(err) })
    if (err instanceof StoreError) throw err.toAppError()
    throw new AppError('STORE_ERROR', 'Could not open the message database on this device.', { cause: err })
  }
}

/** A deleted account's history has no owner any more: its database goes with it (after the store closed). */
export function removeAccountDatabase(dataDir: string, user: string): void {
  const path = accountDatabasePath(dataDir, user)
  for (const suffix of DATABASE_COMPANION_SUFFIXES) {
    try {
      rmSync(path + suffix, { force: true })
    } catch (err) {
      log.warn("could not remove the deleted account's database", { error: String(err) })
    }
  }
}

/**
 * The account's folder for files beside its database: `outbox/` (files staged for sending) and `cache/`
 * (downloaded attachments). Named after the database, so it moves and goes with the account.
 */
export function accountFilesDir(dataDir: string, user: string): string {
  return join(dataDir, encodeURIComponent(user) + '.files')
}

/** A deleted account's staged and cached files go with its database. */
export function removeAccountFiles(dataDir: string, user: string): void {
  try {
    rmSync(accountFilesDir(dataDir, user), { recursive: true, force: true })
  } catch (err) {
    log.warn("could not remove the deleted account's files", { error: String(err) })
  }
}
