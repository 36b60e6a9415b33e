// SqliteMessageStore: the MessageStore contract over one better-sqlite3 connection (outbox, sync batches,
// read pointers, drafts, keyset pages, search, conversation list). Synchronous SQLite behind an async interface.
import type { Database, Statement } from 'better-sqlite3'
import type { ChatMessage, ChatType, Conversation, ConversationKey, MessagePage } from '../../../shared/model'
import { createLogger } from '../../../shared/logger'
import { ConversationUpdates, keyOf } from './conversation-updates'
import { StoreError, toStoreError } from './errors'
import {
  canonicalMessage,
  messageColumnsOf,
  MESSAGE_COLUMNS,
  messageToParams,
  pushMessageValues,
  rowToConversation,
  rowToMessage,
  sameStoredMessage,
  storedMessage,
  type ConversationRow,
  type MessageParams,
  type MessageRow
} from './rows'
import { toSearchPlan, type SearchPlan } from './search-query'
import { MAX_SEARCH_KEY, searchKey, searchWords } from './search-text'
import { HISTORY_GAP_PREFIX, INSERT_CHUNK_ROWS, prepareStatements, type StoreStatements } from './statements'
import type {
  ApplyEventsResult,
  ConversationSummary,
  MarkReadResult,
  MessageStore,
  QuarantinedEvent,
  ReadPointer,
  SendAckFields,
  SyncBatchExtras
} from './types'
import { checkBytes, checkDraft, checkId, checkKey, checkLimit, checkMessage, checkReason, checkSafeInteger } from './validate'
import { openStoreDomains } from './domains'
import type { AppliedUserEvent, UserEventApplier, UserEventKind, UserEventRecord } from './domain-types'
import type { StoreDomainApis } from './domain-apis'

const log = createLogger('core:store')

/** Largest page a caller may ask for; the UI asks for ~50. */
const MAX_PAGE_SIZE = 1_000
const MAX_SEARCH_RESULTS = 500
/** Bound used for "newest page": every real seq is below it. */
const NO_SEQ_BOUND = Number.MAX_SAFE_INTEGER
/**
 * A search made only of 1-2 letter non-CJK words has no index to use: it scans this many newest messages with
 * LIKE (a few ms), which is what such a query is good for (recent messages), instead of the whole history.
 */
const SHORT_QUERY_SCAN_ROWS = 20_000
/**
 * A query word that is inside more distinct words than this (a common syllable such as 'ing') is searched as
 * those words plus the word as a prefix: an OR of a few hundred words is still ~ms, thousands are not.
 */
const MAX_TERMS_PER_WORD = 100
/**
 * Words this connection knows are in search_terms (committed), so a write lists only words it has not seen:
 * after a few batches nearly every word of a sync batch is known, and probing search_terms for each cost ~10-15%
 * of the sync insert rate in bench:store. ~50 bytes a word: 200k words is ~10 MB; past that the set starts over
 * (search_terms stays the truth, a forgotten word costs one probe).
 */
const MAX_KNOWN_WORDS = 200_000
const DEFAULT_QUARANTINE_LIST = 100
const MAX_QUARANTINE_LIST = 1_000

function historyGapKey(key: ConversationKey): string {
  return `${HISTORY_GAP_PREFIX}${keyOf(key.type, key.id)}`
}

function missingConversation(key: string): StoreError {
  return new StoreError('STORE_FAILED', `Conversation ${key} could not be written.`)
}

function bytesOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

/** The error SQLite raises when a write gives a message a search key another message holds (messages_by_search_key). */
/** A failure of the database itself (disk, lock, full), as opposed to an event it cannot take. */
function isDatabaseFailure(err: unknown): boolean {
  if (err instanceof StoreError) return err.code !== 'STORE_BAD_ARGUMENT'
  return err instanceof Error && err.name === 'SqliteError' && !String((err as Error & { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT')
}

function isSearchKeyConflict(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err as Error & { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    err.message.includes('messages.search_key')
  )
}

/** Outcome of validating one message of a batch: the canonical message, or why it was refused. */
type Checked = { message: ChatMessage } | { reason: string; seq: number }

export class SqliteMessageStore implements MessageStore {
  private readonly statements: StoreStatements
  private readonly searchStatements = new Map<string, Statement<unknown[], MessageRow>>()
  /** Words in search_terms as of the last commit (see MAX_KNOWN_WORDS). */
  private knownWords = new Set<string>()
  /** Words the current write listed: known once it commits, forgotten if it rolls back. */
  private wordsInWrite = new Set<string>()
  private closed = false
  private readonly userEventAppliers: Map<UserEventKind, UserEventApplier>
  /** The domains' view of their conversations (a group's name and mentions) added to every conversation read. */
  private readonly describe: (conversation: Conversation) => Conversation
  readonly domains: StoreDomainApis

  constructor(
    private readonly db: Database,
    readonly path: string
  ) {
    this.statements = prepareStatements(db)
    const opened = openStoreDomains({
      db,
      write: (operation) => this.write(operation),
      storeMessages: (messages, active) => {
        const checked = messages.map((message) => this.canonicalOrRefuse(message))
        const stored = this.storeMessages(checked, active === null ? null : checkKey(active))
        return { messages: stored.changed, conversations: stored.conversations }
      }
    })
    this.userEventAppliers = opened.appliers
    this.describe = opened.describe
    this.domains = opened.apis
  }

  async addOutgoing(message: ChatMessage): Promise<void> {
    this.guard('Could not save the message to send', () => {
      const canonical = this.canonicalOrRefuse(message)
      // The outbox entry is unacked by definition, whatever the caller filled in.
      const params: MessageParams = {
        ...messageToParams({ ...canonical, seq: null, serverId: null }),
        status: 'sending',
        error: null
      }
      this.write(() => {
        const changes = this.withFreeSearchKey(params.search_key, params.id, (key) =>
          this.statements.insertMessage.run(key === null ? params : { ...params, search_key: key })
        ).changes
        if (changes === 0) return // already stored: idempotent
        this.listWords([params.text])
        const updates = new ConversationUpdates()
        updates.add(rowToMessage(params), true)
        updates.apply(this.statements, missingConversation)
      })
    })
  }

  async markSent(id: string, ack: SendAckFields): Promise<ChatMessage | null> {
    return this.guard('Could not record that the message was sent', () => {
      checkId(id, 'message id')
      const params = {
        id,
        server_id: checkSafeInteger(ack?.serverId, 'server id'),
        seq: checkSafeInteger(ack?.seq, 'sequence'),
        timestamp: checkSafeInteger(ack?.timestamp, 'timestamp')
      }
      return this.db.transaction(() => {
        const row = this.withFreeSearchKey(searchKey(params.timestamp, params.seq, id), id, (key) =>
          this.statements.markSent.get({ ...params, search_key: key })
        )
        if (!row) return null
        const sent = rowToMessage(row)
        // The ack gives the message its place in the log: a message received while this one was sending may now
        // be older than it, so the conversation's newest message (preview, time, order) is decided again.
        const updates = new ConversationUpdates()
        updates.add(sent, false)
        updates.apply(this.statements, missingConversation)
        return sent
      })()
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

  async addSendFailingTime(id: string, ms: number): Promise<number | null> {
    return this.guard('Could not record how long the message has been failing', () => {
      checkId(id, 'message id')
      const added = checkSafeInteger(ms, 'failing time')
      return this.statements.addSendFailingTime.get(added, id)?.send_failing_ms ?? null
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
    extras: SyncBatchExtras = {}
  ): Promise<ApplyEventsResult> {
    return this.guard('Could not save the received messages', () => {
      if (!Array.isArray(messages)) throw new StoreError('STORE_BAD_ARGUMENT', 'The messages to apply must be a list.')
      checkSafeInteger(cursor, 'sync cursor')
      const active = activeConversation === null || activeConversation === undefined ? null : checkKey(activeConversation)
      const readPointers = (extras.readPointers ?? []).map((p) => ({ key: checkKey(p?.key), seq: checkSafeInteger(p?.seq, 'read position') }))
      const unknownEvents = (extras.unknownEvents ?? []).map((e) => ({ seq: checkSafeInteger(e?.seq, 'event sequence'), raw: checkBytes(e?.raw) }))
      const userEvents = (extras.userEvents ?? []).map((e) => ({
        seq: checkSafeInteger(e?.seq, 'event sequence'),
        kind: e.kind,
        raw: checkBytes(e?.raw)
      }))
      const quarantine = (extras.quarantine ?? []).map((q) => ({
        seq: checkSafeInteger(q?.seq, 'event sequence'),
        raw: q?.raw === null || q?.raw === undefined ? null : checkBytes(q.raw),
        reason: checkReason(q?.reason)
      }))
      // One bad message must not hold up the batch (and with it the cursor and the outbox): it is put aside.
      const checked = messages.map((message) => this.checkForBatch(message))
      const valid: ChatMessage[] = []
      for (const entry of checked) {
        if ('message' in entry) valid.push(entry.message)
        else quarantine.push({ seq: entry.seq, raw: null, reason: entry.reason })
      }
      return this.write(() => {
        const { changed, conversations } = this.storeMessages(valid, active)
        const byKey = new Map(conversations.map((c) => [keyOf(c.chatType, c.id), c]))
        for (const pointer of readPointers) {
          const conversation = this.advanceReadPointer(pointer.key, pointer.seq, true)
          if (conversation) byKey.set(keyOf(conversation.chatType, conversation.id), conversation)
        }
        const now = Date.now()
        for (const event of unknownEvents) this.statements.insertUnknownEvent.run(event.seq, Buffer.from(event.raw), now)
        const applied: AppliedUserEvent[] = []
        for (const event of userEvents) {
          const applier = this.userEventAppliers.get(event.kind)
          if (!applier) {
            this.statements.insertUnknownEvent.run(event.seq, Buffer.from(event.raw), now)
            continue
          }
          const outcome = this.applyUserEvent(applier, event)
          if ('reason' in outcome) quarantine.push({ seq: event.seq, raw: event.raw, reason: outcome.reason })
          else if (outcome.change !== undefined) applied.push({ seq: event.seq, kind: event.kind, change: outcome.change })
        }
        const quarantined = quarantine.map((q) => this.putAside(q.seq, q.raw, q.reason, now))
        this.statements.advanceCursor.run(cursor)
        return { messages: changed, conversations: [...byKey.values()], quarantined, userEvents: applied }
      })
    })
  }

  async applyConversationSummaries(summaries: ConversationSummary[], cursor: number): Promise<Conversation[]> {
    return this.guard('Could not save the conversation list', () => {
      if (!Array.isArray(summaries)) throw new StoreError('STORE_BAD_ARGUMENT', 'The conversation summaries must be a list.')
      checkSafeInteger(cursor, 'sync cursor')
      const checkedSummaries = summaries.map((summary) => {
        const key = checkKey(summary?.key)
        const lastMessage = summary.lastMessage === null ? null : this.canonicalOrRefuse(summary.lastMessage)
        if (lastMessage !== null && (lastMessage.chatType !== key.type || lastMessage.conversationId !== key.id)) {
          throw new StoreError('STORE_BAD_ARGUMENT', `The newest message of conversation ${key.id} belongs to another conversation.`)
        }
        return {
          key,
          lastMessage,
          readSeq: checkSafeInteger(summary.readSeq, 'read position'),
          unreadCount: checkSafeInteger(summary.unreadCount, 'unread count')
        }
      })
      return this.write(() => {
        this.storeMessages(
          checkedSummaries.flatMap((s) => (s.lastMessage === null ? [] : [s.lastMessage])),
          null
        )
        const now = Date.now()
        const result: Conversation[] = []
        for (const summary of checkedSummaries) {
          const { key } = summary
          this.statements.ensureConversation.run(key.type, key.id, summary.lastMessage?.timestamp ?? now)
          const before = this.statements.readState.get(key.type, key.id)!
          // The server's count is right for its pointer and head; a pointer this device moved further offline
          // (not yet synced) is kept, with the count lowered accordingly.
          this.statements.setSummaryReadState.run({
            chat_type: key.type,
            id: key.id,
            read_seq: summary.readSeq,
            unread_count: summary.unreadCount,
            through_seq: summary.lastMessage?.seq ?? 0
          })
          if (before.read_seq > summary.readSeq) this.advanceReadPointer(key, before.read_seq, false)
          // Local messages below the newest one may not be adjacent to it: the hole is recorded with the jump to the
          // head, in this transaction, so a restart before it is filled still knows to fetch it.
          if (summary.lastMessage?.seq) this.statements.raiseHistoryGap.run(historyGapKey(key), summary.lastMessage.seq)
          const row = this.statements.conversationByKey.get(key.type, key.id)
          if (row) result.push(this.toConversation(row))
        }
        this.statements.advanceCursor.run(cursor)
        return result
      })
    })
  }

  async historyGaps(): Promise<Array<{ key: ConversationKey; below: number }>> {
    return this.guard('Could not read the history still to fetch', () =>
      this.statements.historyGaps.all().flatMap((row) => {
        const [type, ...rest] = row.key.slice(HISTORY_GAP_PREFIX.length).split(':')
        const id = rest.join(':')
        if ((type !== 'single' && type !== 'group' && type !== 'room') || !id) return []
        return [{ key: { type, id }, below: row.value }]
      })
    )
  }

  async setHistoryGap(key: ConversationKey, below: number | null): Promise<void> {
    this.guard('Could not record the history still to fetch', () => {
      const checked = checkKey(key)
      if (below === null) this.statements.clearHistoryGap.run(historyGapKey(checked))
      else this.statements.setHistoryGap.run(historyGapKey(checked), checkSafeInteger(below, 'history position'))
    })
  }

  async getCursor(): Promise<number> {
    return this.guard('Could not read the sync position', () => this.statements.getCursor.get()?.value ?? 0)
  }

  async hasStarted(): Promise<boolean> {
    return this.guard('Could not read the sync position', () => this.statements.getCursor.get() !== undefined)
  }

  async getMessage(id: string): Promise<ChatMessage | null> {
    return this.guard('Could not read the message', () => {
      const row = this.statements.messageById.get(checkId(id, 'message id'))
      return row ? rowToMessage(row) : null
    })
  }

  async page(key: ConversationKey, beforeSeq: number | null, limit: number): Promise<MessagePage> {
    return this.guard('Could not load the conversation history', () => {
      const { type, id } = checkKey(key)
      const bound = beforeSeq === null ? NO_SEQ_BOUND : checkSafeInteger(beforeSeq, 'page position')
      const size = checkLimit(limit, MAX_PAGE_SIZE)
      // One row beyond the page tells whether older history exists, without a COUNT or OFFSET.
      const newestFirst = this.statements.pageAcked.all(type, id, bound, size + 1)
      const hasMore = newestFirst.length > size
      const acked = newestFirst.slice(0, size).reverse().map(rowToMessage)
      if (beforeSeq !== null) return { messages: acked, hasMore }
      const unacked = this.statements.pageUnacked.all(type, id).map(rowToMessage)
      return { messages: [...acked, ...unacked], hasMore }
    })
  }

  async search(query: string, limit: number): Promise<ChatMessage[]> {
    return this.guard('Could not search the messages', () => {
      if (typeof query !== 'string') throw new StoreError('STORE_BAD_ARGUMENT', 'The search text must be a string.')
      const size = checkLimit(limit, MAX_SEARCH_RESULTS)
      const plan = toSearchPlan(query)
      if (plan === null) return []
      const words = this.wordsMatch(plan.words)
      const values: unknown[] = []
      if (words !== null) values.push(words)
      if (plan.bigram !== null) values.push(plan.bigram)
      values.push(...plan.likes, size)
      return this.searchStatement(plan, words !== null).all(values).map(rowToMessage)
    })
  }

  async listConversations(): Promise<Conversation[]> {
    return this.guard('Could not load the conversation list', () =>
      this.statements.listConversations.all().map((row) => this.toConversation(row))
    )
  }

  async getConversation(key: ConversationKey): Promise<Conversation | null> {
    return this.guard('Could not load the conversation', () => {
      const { type, id } = checkKey(key)
      const row = this.statements.conversationByKey.get(type, id)
      return row ? this.toConversation(row) : null
    })
  }

  async markRead(key: ConversationKey, uptoSeq?: number): Promise<MarkReadResult | null> {
    return this.guard('Could not mark the conversation as read', () => {
      const checked = checkKey(key)
      const upto = uptoSeq === undefined ? null : checkSafeInteger(uptoSeq, 'read position')
      return this.write(() => {
        const state = this.statements.readState.get(checked.type, checked.id)
        if (state === undefined) return null
        const target = upto ?? Math.max(state.last_seq ?? 0, state.unread_through_seq, this.newestSeq(checked))
        const moved = target > state.read_seq
        if (moved) this.advanceReadPointer(checked, target, false)
        const row = this.statements.conversationByKey.get(checked.type, checked.id)!
        const conversation = this.toConversation(row)
        return { conversation, readSeq: conversation.readSeq, moved }
      })
    })
  }

  async applyReadPointer(key: ConversationKey, seq: number): Promise<Conversation | null> {
    return this.guard('Could not save the read position', () => {
      const checked = checkKey(key)
      checkSafeInteger(seq, 'read position')
      return this.write(() => this.advanceReadPointer(checked, seq, true))
    })
  }

  async pendingReadPointers(): Promise<ReadPointer[]> {
    return this.guard('Could not read the read positions to send', () =>
      this.statements.pendingReadPointers.all().map((row) => ({
        key: { type: row.chat_type as ChatType, id: row.id },
        seq: row.read_seq
      }))
    )
  }

  async markReadPointerSynced(key: ConversationKey, seq: number): Promise<void> {
    this.guard('Could not record the sent read position', () => {
      const { type, id } = checkKey(key)
      this.statements.markReadPointerSynced.run(checkSafeInteger(seq, 'read position'), type, id)
    })
  }

  async setDraft(key: ConversationKey, text: string | null): Promise<Conversation | null> {
    return this.guard('Could not save the draft', () => {
      const { type, id } = checkKey(key)
      const draft = checkDraft(text)
      return this.write(() => {
        if (draft !== null) this.statements.ensureConversation.run(type, id, Date.now())
        this.statements.setDraft.run(draft, type, id)
        const row = this.statements.conversationByKey.get(type, id)
        return row ? this.toConversation(row) : null
      })
    })
  }

  async getDraft(key: ConversationKey): Promise<string | null> {
    return this.guard('Could not read the draft', () => {
      const { type, id } = checkKey(key)
      return this.statements.getDraft.get(type, id)?.draft ?? null
    })
  }

  async reinterpretUnsupported(decode: (raw: Uint8Array) => ChatMessage | null): Promise<ChatMessage[]> {
    return this.guard('Could not read the messages again', () => {
      if (typeof decode !== 'function') throw new StoreError('STORE_BAD_ARGUMENT', 'A decoder function is needed.')
      const tryDecode = (raw: Uint8Array): ChatMessage | null => {
        try {
          const decoded = decode(raw)
          return decoded === null || decoded.content?.type === 'unsupported' ? null : decoded
        } catch (err) {
          log.warn('a stored event still cannot be decoded', { error: err instanceof Error ? err.message : String(err) })
          return null
        }
      }
      return this.write(() => {
        const changed: ChatMessage[] = []
        const updates = new ConversationUpdates()
        for (const row of this.statements.unsupportedMessages.all()) {
          const stored = rowToMessage(row)
          if (stored.content.type !== 'unsupported') continue
          const decoded = tryDecode(Buffer.from(stored.content.raw, 'base64'))
          if (decoded === null) continue
          // Only the content is new: identity, position and status stay as stored.
          const updated: ChatMessage = { ...stored, content: decoded.content }
          const reason = this.refusal(updated)
          if (reason !== null) continue
          const params = messageToParams(updated)
          this.statements.updateContent.run(params.type, params.body, params.text, params.id)
          this.listWords([params.text])
          updates.add(updated, false)
          changed.push(updated)
        }
        // Unknown events that the newer decoder reads as messages become messages.
        const fromUnknown: ChatMessage[] = []
        for (const event of this.statements.unknownEvents.all()) {
          const decoded = tryDecode(bytesOf(event.raw))
          if (decoded === null) continue
          const checked = this.checkForBatch(decoded)
          if (!('message' in checked)) continue
          fromUnknown.push(checked.message)
          this.statements.deleteUnknownEvent.run(event.seq)
        }
        updates.apply(this.statements, missingConversation)
        if (fromUnknown.length > 0) changed.push(...this.storeMessages(fromUnknown, null).changed)
        return changed
      })
    })
  }

  async quarantineEvent(seq: number, raw: Uint8Array | null, reason: string): Promise<void> {
    this.guard('Could not put the event aside', () => {
      checkSafeInteger(seq, 'event sequence')
      const bytes = raw === null ? null : checkBytes(raw)
      this.putAside(seq, bytes, checkReason(reason), Date.now())
    })
  }

  async quarantined(limit = DEFAULT_QUARANTINE_LIST): Promise<{ count: number; events: QuarantinedEvent[] }> {
    return this.guard('Could not read the events put aside', () => {
      const size = checkLimit(limit, MAX_QUARANTINE_LIST)
      return this.db.transaction(() => ({
        count: this.statements.quarantinedCount.get()?.n ?? 0,
        events: this.statements.quarantinedList.all(size).map((row) => ({
          seq: row.seq,
          raw: row.raw === null ? null : bytesOf(row.raw),
          reason: row.reason,
          quarantinedAt: row.quarantined_at
        }))
      }))()
    })
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
   * Insert or update `messages` (valid, canonical) inside the caller's transaction and update their
   * conversations; in `active` (the conversation on screen) the read pointer follows the new messages.
   */
  private storeMessages(
    messages: ChatMessage[],
    active: ConversationKey | null
  ): { changed: ChatMessage[]; conversations: Conversation[] } {
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
    const conversations = updates.apply(this.statements, missingConversation).map(this.describe)
    if (active !== null && activeSeq > 0) {
      const moved = this.advanceReadPointer(active, activeSeq, false)
      if (moved) {
        const index = conversations.findIndex((c) => c.chatType === active.type && c.id === active.id)
        if (index >= 0) conversations[index] = moved
      }
    }
    return { changed, conversations }
  }

  /**
   * Move the read pointer of `key` forward to `target` (never back) and derive the unread count from it.
   * `confirmed`: the pointer came from the server, so it is synced too. Returns the conversation when it is
   * listed and something changed, else null. Creates the conversation row when a confirmed pointer arrives
   * before its messages (they will count against it).
   */
  private advanceReadPointer(key: ConversationKey, target: number, confirmed: boolean): Conversation | null {
    if (confirmed) this.statements.ensureConversation.run(key.type, key.id, 0)
    const state = this.statements.readState.get(key.type, key.id)
    if (state === undefined) return null
    if (target <= state.read_seq) {
      if (confirmed && target > state.read_seq_synced) this.statements.markReadPointerSynced.run(target, key.type, key.id)
      return null
    }
    const unreadAfter = this.statements.countIncomingBetween.get(key.type, key.id, target, NO_SEQ_BOUND)?.n ?? 0
    // Below a server summary's head the count came from the server and the local history may have gaps: lower it
    // by what this device can see was read, never below what it can see is unread.
    const unread =
      target >= state.unread_through_seq
        ? unreadAfter
        : Math.max(
            unreadAfter,
            state.unread_count - (this.statements.countIncomingBetween.get(key.type, key.id, state.read_seq, target)?.n ?? 0)
          )
    this.statements.setReadPointer.run(target, unread, confirmed ? target : 0, key.type, key.id)
    const row = this.statements.conversationByKey.get(key.type, key.id)
    if (row === undefined || (row.m_id === null && row.c_draft === null)) return null
    return this.toConversation(row)
  }

  /**
   * One user event through its domain's applier, in a savepoint of the batch's transaction: an event the domain
   * cannot apply (its checks refuse it, its bytes do not decode, it breaks a constraint) is rolled back alone and
   * put aside, and the batch (with the cursor) goes on. Only a failure of the database itself (disk, lock) fails
   * the batch, to be tried again.
   */
  private applyUserEvent(applier: UserEventApplier, event: UserEventRecord): { change: unknown } | { reason: string } {
    try {
      return { change: this.db.transaction(() => applier(event))() }
    } catch (err) {
      if (isDatabaseFailure(err)) throw err
      const detail = err instanceof Error ? err.message : String(err)
      return { reason: `The ${event.kind} event cannot be applied: ${detail}` }
    }
  }

  /**
   * Runs `operation` in one transaction (every write goes through here): the words it listed become known only
   * when it commits, so a rolled-back write never hides a word from search_terms.
   */
  private write<T>(operation: () => T): T {
    this.wordsInWrite.clear()
    try {
      const result = this.db.transaction(operation)()
      if (this.knownWords.size + this.wordsInWrite.size > MAX_KNOWN_WORDS) this.knownWords = new Set()
      for (const word of this.wordsInWrite) this.knownWords.add(word)
      return result
    } finally {
      this.wordsInWrite.clear()
    }
  }

  /**
   * Lists the distinct words of `texts` in search_terms (substring search) that this connection has not listed
   * yet, one statement for all of them.
   */
  private listWords(texts: string[]): void {
    const words: string[] = []
    for (const text of texts) {
      for (const word of searchWords(text)) {
        if (this.knownWords.has(word) || this.wordsInWrite.has(word)) continue
        this.wordsInWrite.add(word)
        words.push(word)
      }
    }
    if (words.length > 0) this.statements.listWords.run(JSON.stringify(words))
  }

  /** The newest acked seq stored for the conversation (0 if none). */
  private newestSeq(key: ConversationKey): number {
    const newest = this.statements.pageAcked.get(key.type, key.id, NO_SEQ_BOUND, 1)
    return newest?.seq ?? 0
  }

  private putAside(seq: number, raw: Uint8Array | null, reason: string, now: number): QuarantinedEvent {
    this.statements.quarantine.run(seq, raw === null ? null : Buffer.from(raw), reason, now)
    log.warn('an event was put aside', { seq, reason })
    return { seq, raw, reason, quarantinedAt: now }
  }

  /** The canonical form of a message a caller hands in, or STORE_BAD_ARGUMENT with the reason. */
  private canonicalOrRefuse(message: ChatMessage): ChatMessage {
    checkMessage(message)
    const canonical = canonicalMessage(message)
    if (canonical === null) {
      throw new StoreError('STORE_BAD_ARGUMENT', `Message ${message.id} names a sender or recipient that is not a valid user id.`)
    }
    return canonical
  }

  /** A batch entry: canonical and valid, or the sentence saying why it is put aside. */
  private checkForBatch(message: ChatMessage): Checked {
    try {
      return { message: this.canonicalOrRefuse(message) }
    } catch (err) {
      if (!(err instanceof StoreError)) throw err
      const seq = typeof message === 'object' && message !== null && Number.isSafeInteger(message.seq) ? message.seq! : 0
      return { reason: err.message, seq }
    }
  }

  /** Why `message` cannot be stored, or null when it can. */
  private refusal(message: ChatMessage): string | null {
    const checked = this.checkForBatch(message)
    return 'message' in checked ? null : checked.reason
  }

  /**
   * The messages_fts MATCH for the plan's long words: each word becomes the OR of the stored words containing it
   * (the words AND together); a word no stored word contains is asked as a prefix (words longer than
   * search-text.ts MAX_TERM_CHARS are not listed). Null when there are no long words.
   */
  private wordsMatch(words: string[]): string | null {
    if (words.length === 0) return null
    const groups: string[] = []
    for (const word of words) {
      // The word is letters, digits and marks only (search-query.ts), and so is every stored term: no quoting issue.
      const terms = this.statements.termsContaining.all(`"${word}"`, MAX_TERMS_PER_WORD + 1).map((row) => `"${row.term}"`)
      if (terms.length === 0 || terms.length > MAX_TERMS_PER_WORD) terms.splice(MAX_TERMS_PER_WORD, Infinity, `"${word}"*`)
      groups.push(terms.length === 1 ? terms[0]! : `(${terms.join(' OR ')})`)
    }
    return groups.join(' AND ')
  }

  private searchStatement(plan: SearchPlan, hasWords: boolean): Statement<unknown[], MessageRow> {
    const shape = `${hasWords}:${plan.bigram !== null}:${plan.likes.length}`
    let statement = this.searchStatements.get(shape)
    if (statement !== undefined) return statement
    const likes = plan.likes.map(() => ' AND m.text LIKE ?').join('')
    let sql: string
    if (hasWords) {
      const bigram = plan.bigram === null ? '' : ' AND f.rowid IN (SELECT rowid FROM messages_cjk WHERE messages_cjk MATCH ?)'
      sql = `SELECT ${messageColumnsOf('m')} FROM messages_fts f JOIN messages m ON m.search_key = f.rowid
             WHERE messages_fts MATCH ?${bigram}${likes} ORDER BY f.rowid DESC LIMIT ?`
    } else if (plan.bigram !== null) {
      sql = `SELECT ${messageColumnsOf('m')} FROM messages_cjk b JOIN messages m ON m.search_key = b.rowid
             WHERE messages_cjk MATCH ?${likes} ORDER BY b.rowid DESC LIMIT ?`
    } else {
      sql = `SELECT ${MESSAGE_COLUMNS} FROM (
               SELECT ${MESSAGE_COLUMNS}, search_key FROM messages ORDER BY search_key DESC LIMIT ${SHORT_QUERY_SCAN_ROWS}
             ) m WHERE true${likes} ORDER BY search_key DESC LIMIT ?`
    }
    statement = this.db.prepare<unknown[], MessageRow>(sql)
    this.searchStatements.set(shape, statement)
    return statement
  }

  /**
   * Insert the batch's new messages, INSERT_CHUNK_ROWS rows per statement. Returns the positions in `batch`
   * that were inserted; the others already existed (or repeat an id earlier in the batch).
   */
  private insertBatch(batch: MessageParams[]): Set<number> {
    const lastBefore = this.statements.lastLocalOrder.get()?.last ?? 0
    let inserted = 0
    for (let start = 0; start < batch.length; start += INSERT_CHUNK_ROWS) {
      const end = Math.min(batch.length, start + INSERT_CHUNK_ROWS)
      inserted += this.insertChunk(batch.slice(start, end))
    }
    // Words of every text in the batch (an existing message's text is already listed: harmless).
    this.listWords(batch.map((params) => params.text))
    const positions = new Set<number>()
    // Every row went in (the usual sync batch): no id repeated or already stored.
    if (inserted === batch.length) {
      for (let index = 0; index < batch.length; index++) positions.add(index)
      return positions
    }
    const newIds = new Set<string>()
    if (inserted > 0) for (const row of this.statements.idsInsertedAfter.all(lastBefore)) newIds.add(row.id)
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
    const run = (): number => {
      const values: unknown[] = []
      for (const row of rows) pushMessageValues(values, row)
      return this.statements.insertMessageRows(rows.length).run(values).changes
    }
    try {
      return run()
    } catch (err) {
      if (!isSearchKeyConflict(err)) throw err
    }
    const claimed = new Map<bigint, string>()
    for (const row of rows) {
      row.search_key = this.freeSearchKey(row.search_key, row.id, claimed)
      claimed.set(row.search_key, row.id)
    }
    log.info('search keys collided in a sync batch; the messages took the next free keys', { rows: rows.length })
    return run()
  }

  /**
   * Runs a write of message `id` with its derived search key (`key` null); if another message holds that key,
   * runs it again with the next free key after `candidate`. The conflicting statement was undone by SQLite
   * (ABORT), the transaction goes on.
   */
  private withFreeSearchKey<T>(candidate: bigint, id: string, write: (key: bigint | null) => T): T {
    try {
      return write(null)
    } catch (err) {
      if (!isSearchKeyConflict(err)) throw err
    }
    const key = this.freeSearchKey(candidate, id, new Map())
    log.info('a search key was taken; the message took the next free one', { id })
    return write(key)
  }

  /**
   * The first key from `candidate` up that no other message holds (stored, or `claimed` by a row of the same
   * statement): the next keys are the same millisecond's other tie-breaks, so time order is kept unless a whole
   * millisecond is full. Past the largest key it searches down instead.
   */
  private freeSearchKey(candidate: bigint, id: string, claimed: Map<bigint, string>): bigint {
    const isFree = (key: bigint): boolean => {
      const holder = claimed.get(key) ?? this.statements.searchKeyHolder.get(key)?.id
      return holder === undefined || holder === id
    }
    for (let key = candidate; key <= MAX_SEARCH_KEY; key++) if (isFree(key)) return key
    for (let key = candidate - 1n; ; key--) if (isFree(key)) return key
  }

  /**
   * A message with this id exists: take the server's view of it (ack fields, status, content) but keep its
   * identity. Returns the stored row when something changed, null for an exact duplicate.
   */
  private upsertExisting(incoming: MessageParams): MessageRow | null {
    const existing = this.statements.messageById.get(incoming.id)
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
      text: incoming.text
    }
    if (sameStoredMessage(merged, existing)) return null
    const contentChanged = merged.body !== existing.body || merged.type !== existing.type || merged.text !== existing.text
    const update = contentChanged ? this.statements.updateAckAndContent : this.statements.updateAck
    this.withFreeSearchKey(searchKey(merged.timestamp, merged.seq, merged.id), merged.id, (key) =>
      update.run({ ...merged, search_key: key })
    )
    if (contentChanged) this.listWords([merged.text])
    return merged
  }

  /** A conversations row as callers see it, with what its domain knows (title, mentions). */
  private toConversation(row: ConversationRow): Conversation {
    return this.describe(rowToConversation(row))
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
