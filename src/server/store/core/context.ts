// Owns what the store core's modules (core/*.ts) are handed when the store opens: the writer connection, its
// transaction runner, the user heads and the hooks the domain modules fill in — one of each, passed down.
import type Database from 'better-sqlite3'
import type { SqliteDomainHooks } from '../domain-context'
import type { UserHeads } from './user-heads'

export interface StoreCoreContext {
  db: Database.Database
  /** Runs `work` in one IMMEDIATE transaction (the write lock is taken up front, so sequences read inside hold). */
  inTransaction<T>(work: () => T): T
  heads: UserHeads
  /** What the domain modules plug into the append path and read pointers (filled in when they open). */
  hooks: SqliteDomainHooks
}
