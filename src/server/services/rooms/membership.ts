// Owns who is in a room on this node: the member sockets (by user, by room, by socket) and the writes to them, join,
// leave, the member list, and the grace period after a user's last socket closes before they leave.
import { ErrorCode, encodeFrame } from '../../../shared/proto/codec'
import { createLogger } from '../../../shared/logger'
import { ROOM_ANNOUNCE_JOINS_MAX_MEMBERS, ROOM_MEMBERS_DEFAULT_LIMIT, ROOM_MEMBERS_MAX_LIMIT, type RoomsConfig } from '../../config'
import type { ConnectionRef } from '../fanout'
import type { CachedRoom, RoomDefinitions } from './definitions'
import { RoomFanout, type RoomFanoutStats, type RoomSocket } from './fanout'
import type { RoomLiveState } from './live'
import { fail, MemberKind, ok, pageLimit, type RoomEventProps, type RoomsOutcome, type RoomsRequest } from './protocol'

const log = createLogger('server:rooms')

const graceKey = (room: string, user: string): string => `${room}\u0000${user}`

export interface RoomMembership {
  /** Encodes the event once and writes the same bytes to every socket of the room on this node (but `except`). */
  broadcast(room: string, event: Omit<RoomEventProps, 'room'>, except?: RoomSocket): void
  join(def: CachedRoom, socket: RoomSocket): RoomsOutcome
  /** The room's info and recent window, as a join answers. */
  recent(def: CachedRoom, user: string): RoomsOutcome
  members(def: CachedRoom, request: RoomsRequest): RoomsOutcome
  /** Takes `user` out of the room (all devices), telling everyone still there and the user's own sockets first. */
  removeMember(room: string, user: string, kind: number, actor: string): void
  /** The room is gone: its sockets, grace timers, live state and cached definition are dropped. */
  forgetRoom(room: string): void
  socketClosed(connection: ConnectionRef): void
  stats(): RoomFanoutStats
  close(): void
}

export function createRoomMembership(config: RoomsConfig, live: RoomLiveState, definitions: RoomDefinitions): RoomMembership {
  /** This node's sockets in each room, by user (a user's devices that joined), and flat for the fan-out loop. */
  const socketsByUser = new Map<string, Map<string, Set<RoomSocket>>>()
  const socketsByRoom = new Map<string, Set<RoomSocket>>()
  const roomsBySocket = new Map<RoomSocket, Set<string>>()
  const graceTimers = new Map<string, NodeJS.Timeout>()
  const fanout = new RoomFanout()

  const broadcast = (room: string, event: Omit<RoomEventProps, 'room'>, except?: RoomSocket): void => {
    const sockets = socketsByRoom.get(room)
    if (!sockets || sockets.size === 0) return
    fanout.write(room, sockets, encodeFrame({ id: 0, roomEvent: { room, ...event } }), except)
  }

  const addSocket = (room: string, socket: RoomSocket): void => {
    let users = socketsByUser.get(room)
    if (!users) socketsByUser.set(room, (users = new Map()))
    let mine = users.get(socket.user)
    if (!mine) users.set(socket.user, (mine = new Set()))
    mine.add(socket)
    let flat = socketsByRoom.get(room)
    if (!flat) socketsByRoom.set(room, (flat = new Set()))
    flat.add(socket)
    let rooms = roomsBySocket.get(socket)
    if (!rooms) roomsBySocket.set(socket, (rooms = new Set()))
    rooms.add(room)
  }

  /** Removes one socket from a room; returns whether its user still has sockets there. */
  const removeSocket = (room: string, socket: RoomSocket): boolean => {
    socketsByRoom.get(room)?.delete(socket)
    roomsBySocket.get(socket)?.delete(room)
    fanout.forget(socket, room)
    const users = socketsByUser.get(room)
    const mine = users?.get(socket.user)
    mine?.delete(socket)
    if (mine && mine.size > 0) return true
    users?.delete(socket.user)
    return false
  }

  const cancelGrace = (room: string, user: string): void => {
    const key = graceKey(room, user)
    const timer = graceTimers.get(key)
    if (timer) clearTimeout(timer)
    graceTimers.delete(key)
  }

  const removeMember = (room: string, user: string, kind: number, actor: string): void => {
    cancelGrace(room, user)
    const left = live.leave(room, user)
    if (!left.removed) return
    if (kind !== MemberKind.LEFT || left.count < ROOM_ANNOUNCE_JOINS_MAX_MEMBERS) {
      broadcast(room, { member: { kind, user, actor, memberCount: left.count } })
    }
    for (const socket of [...(socketsByUser.get(room)?.get(user) ?? [])]) removeSocket(room, socket)
  }

  const startGrace = (room: string, user: string): void => {
    cancelGrace(room, user)
    const timer = setTimeout(() => {
      graceTimers.delete(graceKey(room, user))
      if ((socketsByUser.get(room)?.get(user)?.size ?? 0) > 0) return
      log.debug('room member gone past the grace period', { room, user })
      removeMember(room, user, MemberKind.LEFT, user)
    }, config.graceMs)
    timer.unref()
    graceTimers.set(graceKey(room, user), timer)
  }

  const forgetRoom = (room: string): void => {
    for (const socket of socketsByRoom.get(room) ?? []) {
      roomsBySocket.get(socket)?.delete(room)
      fanout.forget(socket, room)
    }
    socketsByRoom.delete(room)
    for (const user of socketsByUser.get(room)?.keys() ?? []) cancelGrace(room, user)
    socketsByUser.delete(room)
    for (const [key, timer] of graceTimers) {
      if (key.startsWith(`${room}\u0000`)) {
        clearTimeout(timer)
        graceTimers.delete(key)
      }
    }
    live.dropRoom(room)
    definitions.cache.delete(room)
  }

  return {
    broadcast,
    removeMember,
    forgetRoom,

    join(def, socket) {
      const { room } = def
      const user = socket.user
      if (!live.isPresent(room, user) && live.memberCount(room) >= def.maxMembers) {
        return fail(ErrorCode.ERROR_FULL, `The room is full (${def.maxMembers} members).`)
      }
      const joined = live.join(room, user, Date.now())
      cancelGrace(room, user)
      addSocket(room, socket)
      if (joined.added && joined.count <= ROOM_ANNOUNCE_JOINS_MAX_MEMBERS) {
        broadcast(room, { member: { kind: MemberKind.JOINED, user, actor: user, role: definitions.wireRole(def, user), memberCount: joined.count } }, socket)
      }
      return ok({ joined: { info: definitions.infoOf(def, user), recent: live.recent(room) } })
    },

    recent(def, user) {
      return ok({ joined: { info: definitions.infoOf(def, user), recent: live.recent(def.room) } })
    },

    members(def, request) {
      const { room } = def
      const query = request.members ?? {}
      const limit = pageLimit(query.limit, ROOM_MEMBERS_DEFAULT_LIMIT, ROOM_MEMBERS_MAX_LIMIT)
      const page = live.members(room, query.afterUser ?? '', limit)
      return ok({
        members: {
          members: page.members.map((member) => ({ user: member.user, role: definitions.wireRole(def, member.user), joinedAt: member.joinedAt })),
          hasMore: page.hasMore,
          memberCount: live.memberCount(room)
        }
      })
    },

    socketClosed(connection) {
      // Only sockets that joined a room are in the map; any other connection is not a RoomSocket and is skipped.
      const socket = connection as RoomSocket
      const rooms = roomsBySocket.get(socket)
      fanout.forget(socket)
      if (!rooms) return
      roomsBySocket.delete(socket)
      for (const room of rooms) {
        const stillThere = removeSocket(room, socket)
        if (!stillThere && live.isPresent(room, socket.user)) startGrace(room, socket.user)
      }
    },

    stats: () => fanout.stats(),

    close() {
      for (const timer of graceTimers.values()) clearTimeout(timer)
      graceTimers.clear()
      fanout.close()
    }
  }
}
