// Owns what a reply quotes and what a forward sends: the quote of an original (ReplyInfo) and the content of a
// forward (one message as itself, several as one combined "Chat history of ..." message). Pure functions.
import { AppError } from '../../../shared/errors'
import { messagePreview } from '../../../shared/message-preview'
import type { ChatMessage, CombinedItem, MediaOrTextContent, MessageContent, ReplyInfo } from '../../../shared/model'

/** Messages one combined forward may carry: a long chat excerpt, still one frame (MAX_FRAME_BYTES) of text. */
export const FORWARD_MAX_MESSAGES = 100
/** Conversations one forward may go to at once. */
export const FORWARD_MAX_TARGETS = 20

/** The quote of `original` for a reply; it must be on the server (it has a server id) so others can find it. */
export function replyInfoOf(original: ChatMessage): ReplyInfo {
  if (original.content.type === 'notice' || original.content.type === 'command') {
    throw new AppError('BAD_ARGUMENT', 'You can only reply to a message.')
  }
  return { id: original.id, serverId: original.serverId, from: original.from, preview: messagePreview(original.content), seq: original.seq }
}

function combinedItemOf(message: ChatMessage): CombinedItem | null {
  const content = message.content
  switch (content.type) {
    case 'text':
      // Mentions belonged to the original conversation.
      return { from: message.from, timestamp: message.timestamp, content: { type: 'text', text: content.text } }
    case 'image':
    case 'voice':
    case 'video':
    case 'file':
    case 'location':
    case 'custom':
      return { from: message.from, timestamp: message.timestamp, content: content satisfies MediaOrTextContent }
    default:
      return null
  }
}

/** "Chat history of alice and bob", "Chat history of alice, bob and carol" (in first-appearance order). */
export function combinedTitle(senders: readonly string[]): string {
  const names = [...new Set(senders)]
  if (names.length <= 1) return `Chat history of ${names[0] ?? 'a chat'}`
  return `Chat history of ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
}

/**
 * What a forward of `messages` (in the order shown) sends: one message as its own content (marked forwarded),
 * several as one combined message. Notices, commands and content this version cannot read are not forwardable.
 */
export function forwardContent(messages: readonly ChatMessage[]): { content: MessageContent; forwarded: boolean } {
  if (messages.length === 0) throw new AppError('BAD_ARGUMENT', 'Choose the messages to forward.')
  if (messages.length > FORWARD_MAX_MESSAGES) {
    throw new AppError('LIMIT_EXCEEDED', `You can forward at most ${FORWARD_MAX_MESSAGES} messages at once.`, { params: { limit: FORWARD_MAX_MESSAGES } })
  }
  const items = messages.map(combinedItemOf)
  if (items.some((item) => item === null)) throw new AppError('BAD_ARGUMENT', 'Some of these messages cannot be forwarded.')
  if (messages.length === 1) {
    const only = messages[0]!.content
    // A text forwarded alone loses its mentions (they named people of the original conversation).
    return { content: only.type === 'text' ? { type: 'text', text: only.text } : only, forwarded: true }
  }
  const sorted = [...(items as CombinedItem[])].sort((a, b) => a.timestamp - b.timestamp)
  return { content: { type: 'combined', title: combinedTitle(sorted.map((item) => item.from)), items: sorted }, forwarded: false }
}
