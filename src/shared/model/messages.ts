// Owns the core domain types: chat types and conversation keys, messages and their content, conversations,
// connection state and session. Plain serialisable data only (they cross IPC and the browser host as clones / JSON).
import type { FailureReason } from '../errors'
import type { GroupNoticeKind } from './groups'
import type {
  CombinedContent,
  CommandContent,
  CustomContent,
  FileContent,
  ImageContent,
  LocationContent,
  ReplyInfo,
  VideoContent,
  VoiceContent
} from './content'


export type ChatType = 'single' | 'group' | 'room'

/** Lifecycle of a message as this device sees it. */
export type MessageStatus =
  | 'sending' // stored in the outbox, not yet acked by the server
  | 'sent' // acked: has serverId, seq and the server timestamp
  | 'failed' // the server refused it (or it could not be sent); the user may retry
  | 'received' // came from someone else

export type MessageDirection = 'out' | 'in'

export interface TextContent {
  type: 'text'
  text: string
  /** Group chats: the user ids @mentioned in the text (absent when none). */
  mentions?: string[]
  /** Group chats: @all (owner and admins only). */
  mentionAll?: boolean
  /** When the sender last edited the text (ms since epoch); absent = never edited (the bubble says "edited"). */
  editedAt?: number
}

/**
 * A recalled message: its content is gone everywhere (the server keeps none); the timeline shows "You recalled a
 * message" / "alice recalled a message" in its place. `by` is the sender, or a group owner/admin who recalled it.
 */
export interface RecalledContent {
  type: 'recalled'
  by: string
  /** ms since epoch (server clock). */
  at: number
}

/**
 * A system notice of a group's timeline ("alice added bob"): stored in the conversation like a message, with the
 * group's seq, shown as a centred line, never counted as unread.
 */
export interface NoticeContent {
  type: 'notice'
  kind: GroupNoticeKind
  actor: string
  users: string[]
  /** What changed (info), the announcement, or '' . */
  text: string
  /** Mutes: until when (ms since epoch); pins: the message's server id. 0 when not used. */
  until: number
  serverId: number
}

/**
 * A message this version cannot show (a newer client sent a content type it does not know): the event's raw
 * bytes are kept, base64, so a newer version re-reads them in place (MessageStore.reinterpretUnsupported)
 * without refetching. Shown as "this message needs a newer version".
 */
export interface UnsupportedContent {
  type: 'unsupported'
  /** The encoded event (base64 of its bytes), exactly as received. */
  raw: string
}

/** Every content a message can have; new types add members here (and in src/shared/proto/messages.proto Body). */
export type MessageContent =
  | TextContent
  | ImageContent
  | VoiceContent
  | VideoContent
  | FileContent
  | LocationContent
  | CommandContent
  | CustomContent
  | CombinedContent
  | UnsupportedContent
  | NoticeContent
  | RecalledContent

/**
 * A conversation's identity: its chat type plus its id (the canonical peer user id for single chats, the group
 * or room id otherwise). Ids are unique only per type, so every store method takes this pair; for a Map key or
 * a route use conversationKeyString() ('single:bob').
 */
export interface ConversationKey {
  type: ChatType
  id: string
}

export function conversationKey(type: ChatType, id: string): ConversationKey {
  return { type, id }
}

/** The key as one string, '<type>:<id>' (e.g. 'single:bob'), for Map keys and routes; the type never contains ':'. */
export function conversationKeyString(key: ConversationKey): string {
  return `${key.type}:${key.id}`
}

const CHAT_TYPES: readonly ChatType[] = ['single', 'group', 'room']

/** The key back from conversationKeyString(); null when the string is not one. */
export function parseConversationKeyString(value: string): ConversationKey | null {
  const colon = value.indexOf(':')
  if (colon < 0) return null
  const type = value.slice(0, colon) as ChatType
  const id = value.slice(colon + 1)
  return CHAT_TYPES.includes(type) && id.length > 0 ? { type, id } : null
}

/** Whether two keys name the same conversation (ids are compared as given: pass canonical keys). */
export function sameConversation(a: ConversationKey | null | undefined, b: ConversationKey | null | undefined): boolean {
  return !!a && !!b && a.type === b.type && a.id === b.id
}

export interface ChatMessage {
  /** The client id: 32 hex digits, chosen by the sending device before the message is stored. */
  id: string
  /** Server-assigned id once acked / received. */
  serverId: number | null
  /** The conversation the message belongs to from this account's point of view (peer user for single chats). */
  conversationId: string
  chatType: ChatType
  from: string
  to: string
  direction: MessageDirection
  content: MessageContent
  /** ms since epoch: server time once acked, local time while sending. */
  timestamp: number
  /** Position in this account's log once known; null while sending. */
  seq: number | null
  status: MessageStatus
  /** Why the last send failed (a code and params the renderer words); null otherwise. */
  error: FailureReason | null
  /** The message this one answers; absent when it is not a reply. */
  replyTo?: ReplyInfo
  /** Burn after reading: gone this many seconds after the recipient first reads it; absent = kept. */
  burnAfterReadSec?: number
  /** Forwarded from another conversation. */
  forwarded?: boolean
  /** Self-destruct: when the message goes from every device (ms since epoch, server clock); absent = kept. */
  expiresAt?: number
}

export interface Conversation {
  id: string
  chatType: ChatType
  /**
   * The name to show: a group's or room's name, a contact's remark or nickname; null = show the id (a user id is
   * readable, a group id is not, so groups and rooms always fill it once known).
   */
  title: string | null
  lastMessage: ChatMessage | null
  /** Incoming messages after the read pointer (derived from readSeq, so every device shows the same count). */
  unreadCount: number
  /** Group chats: unread messages that @mention this account (or @all); absent = 0. */
  mentions?: number
  /** The read pointer: every message with seq <= readSeq has been read (on any of the user's devices). */
  readSeq: number
  /** Text typed and not sent yet, kept across restarts (the list shows "Draft: ..."); null when none. */
  draft: string | null
  /** ms since epoch of the latest activity; the list is ordered by it. */
  updatedAt: number
  /** Pinned to the top of the list on all the account's devices. */
  pinned?: boolean
  /** Marked unread by the user (shown as unread until opened), on all the account's devices. */
  markedUnread?: boolean
  /**
   * Do not disturb until this time (ms since epoch), on all the account's devices; absent or 0 = not muted; a time
   * already past = not muted (no event comes when it passes); MUTED_UNTIL_TURNED_OFF (model/reactions) = until the
   * user turns it off.
   */
  mutedUntil?: number
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected'

export interface ConnectionStatus {
  state: ConnectionState
  /** When state is 'reconnecting': ms since epoch of the next attempt. */
  nextRetryAt: number | null
  /** A sentence for the user when the connection is down for a reason they should know. */
  reason: string | null
}

export interface SessionInfo {
  user: string
  serverUrl: string
  deviceId: string
}

export interface MessagePage {
  /** Oldest first, so the UI can append them in order. */
  messages: ChatMessage[]
  hasMore: boolean
}
