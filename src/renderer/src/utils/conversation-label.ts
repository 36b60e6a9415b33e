// Words that describe a conversation in the list: the preview line ("Draft: …", "You: …" or the last message)
// and the button's accessible name ("bob, 2 unread, last message: hi"). The name starts with the peer's username
// on purpose (e2e contract).
import type { ChatMessage, Conversation } from '../../../shared/model'
import { noticeSentence } from './notice-words'
import { contentSummary } from '../features/messages/content-summary'
import { tr } from '../i18n/translate'
import { idAsName, type NameOf } from './name-of'

const PREVIEW_MAX_CHARS = 80

/** What a bubble shows for a message this version cannot read (kept as raw bytes until an upgrade). */
export function needsNewerVersion(): string {
  return tr('messages.needsNewerVersion')
}

/**
 * A message's text as the user reads it: its text, or words for its content ("Photo", "File: a.pdf"). `me` (the
 * signed-in user) makes a notice read as in the timeline ("You removed Ben Smith", "alice removed you"); `nameOf`
 * names the people in it.
 */
export function messageText(message: ChatMessage, me: string | null = null, nameOf: NameOf = idAsName): string {
  if (message.content.type === 'notice') return noticeSentence(message.content, me, nameOf)
  // A recalled message (features/messages) reads as its notice, never as the text it had.
  if (message.content.type === 'recalled') return tr('messages.recalledMessage')
  if (message.content.type === 'text') return message.content.text
  return contentSummary(message.content) ?? needsNewerVersion()
}

function oneLineClipped(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length > PREVIEW_MAX_CHARS ? `${oneLine.slice(0, PREVIEW_MAX_CHARS - 1)}…` : oneLine
}

/** Whether a draft has anything worth showing in the list. */
export function hasDraft(draft: string | null | undefined): draft is string {
  return typeof draft === 'string' && draft.trim().length > 0
}

/**
 * One line: the unsent draft ("Draft: …") if any, else the last message, "You: " first for own messages and the
 * sender's name (`nameOf`) first for others' in a group or room.
 */
export function previewText(conversation: Conversation, draft: string | null = null, me: string | null = null, nameOf: NameOf = idAsName): string {
  if (hasDraft(draft)) return tr('conversations.preview.draft', { text: oneLineClipped(draft) })
  const last = conversation.lastMessage
  // A command is delivered to the app and never shown: the core never makes one a last message; if an older core
  // did, the list says nothing rather than an empty line.
  if (!last || last.content.type === 'command') return tr('conversations.preview.noMessages')
  const clipped = oneLineClipped(messageText(last, me, nameOf))
  if (last.content.type === 'notice') return clipped
  if (last.direction === 'out') return tr('conversations.preview.fromMe', { text: clipped })
  // In a group or room the list says who spoke, as in the timeline.
  return conversation.chatType === 'single' ? clipped : tr('conversations.preview.fromOther', { user: nameOf(last.from), text: clipped })
}

/** The conversation's name as shown: its title (group or room name, a contact's remark) or the peer's id. */
export function conversationTitle(conversation: Pick<Conversation, 'id' | 'title'>): string {
  return conversation.title?.trim() || conversation.id
}

/** Spoken after the name for groups and rooms, so a group called "bob" is never taken for the user bob. */
const CHAT_TYPE_WORD: Record<Conversation['chatType'], string | null> = { single: null, group: 'conversations.a11y.group', room: 'conversations.a11y.room' }

/** What the list knows beside the conversation: a friend's presence (null: not known) and do not disturb. */
export interface ConversationListState {
  online?: boolean | null
  muted?: boolean
  /** How the people in the preview are named (the contacts store's displayName); default: their ids. */
  nameOf?: NameOf
}

export function conversationAccessibleName(
  conversation: Conversation,
  draft: string | null = null,
  me: string | null = null,
  state: ConversationListState = {}
): string {
  const parts = [conversationTitle(conversation)]
  // Right after the name, as a sighted user reads the presence dot beside the avatar.
  if (state.online === true || state.online === false) parts.push(tr(state.online ? 'conversations.online' : 'conversations.offline'))
  const typeWord = CHAT_TYPE_WORD[conversation.chatType]
  if (typeWord) parts.push(tr(typeWord))
  if (conversation.pinned) parts.push(tr('conversations.a11y.pinned'))
  if (conversation.unreadCount > 0) parts.push(tr('conversations.a11y.unread', { count: conversation.unreadCount }))
  else if (conversation.markedUnread) parts.push(tr('conversations.a11y.markedUnread'))
  if ((conversation.mentions ?? 0) > 0) parts.push(tr('conversations.a11y.mentions', conversation.mentions ?? 0))
  if (hasDraft(draft)) parts.push(previewText(conversation, draft))
  else parts.push(conversation.lastMessage ? tr('conversations.a11y.lastMessage', { text: previewText(conversation, null, me, state.nameOf) }) : tr('conversations.a11y.noMessages'))
  if (state.muted) parts.push(tr('notifications.dnd.listSuffix'))
  // The locale's own separator (a full-width comma in Chinese) between every part.
  return parts.join(tr('conversations.a11y.separator'))
}

/** Badge text: large counts are capped so the badge keeps its size. */
export function unreadBadgeText(count: number): string {
  return count > 99 ? '99+' : String(count)
}
