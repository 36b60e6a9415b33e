// Folds the messages changed in one write into per-conversation updates (last message, unread delta,
// activity time) and applies them: the single owner of "which message is a conversation's newest".
import type { ChatMessage, ChatType, Conversation, ConversationKey } from '../../../shared/model'
import type { StoreError } from './errors'
import { rowToMessage } from './rows'
import type { StoreStatements } from './statements'

interface LastMessageKey {
  id: string
  seq: number | null
  timestamp: number
}

interface PendingConversation {
  key: ConversationKey
  newest: ChatMessage
  /** Seqs of incoming messages this write inserted (candidates for unread). */
  incomingSeqs: number[]
  updatedAt: number
}

/** The decision for one conversation, kept for building the result. */
interface Decided {
  keptLastId: string | null
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

export function keyOf(type: string, id: string): string {
  return `${type}:${id}`
}

export class ConversationUpdates {
  private readonly pending = new Map<string, PendingConversation>()

  /** Record that `message` (as stored, canonical ids) was inserted or changed; `inserted` when it is new here. */
  add(message: ChatMessage, inserted: boolean): void {
    const mapKey = keyOf(message.chatType, message.conversationId)
    const countable = inserted && message.direction === 'in' && message.seq !== null
    let entry = this.pending.get(mapKey)
    if (entry === undefined) {
      entry = {
        key: { type: message.chatType, id: message.conversationId },
        newest: message,
        incomingSeqs: [],
        updatedAt: message.timestamp
      }
      this.pending.set(mapKey, entry)
    } else if (isNewerMessage(message, entry.newest)) {
      entry.newest = message
    }
    if (countable) entry.incomingSeqs.push(message.seq!)
    entry.updatedAt = Math.max(entry.updatedAt, message.timestamp)
  }

  /** The highest incoming seq this write inserted into `key`'s conversation (0 if none). */
  newestIncomingSeq(key: ConversationKey): number {
    const entry = this.pending.get(keyOf(key.type, key.id))
    return entry === undefined ? 0 : Math.max(0, ...entry.incomingSeqs)
  }

  get size(): number {
    return this.pending.size
  }

  /**
   * Write every pending conversation (inside the caller's transaction) and return them as stored. A sync batch
   * touches hundreds of conversations, so this is set-based: one read of their current state, the decisions
   * made here, one upsert of all of them.
   *
   * An inserted incoming message counts as unread when it is after the read pointer and after the range a
   * server summary's count already covered (unread_through_seq; see migrations/003).
   */
  apply(statements: StoreStatements, onMissing: (key: string) => StoreError): Conversation[] {
    if (this.pending.size === 0) return []
    const keys = [...this.pending.values()].map((entry) => [entry.key.type, entry.key.id])
    const states = new Map(statements.conversationStates.all(JSON.stringify(keys)).map((s) => [keyOf(s.chat_type, s.id), s]))

    const decided = new Map<string, Decided>()
    const upserts: [string, string, string, number, number][] = []
    for (const [mapKey, entry] of this.pending) {
      const state = states.get(mapKey)
      const current: LastMessageKey | null =
        state?.last_message_id == null
          ? null
          : { id: state.last_message_id, seq: state.last_seq, timestamp: state.last_timestamp ?? 0 }
      const keepsCurrent = current !== null && !isNewerMessage(entry.newest, current)
      decided.set(mapKey, { keptLastId: keepsCurrent ? current.id : null })
      const countedAbove = Math.max(state?.read_seq ?? 0, state?.unread_through_seq ?? 0)
      const unreadDelta = entry.incomingSeqs.filter((seq) => seq > countedAbove).length
      upserts.push([
        entry.key.type,
        entry.key.id,
        keepsCurrent ? current.id : entry.newest.id,
        unreadDelta,
        entry.updatedAt
      ])
    }
    const rows = statements.upsertConversations.all(JSON.stringify(upserts))

    const byKey = new Map(rows.map((row) => [keyOf(row.chat_type, row.id), row]))
    return [...this.pending].map(([mapKey, entry]) => {
      const row = byKey.get(mapKey)
      if (!row) throw onMissing(mapKey)
      const keptId = decided.get(mapKey)?.keptLastId ?? null
      const stored = keptId === null ? undefined : statements.messageById.get(keptId)
      return {
        id: row.id,
        chatType: row.chat_type as ChatType,
        // Names come from the domains (groups, rooms, contacts) once they keep them; until then the id shows.
        title: null,
        lastMessage: keptId === null ? entry.newest : stored ? rowToMessage(stored) : null,
        unreadCount: row.unread_count,
        readSeq: row.read_seq,
        draft: row.draft,
        updatedAt: row.updated_at
      }
    })
  }
}
