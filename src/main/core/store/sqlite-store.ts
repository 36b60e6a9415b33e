// SqliteMessageStore: the MessageStore contract over one better-sqlite3 connection. Owns composing the store's
// parts and running each operation: refused after close, any failure turned into a StoreError with a sentence.
import type { FailureReason } from '../../../shared/errors'
import type { Database } from 'better-sqlite3'
import type { ChatMessage, Conversation, ConversationKey, MessagePage, MessageWindow, SearchResultGroup } from '../../../shared/model'
import { createLogger } from '../../../shared/logger'
import { decodeLogEntry } from '../protocol/log-entry'
import { BackfillStates } from './backfill-state'
import { Conversations } from './conversations'
import { promisedDomainApis, type OpenedStoreDomainApis, type StoreDomainApis } from './domain-apis'
import { openStoreDomains } from './domains'
import { StoreError, toStoreError } from './errors'
import { applyLogEntries } from './log-entries'
import { unpackLogEntries } from './log-entry-pack'
import { Messages } from './messages'
import { Outbox } from './outbox'
import { DEFAULT_QUARANTINE_LIST, Quarantine } from './quarantine'
import { rowToConversation } from './rows'
import { MessageSearch } from './search'
import { prepareStatements } from './statements'
import type { StoreContext } from './store-context'
import { SyncBatches } from './sync-batches'
import { SyncPosition } from './sync-position'
import type {
  AppliedLogEntries,
  ApplyEventsResult,
  BackfillState,
  ConversationSummary,
  LogEntriesScope,
  MarkReadResult,
  MessageStore,
  PackedLogEntries,
  QuarantinedEvent,
  ReadPointer,
  SendAckFields,
  SyncBatchExtras
} from './types'
import { checkId, checkKey, checkSafeInteger } from './validate'
import { WriteTransaction } from './write-transaction'

const log = createLogger('core:store')

export class SqliteMessageStore implements MessageStore {
  private closed = false
  /** The domains' view of their conversations (a group's name and mentions) added to every conversation read. */
  private readonly describe: (conversation: Conversation) => Conversation
  private readonly conversations: Conversations
  private readonly messages: Messages
  private readonly outbox: Outbox
  private readonly messageSearch: MessageSearch
  private readonly syncPosition: SyncPosition
  private readonly syncBatches: SyncBatches
  private readonly aside: Quarantine
  private readonly backfill: BackfillStates
  readonly domains: StoreDomainApis
  /** The domains' APIs as opened (synchronous where the domain is): the store worker calls these. */
  readonly openedDomains: OpenedStoreDomainApis

  constructor(
    private readonly db: Database,
    readonly path: string
  ) {
    const statements = prepareStatements(db)
    const transaction = new WriteTransaction(db, statements)
    const context: StoreContext = {
      db,
      statements,
      write: (operation) => transaction.write(operation),
      listWords: (texts) => transaction.listWords(texts),
      describe: (conversation) => this.describe(conversation),
      toConversation: (row) => this.describe(rowToConversation(row))
    }
    this.conversations = new Conversations(context)
    this.messages = new Messages(context, this.conversations)
    this.outbox = new Outbox(context, this.messages)
    this.messageSearch = new MessageSearch(context)
    this.syncPosition = new SyncPosition(context)
    this.aside = new Quarantine(context, this.messages)
    this.backfill = new BackfillStates(db)
    const opened = openStoreDomains({
      db,
      write: context.write,
      storeMessages: (messages, active) => {
        const checked = messages.map((message) => this.messages.canonicalOrRefuse(message))
        const stored = this.messages.store(checked, active === null ? null : checkKey(active))
        return { messages: stored.changed, conversations: stored.conversations }
      }
    })
    this.describe = opened.describe
    this.openedDomains = opened.apis
    this.domains = promisedDomainApis(opened.apis)
    this.syncBatches = new SyncBatches(context, {
      messages: this.messages,
      conversations: this.conversations,
      quarantine: this.aside,
      userEventAppliers: opened.appliers
    })
  }

  async addOutgoing(message: ChatMessage): Promise<void> {
    this.guard('Could not save the message to send', () => this.outbox.addOutgoing(message))
  }

  async markSent(id: string, ack: SendAckFields): Promise<ChatMessage | null> {
    return this.guard('Could not record that the message was sent', () => this.outbox.markSent(id, ack))
  }

  async markFailed(id: string, reason: FailureReason): Promise<ChatMessage | null> {
    return this.guard('Could not record that the message failed', () => this.outbox.markFailed(id, reason))
  }

  async markSending(id: string): Promise<ChatMessage | null> {
    return this.guard('Could not retry the message', () => this.outbox.markSending(id))
  }

  async addSendFailingTime(id: string, ms: number): Promise<number | null> {
    return this.guard('Could not record how long the message has been failing', () => this.outbox.addSendFailingTime(id, ms))
  }

  async pendingOutbox(): Promise<ChatMessage[]> {
    return this.guard('Could not read the messages waiting to be sent', () => this.outbox.pending())
  }

  async applyEvents(
    messages: ChatMessage[],
    cursor: number,
    activeConversation: ConversationKey | null = null,
    extras: SyncBatchExtras = {}
  ): Promise<ApplyEventsResult> {
    return this.guard('Could not save the received messages', () =>
      this.syncBatches.applyEvents(messages, cursor, activeConversation, extras)
    )
  }

  async applyLogEntries(
    entries: PackedLogEntries,
    me: string,
    cursor: number,
    activeConversation: ConversationKey | null = null,
    scope: LogEntriesScope = 'log'
  ): Promise<AppliedLogEntries> {
    const action = 'Could not save the received messages'
    const batch = this.guard(action, () => {
      if (scope !== 'log' && scope !== 'history') throw new StoreError('STORE_BAD_ARGUMENT', 'The entries must be of the log or of history.')
      return {
        events: unpackLogEntries(entries),
        me: checkId(me, 'account'),
        cursor: checkSafeInteger(cursor, 'sync cursor'),
        heldCursor: this.syncPosition.cursor(),
        active: activeConversation === null || activeConversation === undefined ? null : checkKey(activeConversation),
        scope
      }
    })
    try {
      return await applyLogEntries(batch.events, batch, {
        decode: decodeLogEntry,
        applyEvents: (messages, at, active, extras) => this.applyEvents(messages, at, active, extras)
      })
    } catch (err) {
      throw toStoreError(err, action)
    }
  }

  async applyConversationSummaries(summaries: ConversationSummary[], cursor: number): Promise<Conversation[]> {
    return this.guard('Could not save the conversation list', () => this.syncBatches.applyConversationSummaries(summaries, cursor))
  }

  async historyGaps(): Promise<Array<{ key: ConversationKey; below: number }>> {
    return this.guard('Could not read the history still to fetch', () => this.syncPosition.historyGaps())
  }

  async setHistoryGap(key: ConversationKey, below: number | null): Promise<void> {
    this.guard('Could not record the history still to fetch', () => this.syncPosition.setHistoryGap(key, below))
  }

  async getCursor(): Promise<number> {
    return this.guard('Could not read the sync position', () => this.syncPosition.cursor())
  }

  async hasStarted(): Promise<boolean> {
    return this.guard('Could not read the sync position', () => this.syncPosition.hasStarted())
  }

  async getMessage(id: string): Promise<ChatMessage | null> {
    return this.guard('Could not read the message', () => this.messages.get(id))
  }

  async page(key: ConversationKey, beforeSeq: number | null, limit: number): Promise<MessagePage> {
    return this.guard('Could not load the conversation history', () => this.messages.page(key, beforeSeq, limit))
  }

  async search(query: string, limit: number): Promise<ChatMessage[]> {
    return this.guard('Could not search the messages', () => this.messageSearch.search(query, limit))
  }

  async searchGrouped(query: string, limit: number): Promise<SearchResultGroup[]> {
    return this.guard('Could not search the messages', () =>
      this.messageSearch.searchGrouped(query, limit, (key) => this.conversations.get(key))
    )
  }

  async pageAround(key: ConversationKey, messageId: string, limit: number): Promise<MessageWindow | null> {
    return this.guard('Could not load the conversation history', () => this.messages.around(key, messageId, limit))
  }

  async pageAfter(key: ConversationKey, afterSeq: number, limit: number): Promise<MessageWindow> {
    return this.guard('Could not load the conversation history', () => this.messages.after(key, afterSeq, limit))
  }

  async backfillStates(): Promise<BackfillState[]> {
    return this.guard('Could not read how far history was fetched', () => this.backfill.all())
  }

  async setBackfillState(state: BackfillState): Promise<void> {
    this.guard('Could not record how far history was fetched', () => this.backfill.set(state))
  }

  async backfillWindowDays(): Promise<number | null> {
    return this.guard('Could not read how much history to keep', () => this.backfill.windowDays())
  }

  async setBackfillWindowDays(days: number): Promise<void> {
    this.guard('Could not save how much history to keep', () => this.backfill.setWindowDays(days))
  }

  async oldestMessageTime(key: ConversationKey): Promise<number | null> {
    return this.guard('Could not read the conversation history', () => this.backfill.oldestMessageTime(key))
  }

  async listConversations(limit?: number): Promise<Conversation[]> {
    return this.guard('Could not load the conversation list', () => this.conversations.list(limit))
  }

  async conversationKeys(): Promise<ConversationKey[]> {
    return this.guard('Could not load the conversation list', () => this.conversations.keys())
  }

  async getConversation(key: ConversationKey): Promise<Conversation | null> {
    return this.guard('Could not load the conversation', () => this.conversations.get(key))
  }

  async markRead(key: ConversationKey, uptoSeq?: number): Promise<MarkReadResult | null> {
    return this.guard('Could not mark the conversation as read', () => this.conversations.markRead(key, uptoSeq))
  }

  async applyReadPointer(key: ConversationKey, seq: number): Promise<Conversation | null> {
    return this.guard('Could not save the read position', () => this.conversations.applyReadPointer(key, seq))
  }

  async pendingReadPointers(): Promise<ReadPointer[]> {
    return this.guard('Could not read the read positions to send', () => this.conversations.pendingReadPointers())
  }

  async markReadPointerSynced(key: ConversationKey, seq: number): Promise<void> {
    this.guard('Could not record the sent read position', () => this.conversations.markReadPointerSynced(key, seq))
  }

  async setDraft(key: ConversationKey, text: string | null): Promise<Conversation | null> {
    return this.guard('Could not save the draft', () => this.conversations.setDraft(key, text))
  }

  async getDraft(key: ConversationKey): Promise<string | null> {
    return this.guard('Could not read the draft', () => this.conversations.getDraft(key))
  }

  async reinterpretUnsupported(decode: (raw: Uint8Array) => ChatMessage | null): Promise<ChatMessage[]> {
    return this.guard('Could not read the messages again', () => this.aside.reinterpretUnsupported(decode))
  }

  /** Quarantine.undecodedRaws (for the store worker: the decoder runs on the caller's thread). */
  async undecodedRaws(): Promise<Uint8Array[]> {
    return this.guard('Could not read the messages again', () => this.aside.undecodedRaws())
  }

  async quarantineEvent(seq: number, raw: Uint8Array | null, reason: string): Promise<void> {
    this.guard('Could not put the event aside', () => this.aside.quarantineEvent(seq, raw, reason))
  }

  async quarantined(limit = DEFAULT_QUARANTINE_LIST): Promise<{ count: number; events: QuarantinedEvent[] }> {
    return this.guard('Could not read the events put aside', () => this.aside.quarantined(limit))
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
