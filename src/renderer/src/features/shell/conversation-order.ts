// Owns the order of the conversation list (pinned first, then newest activity), so the list and the
// next / previous conversation commands walk the same order.
import type { Conversation } from '../../../../shared/model'

export function conversationListOrder(chats: readonly Conversation[], rooms: readonly Conversation[]): Conversation[] {
  return [...chats, ...rooms].sort((a, b) => Number(b.pinned === true) - Number(a.pinned === true) || b.updatedAt - a.updatedAt)
}
