// Owns the mapping between wire messages (protobuf Message / Event) and the domain ChatMessage,
// from the point of view of the signed-in account (conversation = the peer, direction, status).
import type { ChatMessage, ChatType, ConversationKey } from '../../../shared/model'
import { ChatTypePb, clientIdToHex } from '../../../shared/proto/codec'
import { newMessageIdHex } from '../message-id'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { canonicalUserId } from '../../../shared/user-id'

export type WireEvent = parley.v1.Event.$Properties
export type WireMessage = parley.v1.Message.$Properties

/** The client id is 16 bytes (message-id.ts); anything else cannot be a message of ours. */
const CLIENT_ID_BYTES = 16

export function chatTypeFromWire(type: number | null | undefined): ChatType {
  if (type === ChatTypePb.CHAT_TYPE_GROUP) return 'group'
  if (type === ChatTypePb.CHAT_TYPE_ROOM) return 'room'
  return 'single'
}

export function chatTypeToWire(type: ChatType): number {
  if (type === 'group') return ChatTypePb.CHAT_TYPE_GROUP
  if (type === 'room') return ChatTypePb.CHAT_TYPE_ROOM
  return ChatTypePb.CHAT_TYPE_SINGLE
}

/** A message without its content: who, when, which conversation (log-entry.ts adds the content it can read). */
export type MessageEnvelope = Omit<ChatMessage, 'content'>

/**
 * The envelope of a message as this account sees it, with canonical user ids; null when it is unusable (no
 * client id, no valid sender or recipient).
 */
export function envelopeFromWire(message: WireMessage, seq: number, me: string): MessageEnvelope | null {
  if (!message.clientId || message.clientId.length !== CLIENT_ID_BYTES) return null
  const chatType = chatTypeFromWire(message.chatType)
  const from = canonicalUserId(message.from)
  const to = chatType === 'single' ? canonicalUserId(message.to) : message.to || null
  if (!from || !to) return null
  const mine = from === canonicalUserId(me)
  return {
    id: clientIdToHex(message.clientId),
    serverId: Number(message.serverId ?? 0) || null,
    conversationId: chatType === 'single' && !mine ? from : to,
    chatType,
    from,
    to,
    direction: mine ? 'out' : 'in',
    timestamp: Number(message.timestamp ?? 0),
    seq: seq > 0 ? seq : null,
    status: mine ? 'sent' : 'received',
    error: null
  }
}

/** A new one-to-one text message from this account, as the outbox stores it before sending. */
export function newOutgoingText(from: string, to: ConversationKey, text: string, now = Date.now()): ChatMessage {
  return {
    id: newMessageIdHex(now),
    serverId: null,
    conversationId: to.id,
    chatType: to.type,
    from,
    to: to.id,
    direction: 'out',
    content: { type: 'text', text },
    timestamp: now,
    seq: null,
    status: 'sending',
    error: null
  }
}
