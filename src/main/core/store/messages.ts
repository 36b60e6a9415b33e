// Owns the messages table: checking a message a caller hands in, storing batches of them (insert or update by id,
// their conversations and the active read pointer with them), and reading them back by id or keyset page.
import type { ChatMessage, Conversation, ConversationKey, MessagePage, MessageWindow } from '../../../shared/model'
import { createLogger } from '../../../shared/logger'
import { ConversationUpdates } from './conversation-updates'
import { NO_SEQ_BOUND, type Conversations } from './conversations'
import { StoreError } from './errors'
import {
  canonicalMessage,
  messageToParams,
  pushMessageValues,
  rowToMessage,
  sameStoredMessage,
  storedMessage,
  type MessageParams,
  type MessageRow
} from './rows'
import { freeSearchKey, isSearchKeyConflict, withFreeSearchKey } from './search-keys'
import { searchKey } from './search-text'
import { INSERT_CHUNK_ROWS } from './statements'
import { missingConversation, type StoreContext } from './store-context'
import { checkId, checkKey, checkLimit, checkMessage, checkSafeInteger } from './validate'

const log = createLogger('core:store')

/** Largest page a caller may ask for; the UI asks for ~50. */
const MAX_PAGE_SIZE = 1_000

/**
 * The batch's rows in ascending search key order (the search indexes' rowid), so history fetched newest first
 * (back-fill pages) reaches the indexes in rowid order. FTS5 buffers a transaction's index entries and flushes
 * them as a new segment whenever a rowid is not above the previous one: a page stored newest first made one small
 * segment per row, and back-fill stored ~14,000 rows/s instead of ~19,000 (bench:store at 100,000 messages, 30%
 * back-filled, on a busy machine). A batch that repeats an id keeps its order: the first
 * occurrence must be the one stored (insertBatch).
 */
function inSearchKeyOrder(batch: MessageParams[]): MessageParams[] {
  let ascending = true
  for (let i = 1; i < batch.length && ascending; i++) if (batch[i]!.search_key <= batch[i - 1]!.search_key) ascending = false
  if (ascending) return batch
  if (new Set(batch.map((params) => params.id)).size !== batch.length) return batch
  return [...batch].sort((a, b) => (a.search_key < b.search_key ? -1 : a.search_key > b.search_key ? 1 : 0))
}

/** Outcome of validating one message of a batch: the canonical message, or why it was refused. */
export type Checked = { message: ChatMessage } | { reason: string; seq: number }

export class Messages {
  constructor(
    private readonly context: StoreContext,
    private readonly conversations: Conversations
  ) {}

  get(id: string): ChatMessage | null {
    const row = this.context.statements.messageById.get(checkId(id, 'message id'))
    return row ? rowToMessage(row) : null
  }

  page(key: ConversationKey, beforeSeq: number | null, limit: number): MessagePage {
    const { statements } = this.context
    const { type, id } = checkKey(key)
    const bound = beforeSeq === null ? NO_SEQ_BOUND : checkSafeInteger(beforeSeq, 'page position')
    const size = checkLimit(limit, MAX_PAGE_SIZE)
    // One row beyond the page tells whether older history exists, without a COUNT or OFFSET.
    const newestFirst = statements.pageAcked.all(type, id, bound, size + 1)
    const hasMore = newestFirst.length > size
    const acked = newestFirst.slice(0, size).reverse().map(rowToMessage)
    if (beforeSeq !== null) return { messages: acked, hasMore }
    const unacked = statements.pageUnacked.all(type, id).map(rowToMessage)
    return { messages: [...acked, ...unacked], hasMore }
  }

  /**
   * The page of `key` around message `messageId`: up to `limit` messages with it in the middle (about half older,
   * half newer), oldest first. A message not yet acked (no seq) is on the newest page. Null when the message is
   * not in that conversation.
   */
  around(key: ConversationKey, messageId: string, limit: number): MessageWindow | null {
    const { statements } = this.context
    const { type, id } = checkKey(key)
    const size = checkLimit(limit, MAX_PAGE_SIZE)
    const target = statements.messageById.get(checkId(messageId, 'message id'))
    if (!target || target.chat_type !== type || target.conversation_id !== id) return null
    if (target.seq === null) return { ...this.page(key, null, size), hasNewer: false }
    const newerWanted = Math.floor((size - 1) / 2)
    // One row beyond each side tells whether more exists there.
    const newer = statements.pageAckedAfter.all(type, id, target.seq, newerWanted + 1)
    const hasNewer = newer.length > newerWanted || statements.pageUnacked.all(type, id).length > 0
    const olderWanted = size - Math.min(newer.length, newerWanted)
    const olderFirst = statements.pageAcked.all(type, id, target.seq + 1, olderWanted + 1)
    const hasMore = olderFirst.length > olderWanted
    const older = olderFirst.slice(0, olderWanted).reverse()
    return { messages: [...older, ...newer.slice(0, newerWanted)].map(rowToMessage), hasMore, hasNewer }
  }

  /**
   * Messages newer than `afterSeq`, oldest first: the next page of a window opened far back. The last page
   * (hasNewer false) also has this device's unacked messages, as the newest page does.
   */
  after(key: ConversationKey, afterSeq: number, limit: number): MessageWindow {
    const { statements } = this.context
    const { type, id } = checkKey(key)
    const bound = checkSafeInteger(afterSeq, 'page position')
    const size = checkLimit(limit, MAX_PAGE_SIZE)
    const rows = statements.pageAckedAfter.all(type, id, bound, size + 1)
    const hasNewer = rows.length > size
    const messages = rows.slice(0, size).map(rowToMessage)
    if (!hasNewer) messages.push(...statements.pageUnacked.all(type, id).map(rowToMessage))
    return { messages, hasMore: true, hasNewer }
  }

  /** The canonical form of a message a caller hands in, or STORE_BAD_ARGUMENT with the reason. */
  canonicalOrRefuse(message: ChatMessage): ChatMessage {
    checkMessage(message)
    const canonical = canonicalMessage(message)
    if (canonical === null) {
      throw new StoreError('STORE_BAD_ARGUMENT', `Message ${message.id} names a sender or recipient that is not a valid user id.`)
    }
    return canonical
  }

  /** A batch entry: canonical and valid, or the sentence saying why it is put aside. */
  checkForBatch(message: ChatMessage): Checked {
    try {
      return { message: this.canonicalOrRefuse(message) }
    } catch (err) {
      if (!(err instanceof StoreError)) throw err
      const seq = typeof message === 'object' && message !== null && Number.isSafeInteger(message.seq) ? message.seq! : 0
      return { reason: err.message, seq }
    }
  }

  /** Why `message` cannot be stored, or null when it can. */
  refusal(message: ChatMessage): string | null {
    const checked = this.checkForBatch(message)
    return 'message' in checked ? null : checked.reason
  }

  /**
   * Insert or update `messages` (valid, canonical) inside the caller's transaction and update their
   * conversations; in `active` (the conversation on screen) the read pointer follows the new messages.
   */
  store(messages: ChatMessage[], active: ConversationKey | null): { changed: ChatMessage[]; conversations: Conversation[] } {
    const batch = messages.map(messageToParams)
    const inserted = this.insertBatch(batch)
    const changed: ChatMessage[] = []
    const updates = new ConversationUpdates()
    for (const [index, params] of batch.entries()) {
      if (inserted.has(index)) {
        const stored = storedMessage(messages[index]!)
        updates.add(stored, true)
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
    const activeSeq = active === null ? 0 : updates.newestIncomingSeq(active)
    const conversations = updates.apply(this.context.statements, missingConversation).map(this.context.describe)
    if (active !== null && activeSeq > 0) {
      const moved = this.conversations.advanceReadPointer(active, activeSeq, false)
      if (moved) {
        const index = conversations.findIndex((c) => c.chatType === active.type && c.id === active.id)
        if (index >= 0) conversations[index] = moved
      }
    }
    return { changed, conversations }
  }

  /**
   * Insert the batch's new messages, INSERT_CHUNK_ROWS rows per statement. Returns the positions in `batch`
   * that were inserted; the others already existed (or repeat an id earlier in the batch).
   */
  private insertBatch(batch: MessageParams[]): Set<number> {
    const { statements } = this.context
    const lastBefore = statements.lastLocalOrder.get()?.last ?? 0
    const ordered = inSearchKeyOrder(batch)
    let inserted = 0
    for (let start = 0; start < ordered.length; start += INSERT_CHUNK_ROWS) {
      const end = Math.min(ordered.length, start + INSERT_CHUNK_ROWS)
      inserted += this.insertChunk(ordered.slice(start, end))
    }
    // Words of every text in the batch (an existing message's text is already listed: harmless).
    this.context.listWords(batch.map((params) => params.text))
    const positions = new Set<number>()
    // Every row went in (the usual sync batch): no id repeated or already stored.
    if (inserted === batch.length) {
      for (let index = 0; index < batch.length; index++) positions.add(index)
      return positions
    }
    const newIds = new Set<string>()
    if (inserted > 0) for (const row of statements.idsInsertedAfter.all(lastBefore)) newIds.add(row.id)
    for (const [index, params] of batch.entries()) {
      // The first occurrence of an id is the one the ordered INSERT stored.
      if (newIds.delete(params.id)) positions.add(index)
    }
    return positions
  }

  /**
   * One multi-row INSERT. When a row's search key is held by another message (stored, or earlier in the chunk:
   * rare, see search-text.ts searchKey), the statement is undone as a whole and runs again with every row of the
   * chunk on a free key, so no message is refused and no batch is stuck on it.
   */
  private insertChunk(rows: MessageParams[]): number {
    const { statements } = this.context
    const run = (): number => {
      const values: unknown[] = []
      for (const row of rows) pushMessageValues(values, row)
      return statements.insertMessageRows(rows.length).run(values).changes
    }
    try {
      return run()
    } catch (err) {
      if (!isSearchKeyConflict(err)) throw err
    }
    const claimed = new Map<bigint, string>()
    for (const row of rows) {
      row.search_key = freeSearchKey(statements, row.search_key, row.id, claimed)
      claimed.set(row.search_key, row.id)
    }
    log.info('search keys collided in a sync batch; the messages took the next free keys', { rows: rows.length })
    return run()
  }

  /**
   * A message with this id exists: take the server's view of it (ack fields, status, content) but keep its
   * identity. Returns the stored row when something changed, null for an exact duplicate.
   */
  private upsertExisting(incoming: MessageParams): MessageRow | null {
    const { statements } = this.context
    const existing = statements.messageById.get(incoming.id)
    if (!existing) return null
    const merged: MessageRow = {
      ...existing,
      // A log entry always carries these; never let a partial entry turn an acked message back to unacked.
      server_id: incoming.server_id ?? existing.server_id,
      seq: incoming.seq ?? existing.seq,
      timestamp: incoming.timestamp,
      status: incoming.status,
      error: incoming.error,
      type: incoming.type,
      body: incoming.body,
      text: incoming.text,
      // A timer the server started (burn after reading) stays when an older copy of the message comes again.
      expires_at: incoming.expires_at ?? existing.expires_at,
      burn_sec: incoming.burn_sec ?? existing.burn_sec
    }
    if (sameStoredMessage(merged, existing)) return null
    const contentChanged = merged.body !== existing.body || merged.type !== existing.type || merged.text !== existing.text
    const update = contentChanged ? statements.updateAckAndContent : statements.updateAck
    withFreeSearchKey(statements, searchKey(merged.timestamp, merged.seq, merged.id), merged.id, (key) =>
      update.run({ ...merged, search_key: key })
    )
    if (contentChanged) this.context.listWords([merged.text])
    return merged
  }
}
