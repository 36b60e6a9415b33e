// Owns what a big stored batch (a catch-up chunk of up to 2,000 log entries) sends to the renderer: ONE `sync.batch`
// push with each changed conversation once and only the messages the renderer can use, instead of a push per item.
import type { ChatMessage, Conversation, ConversationKey } from '../../../shared/model'
import { conversationKeyString } from '../../../shared/model'
import { NOTIFY_MAX_AGE_MS } from '../../../shared/notifications/decide'
import type { AppliedBatch } from '../types'
import { canonicalConversation } from './client-access'

/**
 * A batch with more items (messages + conversations) than this goes as one `sync.batch`; smaller ones (a live push,
 * a catch-up after a short break) go item by item as `message.upsert` / `conversation.upsert`, as before. A catch-up
 * of 100k messages pushed item by item cost the renderer one task each (each re-sorting the list): it fell minutes
 * behind, and the replies queued behind those events timed out (bench:ui).
 */
export const BATCH_ITEMS_FORWARDED_ONE_BY_ONE = 100

/** The invokes after which the renderer holds messages of their `conversation` (its message store's loaded pages). */
const LOADS_MESSAGES: ReadonlySet<string> = new Set(['messages.page', 'messages.around', 'messages.after', 'conversations.setActive'])

/**
 * The conversations whose messages this renderer holds: any it paged (or opened) since the session signed in. A
 * superset of the renderer's loaded conversations (it never drops a page it loaded, and a reloaded page only holds
 * fewer), so every message of a conversation on screen reaches it; the others load their newest page when opened.
 */
export class RendererViews {
  private readonly keys = new Set<string>()

  /** A validated invoke arrived: remember the conversation it loads messages of. */
  noteInvoke(method: string, args: unknown): void {
    if (!LOADS_MESSAGES.has(method) || typeof args !== 'object' || args === null) return
    const conversation = (args as { conversation?: ConversationKey | null }).conversation
    if (!conversation) return
    try {
      this.keys.add(conversationKeyString(canonicalConversation(conversation)))
    } catch {
      // Not a valid user name: the invoke itself is refused, and nothing loads.
    }
  }

  holds(message: ChatMessage): boolean {
    return this.keys.has(conversationKeyString({ type: message.chatType, id: message.conversationId }))
  }

  /** Signed out or in again: the renderer's stores start empty. */
  clear(): void {
    this.keys.clear()
  }
}

/**
 * What of a big batch reaches the renderer: every conversation once (its newest state: last message, unread count,
 * order), the messages of conversations it holds, and incoming messages young enough to notify (older ones are
 * "stale" for src/shared/notifications, which the list and the badge show instead). Answers null when the batch is
 * small enough to go item by item.
 */
export function coalesceBatch(batch: AppliedBatch, views: RendererViews, now: number): AppliedBatch | null {
  if (batch.messages.length + batch.conversations.length <= BATCH_ITEMS_FORWARDED_ONE_BY_ONE) return null
  const messages = batch.messages.filter((message) => views.holds(message) || (message.direction === 'in' && now - message.timestamp <= NOTIFY_MAX_AGE_MS))
  const conversations = new Map<string, Conversation>()
  for (const conversation of batch.conversations) conversations.set(conversationKeyString({ type: conversation.chatType, id: conversation.id }), conversation)
  return { messages, conversations: [...conversations.values()] }
}
