// Row <-> domain mapping for the roaming store: the only place that knows how a ChatMessage or a
// Conversation is laid out in SQLite columns.
import { encodeFailureReason } from '../../../shared/errors'
import { readFailureReason } from './failure-reasons'
import type { ChatMessage, ChatType, Conversation, MessageContent, MessageDirection, MessageStatus } from '../../../shared/model'
import { canonicalUserId } from '../../../shared/user-id'
import { StoreError } from './errors'
import { searchKey } from './search-text'

/** A messages row as selected with `SELECT <MESSAGE_COLUMNS>`. */
export interface MessageRow {
  id: string
  server_id: number | null
  conversation_id: string
  chat_type: string
  sender: string
  recipient: string
  direction: string
  type: string
  /** Content JSON, or null for plain text content (then `text` is the whole content). */
  body: string | null
  text: string
  timestamp: number
  seq: number | null
  status: string
  error: string | null
  /** Self-destruct (store/message-ops): when the message goes (ms), and a burn timer still waiting for a read. */
  expires_at: number | null
  burn_sec: number | null
  /** Reply and forward (migration 011): the quote as JSON, and 1 for a forwarded message; NULL otherwise. */
  reply_to: string | null
  forwarded: number | null
}

/** Named parameters for inserting / updating a messages row (MESSAGE_COLUMNS plus the derived search key). */
export interface MessageParams extends MessageRow {
  search_key: bigint
}


export const MESSAGE_COLUMNS =
  'id, server_id, conversation_id, chat_type, sender, recipient, direction, type, body, text, timestamp, seq, status, error, ' +
  'expires_at, burn_sec, reply_to, forwarded'
/** Columns written by an INSERT: MESSAGE_COLUMNS then the search key (a bigint, never read back). */
export const INSERT_COLUMNS = `${MESSAGE_COLUMNS}, search_key`
/** MESSAGE_COLUMNS as a list, split once. */
export const MESSAGE_COLUMN_NAMES: readonly (keyof MessageRow)[] = MESSAGE_COLUMNS.split(', ') as (keyof MessageRow)[]

/** The same columns qualified by a table alias, for joins. */
export function messageColumnsOf(alias: string): string {
  return MESSAGE_COLUMN_NAMES.map((column) => `${alias}.${column}`).join(', ')
}

/**
 * A conversations row LEFT JOINed with its last message: the message columns are prefixed `m_` and are all
 * null when the conversation has no last message.
 */
export type ConversationRow = {
  c_id: string
  c_chat_type: string
  c_unread_count: number
  c_read_seq: number
  c_draft: string | null
  c_updated_at: number
} & { [K in keyof MessageRow as `m_${K}`]: MessageRow[K] | null }

export const CONVERSATION_COLUMNS =
  'c.id AS c_id, c.chat_type AS c_chat_type, c.unread_count AS c_unread_count, c.read_seq AS c_read_seq, ' +
  'c.draft AS c_draft, c.updated_at AS c_updated_at, ' +
  MESSAGE_COLUMN_NAMES.map((column) => `m.${column} AS m_${column}`).join(', ')

/** A combined (merged forward) message nests at most this deep; deeper items add no words (a hostile body). */
const MAX_COMBINED_DEPTH = 4

/**
 * The words a message contributes to full-text search: its text, an attachment's file name, a location's name and
 * address, a custom card's fallback text, and a combined message's title and every item's words (one per line).
 * New content types add their searchable text here (migrations/012 re-derives it for stored rows).
 */
export function searchableText(content: MessageContent, depth = 0): string {
  switch (content.type) {
    case 'text':
      return content.text
    case 'image':
    case 'voice':
    case 'video':
    case 'file':
      return content.file.name
    case 'location':
      return joinLines([content.name, content.address])
    case 'custom':
      return content.fallbackText
    case 'combined':
      if (depth >= MAX_COMBINED_DEPTH) return content.title
      return joinLines([content.title, ...content.items.map((item) => searchableText(item.content, depth + 1))])
    default:
      // Commands are never shown, notices are the group's own lines, unsupported content has no words.
      return ''
  }
}

function joinLines(parts: string[]): string {
  return parts.filter((part) => part !== '').join('\n')
}

/**
 * Plain text content ({ type: 'text', text } and nothing else) is stored once, in `text`, with a null body:
 * sync rows are mostly that, and the JSON copy made rows ~25% larger.
 */
function isPlainText(content: MessageContent): boolean {
  return content.type === 'text' && Object.keys(content).length === 2
}

/**
 * The message with canonical ids: the sender always, the recipient and conversation id of single chats (group
 * and room ids are not user ids). Null when one of those is not a valid user id at all.
 */
export function canonicalMessage(message: ChatMessage): ChatMessage | null {
  const from = canonicalUserId(message.from)
  if (from === null) return null
  if (message.chatType !== 'single') return from === message.from ? message : { ...message, from }
  const to = canonicalUserId(message.to)
  const conversationId = canonicalUserId(message.conversationId)
  if (to === null || conversationId === null) return null
  if (from === message.from && to === message.to && conversationId === message.conversationId) return message
  return { ...message, from, to, conversationId }
}

export function messageToParams(message: ChatMessage): MessageParams {
  return {
    id: message.id,
    server_id: message.serverId,
    conversation_id: message.conversationId,
    chat_type: message.chatType,
    sender: message.from,
    recipient: message.to,
    direction: message.direction,
    type: message.content.type,
    body: isPlainText(message.content) ? null : JSON.stringify(message.content),
    text: searchableText(message.content),
    timestamp: message.timestamp,
    seq: message.seq,
    status: message.status,
    error: message.error ? encodeFailureReason(message.error) : null,
    expires_at: message.expiresAt ?? null,
    burn_sec: message.burnAfterReadSec ?? null,
    reply_to: message.replyTo ? JSON.stringify(message.replyTo) : null,
    forwarded: message.forwarded ? 1 : null,
    search_key: searchKey(message.timestamp, message.seq, message.id)
  }
}

/** Appends the params as positional values in MESSAGE_COLUMNS order (multi-row inserts bind a flat list). */
export function pushMessageValues(values: unknown[], p: MessageParams): void {
  values.push(p.id, p.server_id, p.conversation_id, p.chat_type, p.sender, p.recipient, p.direction, p.type, p.body, p.text,
    p.timestamp, p.seq, p.status, p.error, p.expires_at, p.burn_sec, p.reply_to, p.forwarded, p.search_key)
}

/**
 * The message exactly as messageToParams stores it and rowToMessage reads it back, built without the JSON
 * round trip (sync batches return every inserted message; parsing them again was measurable).
 */
export function storedMessage(message: ChatMessage): ChatMessage {
  return {
    id: message.id,
    serverId: message.serverId,
    conversationId: message.conversationId,
    chatType: message.chatType,
    from: message.from,
    to: message.to,
    direction: message.direction,
    content: message.content,
    timestamp: message.timestamp,
    seq: message.seq,
    status: message.status,
    error: message.error,
    ...(message.expiresAt ? { expiresAt: message.expiresAt } : {}),
    ...(message.burnAfterReadSec ? { burnAfterReadSec: message.burnAfterReadSec } : {}),
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
    ...(message.forwarded ? { forwarded: true } : {})
  }
}

export function rowToMessage(row: MessageRow): ChatMessage {
  let content: MessageContent
  try {
    if (row.body === null) {
      if (row.type !== 'text') throw new Error(`a ${row.type} message has no content`)
      content = { type: 'text', text: row.text }
    } else {
      content = JSON.parse(row.body) as MessageContent
    }
  } catch (err) {
    throw new StoreError('STORE_CORRUPT', `The stored content of message ${row.id} is damaged and cannot be read.`, {
      cause: err
    })
  }
  return {
    id: row.id,
    serverId: row.server_id,
    conversationId: row.conversation_id,
    chatType: row.chat_type as ChatType,
    from: row.sender,
    to: row.recipient,
    direction: row.direction as MessageDirection,
    content,
    timestamp: row.timestamp,
    seq: row.seq,
    status: row.status as MessageStatus,
    error: readFailureReason(row.error),
    ...(row.expires_at !== null && row.expires_at !== undefined ? { expiresAt: row.expires_at } : {}),
    ...(row.burn_sec !== null && row.burn_sec !== undefined ? { burnAfterReadSec: row.burn_sec } : {}),
    ...replyExtrasOf(row)
  }
}

/** The reply quote and forwarded mark of a row (a damaged quote is dropped: the message itself still shows). */
function replyExtrasOf(row: MessageRow): Pick<ChatMessage, 'replyTo' | 'forwarded'> {
  const extras: Pick<ChatMessage, 'replyTo' | 'forwarded'> = {}
  if (row.reply_to) {
    try {
      extras.replyTo = JSON.parse(row.reply_to) as NonNullable<ChatMessage['replyTo']>
    } catch {
      // leave it out
    }
  }
  if (row.forwarded === 1) extras.forwarded = true
  return extras
}

export function rowToConversation(row: ConversationRow): Conversation {
  let lastMessage: ChatMessage | null = null
  if (row.m_id !== null) {
    // The join found the message, so its NOT NULL columns are present: strip the prefix back off.
    const messageRow = Object.fromEntries(
      MESSAGE_COLUMN_NAMES.map((column) => [column, row[`m_${column}`]])
    ) as unknown as MessageRow
    lastMessage = rowToMessage(messageRow)
  }
  return {
    id: row.c_id,
    chatType: row.c_chat_type as ChatType,
    title: null,
    lastMessage,
    unreadCount: row.c_unread_count,
    readSeq: row.c_read_seq,
    draft: row.c_draft,
    updatedAt: row.c_updated_at
  }
}

/** Field-by-field equality of two stored messages (content compared as stored: body JSON and text). */
export function sameStoredMessage(a: MessageRow, b: MessageRow): boolean {
  return (
    a.id === b.id &&
    a.server_id === b.server_id &&
    a.conversation_id === b.conversation_id &&
    a.chat_type === b.chat_type &&
    a.sender === b.sender &&
    a.recipient === b.recipient &&
    a.direction === b.direction &&
    a.type === b.type &&
    a.body === b.body &&
    a.text === b.text &&
    a.timestamp === b.timestamp &&
    a.seq === b.seq &&
    a.status === b.status &&
    a.error === b.error &&
    a.expires_at === b.expires_at &&
    a.burn_sec === b.burn_sec
  )
}
