// Owns the records the server store speaks in (users, messages, log entries, tokens, sessions, attempts): plain
// types shared by the store's contract (types.ts) and every domain module, so a domain never imports the contract.

export interface StoredUser {
  name: string
  passwordHash: string
  headSeq: number
}

/** A message to append; `body` is the encoded protobuf `Body` (kept opaque so new message types need no migration). */
export interface NewMessage {
  sender: string
  clientId: Uint8Array
  recipient: string
  chatType: number
  timestamp: number
  body: Uint8Array
  /** Self-destruct (store/message-ops): when the message goes, ms (the conversation's disappearing timer). */
  expiresAt?: number
  /** Burn after reading: seconds from the recipient's first read (the Body's burn_after_read_sec). */
  burnAfterReadSec?: number
}

export interface StoredMessage {
  serverId: number
  clientId: Uint8Array
  sender: string
  recipient: string
  chatType: number
  timestamp: number
  body: Uint8Array
  /** Position of this message in the sender's log (the ack's seq). */
  senderSeq: number
  /** Recalled (store/message-ops): who recalled it and when; the body is empty then. */
  recalledBy?: string
  recalledAt?: number
  /** Edited: when the body last changed. */
  editedAt?: number
  /** Self-destruct: when the message goes (ms). */
  expiresAt?: number
}

/** The stored form of a freshly appended message: the input as given, with the ids the store assigned. */
export function storedMessageFrom(input: NewMessage, serverId: number, senderSeq: number): StoredMessage {
  return {
    serverId,
    clientId: input.clientId,
    sender: input.sender,
    recipient: input.recipient,
    chatType: input.chatType,
    timestamp: input.timestamp,
    body: input.body,
    senderSeq,
    ...(input.expiresAt ? { expiresAt: input.expiresAt } : {})
  }
}

/** Result of appending one message: either freshly stored, or the original of a resend (same sender + client id). */
export interface AppendResult {
  message: StoredMessage
  duplicate: boolean
  /**
   * Position in the recipient's log; equals senderSeq when the sender wrote to themself; for a group message, the
   * group's seq (as is senderSeq). Absent for duplicates and refusals.
   */
  recipientSeq: number | null
  /** A group message the authorisation table refused inside the append transaction: nothing was stored. */
  refusal?: { code: number; message: string }
}

/** The account read a conversation up to `seq` (a position in the reader's log for one-to-one chats). */
export interface ReadPointerEntry {
  conversation: string
  chatType: number
  seq: number
}

/**
 * Entries of a user's log that the store keeps as the encoded protobuf of their kind, without looking inside:
 * `contact` = ContactEvent, `membership` = MembershipEvent, `profile` = ProfileChanged (src/shared/proto).
 */
/** store/message-ops: `messageChange` = MessageChange, `conversationSettings` = ConversationSettings,
 *  `conversationCleared` = ConversationCleared (src/shared/proto/message-ops.proto). */
export type MessageOpsEventKind = 'messageChange' | 'conversationSettings' | 'conversationCleared'
export type UserEventKind =
  | 'contact'
  | 'membership'
  | 'profile'
  /** ReactionEvent, MessagePinEvent, ConversationStateEvent, DevicesChanged (store/reactions, store/devices). */
  | 'reaction'
  | 'messagePin'
  | 'conversationState'
  | 'devicesChanged'
  | MessageOpsEventKind
  /** PeerReceipt, PrivacySettings (store/receipts). */
  | 'receipt'
  | 'privacy'

export interface UserEvent {
  kind: UserEventKind
  /** The conversation the event belongs to (the peer for contacts, the group for membership; '' for profile). */
  conversation: string
  chatType: number
  payload: Uint8Array
}

/** One entry of a user's log as read back: exactly one of `message` / `readPointer` / `userEvent` is set. */
export interface LogEntry {
  seq: number
  message?: StoredMessage
  readPointer?: ReadPointerEntry
  userEvent?: UserEvent
}

/** A conversation as a new device first sees it (RecentConversations). */
export interface ConversationSummaryRow {
  conversation: string
  chatType: number
  /** The newest message entry of the conversation in the user's log. */
  last: LogEntry
  /** The account's read pointer (0 = nothing read). */
  readSeq: number
  /** Messages after readSeq not sent by the user. */
  unread: number
}

/** Paging position for recentConversations: the last row of the previous page. */
export interface RecentCursor {
  lastSeq: number
  conversation: string
  chatType: number
}

/** A device session: what an opaque access token stands for. Tokens are stored only as SHA-256 hashes. */
export interface DeviceSessionRow {
  sessionId: string
  user: string
  /** Bound at login when given, else by the first device that authenticates with the token. */
  deviceId: string | null
  createdAt: number
  /** Last login or renew: a session not renewed for the configured idle time ends. */
  renewedAt: number
  revokedAt: number | null
}

export interface TokenRow {
  tokenHash: string
  sessionId: string
  expiresAt: number
  /** Set when a renew replaced this token: presenting it again revokes the session (but see StoredToken). */
  rotatedAt: number | null
}

/** A token as stored: the row plus what the store keeps about its use (written by the store, never inserted). */
export interface StoredToken extends TokenRow {
  /** First time the token was presented (auth, renew with it, or the renew that rotated it); null = never used. */
  firstUsedAt: number | null
  /** The token that replaced this one (set with rotatedAt); null while current, or rotated before schema 3. */
  successorHash: string | null
}

/** Result of counting one attempt of a rate-limited action (login, register) under a key. */
export interface AttemptCount {
  /** Attempts under the key inside the window, this one included. */
  count: number
  /** When the previous attempt inside the window happened, or null. */
  previousAt: number | null
}

export type SynchronousMode = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA'

/** A store interface's methods as plain synchronous calls (what the SQLite worker runs). */
export type Synchronous<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never
}

/** Diagnostics of the writer connection (the benchmark prints them). */
export interface StoreStats {
  /** PRAGMA synchronous as the writer connection reads it back. */
  synchronous: SynchronousMode
  /** Median duration of an append transaction's COMMIT (the WAL fsync in FULL mode), recent commits. */
  fsyncP50Ms: number
  /** 99th percentile and slowest COMMIT over the same commits (a checkpoint inside a COMMIT shows here). */
  commitP99Ms: number
  commitMaxMs: number
  /** Messages per append transaction since the store opened (how far group commit grew). */
  messagesPerCommit: number
  commits: number
  /** Rows the sign-in bookkeeping holds now (what auth cleanup keeps bounded). */
  authRows: AuthRowCounts
}

export interface AuthRowCounts {
  tokens: number
  deviceSessions: number
  attempts: number
}

/** What one auth cleanup removed (see ServerStore.pruneAuth). */
export type AuthPruneResult = AuthRowCounts
