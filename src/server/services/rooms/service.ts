// Owns chat rooms on this node: the RoomService the gateway calls, composed from its parts (definitions, membership
// and grace, moderation, attributes, sends, account deletion), and the routing of each RoomsRequest to its part.
import crypto from 'node:crypto'
import { ErrorCode } from '../../../shared/proto/codec'
import { createLogger } from '../../../shared/logger'
import {
  DEFAULT_ROOM_MAX_MEMBERS,
  MAX_ROOM_MAX_MEMBERS,
  ROOM_DESCRIPTION_MAX_CHARS,
  ROOM_DIRECTORY_DEFAULT_LIMIT,
  ROOM_DIRECTORY_MAX_LIMIT,
  ROOM_NAME_MAX_CHARS,
  type RoomsConfig
} from '../../config'
import type { RoomsStore } from '../../store/rooms/types'
import type { ConnectionRef } from '../fanout'
import type { SendOutcome, SendRequestProps } from '../messages'
import { createRoomAttributes } from './attributes'
import type { RoomOperation } from './authorization'
import { createDeletedAccountRemoval, type RoomDeparture } from './deleted-account'
import { createRoomDefinitions } from './definitions'
import type { RoomFanoutStats, RoomSocket } from './fanout'
import { MemoryRoomLiveState, type RoomLiveState } from './live'
import { createRoomMembership } from './membership'
import { createRoomModeration } from './moderation'
import { checkText, fail, MemberKind, notFound, ok, pageLimit, roomOfRequest, type RoomsOutcome, type RoomsRequest } from './protocol'
import { createRoomSend, type RoomAttachments } from './sends'

const log = createLogger('server:rooms')

export type { RoomsOutcome } from './protocol'
export type { RoomDeparture } from './deleted-account'

export interface RoomService {
  handle(socket: RoomSocket, request: RoomsRequest): Promise<RoomsOutcome>
  /** A SendMessageRequest with chat type ROOM. */
  send(socket: RoomSocket, request: SendRequestProps): Promise<SendOutcome>
  /** A connection closed: it leaves its rooms; its user leaves after the grace period unless back by then. */
  socketClosed(connection: ConnectionRef): void
  /**
   * A deleted account (already marked deleted): each room it owns passes to an admin (one in the room now first) or,
   * with no admin, is deleted; it leaves every room it is in on this node (the members told as for a leave); its
   * admin roles, mutes and bans are dropped. Repeating it changes nothing.
   */
  removeDeletedAccount(user: string): Promise<RoomDeparture>
  stats(): RoomFanoutStats
  /** Whether `user` is in the room now (on this node): who may read attachments sent there (services/attachments). */
  isPresent(room: string, user: string): boolean
  close(): void
}

/** `attachments`: checks and grants the attachments a room message names (without it, such messages are refused). */
export function createRoomService(
  store: RoomsStore,
  config: RoomsConfig,
  live: RoomLiveState = new MemoryRoomLiveState(),
  attachments?: RoomAttachments
): RoomService {
  const definitions = createRoomDefinitions(store, live)
  const membership = createRoomMembership(config, live, definitions)
  const moderation = createRoomModeration(store, live, definitions, membership)
  const attributes = createRoomAttributes(store, membership)

  const operations = async (socket: RoomSocket, request: RoomsRequest): Promise<RoomsOutcome> => {
    const user = socket.user
    switch (request.op) {
      case 'create': {
        const create = request.create ?? {}
        if (config.creators !== 'all' && !config.creators.has(user)) {
          return fail(ErrorCode.ERROR_FORBIDDEN, 'This server lets only some users create rooms.')
        }
        const name = checkText(create.name, ROOM_NAME_MAX_CHARS, 'name', true)
        if (typeof name !== 'string') return name
        const description = checkText(create.description, ROOM_DESCRIPTION_MAX_CHARS, 'description', false)
        if (typeof description !== 'string') return description
        const maxMembers = create.maxMembers || DEFAULT_ROOM_MAX_MEMBERS
        if (maxMembers > MAX_ROOM_MAX_MEMBERS) {
          return fail(ErrorCode.ERROR_LIMIT_EXCEEDED, `A room can have at most ${MAX_ROOM_MAX_MEMBERS} members.`)
        }
        const room = `room-${crypto.randomBytes(12).toString('base64url')}`
        await store.createRoom({ room, name, description, owner: user, maxMembers, createdAt: Date.now() })
        log.info('room created', { room, owner: user })
        return ok({ done: { room } })
      }
      case 'directory': {
        const query = request.directory ?? {}
        const limit = pageLimit(query.limit, ROOM_DIRECTORY_DEFAULT_LIMIT, ROOM_DIRECTORY_MAX_LIMIT)
        const rows = await store.listRooms((query.query ?? '').trim(), query.after ?? '', limit + 1)
        const page = rows.slice(0, limit)
        return ok({
          directory: {
            rooms: page.map((row) => definitions.infoOf(definitions.cache.get(row.room) ?? row, user)),
            next: rows.length > limit ? (page[page.length - 1]?.room ?? '') : ''
          }
        })
      }
      default:
        break
    }

    const roomId = roomOfRequest(request)
    const def = await definitions.load(roomId)
    if (!def) return notFound(roomId)
    const room = def.room
    const operation = request.op as RoomOperation
    const allowed = definitions.decide(def, user, operation)
    if (!allowed.ok) return allowed
    const actorRole = allowed.role

    switch (request.op) {
      case 'info':
        return ok({ info: definitions.infoOf(def, user) })
      case 'join':
        return membership.join(def, socket)
      case 'recent':
        return membership.recent(def, user)
      case 'leave':
        membership.removeMember(room, user, MemberKind.LEFT, user)
        return ok({ done: { room } })
      case 'members':
        return membership.members(def, request)
      case 'kick':
      case 'mute':
      case 'muteAll':
      case 'ban':
      case 'setAdmin':
      case 'update':
      case 'delete':
        return moderation[request.op](def, user, actorRole, request)
      case 'attributes':
        return attributes.list(room)
      case 'setAttributes':
        return attributes.set(room, user, actorRole, request)
      case 'removeAttributes':
        return attributes.remove(room, user, actorRole, request)
      default:
        return fail(ErrorCode.ERROR_BAD_REQUEST, 'The rooms request names no operation.')
    }
  }

  return {
    handle: operations,
    send: createRoomSend(config, live, definitions, membership, attachments),
    socketClosed: (connection) => membership.socketClosed(connection),
    removeDeletedAccount: createDeletedAccountRemoval(store, live, definitions, membership),
    stats: () => membership.stats(),
    isPresent: (room, user) => live.isPresent(room, user),
    close: () => membership.close()
  }
}
