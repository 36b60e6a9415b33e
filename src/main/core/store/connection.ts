// Opens one account's SQLite file with the store's pragmas (WAL, synchronous=NORMAL, foreign keys, busy
// timeout) and SQL functions, creating its folder first; the only place that constructs a better-sqlite3 Database.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { StoreError, toStoreError } from './errors'
import { registerStoreFunctions } from './sql-functions'

/** How long a write waits for another connection's lock before failing with STORE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000
/** Page cache per connection (negative = KiB): keeps the id and keyset indexes hot for a large history. */
const CACHE_SIZE_KIB = 65_536
/** Memory-mapped reads for the first part of the file; cheaper than copying pages into the cache. */
const MMAP_SIZE_BYTES = 256 * 1024 * 1024
/**
 * WAL pages (4 KiB) before an automatic checkpoint; SQLite's default is 1000. A sync burst dirties pages all
 * over the id and keyset indexes, and each checkpoint writes them back with an fsync: a 64 MiB WAL lets
 * repeated writes to the same page coalesce (measured on 200k-message bursts: ~1.8x the insert rate of 4000).
 */
const WAL_AUTOCHECKPOINT_PAGES = 16_000

export const MEMORY_PATH = ':memory:'

export interface ConnectionOptions {
  nativeBinding?: string
}

/** The per-connection settings, in order (exported so the store benchmark's raw baseline uses the same ones). */
export function connectionPragmas(inMemory: boolean): string[] {
  const pragmas = [
    'journal_mode = WAL',
    'synchronous = NORMAL',
    'foreign_keys = ON',
    `busy_timeout = ${BUSY_TIMEOUT_MS}`,
    `cache_size = -${CACHE_SIZE_KIB}`,
    'temp_store = MEMORY'
  ]
  if (!inMemory) pragmas.push(`mmap_size = ${MMAP_SIZE_BYTES}`, `wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`)
  return pragmas
}

export function openConnection(file: string, options: ConnectionOptions = {}): Database.Database {
  const inMemory = file === MEMORY_PATH || file === ''
  if (!inMemory) {
    try {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
    } catch (err) {
      throw new StoreError('STORE_OPEN_FAILED', `The folder for the message database (${path.dirname(file)}) cannot be created.`, {
        cause: err
      })
    }
  }

  let db: Database.Database
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS, nativeBinding: options.nativeBinding })
  } catch (err) {
    throw toStoreError(err, 'The message database cannot be opened')
  }

  try {
    // The first statement (journal_mode) reads the header, so a file that is not a database fails here.
    for (const pragma of connectionPragmas(inMemory)) db.pragma(pragma)
    // The schema's triggers call these: a connection without them cannot write a message.
    registerStoreFunctions(db)
  } catch (err) {
    db.close()
    throw toStoreError(err, 'The message database cannot be opened')
  }
  return db
}
