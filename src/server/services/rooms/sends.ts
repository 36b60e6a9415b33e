// Owns room sends: checking a ROOM SendMessageRequest, acking a resend of a message still in the recent window
// with its first answer, and otherwise adding the message to the window and writing it to the room.
import { ChatTypePb, ErrorCode, MAX_TEXT_BYTES, clientIdToHex } from '../../../shared/proto/codec'
import type { RoomsConfig } from '../../config'
import { CLIENT_ID_BYTES, type SendOutcome, type SendRequestProps } from '../messages'
import type { RoomDefinitions } from './definitions'
import type { RoomSocket } from './fanout'
import type { RoomLiveState, RoomMessageProps } from './live'
import type { RoomMembership } from './membership'
import { fail } from './protocol'

export type RoomSend = (socket: RoomSocket, request: SendRequestProps) => Promise<SendOutcome>

export function createRoomSend(config: RoomsConfig, live: RoomLiveState, definitions: RoomDefinitions, membership: RoomMembership): RoomSend {
  return async (socket, request) => {
    const clientId = request.clientId
    if (!clientId || clientId.length !== CLIENT_ID_BYTES) {
      return fail(ErrorCode.ERROR_BAD_REQUEST, `The client id must be exactly ${CLIENT_ID_BYTES} bytes.`)
    }
    const text = request.body?.text?.text
    if (typeof text !== 'string' || text.length === 0) return fail(ErrorCode.ERROR_BAD_REQUEST, 'The message needs a non-empty text body.')
    if (Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES) {
      return fail(ErrorCode.ERROR_TEXT_TOO_LONG, `The text is longer than ${MAX_TEXT_BYTES} bytes.`)
    }
    const def = definitions.cache.get(request.to ?? '') ?? (await definitions.load(request.to))
    if (!def) return fail(ErrorCode.ERROR_NOT_FOUND, `There is no room "${request.to ?? ''}".`)
    const room = def.room
    const allowed = definitions.decide(def, socket.user, 'send')
    if (!allowed.ok) return allowed
    const resendKey = `${socket.user}\u0000${clientIdToHex(clientId)}`
    const earlier = live.findResend(room, resendKey)
    if (earlier) return { ok: true, ack: { clientId, serverId: earlier.serverId, timestamp: earlier.timestamp, seq: 0 } }
    const message: RoomMessageProps = {
      serverId: live.nextMessageId(),
      clientId: new Uint8Array(clientId),
      from: socket.user,
      to: room,
      chatType: ChatTypePb.CHAT_TYPE_ROOM,
      timestamp: Date.now(),
      body: { text: { text } }
    }
    live.appendRecent(room, message, resendKey, config.recentWindow)
    membership.broadcast(room, { message }, socket)
    return { ok: true, ack: { clientId, serverId: message.serverId, timestamp: message.timestamp, seq: 0 } }
  }
}
