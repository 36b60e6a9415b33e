// Folds the messages changed in one write into per-conversation updates (last message, unread delta,
// activity time) and applies them: the single owner of "which message is a conversation's newest".
import type { ChatMessage, ChatType, Conversation } from '../../../shared/model'
import type { StoreError } from './errors'
import { rowToMessage } from './rows'
import type { StoreStatements } from './statements'

interface LastMessageKey {
  id: string
  seq: number | null
  timestamp: number
}

interface PendingConversation {
  chatType: ChatType
  newest: ChatMessage
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

  /** Record that `message` (as stored) was inserted or changed; `countsAsUnread` when it is a new incoming one. */
  add(message: ChatMessage, countsAsUnread: boolean): void {
    const entry = this.pending.get(message.conversationId)
    if (entry === undefined) {
      this.pending.set(message.conversationId, {
        chatType: message.chatType,
        newest: message,
        unreadDelta: countsAsUnread ? 1 : 0,
        updatedAt: message.timestamp
      })
      return
    }
    if (isNewerMessage(message, entry.newest)) entry.newest = message
    if (countsAsUnread) entry.unreadDelta += 1
    entry.updatedAt = Math.max(entry.updatedAt, message.timestamp)
  }

  /**
   * Write every pending conversation (inside the caller's transaction) and return them as stored. A sync batch
   * touches hundreds of conversations, so this is set-based: one read of their current last messages, the
   * decisions made here, one upsert of all of them.
   */
  apply(statements: StoreStatements, onMissing: (id: string) => StoreError): Conversation[] {
    if (this.pending.size === 0) return []
    const currentById = new Map<string, LastMessageKey>()
    for (const state of statements.conversationStates.all(JSON.stringify([...this.pending.keys()]))) {
      if (state.last_message_id === null) continue
      currentById.set(state.id, { id: state.last_message_id, seq: state.last_seq, timestamp: state.last_timestamp ?? 0 })
    }

    /** Conversations whose last message stays one written before this batch (older history arrived). */
    const keptLast = new Map<string, string>()
    const upserts: [string, string, string, number, number][] = []
    for (const [id, entry] of this.pending) {
      const current = currentById.get(id) ?? null
      const keepsCurrent = current !== null && !isNewerMessage(entry.newest, current)
      if (keepsCurrent) keptLast.set(id, current.id)
      upserts.push([id, entry.chatType, keepsCurrent ? current.id : entry.newest.id, entry.unreadDelta, entry.updatedAt])
    }
    const rows = statements.upsertConversations.all(JSON.stringify(upserts))

    const byId = new Map(rows.map((row) => [row.id, row]))
    return [...this.pending].map(([id, entry]) => {
      const row = byId.get(id)
      if (!row) throw onMissing(id)
      const keptId = keptLast.get(id)
      const stored = keptId === undefined ? undefined : statements.messageById.get(keptId)
      return {
        id: row.id,
        chatType: row.chat_type as ChatType,
        lastMessage: keptId === undefined ? entry.newest : stored ? rowToMessage(stored) : null,
        unreadCount: row.unread_count,
        readSeq: 0,
        draft: null,
        updatedAt: row.updated_at
      }
    })
  }
}
