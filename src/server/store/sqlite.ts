// Owns the SQLite implementation of ServerStore: one WAL database file in the data folder, prepared statements,
// and the group-commit transaction that appends a batch of messages to the users' logs.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { migrate } from './migrations'
import type { AppendResult, LogEntry, NewMessage, ServerStore, StoredMessage, StoredUser } from './types'

export const DATABASE_FILE_NAME = 'parley-server.sqlite'
/** How long a writer waits for a lock held by another connection before failing. */
const BUSY_TIMEOUT_MS = 5_000
/** Stands in for "no upper bound" in keyset queries (all sequences stay below 2^53). */
const NEWEST_SEQ = Number.MAX_SAFE_INTEGER

interface MessageRow {
  server_id: number
  sender: string
  client_id: Buffer
  recipient: string
  chat_type: number
  ts: number
  body: Buffer
  sender_seq: number
}
interface LogRow extends MessageRow {
  seq: number
}

const MESSAGE_COLUMNS = 'm.server_id, m.sender, m.client_id, m.recipient, m.chat_type, m.ts, m.body, m.sender_seq'

function toMessage(row: MessageRow): StoredMessage {
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

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

export function openSqliteStore(dataDir: string): ServerStore {
  fs.mkdirSync(dataDir, { recursive: true })
  const db = new Database(path.join(dataDir, DATABASE_FILE_NAME))
  db.pragma('journal_mode = WAL')
  // FULL: a commit is on disk before we ack; group commit amortises the fsync over a whole batch.
  db.pragma('synchronous = FULL')
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  migrate(db)

  const insertUser = db.prepare(
    'INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING'
  )
  const selectUser = db.prepare<[string], { name: string; password_hash: string; head_seq: number }>(
    'SELECT name, password_hash, head_seq FROM users WHERE name = ?'
  )
  const userExists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM users WHERE name = ?')
  const findMessage = db.prepare<[string, Buffer], MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.sender = ? AND m.client_id = ?`
  )
  const bumpHead = db.prepare<[string], { head_seq: number }>(
    'UPDATE users SET head_seq = head_seq + 1 WHERE name = ? RETURNING head_seq'
  )
  const insertMessage = db.prepare(
    `INSERT INTO messages (sender, client_id, recipient, chat_type, ts, body, sender_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?)`
  )
  const insertLog = db.prepare('INSERT INTO user_log (user, seq, conversation, server_id) VALUES (?, ?, ?, ?)')
  const logAfter = db.prepare<[string, number, number], LogRow>(
    `SELECT l.seq, ${MESSAGE_COLUMNS} FROM user_log l JOIN messages m ON m.server_id = l.server_id
     WHERE l.user = ? AND l.seq > ? ORDER BY l.seq ASC LIMIT ?`
  )
  const conversationBefore = db.prepare<[string, string, number, number], LogRow>(
    `SELECT l.seq, ${MESSAGE_COLUMNS} FROM user_log l JOIN messages m ON m.server_id = l.server_id
     WHERE l.user = ? AND l.conversation = ? AND l.seq < ? ORDER BY l.seq DESC LIMIT ?`
  )

  const nextSeq = (user: string): number => {
    const row = bumpHead.get(user)
    if (!row) throw new Error(`Cannot append to the log of unknown user "${user}".`)
    return row.head_seq
  }

  const appendOne = (input: NewMessage): AppendResult => {
    const clientId = asBuffer(input.clientId)
    const existing = findMessage.get(input.sender, clientId)
    if (existing) return { message: toMessage(existing), duplicate: true, recipientSeq: null }
    const senderSeq = nextSeq(input.sender)
    const selfMessage = input.sender === input.recipient
    const recipientSeq = selfMessage ? senderSeq : nextSeq(input.recipient)
    const body = asBuffer(input.body)
    const info = insertMessage.run(
      input.sender, clientId, input.recipient, input.chatType, input.timestamp, body, senderSeq
    )
    const serverId = Number(info.lastInsertRowid)
    insertLog.run(input.sender, senderSeq, input.recipient, serverId)
    if (!selfMessage) insertLog.run(input.recipient, recipientSeq, input.sender, serverId)
    return {
      message: {
        serverId,
        clientId: input.clientId,
        sender: input.sender,
        recipient: input.recipient,
        chatType: input.chatType,
        timestamp: input.timestamp,
        body: input.body,
        senderSeq
      },
      duplicate: false,
      recipientSeq
    }
  }
  const appendBatch = db.transaction((inputs: readonly NewMessage[]) => inputs.map(appendOne))

  const toEntries = (rows: LogRow[]): LogEntry[] => rows.map((row) => ({ seq: row.seq, message: toMessage(row) }))

  // better-sqlite3 is synchronous: each method does its work now and hands back a settled promise.
  return {
    async createUser(name: string, passwordHash: string, createdAt: number): Promise<'created' | 'exists'> {
      return insertUser.run(name, passwordHash, createdAt).changes === 1 ? 'created' : 'exists'
    },
    async getUser(name: string): Promise<StoredUser | null> {
      const row = selectUser.get(name)
      return row ? { name: row.name, passwordHash: row.password_hash, headSeq: row.head_seq } : null
    },
    async existingUsers(names: readonly string[]): Promise<Set<string>> {
      return new Set(names.filter((name) => userExists.get(name) !== undefined))
    },
    async appendMessages(messages: readonly NewMessage[]): Promise<AppendResult[]> {
      return appendBatch(messages)
    },
    async readLogAfter(user: string, afterSeq: number, limit: number): Promise<LogEntry[]> {
      return toEntries(logAfter.all(user, afterSeq, limit))
    },
    async readConversation(user: string, conversation: string, beforeSeq: number, limit: number): Promise<LogEntry[]> {
      return toEntries(conversationBefore.all(user, conversation, beforeSeq > 0 ? beforeSeq : NEWEST_SEQ, limit))
    },
    async close(): Promise<void> {
      if (db.open) db.close()
    }
  }
}
