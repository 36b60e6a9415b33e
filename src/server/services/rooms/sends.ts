// Owns room sends: checking a ROOM SendMessageRequest, acking a resend of a message still in the recent window
// with its first answer, and otherwise adding the message to the window and writing it to the room (every node).
import { ChatTypePb, ErrorCode, clientIdToHex } from '../../../shared/proto/codec'
import type { RoomsConfig } from '../../config'
import type { AttachmentGrant } from '../../store/attachments/types'
import { checkBody, type BodyAttachmentAccess } from '../attachments/body'
import { CLIENT_ID_BYTES, type SendOutcome, type SendRequestProps } from '../messages'
import type { RoomDefinitions } from './definitions'
import type { RoomSocket } from './fanout'
import type { RoomLiveState, RoomMessageProps } from './live'
import type { RoomMembership } from './membership'
import { fail } from './protocol'

export type RoomSend = (socket: RoomSocket, request: SendRequestProps) => Promise<SendOutcome>

/** What room sends need of the attachment service: check a body's attachments, grant them to the room. */
export type RoomAttachments = BodyAttachmentAccess & { grant(grants: readonly AttachmentGrant[]): Promise<void> }

export function createRoomSend(
  config: RoomsConfig,
  live: RoomLiveState,
  definitions: RoomDefinitions,
  membership: RoomMembership,
  attachments?: RoomAttachments
): RoomSend {
  return async (socket, request) => {
    const clientId = request.clientId
    if (!clientId || clientId.length !== CLIENT_ID_BYTES) {
      return fail(ErrorCode.ERROR_BAD_REQUEST, `The client id must be exactly ${CLIENT_ID_BYTES} bytes.`)
    }
    // Every content type, within its limits; attachments must be readable by the sender (services/attachments).
    const checked = await checkBody(socket.user, request.body, attachments, { mentions: false })
    if (!checked.ok) return fail(checked.code, checked.message)
    const def = await definitions.load(request.to)
    if (!def) return fail(ErrorCode.ERROR_NOT_FOUND, `There is no room "${request.to ?? ''}".`)
    const room = def.room
    const allowed = await definitions.decide(def, socket.user, 'send')
    if (!allowed.ok) return allowed
    if (checked.attachmentIds.length > 0) {
      await attachments?.grant(checked.attachmentIds.map((attachmentId) => ({ attachmentId, kind: 'room', target: room })))
    }
    // The window answers a resend still in it with the first ack, in one step with the append (one store call in
    // cluster mode, so a resend through another node is caught too).
    const message: RoomMessageProps = {
      clientId: new Uint8Array(clientId),
      from: socket.user,
      to: room,
      chatType: ChatTypePb.CHAT_TYPE_ROOM,
      timestamp: Date.now(),
      body: checked.body
    }
    const appended = await live.append(room, message, `${clientIdToHex(clientId)}:${socket.user}`, config.recentWindow)
    if (!appended.duplicate) membership.broadcast(room, { message }, socket)
    return { ok: true, ack: { clientId, serverId: appended.serverId, timestamp: appended.timestamp, seq: 0 } }
  }
}
