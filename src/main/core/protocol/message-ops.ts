// Owns the wire side of recall, edit and self-destruct on the device: a stored message's state as the server sends
// it (recalled, edited, expiring) applied to the ChatMessage, the MessageChange / ConversationSettings /
// ConversationCleared entries of the user log read into plain data, and the request bodies.
import type { ChatMessage, ChatType, RecalledContent } from '../../../shared/model'
import { clientIdToHex, pb } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { canonicalUserId } from '../../../shared/user-id'
import { contentFromBody } from './content'
import { chatTypeFromWire } from './messages'

type WireMessage = parley.v1.IMessage

/** The notice content of a recalled message, or null when the message was not recalled. */
export function recalledContentOf(message: WireMessage): RecalledContent | null {
  if (message.recalledBy === null || message.recalledBy === undefined || message.recalledBy === '') return null
  return { type: 'recalled', by: canonicalUserId(message.recalledBy) ?? message.recalledBy, at: Number(message.recalledAt ?? 0) }
}

/** The message with the server's state of it: "edited" on a text, the expiry time. */
export function withMessageState(message: ChatMessage, wire: WireMessage): ChatMessage {
  let result = message
  const editedAt = Number(wire.editedAt ?? 0)
  if (editedAt > 0 && result.content.type === 'text') result = { ...result, content: { ...result.content, editedAt } }
  const expiresAt = Number(wire.expiresAt ?? 0)
  if (expiresAt > 0) result = { ...result, expiresAt }
  return result
}

export type MessageChangeKind = 'recalled' | 'edited' | 'expirySet' | 'expired'

/** A MessageChange entry as the device applies it. */
export interface MessageChangeRecord {
  /** The message's client id (32 hex digits): the local row's id. */
  id: string
  serverId: number
  conversation: { type: ChatType; id: string }
  from: string
  kind: MessageChangeKind
  by: string
  at: number
  /** 'edited': the new text. */
  text: string | null
  /** 'expirySet' / 'expired': when the message goes (went). */
  expiresAt: number
}

const CHANGE_KINDS: Readonly<Record<number, MessageChangeKind>> = {
  [pb.MessageChangeKind.MESSAGE_CHANGE_RECALLED]: 'recalled',
  [pb.MessageChangeKind.MESSAGE_CHANGE_EDITED]: 'edited',
  [pb.MessageChangeKind.MESSAGE_CHANGE_EXPIRY_SET]: 'expirySet',
  [pb.MessageChangeKind.MESSAGE_CHANGE_EXPIRED]: 'expired'
}

/** The change of a wire MessageChange; throws a sentence when it cannot be one (the caller quarantines it). */
export function messageChangeFromWire(change: parley.v1.IMessageChange): MessageChangeRecord {
  if (!change.clientId || change.clientId.length !== 16) throw new Error('the change names no message')
  const kind = CHANGE_KINDS[change.kind ?? 0]
  if (!kind) throw new Error(`unknown change kind ${String(change.kind)}`)
  const type = chatTypeFromWire(change.chatType)
  const id = type === 'single' ? canonicalUserId(change.conversation) : (change.conversation ?? '').toLowerCase()
  if (!id) throw new Error('the change names no conversation')
  let text: string | null = null
  if (kind === 'edited') {
    const content = contentFromBody(change.body)
    if (content?.type !== 'text') throw new Error('an edit without a text')
    text = content.text
  }
  return {
    id: clientIdToHex(change.clientId),
    serverId: Number(change.serverId ?? 0),
    conversation: { type, id },
    from: canonicalUserId(change.from) ?? '',
    kind,
    by: canonicalUserId(change.by) ?? change.by ?? '',
    at: Number(change.at ?? 0),
    text,
    expiresAt: Number(change.expiresAt ?? 0)
  }
}

/** A conversation's disappearing timer as both sides see it. */
export interface ConversationSettingsRecord {
  conversation: { type: ChatType; id: string }
  disappearAfterSec: number
  changedBy: string
  at: number
}

export function conversationSettingsFromWire(settings: parley.v1.IConversationSettings): ConversationSettingsRecord {
  const type = chatTypeFromWire(settings.chatType)
  const id = type === 'single' ? canonicalUserId(settings.conversation) : (settings.conversation ?? '')
  if (!id) throw new Error('the settings name no conversation')
  return {
    conversation: { type, id },
    disappearAfterSec: Number(settings.disappearAfterSec ?? 0),
    changedBy: canonicalUserId(settings.changedBy) ?? '',
    at: Number(settings.at ?? 0)
  }
}

export interface ConversationClearedRecord {
  conversation: { type: ChatType; id: string }
  upToTimestamp: number
  /** Delete for me: exactly these messages (client ids, hex) went; empty for a clear up to `upToTimestamp`. */
  messageIds: string[]
}

export function conversationClearedFromWire(cleared: parley.v1.IConversationCleared): ConversationClearedRecord {
  const type = chatTypeFromWire(cleared.chatType)
  const id = type === 'single' ? canonicalUserId(cleared.conversation) : (cleared.conversation ?? '').toLowerCase()
  if (!id) throw new Error('the clear names no conversation')
  const messageIds = (cleared.clientIds ?? []).map((clientId) => {
    if (clientId.length !== 16) throw new Error('a deleted message has no 16-byte client id')
    return clientIdToHex(clientId)
  })
  return { conversation: { type, id }, upToTimestamp: Number(cleared.upToTimestamp ?? 0), messageIds }
}
