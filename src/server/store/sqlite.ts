// Owns the SQLite implementation of the server store: one WAL database file in the data folder, prepared
// statements, and the group-commit transaction that appends batches of messages to the users' logs.
import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { migrate } from './migrations'
import type {
  AppendResult,
  AttemptCount,
  AuthPruneResult,
  AuthRowCounts,
  ConversationSummaryRow,
  DeviceSessionRow,
  LogEntry,
  NewMessage,
  ReadPointerEntry,
  RecentCursor,
  ServerStore,
  StoreStats,
  StoredMessage,
  StoredToken,
  StoredUser,
  Synchronous,
  SynchronousMode,
  TokenRow,
  UserEvent,
  UserEventKind
} from './types'
import { DOMAIN_METHODS, openSqliteDomains, type DomainStores, type SqliteDomainContext, type SqliteDomainHooks } from './domains'
import { storedMessageFrom } from './types'

export const DATABASE_FILE_NAME = 'parley-server.sqlite'
/** How long a writer waits for a lock held by another connection before failing. */
const BUSY_TIMEOUT_MS = 5_000
const PAGE_CACHE_KIB = 64 * 1024
const MMAP_BYTES = 256 * 1024 * 1024
/**
 * Checkpoint the WAL into the database every this many pages (SQLite's default is 1,000). Appends touch pages
 * scattered over every user's log; checkpointing less often writes each hot page once instead of many times
 * (measured: about 35 us instead of 60 us per appended message).
 */
const WAL_AUTOCHECKPOINT_PAGES = 16_000
/** After a checkpoint, the WAL file is truncated back to this size. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024
/** Stands in for "no upper bound" in keyset queries (all sequences stay below 2^53). */
const NEWEST_SEQ = Number.MAX_SAFE_INTEGER
/** Retention keeps this many newest message entries of every conversation: a new device's first history page. */
export const KEPT_NEWEST_PER_CONVERSATION = 50
/** trimLogs walks each user's log in slices of this many rows, so one huge log never sits in memory at once. */
const TRIM_SCAN_ROWS = 1_000
/**
 * trimLogs works through the users this many at a time, one transaction (one fsync) per step; the worker lets the
 * calls that queued up (sends) run between steps, so retention never holds the writer for long.
 */
const TRIM_USERS_PER_STEP = 100
/**
 * Users whose log head the writer keeps in memory (a few MB at most); past this the cache starts over rather
 * than growing with every user who ever sent.
 */
const HEAD_CACHE_USERS = 100_000
/**
 * Auth cleanup deletes at most this many expired tokens (with their sessions) and this many expired attempts per
 * transaction; the worker serves the calls that queued up between steps, so a backlog (the first run on a database
 * that never pruned) never holds the writer for long. A step of 500 index-ordered deletes stays around a millisecond.
 */
const AUTH_PRUNE_ROWS_PER_STEP = 500
/** fsyncP50Ms is taken over the last this many commits (recent behaviour, bounded memory). */
const COMMIT_SAMPLES = 4_096

const KIND_MESSAGE = 1
const KIND_READ_POINTER = 2
/** ChatType.CHAT_TYPE_GROUP (messages.proto): group messages and pointers go to the groups domain. */
const CHAT_TYPE_GROUP = 1
/** Event entries (see UserEvent): the kind column's value for each. */
const USER_EVENT_KINDS: Readonly<Record<UserEventKind, number>> = { contact: 3, membership: 4, profile: 5 }
const USER_EVENT_BY_KIND = new Map<number, UserEventKind>(
  Object.entries(USER_EVENT_KINDS).map(([name, kind]) => [kind, name as UserEventKind])
)

/** Names PRAGMA synchronous reads back as (0..3). */
const SYNCHRONOUS_NAMES: readonly SynchronousMode[] = ['OFF', 'NORMAL', 'FULL', 'EXTRA']

export interface SqliteOpenOptions {
  /** A better-sqlite3 binary built for another runtime (the Electron app embeds this server). */
  nativeBinding?: string
  /**
   * FULL (default): the WAL is fsynced before a commit returns, so an acked message survives a power loss or kernel
   * crash too. NORMAL (PARLEY_SQLITE_SYNCHRONOUS=NORMAL, an opt-out): a commit is in the OS but not yet on disk; it
   * survives a crash or kill of the server process and the database is never corrupted, but a power loss can lose
   * the last commits that were already acked.
   */
  synchronous?: 'NORMAL' | 'FULL'
}

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

interface MessageColumns {
  server_id: number
  sender: string
  client_id: Buffer
  recipient: string
  chat_type: number
  ts: number
  body: Buffer
  sender_seq: number
}
interface LogRow {
  seq: number
  kind: number
  conversation: string
  log_chat_type: number
  read_seq: number | null
  payload: Buffer | null
  server_id: number | null
  sender: string | null
  client_id: Buffer | null
  recipient: string | null
  chat_type: number | null
  ts: number | null
  body: Buffer | null
  sender_seq: number | null
}
interface SessionColumns {
  session_id: string
  user: string
  device_id: string | null
  created_at: number
  renewed_at: number
  revoked_at: number | null
}
interface TokenColumns {
  token_hash: string
  expires_at: number
  rotated_at: number | null
  first_used_at: number | null
  successor_hash: string | null
}
interface TrimScanRow {
  seq: number
  conversation: string
  kind: number
  server_id: number | null
  at: number
}

const MESSAGE_COLUMNS = 'm.server_id, m.sender, m.client_id, m.recipient, m.chat_type, m.ts, m.body, m.sender_seq'
const LOG_COLUMNS = `l.seq, l.kind, l.conversation, l.chat_type AS log_chat_type, l.read_seq, l.payload, ${MESSAGE_COLUMNS}`

function toMessage(row: MessageColumns): StoredMessage {
  return {
    serverId: row.server_id,
    clientId: new Uint8Array(row.client_id),
    sender: row.sender,
    recipient: row.recipient,
    chatType: row.chat_type,
    timestamp: row.ts,
    body: new Uint8Array(row.body),
    senderSeq: row.sender_seq
  }
}

function toEntry(row: LogRow): LogEntry {
  const eventKind = USER_EVENT_BY_KIND.get(row.kind)
  if (eventKind) {
    const payload = row.payload ? new Uint8Array(row.payload) : new Uint8Array(0)
    return { seq: row.seq, userEvent: { kind: eventKind, conversation: row.conversation, chatType: row.log_chat_type, payload } }
  }
  if (row.kind === KIND_READ_POINTER) {
    return { seq: row.seq, readPointer: { conversation: row.conversation, chatType: row.log_chat_type, seq: row.read_seq ?? 0 } }
  }
  if (row.server_id === null) throw new Error(`Log entry ${row.seq} is a message entry without its message.`)
  return { seq: row.seq, message: toMessage(row as MessageColumns & LogRow) }
}

function toStoredToken(row: TokenColumns & { session_id: string }): StoredToken {
  return {
    tokenHash: row.token_hash,
    sessionId: row.session_id,
    expiresAt: row.expires_at,
    rotatedAt: row.rotated_at,
    firstUsedAt: row.first_used_at,
    successorHash: row.successor_hash
  }
}

function toSession(row: SessionColumns): DeviceSessionRow {
  return {
    sessionId: row.session_id,
    user: row.user,
    deviceId: row.device_id,
    createdAt: row.created_at,
    renewedAt: row.renewed_at,
    revokedAt: row.revoked_at
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Opens (creating and migrating when needed) the database in `dataDir` on THIS thread. */
export function openSqliteCore(dataDir: string, options: SqliteOpenOptions = {}): SqliteStoreCore {
  fs.mkdirSync(dataDir, { recursive: true })
  const nativeBinding = options.nativeBinding
  const db = new Database(path.join(dataDir, DATABASE_FILE_NAME), nativeBinding ? { nativeBinding } : undefined)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`)
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  // Appends touch pages all over the per-user log index; a larger cache and memory-mapped reads keep them hot.
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`)
  db.pragma(`mmap_size = ${MMAP_BYTES}`)
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`)
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`)
  migrate(db)

  const begin = db.prepare('BEGIN IMMEDIATE')
  const commit = db.prepare('COMMIT')
  const rollback = db.prepare('ROLLBACK')

  const insertUser = db.prepare(
    'INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING'
  )
  const selectUser = db.prepare<[string], { name: string; password_hash: string }>(
    'SELECT name, password_hash FROM users WHERE name = ?'
  )
  const selectHead = db.prepare<[string], { head: number | null }>('SELECT MAX(seq) AS head FROM user_log WHERE user = ?')
  const selectOldest = db.prepare<[string], { oldest_seq: number }>('SELECT oldest_seq FROM log_trims WHERE user = ?')
  const userExists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM users WHERE name = ?')
  const findMessage = db.prepare<[string, Buffer], MessageColumns>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.sender = ? AND m.client_id = ?`
  )
  const insertMessage = db.prepare<[string, Buffer, string, number, number, Buffer, number, number]>(
    `INSERT INTO messages (sender, client_id, recipient, chat_type, ts, body, sender_seq, recipient_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sender, client_id) DO NOTHING`
  )
  const insertMessageEntry = db.prepare<[string, number, string, number, number, number, number]>(
    `INSERT INTO user_log (user, seq, conversation, chat_type, kind, server_id, outgoing, at)
     VALUES (?, ?, ?, ?, ${KIND_MESSAGE}, ?, ?, ?)`
  )
  const insertReadPointerEntry = db.prepare<[string, number, string, number, number, number]>(
    `INSERT INTO user_log (user, seq, conversation, chat_type, kind, read_seq, at)
     VALUES (?, ?, ?, ?, ${KIND_READ_POINTER}, ?, ?)`
  )
  const insertUserEventEntry = db.prepare<[string, number, string, number, number, Buffer, number]>(
    `INSERT INTO user_log (user, seq, conversation, chat_type, kind, payload, at) VALUES (?, ?, ?, ?, ?, ?, ?)`
  )
  // Keeps the conversation summary current in the same transaction: newest message entry and unread count.
  const touchConversation = db.prepare<[string, string, number, number, number]>(
    `INSERT INTO conversations (user, conversation, chat_type, last_message_seq, unread) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (user, conversation, chat_type)
     DO UPDATE SET last_message_seq = excluded.last_message_seq, unread = unread + excluded.unread`
  )
  const logAfter = db.prepare<[string, number, number], LogRow>(
    `SELECT ${LOG_COLUMNS} FROM user_log l LEFT JOIN messages m ON m.server_id = l.server_id
     WHERE l.user = ? AND l.seq > ? ORDER BY l.seq ASC LIMIT ?`
  )
  const conversationBefore = db.prepare<[string, string, number, number], LogRow>(
    `SELECT ${LOG_COLUMNS} FROM user_log l JOIN messages m ON m.server_id = l.server_id
     WHERE l.user = ? AND l.conversation = ? AND l.kind = ${KIND_MESSAGE} AND l.seq < ? ORDER BY l.seq DESC LIMIT ?`
  )
  const selectConversation = db.prepare<[string, string, number], { read_seq: number }>(
    'SELECT read_seq FROM conversations WHERE user = ? AND conversation = ? AND chat_type = ?'
  )
  const countUnread = db.prepare<[string, string, number, number], { unread: number }>(
    `SELECT COUNT(*) AS unread FROM user_log WHERE user = ? AND conversation = ? AND kind = ${KIND_MESSAGE}
     AND chat_type = ? AND seq > ? AND outgoing = 0`
  )
  const storeReadPointer = db.prepare<[string, string, number, number, number]>(
    `INSERT INTO conversations (user, conversation, chat_type, read_seq, unread) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (user, conversation, chat_type) DO UPDATE SET read_seq = excluded.read_seq, unread = excluded.unread`
  )
  const recentPage = db.prepare<
    [string, number, number],
    LogRow & { summary_conversation: string; summary_chat_type: number; summary_read_seq: number; unread: number }
  >(
    `SELECT c.conversation AS summary_conversation, c.chat_type AS summary_chat_type, c.read_seq AS summary_read_seq,
            c.unread, ${LOG_COLUMNS}
     FROM conversations c
     JOIN user_log l ON l.user = c.user AND l.seq = c.last_message_seq
     LEFT JOIN messages m ON m.server_id = l.server_id
     WHERE c.user = ? AND c.last_message_seq > 0 AND c.last_message_seq < ?
     ORDER BY c.last_message_seq DESC LIMIT ?`
  )
  const usersAfter = db.prepare<[string, number], { user: string }>(
    'SELECT DISTINCT user FROM conversations WHERE user > ? ORDER BY user LIMIT ?'
  )
  const trimScan = db.prepare<[string, number, number], TrimScanRow>(
    'SELECT seq, conversation, kind, server_id, at FROM user_log WHERE user = ? AND seq > ? ORDER BY seq LIMIT ?'
  )
  const newestPageStart = db.prepare<[string, string, number], { seq: number }>(
    `SELECT seq FROM user_log WHERE user = ? AND conversation = ? AND kind = ${KIND_MESSAGE}
     ORDER BY seq DESC LIMIT 1 OFFSET ?`
  )
  const deleteEntry = db.prepare<[string, number]>('DELETE FROM user_log WHERE user = ? AND seq = ?')
  const recordTrim = db.prepare<[string, number]>(
    `INSERT INTO log_trims (user, oldest_seq) VALUES (?, ?)
     ON CONFLICT (user) DO UPDATE SET oldest_seq = MAX(oldest_seq, excluded.oldest_seq)`
  )
  const messageRefs = db.prepare<[number], { sender: string; sender_seq: number; recipient: string; recipient_seq: number | null }>(
    'SELECT sender, sender_seq, recipient, recipient_seq FROM messages WHERE server_id = ?'
  )
  const entryExists = db.prepare<[string, number], { one: number }>('SELECT 1 AS one FROM user_log WHERE user = ? AND seq = ?')
  const deleteMessage = db.prepare<[number]>('DELETE FROM messages WHERE server_id = ?')

  const selectSecret = db.prepare<[string], { value: Buffer }>('SELECT value FROM secrets WHERE name = ?')
  const insertSecret = db.prepare<[string, Buffer, number]>(
    'INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING'
  )

  const insertSession = db.prepare<[string, string, string | null, number, number, number | null]>(
    `INSERT INTO device_sessions (session_id, user, device_id, created_at, renewed_at, revoked_at)
     VALUES (?, ?, ?, ?, ?, ?)`
  )
  const insertToken = db.prepare<[string, string, number, number | null]>(
    'INSERT INTO tokens (token_hash, session_id, expires_at, rotated_at) VALUES (?, ?, ?, ?)'
  )
  const selectToken = db.prepare<[string], SessionColumns & TokenColumns>(
    `SELECT t.token_hash, t.expires_at, t.rotated_at, t.first_used_at, t.successor_hash,
            s.session_id, s.user, s.device_id, s.created_at, s.renewed_at, s.revoked_at
     FROM tokens t JOIN device_sessions s ON s.session_id = t.session_id WHERE t.token_hash = ?`
  )
  const bindDevice = db.prepare<[string, string]>(
    'UPDATE device_sessions SET device_id = ? WHERE session_id = ? AND device_id IS NULL'
  )
  const selectSessionDevice = db.prepare<[string], { device_id: string | null }>(
    'SELECT device_id FROM device_sessions WHERE session_id = ?'
  )
  // Rotating a token is a use of it (the connection renewing holds it).
  const markRotated = db.prepare<[number, string, number, string, string]>(
    `UPDATE tokens SET rotated_at = ?, successor_hash = ?, first_used_at = COALESCE(first_used_at, ?)
     WHERE token_hash = ? AND session_id = ? AND rotated_at IS NULL`
  )
  const markUsed = db.prepare<[number, string]>(
    'UPDATE tokens SET first_used_at = COALESCE(first_used_at, ?) WHERE token_hash = ? AND rotated_at IS NULL'
  )
  const retireToken = db.prepare<[number, string, string]>(
    'UPDATE tokens SET rotated_at = ?, successor_hash = ? WHERE token_hash = ?'
  )
  const makeCurrent = db.prepare<[number, number, string]>(
    `UPDATE tokens SET rotated_at = NULL, successor_hash = NULL, first_used_at = COALESCE(first_used_at, ?), expires_at = ?
     WHERE token_hash = ?`
  )
  const markRenewed = db.prepare<[number, string]>('UPDATE device_sessions SET renewed_at = ? WHERE session_id = ?')
  const markRevoked = db.prepare<[number, string]>(
    'UPDATE device_sessions SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL'
  )
  const liveSessionsOf = db.prepare<[string], { session_id: string }>(
    'SELECT session_id FROM device_sessions WHERE user = ? AND revoked_at IS NULL'
  )

  const pruneAttempts = db.prepare<[number]>('DELETE FROM attempts WHERE expires_at <= ?')
  const attemptsInWindow = db.prepare<[string, number], { count: number; previous_at: number | null }>(
    'SELECT COUNT(*) AS count, MAX(at) AS previous_at FROM attempts WHERE key = ? AND at > ?'
  )
  const insertAttempt = db.prepare<[string, number, number]>('INSERT INTO attempts (key, at, expires_at) VALUES (?, ?, ?)')
  const deleteAttempts = db.prepare<[string]>('DELETE FROM attempts WHERE key = ?')

  const deleteExpiredTokens = db.prepare<[number, number], { session_id: string }>(
    `DELETE FROM tokens WHERE token_hash IN (SELECT token_hash FROM tokens WHERE expires_at < ? ORDER BY expires_at LIMIT ?)
     RETURNING session_id`
  )
  // A session is found only through its tokens: once the last one is gone, nothing can reach (or revive) it.
  const deleteSessionWithoutTokens = db.prepare<[string, string]>(
    'DELETE FROM device_sessions WHERE session_id = ? AND NOT EXISTS (SELECT 1 FROM tokens WHERE session_id = ?)'
  )
  const deleteExpiredAttempts = db.prepare<[number, number]>(
    'DELETE FROM attempts WHERE rowid IN (SELECT rowid FROM attempts WHERE expires_at <= ? LIMIT ?)'
  )
  const countAuthRows = db.prepare<[], { tokens: number; device_sessions: number; attempts: number }>(
    `SELECT (SELECT COUNT(*) FROM tokens) AS tokens, (SELECT COUNT(*) FROM device_sessions) AS device_sessions,
            (SELECT COUNT(*) FROM attempts) AS attempts`
  )

  /** Runs `work` in one IMMEDIATE transaction (the write lock is taken up front, so sequences read inside hold). */
  const inTransaction = <T>(work: () => T): T => db.transaction(work).immediate()

  // Diagnostics for the benchmark: what the writer connection really runs with, and how commits behave.
  const commitMs = new Float64Array(COMMIT_SAMPLES)
  let commits = 0
  let committedMessages = 0

  /**
   * Each user's newest committed log sequence, so an append does not look up MAX(seq) for each party it is the
   * first in its transaction to touch (measured ~5 us of worker CPU per lookup, 1.3 to 2 lookups per message under
   * load). Only this connection writes the logs: commitGroups records the heads it committed, setReadPointer drops
   * its user's entry; retention never removes a head. A rolled-back transaction records nothing.
   */
  const committedHeads = new Map<string, number>()
  const headOf = (user: string): number => {
    const cached = committedHeads.get(user)
    if (cached !== undefined) return cached
    const head = selectHead.get(user)?.head ?? 0
    if (committedHeads.size >= HEAD_CACHE_USERS) committedHeads.clear()
    committedHeads.set(user, head)
    return head
  }

  /** What one transaction changes in the conversation summaries, applied once per row at its end. */
  interface SummaryChange {
    user: string
    conversation: string
    chatType: number
    lastSeq: number
    unreadAdded: number
  }
  const noteSummary = (
    changes: Map<string, SummaryChange>,
    user: string,
    conversation: string,
    chatType: number,
    seq: number,
    unread: number
  ): void => {
    const key = `${user}\u0000${conversation}\u0000${chatType}`
    const change = changes.get(key)
    if (change) {
      change.lastSeq = seq
      change.unreadAdded += unread
    } else {
      changes.set(key, { user, conversation, chatType, lastSeq: seq, unreadAdded: unread })
    }
  }

  /**
   * One message inside an open transaction; `heads` holds the sequences handed out in this transaction and
   * `summaries` collects the conversation rows to update (a busy conversation is written once per commit).
   */
  const appendOne = (input: NewMessage, heads: Map<string, number>, summaries: Map<string, SummaryChange>): AppendResult => {
    // A group message is stored once, in the group's log, by the groups domain (decided there in this transaction).
    if (input.chatType === CHAT_TYPE_GROUP) {
      if (!hooks.appendGroupMessage) throw new Error('No groups domain is open to store a group message.')
      return hooks.appendGroupMessage(input)
    }
    const clientId = asBuffer(input.clientId)
    const selfMessage = input.sender === input.recipient
    const senderSeq = (heads.get(input.sender) ?? headOf(input.sender)) + 1
    const recipientSeq = selfMessage ? senderSeq : (heads.get(input.recipient) ?? headOf(input.recipient)) + 1
    const body = asBuffer(input.body)
    // The unique (sender, client_id) index makes the insert itself the de-duplication check: no row = a resend,
    // and the sequences above were not used.
    const inserted = insertMessage.run(
      input.sender, clientId, input.recipient, input.chatType, input.timestamp, body, senderSeq, recipientSeq
    )
    if (inserted.changes === 0) {
      const existing = findMessage.get(input.sender, clientId)
      if (!existing) throw new Error('A message insert conflicted but the original is missing.')
      return { message: toMessage(existing), duplicate: true, recipientSeq: null }
    }
    heads.set(input.sender, senderSeq)
    heads.set(input.recipient, recipientSeq)
    const serverId = Number(inserted.lastInsertRowid)
    insertMessageEntry.run(input.sender, senderSeq, input.recipient, input.chatType, serverId, 1, input.timestamp)
    noteSummary(summaries, input.sender, input.recipient, input.chatType, senderSeq, 0)
    if (!selfMessage) {
      insertMessageEntry.run(input.recipient, recipientSeq, input.sender, input.chatType, serverId, 0, input.timestamp)
      noteSummary(summaries, input.recipient, input.sender, input.chatType, recipientSeq, 1)
    }
    return {
      message: storedMessageFrom(input, serverId, senderSeq),
      duplicate: false,
      recipientSeq
    }
  }

  /** What the domain modules plug into the append path and read pointers (filled in when they open). */
  const hooks: SqliteDomainHooks = {}

  /** One transaction over all groups, its COMMIT (the fsync) timed; throws after rolling back. */
  const commitGroups = (groups: readonly (readonly NewMessage[])[]): AppendResult[][] => {
    const heads = new Map<string, number>()
    const summaries = new Map<string, SummaryChange>()
    begin.run()
    let results: AppendResult[][]
    try {
      results = groups.map((group) => group.map((input) => appendOne(input, heads, summaries)))
      for (const change of summaries.values()) {
        touchConversation.run(change.user, change.conversation, change.chatType, change.lastSeq, change.unreadAdded)
      }
    } catch (err) {
      if (db.inTransaction) rollback.run()
      hooks.transactionRolledBack?.()
      throw err
    }
    const started = performance.now()
    commit.run()
    commitMs[commits % COMMIT_SAMPLES] = performance.now() - started
    for (const [user, head] of heads) committedHeads.set(user, head)
    hooks.transactionCommitted?.()
    commits++
    for (const group of groups) committedMessages += group.length
    return results
  }

  const firstPageKeepFrom = (user: string, conversation: string): number =>
    newestPageStart.get(user, conversation, KEPT_NEWEST_PER_CONVERSATION - 1)?.seq ?? 0

  /** Deletes a trimmed message once neither party's log refers to it any more. */
  const dropUnreferencedMessage = (serverId: number): void => {
    const refs = messageRefs.get(serverId)
    if (!refs) return
    if (entryExists.get(refs.sender, refs.sender_seq)) return
    if (refs.recipient_seq !== null && entryExists.get(refs.recipient, refs.recipient_seq)) return
    deleteMessage.run(serverId)
  }

  /** Trims one user's log inside the caller's transaction; returns the number of entries dropped. */
  const trimUser = (user: string, before: number): number => {
    const head = headOf(user)
    const keepFrom = new Map<string, number>()
    const droppedMessages: number[] = []
    let dropped = 0
    let newestDropped = 0
    let after = 0
    let scanning = true
    while (scanning) {
      const rows = trimScan.all(user, after, TRIM_SCAN_ROWS)
      scanning = rows.length === TRIM_SCAN_ROWS
      for (const row of rows) {
        // Entries are appended in time order, so the first one inside the retention window ends the scan.
        if (row.at >= before) {
          scanning = false
          break
        }
        after = row.seq
        // The head stays: sequences continue from MAX(seq), so the newest entry is never removed.
        if (row.seq >= head) continue
        let keep = keepFrom.get(row.conversation)
        if (keep === undefined) {
          keep = firstPageKeepFrom(user, row.conversation)
          keepFrom.set(row.conversation, keep)
        }
        if (keep === 0 || row.seq >= keep) continue
        deleteEntry.run(user, row.seq)
        dropped++
        newestDropped = row.seq
        if (row.kind === KIND_MESSAGE && row.server_id !== null) droppedMessages.push(row.server_id)
      }
    }
    if (newestDropped > 0) recordTrim.run(user, newestDropped + 1)
    for (const serverId of droppedMessages) dropUnreferencedMessage(serverId)
    return dropped
  }

  const trimStep = (before: number, afterUser: string): { dropped: number; lastUser: string | null } => {
    const users = usersAfter.all(afterUser, TRIM_USERS_PER_STEP)
    // A step that deletes nothing writes no WAL frame, so its COMMIT costs no fsync.
    const dropped = inTransaction(() => users.reduce((sum, { user }) => sum + trimUser(user, before), 0))
    return { dropped, lastUser: users.length === TRIM_USERS_PER_STEP ? (users.at(-1)?.user ?? null) : null }
  }

  const authRowCounts = (): AuthRowCounts => {
    const row = countAuthRows.get()
    return { tokens: row?.tokens ?? 0, deviceSessions: row?.device_sessions ?? 0, attempts: row?.attempts ?? 0 }
  }

  const pruneAuthStep = (tokensExpiredBefore: number, now: number): AuthPruneResult & { done: boolean } =>
    inTransaction(() => {
      const deletedTokens = deleteExpiredTokens.all(tokensExpiredBefore, AUTH_PRUNE_ROWS_PER_STEP)
      const tokens = deletedTokens.length
      let deviceSessions = 0
      for (const sessionId of new Set(deletedTokens.map((row) => row.session_id))) {
        deviceSessions += deleteSessionWithoutTokens.run(sessionId, sessionId).changes
      }
      const attempts = deleteExpiredAttempts.run(now, AUTH_PRUNE_ROWS_PER_STEP).changes
      return { tokens, deviceSessions, attempts, done: tokens < AUTH_PRUNE_ROWS_PER_STEP && attempts < AUTH_PRUNE_ROWS_PER_STEP }
    })

  /** Appends an event entry to `user`'s log inside the caller's transaction (or its own); returns its seq. */
  const appendUserEvent = (user: string, event: UserEvent, at: number): number =>
    inTransaction(() => {
      const seq = headOf(user) + 1
      insertUserEventEntry.run(user, seq, event.conversation, event.chatType, USER_EVENT_KINDS[event.kind], asBuffer(event.payload), at)
      // The head moved (and this transaction may still roll back): the next headOf reads it again.
      committedHeads.delete(user)
      return seq
    })

  const domainContext: SqliteDomainContext = { db, inTransaction, appendUserEvent, headOf, hooks }
  const domains = openSqliteDomains(domainContext)
  return {
    ...domains,
    appendUserEvent,
    createUser(name, passwordHash, createdAt) {
      return insertUser.run(name, passwordHash, createdAt).changes === 1 ? 'created' : 'exists'
    },
    getUser(name): StoredUser | null {
      const row = selectUser.get(name)
      return row ? { name: row.name, passwordHash: row.password_hash, headSeq: headOf(row.name) } : null
    },
    existingUsers(names) {
      return new Set(names.filter((name) => userExists.get(name) !== undefined))
    },
    appendGroups(groups) {
      try {
        return commitGroups(groups).map((results) => ({ ok: true as const, results }))
      } catch (err) {
        if (groups.length === 1) return [{ ok: false as const, error: errorText(err) }]
      }
      // One caller's batch broke the shared transaction: give every caller its own, so only that one fails.
      return groups.map((group) => {
        try {
          return { ok: true as const, results: commitGroups([group])[0] as AppendResult[] }
        } catch (err) {
          return { ok: false as const, error: errorText(err) }
        }
      })
    },
    readLogAfter(user, afterSeq, limit) {
      return logAfter.all(user, afterSeq, limit).map(toEntry)
    },
    readConversation(user, conversation, beforeSeq, limit) {
      return conversationBefore.all(user, conversation, beforeSeq > 0 ? beforeSeq : NEWEST_SEQ, limit).map(toEntry)
    },
    headSeq(user) {
      return headOf(user)
    },
    oldestSeq(user) {
      return selectOldest.get(user)?.oldest_seq ?? 1
    },
    trimLogs(before) {
      let dropped = 0
      let step = trimStep(before, '')
      dropped += step.dropped
      while (step.lastUser !== null) {
        step = trimStep(before, step.lastUser)
        dropped += step.dropped
      }
      return dropped
    },
    trimStep,
    setReadPointer(user, pointer: ReadPointerEntry) {
      return inTransaction(() => {
        const head = headOf(user)
        const current = selectConversation.get(user, pointer.conversation, pointer.chatType)?.read_seq ?? 0
        // A group pointer is a position in the group's log, so the group's head bounds it.
        const group = pointer.chatType === CHAT_TYPE_GROUP
        const bound = group ? (hooks.groupHead?.(pointer.conversation) ?? 0) : head
        // A device cannot have read past the end of the log: a pointer from the future would hide later messages.
        const target = Math.min(Math.max(0, Math.floor(pointer.seq)), bound)
        if (target <= current) return { seq: current, eventSeq: 0 }
        const eventSeq = head + 1
        insertReadPointerEntry.run(user, eventSeq, pointer.conversation, pointer.chatType, target, Date.now())
        // The head moved (and this transaction may still roll back): the next headOf reads it again.
        committedHeads.delete(user)
        const unread = group
          ? (hooks.countGroupUnread?.(user, pointer.conversation, target) ?? 0)
          : (countUnread.get(user, pointer.conversation, pointer.chatType, target)?.unread ?? 0)
        storeReadPointer.run(user, pointer.conversation, pointer.chatType, target, unread)
        return { seq: target, eventSeq }
      })
    },
    recentConversations(user, after: RecentCursor | null, limit): ConversationSummaryRow[] {
      return recentPage.all(user, after ? after.lastSeq : NEWEST_SEQ, limit).map((row) => ({
        conversation: row.summary_conversation,
        chatType: row.summary_chat_type,
        last: toEntry(row),
        readSeq: row.summary_read_seq,
        unread: row.unread
      }))
    },
    readSecret(name) {
      const row = selectSecret.get(name)
      return row ? new Uint8Array(row.value) : null
    },
    insertSecretIfAbsent(name, value) {
      return inTransaction(() => {
        insertSecret.run(name, asBuffer(value), Date.now())
        return new Uint8Array((selectSecret.get(name) as { value: Buffer }).value)
      })
    },
    createDeviceSession(session, token) {
      inTransaction(() => {
        insertSession.run(
          session.sessionId, session.user, session.deviceId, session.createdAt, session.renewedAt, session.revokedAt
        )
        insertToken.run(token.tokenHash, session.sessionId, token.expiresAt, token.rotatedAt)
      })
    },
    findToken(tokenHash) {
      const row = selectToken.get(tokenHash)
      if (!row) return null
      return { token: toStoredToken(row), session: toSession(row) }
    },
    bindSessionDevice(sessionId, deviceId) {
      if (bindDevice.run(deviceId, sessionId).changes === 1) return true
      return selectSessionDevice.get(sessionId)?.device_id === deviceId
    },
    rotateToken(sessionId, oldHash, next: TokenRow, now) {
      return inTransaction(() => {
        if (markRotated.run(now, next.tokenHash, now, oldHash, sessionId).changes === 0) return 'stale' as const
        insertToken.run(next.tokenHash, sessionId, next.expiresAt, next.rotatedAt)
        markRenewed.run(now, sessionId)
        return 'rotated' as const
      })
    },
    markTokenUsed(tokenHash, now) {
      return markUsed.run(now, tokenHash).changes === 1
    },
    reinstateToken(sessionId, oldHash, now) {
      return inTransaction(() => {
        const old = selectToken.get(oldHash)
        if (!old || old.session_id !== sessionId || old.revoked_at !== null) return null
        // Already current: the same device presented it twice at once and the other presentation reinstated it.
        if (old.rotated_at === null) return toStoredToken(old)
        if (old.successor_hash === null) return null
        const successor = selectToken.get(old.successor_hash)
        if (!successor || successor.session_id !== sessionId) return null
        if (successor.rotated_at !== null || successor.first_used_at !== null) return null
        retireToken.run(now, oldHash, successor.token_hash)
        makeCurrent.run(now, Math.max(old.expires_at, successor.expires_at), oldHash)
        const reinstated = selectToken.get(oldHash)
        return reinstated ? toStoredToken(reinstated) : null
      })
    },
    revokeSession(sessionId, now) {
      markRevoked.run(now, sessionId)
    },
    revokeUserSessions(user, now, keep) {
      return inTransaction(() => {
        const revoked: string[] = []
        for (const { session_id: sessionId } of liveSessionsOf.all(user)) {
          if (sessionId === keep) continue
          markRevoked.run(now, sessionId)
          revoked.push(sessionId)
        }
        return revoked
      })
    },
    countAttempt(key, now, windowMs): AttemptCount {
      return inTransaction(() => {
        pruneAttempts.run(now)
        const row = attemptsInWindow.get(key, now - windowMs)
        insertAttempt.run(key, now, now + windowMs)
        return { count: (row?.count ?? 0) + 1, previousAt: row?.previous_at ?? null }
      })
    },
    resetAttempts(key) {
      deleteAttempts.run(key)
    },
    pruneAuthStep,
    pruneAuth(tokensExpiredBefore, now) {
      const total: AuthPruneResult = { tokens: 0, deviceSessions: 0, attempts: 0 }
      for (;;) {
        const step = pruneAuthStep(tokensExpiredBefore, now)
        total.tokens += step.tokens
        total.deviceSessions += step.deviceSessions
        total.attempts += step.attempts
        if (step.done) return total
      }
    },
    stats(): StoreStats {
      const mode = db.pragma('synchronous', { simple: true }) as number
      const samples = Array.from(commitMs.subarray(0, Math.min(commits, COMMIT_SAMPLES))).sort((a, b) => a - b)
      return {
        synchronous: SYNCHRONOUS_NAMES[mode] ?? 'NORMAL',
        fsyncP50Ms: samples.length > 0 ? Number((samples[Math.floor(samples.length / 2)] as number).toFixed(3)) : 0,
        commitP99Ms: samples.length > 0 ? Number((samples[Math.floor(samples.length * 0.99)] as number).toFixed(3)) : 0,
        commitMaxMs: samples.length > 0 ? Number((samples[samples.length - 1] as number).toFixed(3)) : 0,
        messagesPerCommit: commits > 0 ? Number((committedMessages / commits).toFixed(2)) : 0,
        commits,
        authRows: authRowCounts()
      }
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
