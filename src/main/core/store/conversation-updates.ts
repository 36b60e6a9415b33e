// Folds the messages changed in one write into per-conversation updates (last message, unread delta,
// activity time) and applies them: the single owner of "which message is a conversation's newest".
import type { ChatType } from '../../../shared/model'
import type { MessageParams } from './rows'
import type { ConversationState, StoreStatements } from './statements'

interface LastMessageKey {
  id: string
  seq: number | null
  timestamp: number
}

interface PendingConversation {
  chatType: ChatType
  newest: LastMessageKey | null
  unreadDelta: number
  updatedAt: number
}

/**
 * Is `candidate` newer than `current`? Acked messages compare by log position (seq); when either is still
 * unacked, by timestamp (local send time vs server time: the best order available). The same id always wins,
 * so a conversation's last message is refreshed when that message changes (e.g. turns 'sent').
 */
export function isNewerMessage(candidate: LastMessageKey, current: LastMessageKey | null): boolean {
  if (current === null || candidate.id === current.id) return true
  if (candidate.seq !== null && current.seq !== null) return candidate.seq > current.seq
  return candidate.timestamp >= current.timestamp
}

export class ConversationUpdates {
  private readonly pending = new Map<string, PendingConversation>()

  /** Record that `message` was inserted or changed; `countsAsUnread` when it is a new incoming message. */
  add(message: MessageParams, countsAsUnread: boolean): void {
    const key: LastMessageKey = { id: message.id, seq: message.seq, timestamp: message.timestamp }
    const entry = this.pending.get(message.conversation_id)
    if (entry === undefined) {
      this.pending.set(message.conversation_id, {
        chatType: message.chat_type as ChatType,
        newest: key,
        unreadDelta: countsAsUnread ? 1 : 0,
        updatedAt: message.timestamp
      })
      return
    }
    if (isNewerMessage(key, entry.newest)) entry.newest = key
    if (countsAsUnread) entry.unreadDelta += 1
    entry.updatedAt = Math.max(entry.updatedAt, message.timestamp)
  }

  get size(): number {
    return this.pending.size
  }

  /** Write every pending conversation (inside the caller's transaction). Returns the ids written. */
  apply(statements: StoreStatements): string[] {
    for (const [id, entry] of this.pending) {
      const state: ConversationState | undefined = statements.conversationState.get(id)
      const current: LastMessageKey | null =
        state?.last_message_id != null
          ? { id: state.last_message_id, seq: state.last_seq, timestamp: state.last_timestamp ?? 0 }
          : null
      const newest = entry.newest !== null && isNewerMessage(entry.newest, current) ? entry.newest : current
      statements.upsertConversation.run({
        id,
        chat_type: entry.chatType,
        last_message_id: newest?.id ?? null,
        unread_delta: entry.unreadDelta,
        updated_at: entry.updatedAt
      })
    }
    return [...this.pending.keys()]
  }
}
