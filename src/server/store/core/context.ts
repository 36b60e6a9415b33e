// Owns what the store core's modules (core/*.ts) are handed when the store opens: the writer connection, its
// transaction runner, the user heads and the hooks the domain modules fill in — one of each, passed down.
import type { SqlConnection } from '../sql-connection'
import type { DomainHooks } from '../domain-context'
import type { UserHeads } from './user-heads'

export interface StoreCoreContext {
  db: SqlConnection
  /** Runs `work` in one IMMEDIATE transaction (the write lock is taken up front, so sequences read inside hold). */
  inTransaction<T>(work: () => T): T
  heads: UserHeads
  /** See DomainContext.soleWriter. */
  soleWriter: boolean
  /** What the domain modules plug into the append path and read pointers (filled in when they open). */
  hooks: DomainHooks
}
