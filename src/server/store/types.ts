// Owns the server storage contract, ServerStore: users, messages, each user's ordered event log, tokens, and every
// domain's store (DomainStores). Asynchronous on purpose so a networked engine (PostgreSQL) can implement it.
import type { DomainStores } from './domain-stores'
import type {
  AppendResult,
  AttemptCount,
  AuthPruneResult,
  ConversationSummaryRow,
  DeviceSessionRow,
  LogEntry,
  NewMessage,
  ReadPointerEntry,
  RecentCursor,
  StoreStats,
  StoredToken,
  StoredUser,
  TokenRow,
  UserEvent,
} from './records'

// Callers take the records' types from here, with the contract that uses them.
export type * from './records'
export { storedMessageFrom } from './records'

export interface ServerStore extends DomainStores {
  createUser(name: string, passwordHash: string, createdAt: number): Promise<'created' | 'exists'>
  getUser(name: string): Promise<StoredUser | null>
  /** Names of the given users that exist (for recipient validation). */
  existingUsers(names: readonly string[]): Promise<Set<string>>
  /** Appends every message in ONE transaction (group commit); durable when the promise resolves. */
  appendMessages(messages: readonly NewMessage[]): Promise<AppendResult[]>
  /** Log entries with seq > afterSeq, ascending, at most `limit`. */
  readLogAfter(user: string, afterSeq: number, limit: number): Promise<LogEntry[]>
  /** Message entries of one conversation with seq < beforeSeq (0 = newest), newest first, at most `limit`. */
  readConversation(user: string, conversation: string, beforeSeq: number, limit: number): Promise<LogEntry[]>
  /** The newest seq of the user's log (0 when empty). */
  headSeq(user: string): Promise<number>
  /** The oldest seq still kept in the user's log (1 when nothing was trimmed); a cursor below it - 1 is expired. */
  oldestSeq(user: string): Promise<number>
  /** Drops log entries older than `before` (ms) except each conversation's newest page; returns rows dropped. */
  trimLogs(before: number): Promise<number>

  /** Moves the read pointer forward (never back) and appends a read-pointer entry to the user's log when it moved. */
  setReadPointer(user: string, pointer: ReadPointerEntry): Promise<{ seq: number; eventSeq: number }>
  /** Conversations of the user, most recent first, after `after` (null = first page), at most `limit`. */
  recentConversations(user: string, after: RecentCursor | null, limit: number): Promise<ConversationSummaryRow[]>

  /** Appends one event entry to the user's log (durable when resolved); returns its seq. */
  appendUserEvent(user: string, event: UserEvent, at: number): Promise<number>

  /** A named server secret (the token key, ...), created with `create()` on first use and kept in the database. */
  getOrCreateSecret(name: string, create: () => Buffer): Promise<Buffer>

  createDeviceSession(session: DeviceSessionRow, token: TokenRow): Promise<void>
  /** The token and its session, by token hash; null when unknown. */
  findToken(tokenHash: string): Promise<{ token: StoredToken; session: DeviceSessionRow } | null>
  /** Binds an unbound session to a device; false when it is already bound to another device. */
  bindSessionDevice(sessionId: string, deviceId: string): Promise<boolean>
  /**
   * Replaces `oldHash` with `next` in one transaction, only if `oldHash` is still the session's current token:
   * 'stale' when it was already rotated (the caller then revokes the session).
   */
  rotateToken(sessionId: string, oldHash: string, next: TokenRow, now: number): Promise<'rotated' | 'stale'>
  /**
   * Records the token's first use (a no-op when already recorded). False when the token is no longer the session's
   * current one (rotated or retired meanwhile): the caller treats the presentation as a reuse.
   */
  markTokenUsed(tokenHash: string, now: number): Promise<boolean>
  /**
   * A rotated-away token comes back while its successor was never used (the renew answer was lost): in one
   * transaction, only if `oldHash` is still rotated, its successor is still current and unused, and the session is
   * live, the old token becomes current again (used now, expiring when the successor would have) and the successor
   * is retired in its place (rotated now, with the old token as its successor, so presenting it later is a reuse).
   * Returns the reinstated token (also when it is current already: a concurrent presentation reinstated it), or null
   * when any condition failed (the caller then revokes the session).
   */
  reinstateToken(sessionId: string, oldHash: string, now: number): Promise<StoredToken | null>
  revokeSession(sessionId: string, now: number): Promise<void>
  /** Revokes every live session of the user except `keep`; returns the ids revoked. */
  revokeUserSessions(user: string, now: number, keep?: string): Promise<string[]>

  /** Counts an attempt under `key` inside a sliding window of `windowMs` (shared by every server node). */
  countAttempt(key: string, now: number, windowMs: number): Promise<AttemptCount>
  resetAttempts(key: string): Promise<void>
  /**
   * Auth cleanup, in short transactions: deletes tokens that expired before `tokensExpiredBefore` (the caller adds
   * the retention reuse detection needs, see auth/cleanup.ts), then every device session left without a token, and
   * attempts expired at `now`. Returns the rows deleted.
   */
  pruneAuth(tokensExpiredBefore: number, now: number): Promise<AuthPruneResult>

  stats(): Promise<StoreStats>
  close(): Promise<void>
}
