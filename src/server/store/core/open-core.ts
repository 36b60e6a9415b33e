// Owns assembling the store's synchronous core on a connection of either engine: the core's modules (logs, appends,
// retention, sign-in bookkeeping) and the domain modules, sharing one connection, one transaction runner, one set of hooks.
import type { AppendResult, AuthPruneResult, NewMessage, ServerStore, StoreStats, Synchronous } from '../types'
import { openSqliteDomains, type DomainContext, type DomainHooks } from '../domains'
import type { SqlConnection } from '../sql-connection'
import { createAccountStore } from './accounts'
import { createAppender } from './append'
import { createAuthStore } from './auth'
import type { StoreCoreContext } from './context'
import { createRetention } from './retention'
import { createSecretStore } from './secrets'
import { createUserHeads } from './user-heads'
import { createUserLog } from './user-log'

/**
 * The store's operations as plain synchronous calls on the connection: run in the store's worker thread (or
 * wrapped in settled promises by openSqliteStore). The secret callback cannot cross threads, so secrets are a
 * read plus an insert-if-absent here; appendGroups commits several callers' batches in one transaction.
 */
export interface StoreCore extends Synchronous<Omit<ServerStore, 'getOrCreateSecret' | 'appendMessages'>> {
  /** Appends every group in ONE transaction; if it fails, each group is retried in its own. */
  appendGroups(groups: readonly (readonly NewMessage[])[]): ({ ok: true; results: AppendResult[] } | { ok: false; error: string })[]
  /** One step of pruneAuth (one transaction, bounded); `done` when nothing expired is left. */
  pruneAuthStep(tokensExpiredBefore: number, now: number): AuthPruneResult & { done: boolean }
  /** One step of trimLogs: the next users after `afterUser` (by name); `lastUser` null when none are left. */
  trimStep(before: number, afterUser: string): { dropped: number; lastUser: string | null }
  readSecret(name: string): Uint8Array | null
  /** Stores `value` unless a secret of that name exists; returns the secret in force. */
  insertSecretIfAbsent(name: string, value: Uint8Array): Uint8Array
  /**
   * Runs one store call as one unit against other writers: nothing on SQLite (this thread is the only writer);
   * on PostgreSQL a read snapshot, or a transaction under the nodes' write lock.
   */
  runCall<T>(readOnly: boolean, work: () => T): T
}

/** What differs between the engines under the core. */
export interface CoreEngine {
  db: SqlConnection
  /** See DomainContext.soleWriter. */
  soleWriter: boolean
  synchronousMode(): StoreStats['synchronous']
  runCall<T>(readOnly: boolean, work: () => T): T
  /** The engine's own group commit (PostgreSQL batches its statements); core/append.ts's otherwise. */
  createAppender?(context: StoreCoreContext): Pick<ReturnType<typeof createAppender>, 'appendGroups' | 'commitStats'>
  close(): void
}

export function openStoreCore(engine: CoreEngine): StoreCore {
  const { db, soleWriter } = engine
  /** What the domain modules plug into the append path and read pointers (filled in when they open). */
  const hooks: DomainHooks = {}
  const context: StoreCoreContext = {
    db,
    inTransaction: <T>(work: () => T): T => db.transaction(work).immediate(),
    heads: createUserHeads(db, { cache: soleWriter }),
    soleWriter,
    hooks
  }
  const userLog = createUserLog(context)
  const appender = engine.createAppender ? engine.createAppender(context) : createAppender(context)
  const accounts = createAccountStore(context)
  const secrets = createSecretStore(context)
  const retention = createRetention(context)
  const { authRowCounts, ...auth } = createAuthStore(context)
  const domainContext: DomainContext = {
    db,
    soleWriter,
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
    runCall: engine.runCall,
    stats(): StoreStats {
      return { synchronous: engine.synchronousMode(), ...appender.commitStats(), authRows: authRowCounts() }
    },
    close: engine.close
  }
}
