// The roaming store's public entry point: openMessageStore() opens (and migrates) one account's SQLite
// database and returns the MessageStore; StoreError is the typed failure it reports.
import { createLogger } from '../../../shared/logger'
import { openConnection } from './connection'
import { StoreError, toStoreError } from './errors'
import { runMigrations } from './migrate'
import { SqliteMessageStore } from './sqlite-store'
import type { MessageStore } from './types'

export { StoreError }
export type { StoreErrorCode } from './errors'
export type {
  ApplyEventsResult,
  ConversationSummary,
  MarkReadResult,
  MessageStore,
  QuarantinedEvent,
  ReadPointer,
  SendAckFields,
  SyncBatchExtras,
  UnknownEvent
} from './types'
export { LATEST_SCHEMA_VERSION } from './migrations'
export type { AppliedUserEvent, UserEventKind, UserEventRecord } from './domain-types'
export type { StoreDomainApis } from './domain-apis'

const log = createLogger('core:store')

export interface OpenStoreOptions {
  /** Absolute path to a better-sqlite3 native binding built for another runtime (Electron); passed to
   *  better-sqlite3's `nativeBinding` option. Undefined = the default (Node) build. */
  nativeBinding?: string
}

/** Open the database at `path` (':memory:' for tests), creating its folder and upgrading its schema. */
export async function openMessageStore(path: string, options: OpenStoreOptions = {}): Promise<MessageStore> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new StoreError('STORE_BAD_ARGUMENT', 'The message database needs a file path (or ":memory:").')
  }
  const db = openConnection(path, { nativeBinding: options.nativeBinding })
  try {
    runMigrations(db)
    return new SqliteMessageStore(db, path)
  } catch (err) {
    db.close()
    const error = toStoreError(err, 'The message database cannot be opened')
    log.error(error.message, { code: error.code, path })
    throw error
  }
}
