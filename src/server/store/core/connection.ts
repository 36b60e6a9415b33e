// Owns the writer connection to the server's database file: where the file lives, the pragmas it runs with
// (WAL, synchronous, cache, checkpoints) and the migrations applied when it opens.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { migrate } from '../migrations'
import type { SynchronousMode } from '../records'

export const DATABASE_FILE_NAME = 'parley-server.sqlite'
/** How long a writer waits for a lock held by another connection before failing. */
const BUSY_TIMEOUT_MS = 5_000
const PAGE_CACHE_KIB = 64 * 1024
const MMAP_BYTES = 256 * 1024 * 1024
/**
 * Checkpoint the WAL into the database every this many pages (SQLite's default is 1,000). Appends touch pages
 * scattered over every user's log; checkpointing less often writes each hot page once instead of many times
 * (measured: about 35 us instead of 60 us per appended message).
 */
const WAL_AUTOCHECKPOINT_PAGES = 16_000
/** After a checkpoint, the WAL file is truncated back to this size. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024

/** Names PRAGMA synchronous reads back as (0..3). */
const SYNCHRONOUS_NAMES: readonly SynchronousMode[] = ['OFF', 'NORMAL', 'FULL', 'EXTRA']

export interface SqliteOpenOptions {
  /** A better-sqlite3 binary built for another runtime (the Electron app embeds this server). */
  nativeBinding?: string
  /**
   * FULL (default): the WAL is fsynced before a commit returns, so an acked message survives a power loss or kernel
   * crash too. NORMAL (PARLEY_SQLITE_SYNCHRONOUS=NORMAL, an opt-out): a commit is in the OS but not yet on disk; it
   * survives a crash or kill of the server process and the database is never corrupted, but a power loss can lose
   * the last commits that were already acked.
   */
  synchronous?: 'NORMAL' | 'FULL'
}

/** Opens (creating and migrating when needed) the database in `dataDir` on THIS thread. */
export function openWriterConnection(dataDir: string, options: SqliteOpenOptions = {}): Database.Database {
  fs.mkdirSync(dataDir, { recursive: true })
  const nativeBinding = options.nativeBinding
  const db = new Database(path.join(dataDir, DATABASE_FILE_NAME), nativeBinding ? { nativeBinding } : undefined)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`)
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  // Appends touch pages all over the per-user log index; a larger cache and memory-mapped reads keep them hot.
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`)
  db.pragma(`mmap_size = ${MMAP_BYTES}`)
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`)
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`)
  migrate(db)
  return db
}

/** PRAGMA synchronous as the connection reads it back. */
export function synchronousMode(db: Database.Database): SynchronousMode {
  const mode = db.pragma('synchronous', { simple: true }) as number
  return SYNCHRONOUS_NAMES[mode] ?? 'NORMAL'
}
