// Every SQL statement the roaming store runs, prepared once per connection. Keeping them together makes the
// query plans reviewable in one place (all reads below are index lookups or keyset range scans).
import type { Database, Statement } from 'better-sqlite3'
import { CONVERSATION_COLUMNS, MESSAGE_COLUMN_NAMES, MESSAGE_COLUMNS, messageColumnsOf, type ConversationRow, type MessageParams, type MessageRow } from './rows'

const CURSOR_KEY = 'cursor'

export interface ConversationState {
  id: string
  last_message_id: string | null
  last_seq: number | null
  last_timestamp: number | null
}

/** A conversations row on its own (RETURNING of the upsert). */
export interface ConversationFields {
  id: string
  chat_type: string
  last_message_id: string | null
  unread_count: number
  updated_at: number
}

export interface AckParams {
  id: string
  server_id: number
  seq: number
  timestamp: number
}

/**
 * Rows per multi-row INSERT of a sync batch: 14 columns x 1,000 rows = 14,000 bound values, below SQLite's
 * 32,766, so a whole sync batch is ONE statement. FTS5 flushes its pending terms to a new index segment at each
 * statement's savepoint: per-row statements cost about half of a sync insert, 100-row chunks ~15% (measured).
 */
export const INSERT_CHUNK_ROWS = 1_000
/** Prepared multi-row INSERTs kept, by row count (sync batches mostly share one size; the last one differs). */
const INSERT_STATEMENTS_KEPT = 8

export interface StoreStatements {
  insertMessage: Statement<MessageParams>
  /** `INSERT ... VALUES (row 1), ..., (row n) ON CONFLICT DO NOTHING RETURNING id`, bound with messageValues rows. */
  insertMessageRows(rows: number): Statement<unknown[], { id: string }>
  updateAck: Statement<MessageParams>
  updateAckAndContent: Statement<MessageParams>
  messageById: Statement<[string], MessageRow>
  markSent: Statement<AckParams, MessageRow>
  markFailed: Statement<[string, string], MessageRow>
  markSending: Statement<[string], MessageRow>
  pendingOutbox: Statement<[], MessageRow>
  pageAcked: Statement<[string, number, number], MessageRow>
  pageUnacked: Statement<[string], MessageRow>
  search: Statement<[string, number], MessageRow>
  conversationStates: Statement<[string], ConversationState>
  upsertConversations: Statement<[string], ConversationFields>
  conversationById: Statement<[string], ConversationRow>
  listConversations: Statement<[], ConversationRow>
  markRead: Statement<[string]>
  getCursor: Statement<[], { value: number }>
  advanceCursor: Statement<[number]>
}

export function prepareStatements(db: Database): StoreStatements {
  const named = MESSAGE_COLUMN_NAMES.map((column) => `@${column}`).join(', ')
  const conversationJoin = 'FROM conversations c LEFT JOIN messages m ON m.id = c.last_message_id'
  const placeholders = `(${MESSAGE_COLUMN_NAMES.map(() => '?').join(', ')})`
  const insertRowsBySize = new Map<number, Statement<unknown[], { id: string }>>()
  return {
    /** Inserts unless the id exists; `changes` says which happened (triggers do not count). */
    insertMessage: db.prepare<MessageParams>(
      `INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (${named}) ON CONFLICT (id) DO NOTHING`
    ),
    /** Rows are inserted in the order given, so local_order follows the batch; RETURNING names the new ones. */
    insertMessageRows(rows) {
      let statement = insertRowsBySize.get(rows)
      if (statement === undefined) {
        statement = db.prepare<unknown[], { id: string }>(
          `INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES ${Array(rows).fill(placeholders).join(', ')}
           ON CONFLICT (id) DO NOTHING RETURNING id`
        )
        // Forget the oldest size (Map keeps insertion order); finalized when garbage-collected.
        if (insertRowsBySize.size >= INSERT_STATEMENTS_KEPT) insertRowsBySize.delete(insertRowsBySize.keys().next().value!)
        insertRowsBySize.set(rows, statement)
      }
      return statement
    },
    /** Overwrites what the server decides about a message; its identity (conversation, parties) never changes. */
    updateAck: db.prepare<MessageParams>(
      `UPDATE messages SET server_id = @server_id, seq = @seq, timestamp = @timestamp, status = @status, error = @error
       WHERE id = @id`
    ),
    /** The same plus new content: only this statement touches `text`, so only it re-indexes the message. */
    updateAckAndContent: db.prepare<MessageParams>(
      `UPDATE messages SET server_id = @server_id, seq = @seq, timestamp = @timestamp, status = @status, error = @error,
         type = @type, body = @body, text = @text
       WHERE id = @id`
    ),
    messageById: db.prepare<[string], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`),

    markSent: db.prepare<AckParams, MessageRow>(
      `UPDATE messages SET server_id = @server_id, seq = @seq, timestamp = @timestamp, status = 'sent', error = NULL
       WHERE id = @id RETURNING ${MESSAGE_COLUMNS}`
    ),
    /** Only an unacked message can fail or be retried: a late timeout must not undo an ack. */
    markFailed: db.prepare<[string, string], MessageRow>(
      `UPDATE messages SET status = 'failed', error = ?
       WHERE id = ? AND status IN ('sending', 'failed') RETURNING ${MESSAGE_COLUMNS}`
    ),
    markSending: db.prepare<[string], MessageRow>(
      `UPDATE messages SET status = 'sending', error = NULL
       WHERE id = ? AND status IN ('sending', 'failed') RETURNING ${MESSAGE_COLUMNS}`
    ),
    pendingOutbox: db.prepare<[], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE status = 'sending' ORDER BY local_order`
    ),

    pageAcked: db.prepare<[string, number, number], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`
    ),
    /** seq IS NULL is a range at the front of the (conversation_id, seq) index, already in rowid order. */
    pageUnacked: db.prepare<[string], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq IS NULL ORDER BY local_order`
    ),
    search: db.prepare<[string, number], MessageRow>(
      `SELECT ${messageColumnsOf('m')} FROM messages_fts f JOIN messages m ON m.local_order = f.rowid
       WHERE messages_fts MATCH ? ORDER BY m.timestamp DESC, m.local_order DESC LIMIT ?`
    ),

    /** The current last message of each conversation named in a JSON array of ids. */
    conversationStates: db.prepare<[string], ConversationState>(
      `SELECT c.id, c.last_message_id, m.seq AS last_seq, m.timestamp AS last_timestamp ${conversationJoin}
       WHERE c.id IN (SELECT value FROM json_each(?))`
    ),
    /**
     * Upserts a batch's conversations given as a JSON array of [id, chat_type, last_message_id, unread_delta,
     * updated_at] (one bound string: the count varies per batch, so no multi-row VALUES). The last message was
     * decided by the caller; unread adds up and activity time only moves forward.
     */
    upsertConversations: db.prepare<[string], ConversationFields>(
      `INSERT INTO conversations (id, chat_type, last_message_id, unread_count, updated_at)
       SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?) WHERE true
       ON CONFLICT (id) DO UPDATE SET
         last_message_id = excluded.last_message_id,
         unread_count = unread_count + excluded.unread_count,
         updated_at = max(updated_at, excluded.updated_at)
       RETURNING id, chat_type, last_message_id, unread_count, updated_at`
    ),
    conversationById: db.prepare<[string], ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} ${conversationJoin} WHERE c.id = ?`),
    listConversations: db.prepare<[], ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} ${conversationJoin} ORDER BY c.updated_at DESC, c.id`
    ),
    markRead: db.prepare<[string]>(`UPDATE conversations SET unread_count = 0 WHERE id = ?`),

    getCursor: db.prepare<[], { value: number }>(`SELECT value FROM sync_state WHERE key = '${CURSOR_KEY}'`),
    /** The cursor only moves forward, whatever order batches are applied in. */
    advanceCursor: db.prepare<[number]>(
      `INSERT INTO sync_state (key, value) VALUES ('${CURSOR_KEY}', ?)
       ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`
    )
  }
}
