// Owns the mapping from stored log entries to wire `Event`s, so sync, history and live pushes look identical.
// Bodies are stored as encoded protobuf `Body` bytes and decoded here on the way out.
import { pb } from '../../shared/proto/codec'
import type { parley } from '../../shared/proto/gen/parley.js'
import type { LogEntry, StoredMessage } from '../store/types'

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
    body: body ?? decodeBody(message.body)
  }
}

export function entryToEvent(entry: LogEntry): EventProps {
  return { seq: entry.seq, message: messageToProps(entry.message) }
}

function decodeBody(bytes: Uint8Array): BodyProps {
  try {
    return pb.Body.decode(bytes)
  } catch {
    // Only this server writes bodies, so this means on-disk damage; an empty body beats failing the whole batch.
    return {}
  }
}
