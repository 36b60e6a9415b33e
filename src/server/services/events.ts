// Owns the mapping from stored log entries (messages, read pointers, contact/membership/profile events) to wire `Event`s, so sync, history and pushes
// look identical. Bodies are stored as encoded protobuf `Body` bytes and decoded here on the way out.
import { pb } from '../../shared/proto/codec'
import type { parley } from '../../shared/proto/gen/parley.js'
import type { LogEntry, StoredMessage, UserEvent } from '../store/types'

export type EventProps = parley.v1.Event.$Properties
export type MessageProps = parley.v1.Message.$Properties
export type BodyProps = parley.v1.Body.$Properties

export function messageToProps(message: StoredMessage, body?: BodyProps): MessageProps {
  return {
    serverId: message.serverId,
    clientId: message.clientId,
    from: message.sender,
    to: message.recipient,
    chatType: message.chatType,
    timestamp: message.timestamp,
    // A recalled message keeps no content: the wire says who recalled it instead (services/message-ops).
    body: message.recalledBy !== undefined ? {} : (body ?? decodeBody(message.body)),
    ...(message.recalledBy !== undefined ? { recalledBy: message.recalledBy, recalledAt: message.recalledAt ?? 0 } : {}),
    ...(message.editedAt ? { editedAt: message.editedAt } : {}),
    ...(message.expiresAt ? { expiresAt: message.expiresAt } : {})
  }
}

/** A log entry as the wire event: a message, or a read pointer that the user's other devices apply. */
export function entryToEvent(entry: LogEntry): EventProps {
  if (entry.message) return { seq: entry.seq, message: messageToProps(entry.message) }
  if (entry.readPointer) {
    const { conversation, chatType, seq } = entry.readPointer
    return { seq: entry.seq, readPointer: { conversation, chatType, seq } }
  }
  if (entry.userEvent) return { seq: entry.seq, ...userEventToProps(entry.userEvent) }
  throw new Error(`Log entry ${entry.seq} is neither a message, a read pointer nor an event.`)
}

/** Event entries are stored as the encoded protobuf of their kind; decoded here to sit in the Event's oneof. */
function userEventToProps(
  event: UserEvent
): Pick<
  EventProps,
  | 'contact' | 'membership' | 'profile' | 'messageChange' | 'conversationSettings' | 'conversationCleared'
  | 'reaction' | 'messagePin' | 'conversationState' | 'devicesChanged' | 'receipt' | 'privacy'
> {
  try {
    switch (event.kind) {
      case 'contact':
        return { contact: pb.ContactEvent.decode(event.payload) }
      case 'membership':
        return { membership: pb.MembershipEvent.decode(event.payload) }
      case 'profile':
        return { profile: pb.ProfileChanged.decode(event.payload) }
      case 'messageChange':
        return { messageChange: pb.MessageChange.decode(event.payload) }
      case 'conversationSettings':
        return { conversationSettings: pb.ConversationSettings.decode(event.payload) }
      case 'conversationCleared':
        return { conversationCleared: pb.ConversationCleared.decode(event.payload) }
      case 'reaction':
        return { reaction: pb.ReactionEvent.decode(event.payload) }
      case 'messagePin':
        return { messagePin: pb.MessagePinEvent.decode(event.payload) }
      case 'conversationState':
        return { conversationState: pb.ConversationStateEvent.decode(event.payload) }
      case 'devicesChanged':
        return { devicesChanged: pb.DevicesChanged.decode(event.payload) }
      case 'receipt':
        return { receipt: pb.PeerReceipt.decode(event.payload) }
      case 'privacy':
        return { privacy: pb.PrivacySettings.decode(event.payload) }
    }
  } catch {
    // Only this server writes payloads, so this means on-disk damage: an empty event of the same kind keeps the
    // seq (the device's cursor moves on) instead of failing the whole batch.
  }
  return { [event.kind]: {} }
}

function decodeBody(bytes: Uint8Array): BodyProps {
  try {
    return pb.Body.decode(bytes)
  } catch {
    // Only this server writes bodies, so this means on-disk damage; an empty body beats failing the whole batch.
    return {}
  }
}
