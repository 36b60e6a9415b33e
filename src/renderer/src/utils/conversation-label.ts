// Words that describe a conversation in the list: the preview line and the button's accessible name
// ("bob, 2 unread, last message: hi"). The name starts with the peer's username on purpose (e2e contract).
import type { Conversation } from '../../../shared/model'

const PREVIEW_MAX_CHARS = 80

/** One line of the last message, prefixed with "You: " for own messages. */
export function previewText(conversation: Conversation): string {
  const last = conversation.lastMessage
  if (!last) return 'No messages yet'
  const oneLine = last.content.text.replace(/\s+/g, ' ').trim()
  const clipped = oneLine.length > PREVIEW_MAX_CHARS ? `${oneLine.slice(0, PREVIEW_MAX_CHARS - 1)}…` : oneLine
  return last.direction === 'out' ? `You: ${clipped}` : clipped
}

export function conversationAccessibleName(conversation: Conversation): string {
  const parts = [conversation.id]
  if (conversation.unreadCount > 0) parts.push(`${conversation.unreadCount} unread`)
  parts.push(conversation.lastMessage ? `last message: ${previewText(conversation)}` : 'no messages yet')
  return parts.join(', ')
}

/** Badge text: large counts are capped so the badge keeps its size. */
export function unreadBadgeText(count: number): string {
  return count > 99 ? '99+' : String(count)
}
