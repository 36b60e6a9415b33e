// SqliteMessageStore: the MessageStore contract over one better-sqlite3 connection (outbox, sync batches,
// keyset pages, full-text search, conversation list). Synchronous SQLite behind an async interface.
import type { Database } from 'better-sqlite3'
import type { ChatMessage, Conversation, ConversationKey, MessagePage } from '../../../shared/model'
import { createLogger } from '../../../shared/logger'
import { ConversationUpdates } from './conversation-updates'
import { StoreError, toStoreError } from './errors'
import { messageToParams, pushMessageValues, rowToConversation, rowToMessage, sameStoredMessage, storedMessage, type MessageParams } from './rows'
import { toFtsQuery } from './search-query'
import { INSERT_CHUNK_ROWS, prepareStatements, type StoreStatements } from './statements'
import type { ApplyEventsResult, ConversationSummary, MarkReadResult, MessageStore, QuarantinedEvent, ReadPointer, SendAckFields, SyncBatchExtras } from './types'
import { checkId, checkLimit, checkMessage, checkSafeInteger } from './validate'

const log = createLogger('core:store')

/** Largest page a caller may ask for; the UI asks for ~50. */
const MAX_PAGE_SIZE = 1_000
const MAX_SEARCH_RESULTS = 500
/** Bound used for "newest page": every real seq is below it. */
const NO_SEQ_BOUND = Number.MAX_SAFE_INTEGER

// TEMPORARY stub while the implementation lands (H4, issue 5).
function notImplemented(): StoreError {
  return new StoreError('STORE_FAILED', 'not implemented')
}

function missingConversation(id: string): StoreError {
  return new StoreError('STORE_FAILED', `Conversation ${id} could not be written.`)
}

export class SqliteMessageStore implements MessageStore {
  private readonly statements: StoreStatements
  private closed = false

  constructor(
    private readonly db: Database,
    readonly path: string
  ) {
    this.statements = prepareStatements(db)
  }

  async addOutgoing(message: ChatMessage): Promise<void> {
    this.guard('Could not save the message to send', () => {
      checkMessage(message)
      // The outbox entry is unacked by definition, whatever the caller filled in.
      const params: MessageParams = { ...messageToParams(message), status: 'sending', seq: null, server_id: null, error: null }
      this.db.transaction(() => {
        if (this.statements.insertMessage.run(params).changes === 0) return // already stored: idempotent
        const updates = new ConversationUpdates()
        updates.add(rowToMessage(params), false)
        updates.apply(this.statements, missingConversation)
      })()
    })
  }

  async markSent(id: string, ack: SendAckFields): Promise<ChatMessage | null> {
    return this.guard('Could not record that the message was sent', () => {
      checkId(id, 'message id')
      const row = this.statements.markSent.get({
        id,
        server_id: checkSafeInteger(ack?.serverId, 'server id'),
        seq: checkSafeInteger(ack?.seq, 'sequence'),
        timestamp: checkSafeInteger(ack?.timestamp, 'timestamp')
      })
      return row ? rowToMessage(row) : null
    })
  }

  async markFailed(id: string, error: string): Promise<ChatMessage | null> {
    return this.guard('Could not record that the message failed', () => {
      checkId(id, 'message id')
      if (typeof error !== 'string') throw new StoreError('STORE_BAD_ARGUMENT', 'The failure reason must be a sentence.')
      const row = this.statements.markFailed.get(error, id) ?? this.statements.messageById.get(id)
      return row ? rowToMessage(row) : null
    })
  }

  async markSending(id: string): Promise<ChatMessage | null> {
    return this.guard('Could not retry the message', () => {
      checkId(id, 'message id')
      const row = this.statements.markSending.get(id) ?? this.statements.messageById.get(id)
      return row ? rowToMessage(row) : null
    })
  }

  async pendingOutbox(): Promise<ChatMessage[]> {
    return this.guard('Could not read the messages waiting to be sent', () =>
      this.statements.pendingOutbox.all().map(rowToMessage)
    )
  }

  async applyEvents(
    messages: ChatMessage[],
    cursor: number,
    activeConversation: ConversationKey | null = null,
    _extras: SyncBatchExtras = {}
  ): Promise<ApplyEventsResult> {
    const activeConversationId = activeConversation?.id ?? null
    return this.guard('Could not save the received messages', () => {
      if (!Array.isArray(messages)) throw new StoreError('STORE_BAD_ARGUMENT', 'The messages to apply must be a list.')
      messages.forEach(checkMessage)
      checkSafeInteger(cursor, 'sync cursor')
      return this.db.transaction(() => {
        const batch = messages.map(messageToParams)
        const inserted = this.insertBatch(batch)
        const changed: ChatMessage[] = []
        const updates = new ConversationUpdates()
        for (const [index, params] of batch.entries()) {
          if (inserted.has(index)) {
            const stored = storedMessage(messages[index]!)
            updates.add(stored, params.direction === 'in' && params.conversation_id !== activeConversationId)
            changed.push(stored)
            continue
          }
          const updated = this.upsertExisting(params)
          if (updated) {
            const stored = rowToMessage(updated)
            updates.add(stored, false)
            changed.push(stored)
          }
        }
        const conversations = updates.apply(this.statements, missingConversation)
        this.statements.advanceCursor.run(cursor)
        return { messages: changed, conversations, quarantined: [] }
      })()
    })
  }

  async getCursor(): Promise<number> {
    return this.guard('Could not read the sync position', () => this.statements.getCursor.get()?.value ?? 0)
  }

  async getMessage(id: string): Promise<ChatMessage | null> {
    return this.guard('Could not read the message', () => {
      const row = this.statements.messageById.get(checkId(id, 'message id'))
      return row ? rowToMessage(row) : null
    })
  }

  async page(key: ConversationKey, beforeSeq: number | null, limit: number): Promise<MessagePage> {
    return this.guard('Could not load the conversation history', () => {
      const conversationId = checkId(key?.id, 'conversation id')
      const bound = beforeSeq === null ? NO_SEQ_BOUND : checkSafeInteger(beforeSeq, 'page position')
      const size = checkLimit(limit, MAX_PAGE_SIZE)
      // One row beyond the page tells whether older history exists, without a COUNT or OFFSET.
      const newestFirst = this.statements.pageAcked.all(conversationId, bound, size + 1)
      const hasMore = newestFirst.length > size
      const acked = newestFirst.slice(0, size).reverse().map(rowToMessage)
      if (beforeSeq !== null) return { messages: acked, hasMore }
      const unacked = this.statements.pageUnacked.all(conversationId).map(rowToMessage)
      return { messages: [...acked, ...unacked], hasMore }
    })
  }

  async search(query: string, limit: number): Promise<ChatMessage[]> {
    return this.guard('Could not search the messages', () => {
      if (typeof query !== 'string') throw new StoreError('STORE_BAD_ARGUMENT', 'The search text must be a string.')
      const size = checkLimit(limit, MAX_SEARCH_RESULTS)
      const match = toFtsQuery(query)
      if (match === null) return []
      return this.statements.search.all(match, size).map(rowToMessage)
    })
  }

  async listConversations(): Promise<Conversation[]> {
    return this.guard('Could not load the conversation list', () =>
      this.statements.listConversations.all().map(rowToConversation)
    )
  }

  async getConversation(key: ConversationKey): Promise<Conversation | null> {
    return this.guard('Could not load the conversation', () => {
      const row = this.statements.conversationById.get(checkId(key?.id, 'conversation id'))
      return row ? rowToConversation(row) : null
    })
  }

  async markRead(key: ConversationKey, _uptoSeq?: number): Promise<MarkReadResult | null> {
    return this.guard('Could not mark the conversation as read', () => {
      const conversationId = checkId(key?.id, 'conversation id')
      this.statements.markRead.run(conversationId)
      const row = this.statements.conversationById.get(conversationId)
      return row ? { conversation: rowToConversation(row), readSeq: 0, moved: true } : null
    })
  }

  async applyConversationSummaries(_summaries: ConversationSummary[], _cursor: number): Promise<Conversation[]> {
    throw notImplemented()
  }

  async applyReadPointer(_key: ConversationKey, _seq: number): Promise<Conversation | null> {
    throw notImplemented()
  }

  async pendingReadPointers(): Promise<ReadPointer[]> {
    throw notImplemented()
  }

  async markReadPointerSynced(_key: ConversationKey, _seq: number): Promise<void> {
    throw notImplemented()
  }

  async setDraft(_key: ConversationKey, _text: string | null): Promise<Conversation | null> {
    throw notImplemented()
  }

  async getDraft(_key: ConversationKey): Promise<string | null> {
    throw notImplemented()
  }

  async reinterpretUnsupported(_decode: (raw: Uint8Array) => ChatMessage | null): Promise<ChatMessage[]> {
    throw notImplemented()
  }

  async quarantineEvent(_seq: number, _raw: Uint8Array | null, _reason: string): Promise<void> {
    throw notImplemented()
  }

  async quarantined(_limit?: number): Promise<{ count: number; events: QuarantinedEvent[] }> {
    throw notImplemented()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    try {
      this.db.close()
    } catch (err) {
      throw toStoreError(err, 'Could not close the message database')
    }
  }

  /**
   * Insert the batch's new messages, INSERT_CHUNK_ROWS rows per statement. Returns the positions in `batch`
   * that were inserted; the others already existed (or repeat an id earlier in the batch).
   */
  private insertBatch(batch: MessageParams[]): Set<number> {
    const newIds = new Set<string>()
    for (let start = 0; start < batch.length; start += INSERT_CHUNK_ROWS) {
      const end = Math.min(batch.length, start + INSERT_CHUNK_ROWS)
      const values: unknown[] = []
      for (let index = start; index < end; index++) pushMessageValues(values, batch[index]!)
      for (const row of this.statements.insertMessageRows(end - start).all(values)) newIds.add(row.id)
    }
    const positions = new Set<number>()
    for (const [index, params] of batch.entries()) {
      // The first occurrence of an id is the one the ordered INSERT ... SELECT stored.
      if (newIds.delete(params.id)) positions.add(index)
    }
    return positions
  }

  /**
   * A message with this id exists: take the server's view of it (ack fields, status, content) but keep its
   * identity. Returns the stored row when something changed, null for an exact duplicate.
   */
  private upsertExisting(incoming: MessageParams): MessageParams | null {
    const existing = this.statements.messageById.get(incoming.id)
    if (!existing) return null
    const merged: MessageParams = {
      ...existing,
      // A log entry always carries these; never let a partial entry turn an acked message back to unacked.
      server_id: incoming.server_id ?? existing.server_id,
      seq: incoming.seq ?? existing.seq,
      timestamp: incoming.timestamp,
      status: incoming.status,
      error: incoming.error,
      type: incoming.type,
      body: incoming.body,
      text: incoming.text
    }
    if (sameStoredMessage(merged, existing)) return null
    const contentChanged = merged.body !== existing.body || merged.type !== existing.type || merged.text !== existing.text
    const update = contentChanged ? this.statements.updateAckAndContent : this.statements.updateAck
    update.run(merged)
    return merged
  }

  /** Runs one operation: refuses after close, and turns any failure into a StoreError with `action` as its sentence. */
  private guard<T>(action: string, operation: () => T): T {
    if (this.closed) throw new StoreError('STORE_CLOSED', `${action}: the message database is already closed.`)
    try {
      return operation()
    } catch (err) {
      const error = toStoreError(err, action)
      if (error.code !== 'STORE_BAD_ARGUMENT') log.warn(error.message, { code: error.code })
      throw error
    }
  }
}
