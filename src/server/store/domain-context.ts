// Owns the contract between the store's core and its domain modules (store/<domain>/sqlite.ts, SQL in SQLite's
// dialect that the PostgreSQL connection translates): what a domain gets and the hooks it plugs into the core's paths.
import type { SqlConnection } from './sql-connection'
import type { AppendResult, NewMessage, UserEvent } from './records'

/** What a domain's module gets from the store: the writer connection and the user-log writer. */
export interface DomainContext {
  db: SqlConnection
  /**
   * True when this connection is the only writer of the database (SQLite: one server process), so what it wrote
   * may be cached; false on PostgreSQL, where other nodes write too and every read must go to the database.
   */
  soleWriter: boolean
  /** Runs `work` in one IMMEDIATE transaction (nested calls become savepoints of the caller's). */
  inTransaction<T>(work: () => T): T
  /** Appends an event entry to `user`'s log in the current transaction; returns its seq. */
  appendUserEvent(user: string, event: UserEvent, at: number): number
  /** The newest seq of the user's log. */
  headOf(user: string): number
  /** What a domain plugs into the core's own paths (filled in by the domain modules when they open). */
  hooks: DomainHooks
}

/** Calls the core makes into a domain: groups store their messages inside the shared group commit. */
export interface DomainHooks {
  /** Appends one group message inside the append transaction (decides, de-duplicates, stores it once). */
  appendGroupMessage?(input: NewMessage): AppendResult
  /** The append transaction committed / rolled back (sequences handed out in it become real / are forgotten). */
  transactionCommitted?(): void
  transactionRolledBack?(): void
  /** The newest seq of a group's log (the bound of a group read pointer). */
  groupHead?(group: string): number
  /** Group messages after `afterSeq` the user may see and did not send. */
  countGroupUnread?(user: string, group: string, afterSeq: number): number
  /** The groups table's answer to `user` recalling or editing in `group` at `now`: null = allowed (message-ops). */
  decideGroupMessageOperation?(
    operation: 'recallOwn' | 'recallOthers' | 'edit' | 'setDisappearTimer' | 'markRead', user: string, group: string, now: number
  ): { code: number; message: string } | null
  /** When a new message expires under its conversation's disappearing timer, or null (message-ops). */
  expiryOf?(sender: string, recipient: string, chatType: number, timestamp: number): number | null
  /** The current members of a group: whom a change to one of its messages reaches (message-ops). */
  groupMemberNames?(group: string): string[]
}
