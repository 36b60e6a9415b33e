// Owns applying what sync brings in one transaction each: a batch of log events (messages, read pointers, user
// events for the domains, unknown and bad events put aside) or the conversation list, then the cursor.
import type { ChatMessage, Conversation, ConversationKey } from '../../../shared/model'
import { keyOf } from './conversation-updates'
import type { Conversations } from './conversations'
import type { AppliedUserEvent, UserEventApplier, UserEventKind, UserEventRecord } from './domain-types'
import { StoreError } from './errors'
import type { Messages } from './messages'
import type { Quarantine } from './quarantine'
import type { StoreContext } from './store-context'
import { historyGapKey } from './sync-position'
import type { ApplyEventsResult, ConversationSummary, SyncBatchExtras } from './types'
import { checkBytes, checkKey, checkReason, checkSafeInteger } from './validate'

/** A failure of the database itself (disk, lock, full), as opposed to an event it cannot take. */
function isDatabaseFailure(err: unknown): boolean {
  if (err instanceof StoreError) return err.code !== 'STORE_BAD_ARGUMENT'
  return err instanceof Error && err.name === 'SqliteError' && !String((err as Error & { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT')
}

/** The parts a sync batch writes to. */
export interface SyncBatchParts {
  messages: Messages
  conversations: Conversations
  quarantine: Quarantine
  /** Each user-event kind's domain applier. */
  userEventAppliers: Map<UserEventKind, UserEventApplier>
}

export class SyncBatches {
  constructor(
    private readonly context: StoreContext,
    private readonly parts: SyncBatchParts
  ) {}

  applyEvents(
    messages: ChatMessage[],
    cursor: number,
    activeConversation: ConversationKey | null,
    extras: SyncBatchExtras
  ): ApplyEventsResult {
    const { statements } = this.context
    const { conversations, quarantine: aside, userEventAppliers } = this.parts
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
    const checked = messages.map((message) => this.parts.messages.checkForBatch(message))
    const valid: ChatMessage[] = []
    for (const entry of checked) {
      if ('message' in entry) valid.push(entry.message)
      else quarantine.push({ seq: entry.seq, raw: null, reason: entry.reason })
    }
    return this.context.write(() => {
      const { changed, conversations: touched } = this.parts.messages.store(valid, active)
      const byKey = new Map(touched.map((c) => [keyOf(c.chatType, c.id), c]))
      for (const pointer of readPointers) {
        const conversation = conversations.advanceReadPointer(pointer.key, pointer.seq, true)
        if (conversation) byKey.set(keyOf(conversation.chatType, conversation.id), conversation)
      }
      const now = Date.now()
      for (const event of unknownEvents) statements.insertUnknownEvent.run(event.seq, Buffer.from(event.raw), now)
      const applied: AppliedUserEvent[] = []
      for (const event of userEvents) {
        const applier = userEventAppliers.get(event.kind)
        if (!applier) {
          statements.insertUnknownEvent.run(event.seq, Buffer.from(event.raw), now)
          continue
        }
        const outcome = this.applyUserEvent(applier, event)
        if ('reason' in outcome) quarantine.push({ seq: event.seq, raw: event.raw, reason: outcome.reason })
        else if (outcome.change !== undefined) applied.push({ seq: event.seq, kind: event.kind, change: outcome.change })
      }
      const quarantined = quarantine.map((q) => aside.putAside(q.seq, q.raw, q.reason, now))
      statements.advanceCursor.run(cursor)
      return { messages: changed, conversations: [...byKey.values()], quarantined, userEvents: applied }
    })
  }

  applyConversationSummaries(summaries: ConversationSummary[], cursor: number): Conversation[] {
    const { statements } = this.context
    if (!Array.isArray(summaries)) throw new StoreError('STORE_BAD_ARGUMENT', 'The conversation summaries must be a list.')
    checkSafeInteger(cursor, 'sync cursor')
    const checkedSummaries = summaries.map((summary) => {
      const key = checkKey(summary?.key)
      const lastMessage = summary.lastMessage === null ? null : this.parts.messages.canonicalOrRefuse(summary.lastMessage)
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
    return this.context.write(() => {
      this.parts.messages.store(
        checkedSummaries.flatMap((s) => (s.lastMessage === null ? [] : [s.lastMessage])),
        null
      )
      const now = Date.now()
      const result: Conversation[] = []
      for (const summary of checkedSummaries) {
        const { key } = summary
        statements.ensureConversation.run(key.type, key.id, summary.lastMessage?.timestamp ?? now)
        const before = statements.readState.get(key.type, key.id)!
        // The server's count is right for its pointer and head; a pointer this device moved further offline
        // (not yet synced) is kept, with the count lowered accordingly.
        statements.setSummaryReadState.run({
          chat_type: key.type,
          id: key.id,
          read_seq: summary.readSeq,
          unread_count: summary.unreadCount,
          through_seq: summary.lastMessage?.seq ?? 0
        })
        if (before.read_seq > summary.readSeq) this.parts.conversations.advanceReadPointer(key, before.read_seq, false)
        // Local messages below the newest one may not be adjacent to it: the hole is recorded with the jump to the
        // head, in this transaction, so a restart before it is filled still knows to fetch it.
        if (summary.lastMessage?.seq) statements.raiseHistoryGap.run(historyGapKey(key), summary.lastMessage.seq)
        const row = statements.conversationByKey.get(key.type, key.id)
        if (row) result.push(this.context.toConversation(row))
      }
      statements.advanceCursor.run(cursor)
      return result
    })
  }

  /**
   * One user event through its domain's applier, in a savepoint of the batch's transaction: an event the domain
   * cannot apply (its checks refuse it, its bytes do not decode, it breaks a constraint) is rolled back alone and
   * put aside, and the batch (with the cursor) goes on. Only a failure of the database itself (disk, lock) fails
   * the batch, to be tried again.
   */
  private applyUserEvent(applier: UserEventApplier, event: UserEventRecord): { change: unknown } | { reason: string } {
    try {
      return { change: this.context.db.transaction(() => applier(event))() }
    } catch (err) {
      if (isDatabaseFailure(err)) throw err
      const detail = err instanceof Error ? err.message : String(err)
      return { reason: `The ${event.kind} event cannot be applied: ${detail}` }
    }
  }
}
