// Owns the conversation list and each conversation's read state: the read pointer (moved forward only, synced to
// the server), the unread count derived from it, and the draft.
import type { ChatType, Conversation, ConversationKey } from '../../../shared/model'
import type { StoreContext } from './store-context'
import type { MarkReadResult, ReadPointer } from './types'
import { MAX_FIRST_PAGE_CONVERSATIONS } from '../../../shared/limits'
import { checkDraft, checkKey, checkLimit, checkSafeInteger } from './validate'

/** Bound used for "newest page": every real seq is below it. */
export const NO_SEQ_BOUND = Number.MAX_SAFE_INTEGER

export class Conversations {
  constructor(private readonly context: StoreContext) {}

  list(limit?: number): Conversation[] {
    const { statements } = this.context
    const rows = limit === undefined ? statements.listConversations.all() : statements.listFirstConversations.all(checkLimit(limit, MAX_FIRST_PAGE_CONVERSATIONS))
    return rows.map((row) => this.context.toConversation(row))
  }

  keys(): ConversationKey[] {
    return this.context.statements.listConversationKeys.all().map((row) => ({ type: row.chat_type, id: row.id }))
  }

  get(key: ConversationKey): Conversation | null {
    const { type, id } = checkKey(key)
    const row = this.context.statements.conversationByKey.get(type, id)
    return row ? this.context.toConversation(row) : null
  }

  markRead(key: ConversationKey, uptoSeq?: number): MarkReadResult | null {
    const { statements } = this.context
    const checked = checkKey(key)
    const upto = uptoSeq === undefined ? null : checkSafeInteger(uptoSeq, 'read position')
    return this.context.write(() => {
      const state = statements.readState.get(checked.type, checked.id)
      if (state === undefined) return null
      const target = upto ?? Math.max(state.last_seq ?? 0, state.unread_through_seq, this.newestSeq(checked))
      const moved = target > state.read_seq
      if (moved) this.advanceReadPointer(checked, target, false)
      const row = statements.conversationByKey.get(checked.type, checked.id)!
      const conversation = this.context.toConversation(row)
      return { conversation, readSeq: conversation.readSeq, moved }
    })
  }

  applyReadPointer(key: ConversationKey, seq: number): Conversation | null {
    const checked = checkKey(key)
    checkSafeInteger(seq, 'read position')
    return this.context.write(() => this.advanceReadPointer(checked, seq, true))
  }

  pendingReadPointers(): ReadPointer[] {
    return this.context.statements.pendingReadPointers.all().map((row) => ({
      key: { type: row.chat_type as ChatType, id: row.id },
      seq: row.read_seq
    }))
  }

  markReadPointerSynced(key: ConversationKey, seq: number): void {
    const { type, id } = checkKey(key)
    this.context.statements.markReadPointerSynced.run(checkSafeInteger(seq, 'read position'), type, id)
  }

  setDraft(key: ConversationKey, text: string | null): Conversation | null {
    const { statements } = this.context
    const { type, id } = checkKey(key)
    const draft = checkDraft(text)
    return this.context.write(() => {
      if (draft !== null) statements.ensureConversation.run(type, id, Date.now())
      statements.setDraft.run(draft, type, id)
      const row = statements.conversationByKey.get(type, id)
      return row ? this.context.toConversation(row) : null
    })
  }

  getDraft(key: ConversationKey): string | null {
    const { type, id } = checkKey(key)
    return this.context.statements.getDraft.get(type, id)?.draft ?? null
  }

  /**
   * Move the read pointer of `key` forward to `target` (never back) and derive the unread count from it.
   * `confirmed`: the pointer came from the server, so it is synced too. Returns the conversation when it is
   * listed and something changed, else null. Creates the conversation row when a confirmed pointer arrives
   * before its messages (they will count against it). Runs inside the caller's write.
   */
  advanceReadPointer(key: ConversationKey, target: number, confirmed: boolean): Conversation | null {
    const { statements } = this.context
    if (confirmed) statements.ensureConversation.run(key.type, key.id, 0)
    const state = statements.readState.get(key.type, key.id)
    if (state === undefined) return null
    if (target <= state.read_seq) {
      if (confirmed && target > state.read_seq_synced) statements.markReadPointerSynced.run(target, key.type, key.id)
      return null
    }
    const unreadAfter = statements.countIncomingBetween.get(key.type, key.id, target, NO_SEQ_BOUND)?.n ?? 0
    // Below a server summary's head the count came from the server and the local history may have gaps: lower it
    // by what this device can see was read, never below what it can see is unread.
    const unread =
      target >= state.unread_through_seq
        ? unreadAfter
        : Math.max(
            unreadAfter,
            state.unread_count - (statements.countIncomingBetween.get(key.type, key.id, state.read_seq, target)?.n ?? 0)
          )
    statements.setReadPointer.run(target, unread, confirmed ? target : 0, key.type, key.id)
    const row = statements.conversationByKey.get(key.type, key.id)
    if (row === undefined || (row.m_id === null && row.c_draft === null)) return null
    return this.context.toConversation(row)
  }

  /** The newest acked seq stored for the conversation (0 if none). */
  private newestSeq(key: ConversationKey): number {
    const newest = this.context.statements.pageAcked.get(key.type, key.id, NO_SEQ_BOUND, 1)
    return newest?.seq ?? 0
  }
}
