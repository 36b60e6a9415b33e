// Owns the server storage contract: users, messages and each user's ordered event log.
// Asynchronous on purpose so a networked engine (PostgreSQL) can implement it without touching callers.

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
}

/** Result of appending one message: either freshly stored, or the original of a resend (same sender + client id). */
export interface AppendResult {
  message: StoredMessage
  duplicate: boolean
  /** Position in the recipient's log; equals senderSeq when the sender wrote to themself. Absent for duplicates. */
  recipientSeq: number | null
}

/** One entry of a user's log as read back. */
export interface LogEntry {
  seq: number
  message: StoredMessage
}

export interface ServerStore {
  createUser(name: string, passwordHash: string, createdAt: number): Promise<'created' | 'exists'>
  getUser(name: string): Promise<StoredUser | null>
  /** Names of the given users that exist (for recipient validation). */
  existingUsers(names: readonly string[]): Promise<Set<string>>
  /** Appends every message in ONE transaction (group commit); durable when the promise resolves. */
  appendMessages(messages: readonly NewMessage[]): Promise<AppendResult[]>
  /** Log entries with seq > afterSeq, ascending, at most `limit`. */
  readLogAfter(user: string, afterSeq: number, limit: number): Promise<LogEntry[]>
  /** Log entries of one conversation with seq < beforeSeq (0 = newest), newest first, at most `limit`. */
  readConversation(user: string, conversation: string, beforeSeq: number, limit: number): Promise<LogEntry[]>
  close(): Promise<void>
}
