// Owns the user log's row shapes: the values of its kind column, the columns a log read selects, and how such a
// row becomes a LogEntry or a StoredMessage.
import type { LogEntry, StoredMessage, UserEventKind } from '../records'

/** Stands in for "no upper bound" in keyset queries (all sequences stay below 2^53). */
export const NEWEST_SEQ = Number.MAX_SAFE_INTEGER

export const KIND_MESSAGE = 1
export const KIND_READ_POINTER = 2
/** ChatType.CHAT_TYPE_GROUP (messages.proto): group messages and pointers go to the groups domain. */
export const CHAT_TYPE_GROUP = 1
/** Event entries (see UserEvent): the kind column's value for each. */
export const USER_EVENT_KINDS: Readonly<Record<UserEventKind, number>> = {
  contact: 3,
  membership: 4,
  profile: 5,
  // store/message-ops: the same numbers as their Event kinds (parley.proto), so no other kind will want them.
  messageChange: 10,
  conversationSettings: 11,
  conversationCleared: 12,
  // The reply helper's kinds share their numbers with their Event oneof fields (13-16), so no branch collides.
  reaction: 13,
  conversationState: 14,
  messagePin: 15,
  devicesChanged: 16,
  // receipt and privacy: their Event field numbers.
  receipt: 8,
  privacy: 9
}
const USER_EVENT_BY_KIND = new Map<number, UserEventKind>(
  Object.entries(USER_EVENT_KINDS).map(([name, kind]) => [kind, name as UserEventKind])
)

export interface MessageColumns {
  server_id: number
  sender: string
  client_id: Buffer
  recipient: string
  chat_type: number
  ts: number
  body: Buffer
  sender_seq: number
  recalled_by: string | null
  recalled_at: number | null
  edited_at: number | null
  expires_at: number | null
}
export interface LogRow {
  seq: number
  kind: number
  conversation: string
  log_chat_type: number
  read_seq: number | null
  payload: Buffer | null
  server_id: number | null
  sender: string | null
  client_id: Buffer | null
  recipient: string | null
  chat_type: number | null
  ts: number | null
  body: Buffer | null
  sender_seq: number | null
  recalled_by: string | null
  recalled_at: number | null
  edited_at: number | null
  expires_at: number | null
}

export const MESSAGE_COLUMNS =
  'm.server_id, m.sender, m.client_id, m.recipient, m.chat_type, m.ts, m.body, m.sender_seq, m.recalled_by, m.recalled_at, m.edited_at, m.expires_at'
export const LOG_COLUMNS = `l.seq, l.kind, l.conversation, l.chat_type AS log_chat_type, l.read_seq, l.payload, ${MESSAGE_COLUMNS}`

export function toMessage(row: MessageColumns): StoredMessage {
  return {
    serverId: row.server_id,
    clientId: new Uint8Array(row.client_id),
    sender: row.sender,
    recipient: row.recipient,
    chatType: row.chat_type,
    timestamp: row.ts,
    body: new Uint8Array(row.body),
    senderSeq: row.sender_seq,
    ...messageChangeFields(row)
  }
}

/** The columns store/message-ops writes (recalled, edited, expiring), as the optional StoredMessage fields. */
export function messageChangeFields(row: {
  recalled_by: string | null
  recalled_at: number | null
  edited_at: number | null
  expires_at: number | null
}): Pick<StoredMessage, 'recalledBy' | 'recalledAt' | 'editedAt' | 'expiresAt'> {
  return {
    ...(row.recalled_by !== null ? { recalledBy: row.recalled_by, recalledAt: row.recalled_at ?? 0 } : {}),
    ...(row.edited_at !== null ? { editedAt: row.edited_at } : {}),
    ...(row.expires_at !== null ? { expiresAt: row.expires_at } : {})
  }
}

export function toEntry(row: LogRow): LogEntry {
  const eventKind = USER_EVENT_BY_KIND.get(row.kind)
  if (eventKind) {
    const payload = row.payload ? new Uint8Array(row.payload) : new Uint8Array(0)
    return { seq: row.seq, userEvent: { kind: eventKind, conversation: row.conversation, chatType: row.log_chat_type, payload } }
  }
  if (row.kind === KIND_READ_POINTER) {
    return { seq: row.seq, readPointer: { conversation: row.conversation, chatType: row.log_chat_type, seq: row.read_seq ?? 0 } }
  }
  if (row.server_id === null) throw new Error(`Log entry ${row.seq} is a message entry without its message.`)
  return { seq: row.seq, message: toMessage(row as MessageColumns & LogRow) }
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
