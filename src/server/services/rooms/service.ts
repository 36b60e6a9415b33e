// Owns chat rooms on this node (with the other nodes in cluster mode): the RoomService the gateway calls, composed from its parts (definitions, membership
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
import { createLocalBus, type ClusterBus } from '../../cluster/bus'
import type { RoomsStore } from '../../store/rooms/types'
import type { ConnectionRef } from '../fanout'
import type { SendOutcome, SendRequestProps } from '../messages'
import { createRoomAttributes } from './attributes'
import type { RoomOperation } from './authorization'
import { createDeletedAccountRemoval, type RoomDeparture } from './deleted-account'
import { createRoomDefinitions } from './definitions'
import type { RoomSocket } from './fanout'
import { MemoryRoomLiveState, RoomsUnavailableError, type RoomLiveState } from './live'
import { createRoomMembership, type RoomStats } from './membership'
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
  stats(): RoomStats
  /** Whether `user` is in the room now: who may read attachments sent there (services/attachments). */
  isPresent(room: string, user: string): Promise<boolean>
  close(): void
}

/** What a room operation answers when the cluster's shared room state cannot be reached: the operation did nothing. */
function unavailable(err: unknown): { ok: false; code: ErrorCode; message: string } {
  if (!(err instanceof RoomsUnavailableError)) throw err
  log.warn('room operation refused: shared room state unreachable', { error: err.message })
  return fail(ErrorCode.ERROR_INTERNAL, 'Rooms are briefly unavailable on this server; try again in a moment.')
}

/**
 * `attachments`: checks and grants the attachments a room message names (without it, such messages are refused).
 * `live` and `bus`: one node's memory and no other nodes by default; cluster mode passes Redis presence and the bus.
 */
export function createRoomService(
  store: RoomsStore,
  config: RoomsConfig,
  live: RoomLiveState = new MemoryRoomLiveState(),
  attachments?: RoomAttachments,
  bus: ClusterBus = createLocalBus()
): RoomService {
  const definitions = createRoomDefinitions(store, live, bus)
  const membership = createRoomMembership(config, live, definitions, bus)
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
            rooms: await Promise.all(page.map((row) => definitions.infoOf(definitions.cache.get(row.room) ?? row, user))),
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
    const allowed = await definitions.decide(def, user, operation)
    if (!allowed.ok) return allowed
    const actorRole = allowed.role

    switch (request.op) {
      case 'info':
        return ok({ info: await definitions.infoOf(def, user) })
      case 'join':
        return membership.join(def, socket)
      case 'recent':
        return membership.recent(def, user)
      case 'leave':
        await membership.removeMember(room, user, MemberKind.LEFT, user)
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

  const send = createRoomSend(config, live, definitions, membership, attachments)
  return {
    handle: (socket, request) => operations(socket, request).catch(unavailable),
    send: (socket, request) => send(socket, request).catch(unavailable),
    socketClosed: (connection) => membership.socketClosed(connection),
    removeDeletedAccount: createDeletedAccountRemoval(store, live, definitions, membership),
    stats: () => membership.stats(),
    isPresent: (room, user) => live.isPresent(room, user).catch(() => false),
    close: () => {
      membership.close()
      definitions.close()
      live.close()
    }
  }
}
