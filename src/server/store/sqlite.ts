// Owns opening the server store on SQLite: one writer connection shared by the core's modules (store/core/: the
// users' logs, appends, retention, sign-in bookkeeping) and the domain modules, and that store on the calling thread.
import type {
  AppendResult,
  AuthPruneResult,
  NewMessage,
  ServerStore,
  StoreStats,
  Synchronous
} from './types'
import { DOMAIN_METHODS, openSqliteDomains, type DomainStores, type SqliteDomainContext, type SqliteDomainHooks } from './domains'
import { createAccountStore } from './core/accounts'
import { createAppender } from './core/append'
import { createAuthStore } from './core/auth'
import { openWriterConnection, synchronousMode, type SqliteOpenOptions } from './core/connection'
import type { StoreCoreContext } from './core/context'
import { createRetention } from './core/retention'
import { createSecretStore } from './core/secrets'
import { createUserHeads } from './core/user-heads'
import { createUserLog } from './core/user-log'

export { DATABASE_FILE_NAME, type SqliteOpenOptions } from './core/connection'
export { KEPT_NEWEST_PER_CONVERSATION } from './core/retention'

/**
 * The store's operations as plain synchronous calls on the connection: run in the store's worker thread (or
 * wrapped in settled promises by openSqliteStore). The secret callback cannot cross threads, so secrets are a
 * read plus an insert-if-absent here; appendGroups commits several callers' batches in one transaction.
 */
export interface SqliteStoreCore extends Synchronous<Omit<ServerStore, 'getOrCreateSecret' | 'appendMessages'>> {
  /** Appends every group in ONE transaction; if it fails, each group is retried in its own. */
  appendGroups(groups: readonly (readonly NewMessage[])[]): ({ ok: true; results: AppendResult[] } | { ok: false; error: string })[]
  /** One step of pruneAuth (one transaction, bounded); `done` when nothing expired is left. */
  pruneAuthStep(tokensExpiredBefore: number, now: number): AuthPruneResult & { done: boolean }
  /** One step of trimLogs: the next users after `afterUser` (by name); `lastUser` null when none are left. */
  trimStep(before: number, afterUser: string): { dropped: number; lastUser: string | null }
  readSecret(name: string): Uint8Array | null
  /** Stores `value` unless a secret of that name exists; returns the secret in force. */
  insertSecretIfAbsent(name: string, value: Uint8Array): Uint8Array
}

/** Opens (creating and migrating when needed) the database in `dataDir` on THIS thread. */
export function openSqliteCore(dataDir: string, options: SqliteOpenOptions = {}): SqliteStoreCore {
  const db = openWriterConnection(dataDir, options)
  /** What the domain modules plug into the append path and read pointers (filled in when they open). */
  const hooks: SqliteDomainHooks = {}
  const context: StoreCoreContext = {
    db,
    inTransaction: <T>(work: () => T): T => db.transaction(work).immediate(),
    heads: createUserHeads(db),
    hooks
  }
  const userLog = createUserLog(context)
  const appender = createAppender(context)
  const accounts = createAccountStore(context)
  const secrets = createSecretStore(context)
  const retention = createRetention(context)
  const { authRowCounts, ...auth } = createAuthStore(context)
  const domainContext: SqliteDomainContext = {
    db,
    inTransaction: context.inTransaction,
    appendUserEvent: userLog.appendUserEvent,
    headOf: context.heads.headOf,
    hooks
  }
  const domains = openSqliteDomains(domainContext)
  return {
    ...domains,
    ...userLog,
    ...accounts,
    ...secrets,
    ...retention,
    ...auth,
    appendGroups: appender.appendGroups,
    stats(): StoreStats {
      return { synchronous: synchronousMode(db), ...appender.commitStats(), authRows: authRowCounts() }
    },
    close() {
      if (db.open) db.close()
    }
  }
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
