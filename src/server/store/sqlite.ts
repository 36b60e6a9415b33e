// Owns opening the server store on SQLite: one writer connection (core/connection.ts) under the store's core
// (core/open-core.ts), and that store on the calling thread for tools and tests.
import type { ServerStore } from './types'
import { DOMAIN_METHODS, type DomainStores } from './domains'
import { openWriterConnection, synchronousMode, type SqliteOpenOptions } from './core/connection'
import { openStoreCore, type StoreCore } from './core/open-core'

export { DATABASE_FILE_NAME, type SqliteOpenOptions } from './core/connection'
export { KEPT_NEWEST_PER_CONVERSATION } from './core/retention'
export type { StoreCore } from './core/open-core'

/** Opens (creating and migrating when needed) the database in `dataDir` on THIS thread. */
export function openSqliteCore(dataDir: string, options: SqliteOpenOptions = {}): StoreCore {
  const db = openWriterConnection(dataDir, options)
  return openStoreCore({
    db,
    soleWriter: true,
    synchronousMode: () => synchronousMode(db),
    // This thread is the database's only writer: each call already runs alone.
    runCall: (_readOnly, work) => work(),
    close() {
      if (db.open) db.close()
    }
  })
}

/**
 * The store on the calling thread, each method settled at once. Used where blocking the thread is acceptable
 * (tools, tests of the SQL itself); the server uses openServerStore, which runs this in a worker thread.
 */
export function openSqliteStore(dataDir: string, options: SqliteOpenOptions = {}): ServerStore {
  const core = openSqliteCore(dataDir, options)
  const domainMethods = Object.fromEntries(
    DOMAIN_METHODS.map((name) => [name, async (...args: unknown[]) => (core[name] as (...a: unknown[]) => unknown)(...args)])
  ) as unknown as DomainStores // the entries are DomainStores' methods by construction (DOMAIN_METHODS_COMPLETE)
  return {
    ...domainMethods,
    appendUserEvent: async (...args) => core.appendUserEvent(...args),
    createUser: async (...args) => core.createUser(...args),
    getUser: async (...args) => core.getUser(...args),
    existingUsers: async (...args) => core.existingUsers(...args),
    async appendMessages(messages) {
      const [outcome] = core.appendGroups([messages])
      if (!outcome?.ok) throw new Error(outcome?.error ?? 'The append returned nothing.')
      return outcome.results
    },
    readLogAfter: async (...args) => core.readLogAfter(...args),
    readConversation: async (...args) => core.readConversation(...args),
    headSeq: async (...args) => core.headSeq(...args),
    oldestSeq: async (...args) => core.oldestSeq(...args),
    trimLogs: async (...args) => core.trimLogs(...args),
    setReadPointer: async (...args) => core.setReadPointer(...args),
    recentConversations: async (...args) => core.recentConversations(...args),
    async getOrCreateSecret(name, create) {
      const stored = core.readSecret(name)
      if (stored) return Buffer.from(stored)
      return Buffer.from(core.insertSecretIfAbsent(name, create()))
    },
    createDeviceSession: async (...args) => core.createDeviceSession(...args),
    findToken: async (...args) => core.findToken(...args),
    bindSessionDevice: async (...args) => core.bindSessionDevice(...args),
    rotateToken: async (...args) => core.rotateToken(...args),
    markTokenUsed: async (...args) => core.markTokenUsed(...args),
    reinstateToken: async (...args) => core.reinstateToken(...args),
    revokeSession: async (...args) => core.revokeSession(...args),
    revokeUserSessions: async (...args) => core.revokeUserSessions(...args),
    countAttempt: async (...args) => core.countAttempt(...args),
    resetAttempts: async (...args) => core.resetAttempts(...args),
    pruneAuth: async (...args) => core.pruneAuth(...args),
    stats: async () => core.stats(),
    close: async () => core.close()
  }
}
