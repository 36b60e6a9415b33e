// Owns opening the server store on PostgreSQL (cluster mode): the synchronous connection of this store thread,
// the schema migrated, and the store's core on it with every call made atomic against the other nodes.
import type { StoreStats } from '../types'
import { openStoreCore, type StoreCore } from '../core/open-core'
import { createPostgresAppender } from './append'
import { migratePostgres } from './migrate'
import { openPostgresConnection } from './sync-connection'

export interface PostgresOpenOptions {
  /** Name of the connection in pg_stat_activity (the node's name). */
  applicationName?: string
}

/** PostgreSQL's synchronous_commit in the terms StoreStats uses: 'on' waits for the WAL on disk, as SQLite's FULL. */
function synchronousFrom(setting: string): StoreStats['synchronous'] {
  if (setting === 'off') return 'NORMAL'
  return 'FULL'
}

export function openPostgresCore(url: string, options: PostgresOpenOptions = {}): StoreCore {
  const db = openPostgresConnection({ url, applicationName: options.applicationName })
  try {
    migratePostgres(db)
  } catch (err) {
    db.close()
    throw err
  }
  const synchronousCommit = db.prepare<[], { synchronous_commit: string }>("SELECT current_setting('synchronous_commit') AS synchronous_commit")
  return openStoreCore({
    db,
    soleWriter: false,
    synchronousMode: () => synchronousFrom(synchronousCommit.get()?.synchronous_commit ?? 'on'),
    runCall: (readOnly, work) => db.atomically(readOnly, work),
    createAppender: createPostgresAppender,
    close: () => db.close()
  })
}
