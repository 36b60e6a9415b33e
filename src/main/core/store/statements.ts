// Every SQL statement the roaming store runs, prepared once per connection. Keeping them together makes the
// query plans reviewable in one place (all reads below are index lookups or keyset range scans).
import type { Database, Statement } from 'better-sqlite3'
import { CONVERSATION_COLUMNS, INSERT_COLUMNS, MESSAGE_COLUMN_NAMES as MESSAGE_COLUMN_LIST, MESSAGE_COLUMNS, type ConversationRow, type MessageParams, type MessageRow } from './rows'
import type { ChatType } from '../../../shared/model'

const CURSOR_KEY = 'cursor'
/** sync_state keys `history_gap:<chat type>:<conversation id>`: where a conversation's local history may have a hole. */
export const HISTORY_GAP_PREFIX = 'history_gap:'

export interface ConversationState {
  chat_type: string
  id: string
  last_message_id: string | null
  last_seq: number | null
  last_timestamp: number | null
  read_seq: number
  unread_through_seq: number
}

/** A conversations row on its own (RETURNING of the upsert). */
export interface ConversationFields {
  chat_type: string
  id: string
  last_message_id: string | null
  unread_count: number
  read_seq: number
  draft: string | null
  updated_at: number
}

/** The columns the read-pointer logic works with. */
export interface ReadState {
  read_seq: number
  read_seq_synced: number
  unread_count: number
  unread_through_seq: number
  last_seq: number | null
}

export interface AckParams {
  id: string
  server_id: number
  seq: number
  timestamp: number
  /** Null: the key search-text.ts searchKey derives; a free key when another message holds that one. */
  search_key: bigint | null
}

/** A row to update plus its search key (null: derived, as in AckParams). */
export type KeyedMessageRow = MessageRow & { search_key: bigint | null }

export interface QuarantineRow {
  seq: number
  raw: Buffer | null
  reason: string
  quarantined_at: number
}

export interface SummaryReadState {
  chat_type: string
  id: string
  read_seq: number
  unread_count: number
  through_seq: number
}

/** (chat_type, id) as bound parameters, in that order: every conversation statement takes the key this way. */
export type KeyParams = [string, string]

/** SQLite's limit on bound values per statement (SQLITE_MAX_VARIABLE_NUMBER, 32,766 since 3.32). */
const MAX_BOUND_VALUES = 32_766
/**
 * Rows per multi-row INSERT of a sync batch: as many as the bound-value limit allows (15 columns: 2,184 rows), so
 * a sync batch (syncer.ts STORE_APPLY_CHUNK, 1,000) is ONE statement. FTS5 flushes its pending terms to a new
 * index segment at each statement's savepoint: per-row statements cost about half of a sync insert, 100-row
 * chunks ~15% (measured), and every extra segment is merged again later.
 */
export const INSERT_CHUNK_ROWS = Math.floor(MAX_BOUND_VALUES / (MESSAGE_COLUMN_LIST.length + 1))
/** Prepared multi-row INSERTs kept, by row count (sync batches mostly share one size; the last one differs). */
const INSERT_STATEMENTS_KEPT = 8

export interface StoreStatements {
  insertMessage: Statement<MessageParams>
  /** `INSERT ... VALUES (row 1), ..., (row n) ON CONFLICT DO NOTHING`, bound with pushMessageValues rows. */
  insertMessageRows(rows: number): Statement<unknown[]>
  /** The highest local_order so far: rows inserted after this read have a higher one (INTEGER PRIMARY KEY). */
  lastLocalOrder: Statement<[], { last: number | null }>
  /** Ids of the rows with local_order above the bound, in insertion order. */
  idsInsertedAfter: Statement<[number], { id: string }>
  updateAck: Statement<KeyedMessageRow>
  updateAckAndContent: Statement<KeyedMessageRow>
  updateContent: Statement<[string, string | null, string, string]>
  messageById: Statement<[string], MessageRow>
  /** The message holding a search key, if any (a search key is unique: messages_by_search_key). */
  searchKeyHolder: Statement<[bigint], { id: string }>
  markSent: Statement<AckParams, MessageRow>
  markFailed: Statement<[string, string], MessageRow>
  markSending: Statement<[string], MessageRow>
  addSendFailingTime: Statement<[number, string], { send_failing_ms: number }>
  pendingOutbox: Statement<[], MessageRow>
  pageAcked: Statement<[string, string, number, number], MessageRow>
  pageUnacked: Statement<KeyParams, MessageRow>
  /** Acked messages after a seq, oldest first (a window opened far back pages towards the newest). */
  pageAckedAfter: Statement<[string, string, number, number], MessageRow>
  unsupportedMessages: Statement<[], MessageRow>
  conversationStates: Statement<[string], ConversationState>
  upsertConversations: Statement<[string], ConversationFields>
  ensureConversation: Statement<[string, string, number]>
  conversationByKey: Statement<KeyParams, ConversationRow>
  listConversations: Statement<[], ConversationRow>
  listFirstConversations: Statement<[number], ConversationRow>
  listConversationKeys: Statement<[], { chat_type: ChatType; id: string }>
  readState: Statement<KeyParams, ReadState>
  countIncomingBetween: Statement<[string, string, number, number], { n: number }>
  setReadPointer: Statement<[number, number, number, string, string]>
  setSummaryReadState: Statement<SummaryReadState>
  pendingReadPointers: Statement<[], { chat_type: string; id: string; read_seq: number }>
  markReadPointerSynced: Statement<[number, string, string]>
  setDraft: Statement<[string | null, string, string]>
  getDraft: Statement<KeyParams, { draft: string | null }>
  insertUnknownEvent: Statement<[number, Buffer, number]>
  unknownEvents: Statement<[], { seq: number; raw: Buffer }>
  deleteUnknownEvent: Statement<[number]>
  quarantine: Statement<[number, Buffer | null, string, number]>
  quarantinedList: Statement<[number], QuarantineRow>
  quarantinedCount: Statement<[], { n: number }>
  termsContaining: Statement<[string, number], { term: string }>
  listWords: Statement<[string]>
  getCursor: Statement<[], { value: number }>
  historyGaps: Statement<[], { key: string; value: number }>
  /** Raises a conversation's gap mark (never lowers it: a later start may only widen the unknown range). */
  raiseHistoryGap: Statement<[string, number]>
  setHistoryGap: Statement<[string, number]>
  clearHistoryGap: Statement<[string]>
  advanceCursor: Statement<[number]>
}

/**
 * The search key of a row on update: the one given (a free key probed after a collision, see search-keys.ts
 * withFreeSearchKey), else as SQL derives it (the same function as search-text.ts, registered).
 */
const SEARCH_KEY_SQL = 'coalesce(@search_key, parley_search_key(@timestamp, @seq, @id))'

export function prepareStatements(db: Database): StoreStatements {
  const named = [...MESSAGE_COLUMN_LIST, 'search_key'].map((column) => `@${column}`).join(', ')
  const conversationJoin = 'FROM conversations c LEFT JOIN messages m ON m.id = c.last_message_id'
  const placeholders = `(${[...MESSAGE_COLUMN_LIST, 'search_key'].map(() => '?').join(', ')})`
  const insertRowsBySize = new Map<number, Statement<unknown[]>>()
  const byKey = 'chat_type = ? AND id = ?'
  return {
    /** Inserts unless the id exists; `changes` says which happened (triggers do not count). */
    insertMessage: db.prepare<MessageParams>(
      `INSERT INTO messages (${INSERT_COLUMNS}) VALUES (${named}) ON CONFLICT (id) DO NOTHING`
    ),
    /**
     * Rows are inserted in the order given, so local_order follows the batch. No RETURNING: it buffers and hands
     * back every row (~5-15% of the statement, measured); `changes` and idsInsertedAfter say which are new.
     */
    insertMessageRows(rows) {
      let statement = insertRowsBySize.get(rows)
      if (statement === undefined) {
        statement = db.prepare<unknown[]>(
          `INSERT INTO messages (${INSERT_COLUMNS}) VALUES ${Array(rows).fill(placeholders).join(', ')}
           ON CONFLICT (id) DO NOTHING`
        )
        // Forget the oldest size (Map keeps insertion order); finalized when garbage-collected.
        if (insertRowsBySize.size >= INSERT_STATEMENTS_KEPT) insertRowsBySize.delete(insertRowsBySize.keys().next().value!)
        insertRowsBySize.set(rows, statement)
      }
      return statement
    },
    lastLocalOrder: db.prepare<[], { last: number | null }>(`SELECT max(local_order) AS last FROM messages`),
    idsInsertedAfter: db.prepare<[number], { id: string }>(
      `SELECT id FROM messages WHERE local_order > ? ORDER BY local_order`
    ),
    /** Overwrites what the server decides about a message; its identity (conversation, parties) never changes. */
    updateAck: db.prepare<KeyedMessageRow>(
      `UPDATE messages SET server_id = @server_id, seq = @seq, timestamp = @timestamp, status = @status, error = @error,
         expires_at = @expires_at, burn_sec = @burn_sec, search_key = ${SEARCH_KEY_SQL}
       WHERE id = @id`
    ),
    /** The same plus new content: only this statement (and updateContent) touches `text`, so only they re-index. */
    updateAckAndContent: db.prepare<KeyedMessageRow>(
      `UPDATE messages SET server_id = @server_id, seq = @seq, timestamp = @timestamp, status = @status, error = @error,
         type = @type, body = @body, text = @text, expires_at = @expires_at, burn_sec = @burn_sec,
         search_key = ${SEARCH_KEY_SQL}
       WHERE id = @id`
    ),
    /** New content for a stored message (a newer decoder read its raw bytes): type, body, text by id. */
    updateContent: db.prepare<[string, string | null, string, string]>(
      `UPDATE messages SET type = ?, body = ?, text = ? WHERE id = ?`
    ),
    messageById: db.prepare<[string], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`),
    searchKeyHolder: db.prepare<[bigint], { id: string }>(`SELECT id FROM messages WHERE search_key = ?`),

    markSent: db.prepare<AckParams, MessageRow>(
      `UPDATE messages SET server_id = @server_id, seq = @seq, timestamp = @timestamp, status = 'sent', error = NULL,
         search_key = ${SEARCH_KEY_SQL}
       WHERE id = @id RETURNING ${MESSAGE_COLUMNS}`
    ),
    /** Only an unacked message can fail or be retried: a late timeout must not undo an ack. */
    markFailed: db.prepare<[string, string], MessageRow>(
      `UPDATE messages SET status = 'failed', error = ?
       WHERE id = ? AND status IN ('sending', 'failed') RETURNING ${MESSAGE_COLUMNS}`
    ),
    markSending: db.prepare<[string], MessageRow>(
      `UPDATE messages SET status = 'sending', error = NULL, send_failing_ms = 0
       WHERE id = ? AND status IN ('sending', 'failed') RETURNING ${MESSAGE_COLUMNS}`
    ),
    /** [ms, id]: adds to the failing time of a message still sending and returns the total. */
    addSendFailingTime: db.prepare<[number, string], { send_failing_ms: number }>(
      `UPDATE messages SET send_failing_ms = send_failing_ms + ? WHERE id = ? AND status = 'sending'
       RETURNING send_failing_ms`
    ),
    pendingOutbox: db.prepare<[], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE status = 'sending' ORDER BY local_order`
    ),

    pageAcked: db.prepare<[string, string, number, number], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE chat_type = ? AND conversation_id = ? AND seq < ?
       ORDER BY seq DESC LIMIT ?`
    ),
    /** seq IS NULL is a range at the front of the (chat_type, conversation_id, seq) index, already in rowid order. */
    pageUnacked: db.prepare<KeyParams, MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE chat_type = ? AND conversation_id = ? AND seq IS NULL
       ORDER BY local_order`
    ),
    pageAckedAfter: db.prepare<[string, string, number, number], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE chat_type = ? AND conversation_id = ? AND seq > ?
       ORDER BY seq LIMIT ?`
    ),
    unsupportedMessages: db.prepare<[], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE type = 'unsupported' ORDER BY local_order`
    ),

    /** The current state of each conversation named in a JSON array of [chat_type, id] keys. */
    conversationStates: db.prepare<[string], ConversationState>(
      `SELECT c.chat_type, c.id, c.last_message_id, m.seq AS last_seq, m.timestamp AS last_timestamp, c.read_seq,
              c.unread_through_seq
       ${conversationJoin}
       WHERE (c.chat_type, c.id) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))`
    ),
    /**
     * Upserts a batch's conversations given as a JSON array of [chat_type, id, last_message_id, unread_delta,
     * updated_at] (one bound string: the count varies per batch, so no multi-row VALUES). The last message and
     * the unread delta were decided by the caller; activity time only moves forward.
     */
    upsertConversations: db.prepare<[string], ConversationFields>(
      `INSERT INTO conversations (chat_type, id, last_message_id, unread_count, updated_at)
       SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?) WHERE true
       ON CONFLICT (chat_type, id) DO UPDATE SET
         last_message_id = excluded.last_message_id,
         unread_count = unread_count + excluded.unread_count,
         updated_at = max(updated_at, excluded.updated_at)
       RETURNING chat_type, id, last_message_id, unread_count, read_seq, draft, updated_at`
    ),
    /** A conversation row with no messages yet (a read pointer or a draft arrived first). */
    ensureConversation: db.prepare<[string, string, number]>(
      `INSERT INTO conversations (chat_type, id, updated_at) VALUES (?, ?, ?) ON CONFLICT (chat_type, id) DO NOTHING`
    ),
    conversationByKey: db.prepare<KeyParams, ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} ${conversationJoin} WHERE c.chat_type = ? AND c.id = ?`
    ),
    /** Rows with neither a message nor a draft (only a read pointer so far) are not shown. */
    listConversations: db.prepare<[], ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} ${conversationJoin}
       WHERE c.last_message_id IS NOT NULL OR c.draft IS NOT NULL
       ORDER BY c.updated_at DESC, c.chat_type, c.id`
    ),
    /** The list above as keys only (the back-fill walks it often; it needs no row). */
    listConversationKeys: db.prepare<[], { chat_type: ChatType; id: string }>(
      `SELECT c.chat_type, c.id FROM conversations c
       WHERE c.last_message_id IS NOT NULL OR c.draft IS NOT NULL
       ORDER BY c.updated_at DESC, c.chat_type, c.id`
    ),
    /** The newest rows of the list above, in its order. */
    listFirstConversations: db.prepare<[number], ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} ${conversationJoin}
       WHERE c.last_message_id IS NOT NULL OR c.draft IS NOT NULL
       ORDER BY c.updated_at DESC, c.chat_type, c.id LIMIT ?`
    ),

    readState: db.prepare<KeyParams, ReadState>(
      `SELECT c.read_seq, c.read_seq_synced, c.unread_count, c.unread_through_seq, m.seq AS last_seq
       ${conversationJoin} WHERE c.chat_type = ? AND c.id = ?`
    ),
    /** Incoming messages with after < seq <= upto: a range of the keyset index. */
    countIncomingBetween: db.prepare<[string, string, number, number], { n: number }>(
      `SELECT count(*) AS n FROM messages
       WHERE chat_type = ? AND conversation_id = ? AND seq > ? AND seq <= ? AND direction = 'in'`
    ),
    /** [read_seq, unread_count, synced_at_least, chat_type, id]: the pointer and the count derived from it. */
    setReadPointer: db.prepare<[number, number, number, string, string]>(
      `UPDATE conversations SET read_seq = ?, unread_count = ?, read_seq_synced = max(read_seq_synced, ?)
       WHERE ${byKey}`
    ),
    /** A server summary: its pointer (confirmed, so also synced), its unread count and the range it covers. */
    setSummaryReadState: db.prepare<SummaryReadState>(
      `UPDATE conversations SET read_seq = @read_seq, read_seq_synced = max(read_seq_synced, @read_seq),
         unread_count = @unread_count, unread_through_seq = max(unread_through_seq, @through_seq)
       WHERE chat_type = @chat_type AND id = @id`
    ),
    pendingReadPointers: db.prepare<[], { chat_type: string; id: string; read_seq: number }>(
      `SELECT chat_type, id, read_seq FROM conversations WHERE read_seq > read_seq_synced ORDER BY chat_type, id`
    ),
    markReadPointerSynced: db.prepare<[number, string, string]>(
      `UPDATE conversations SET read_seq_synced = max(read_seq_synced, ?) WHERE ${byKey}`
    ),
    setDraft: db.prepare<[string | null, string, string]>(`UPDATE conversations SET draft = ? WHERE ${byKey}`),
    getDraft: db.prepare<KeyParams, { draft: string | null }>(`SELECT draft FROM conversations WHERE ${byKey}`),

    insertUnknownEvent: db.prepare<[number, Buffer, number]>(
      `INSERT INTO unknown_events (seq, raw, received_at) VALUES (?, ?, ?) ON CONFLICT (seq) DO NOTHING`
    ),
    unknownEvents: db.prepare<[], { seq: number; raw: Buffer }>(`SELECT seq, raw FROM unknown_events ORDER BY seq`),
    deleteUnknownEvent: db.prepare<[number]>(`DELETE FROM unknown_events WHERE seq = ?`),
    /** The same event quarantined again keeps its first bytes but takes the newest reason and time. */
    quarantine: db.prepare<[number, Buffer | null, string, number]>(
      `INSERT INTO quarantined_events (seq, raw, reason, quarantined_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (seq) DO UPDATE SET raw = coalesce(raw, excluded.raw), reason = excluded.reason,
         quarantined_at = excluded.quarantined_at`
    ),
    quarantinedList: db.prepare<[number], QuarantineRow>(
      `SELECT seq, raw, reason, quarantined_at FROM quarantined_events ORDER BY seq DESC LIMIT ?`
    ),
    quarantinedCount: db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM quarantined_events`),

    /** Words that contain a query word (a trigram MATCH over the distinct words, never over all messages). */
    termsContaining: db.prepare<[string, number], { term: string }>(
      `SELECT t.term FROM search_terms_fts f JOIN search_terms t ON t.id = f.rowid WHERE search_terms_fts MATCH ? LIMIT ?`
    ),

    /** Adds the words of a JSON array that are not listed yet. */
    listWords: db.prepare<[string]>(
      `INSERT INTO search_terms (term) SELECT value FROM json_each(?) WHERE true ON CONFLICT (term) DO NOTHING`
    ),

    getCursor: db.prepare<[], { value: number }>(`SELECT value FROM sync_state WHERE key = '${CURSOR_KEY}'`),
    historyGaps: db.prepare<[], { key: string; value: number }>(
      `SELECT key, value FROM sync_state WHERE key >= '${HISTORY_GAP_PREFIX}' AND key < '${HISTORY_GAP_PREFIX}\uffff'`
    ),
    raiseHistoryGap: db.prepare<[string, number]>(
      `INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`
    ),
    setHistoryGap: db.prepare<[string, number]>(
      `INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`
    ),
    clearHistoryGap: db.prepare<[string]>(`DELETE FROM sync_state WHERE key = ?`),
    /** The cursor only moves forward, whatever order batches are applied in. */
    advanceCursor: db.prepare<[number]>(
      `INSERT INTO sync_state (key, value) VALUES ('${CURSOR_KEY}', ?)
       ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`
    )
  }
}
