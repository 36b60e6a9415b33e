// Owns who is in a room on this node: the member sockets (by user, by room, by socket) and the writes to them (and,
// through the relay, to the other nodes' sockets), join, leave, the member list, and the grace period after a user's
// last socket here closes before this node lets go of them.
import { ErrorCode, encodeFrame } from '../../../shared/proto/codec'
import { createLogger } from '../../../shared/logger'
import { ROOM_ANNOUNCE_JOINS_MAX_MEMBERS, ROOM_MEMBERS_DEFAULT_LIMIT, ROOM_MEMBERS_MAX_LIMIT, type RoomsConfig } from '../../config'
import type { ClusterBus } from '../../cluster/bus'
import type { ConnectionRef } from '../fanout'
import type { CachedRoom, RoomDefinitions } from './definitions'
import { RoomFanout, type RoomFanoutStats, type RoomSocket } from './fanout'
import type { RoomLiveState } from './live'
import { fail, MemberKind, ok, pageLimit, type RoomEventProps, type RoomsOutcome, type RoomsRequest } from './protocol'
import { createRoomRelay, type RoomRelayAction } from './relay'

const log = createLogger('server:rooms')

const graceKey = (room: string, user: string): string => `${room}\u0000${user}`

/** The room fan-out's counters with the frames that could not cross to other nodes. */
export interface RoomStats extends RoomFanoutStats {
  /** Room frames not relayed to other nodes because the bus was down, since start (cluster mode). */
  crossNodeDropped: number
}

export interface RoomMembership {
  /** Encodes the event once and writes the same bytes to every socket of the room (but `except`), here and on other nodes. */
  broadcast(room: string, event: Omit<RoomEventProps, 'room'>, except?: RoomSocket): void
  join(def: CachedRoom, socket: RoomSocket): Promise<RoomsOutcome>
  /** The room's info and recent window, as a join answers. */
  recent(def: CachedRoom, user: string): Promise<RoomsOutcome>
  members(def: CachedRoom, request: RoomsRequest): Promise<RoomsOutcome>
  /** Takes `user` out of the room (all devices, all nodes), telling everyone still there and the user's own sockets first. */
  removeMember(room: string, user: string, kind: number, actor: string): Promise<void>
  /** The room is gone: its sockets, grace timers, live state and cached definition are dropped here and on other nodes. */
  forgetRoom(room: string): Promise<void>
  socketClosed(connection: ConnectionRef): void
  stats(): RoomStats
  close(): void
}

export function createRoomMembership(config: RoomsConfig, live: RoomLiveState, definitions: RoomDefinitions, bus: ClusterBus): RoomMembership {
  /** This node's sockets in each room, by user (a user's devices that joined), and flat for the fan-out loop. */
  const socketsByUser = new Map<string, Map<string, Set<RoomSocket>>>()
  const socketsByRoom = new Map<string, Set<RoomSocket>>()
  const roomsBySocket = new Map<RoomSocket, Set<string>>()
  const graceTimers = new Map<string, NodeJS.Timeout>()
  const fanout = new RoomFanout()

  const writeLocal = (room: string, frame: Uint8Array, except?: RoomSocket): void => {
    const sockets = socketsByRoom.get(room)
    if (sockets && sockets.size > 0) fanout.write(room, sockets, frame, except)
  }

  const encodeEvent = (room: string, event: Omit<RoomEventProps, 'room'>): Uint8Array => encodeFrame({ id: 0, roomEvent: { room, ...event } })

  const broadcast = (room: string, event: Omit<RoomEventProps, 'room'>, except?: RoomSocket): void => {
    const frame = encodeEvent(room, event)
    writeLocal(room, frame, except)
    relay.publish(room, { kind: 'frame' }, frame)
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
    // Again here: the room's last other socket may have closed (and stopped the listening) while the join ran.
    relay.listen(room)
  }

  /** Stops listening to a room's traffic from other nodes once this node has no socket there. */
  const unlistenIfEmpty = (room: string): void => {
    if ((socketsByRoom.get(room)?.size ?? 0) > 0) return
    socketsByRoom.delete(room)
    relay.unlisten(room)
  }

  /** Removes one socket from a room; returns whether its user still has sockets there. */
  const removeSocket = (room: string, socket: RoomSocket): boolean => {
    socketsByRoom.get(room)?.delete(socket)
    roomsBySocket.get(socket)?.delete(room)
    fanout.forget(socket, room)
    unlistenIfEmpty(room)
    const users = socketsByUser.get(room)
    const mine = users?.get(socket.user)
    mine?.delete(socket)
    if (mine && mine.size > 0) return true
    users?.delete(socket.user)
    return false
  }

  const removeLocalSockets = (room: string, user: string): void => {
    for (const socket of [...(socketsByUser.get(room)?.get(user) ?? [])]) removeSocket(room, socket)
  }

  const cancelGrace = (room: string, user: string): void => {
    const key = graceKey(room, user)
    const timer = graceTimers.get(key)
    if (timer) clearTimeout(timer)
    graceTimers.delete(key)
  }

  /** The user is out of the room (count = members left): told here and on the other nodes, whose sockets of theirs leave. */
  const announceDeparture = (room: string, user: string, kind: number, actor: string, count: number): void => {
    const told = kind !== MemberKind.LEFT || count < ROOM_ANNOUNCE_JOINS_MAX_MEMBERS
    const frame = told ? encodeEvent(room, { member: { kind, user, actor, memberCount: count } }) : undefined
    if (frame) writeLocal(room, frame)
    relay.publish(room, { kind: 'remove', user }, frame)
    removeLocalSockets(room, user)
  }

  const removeMember = async (room: string, user: string, kind: number, actor: string): Promise<void> => {
    cancelGrace(room, user)
    const left = await live.leave(room, user)
    if (left.removed) announceDeparture(room, user, kind, actor, left.count)
  }

  const startGrace = (room: string, user: string): void => {
    cancelGrace(room, user)
    const timer = setTimeout(() => {
      graceTimers.delete(graceKey(room, user))
      if ((socketsByUser.get(room)?.get(user)?.size ?? 0) > 0) return
      log.debug('room member gone past the grace period', { room, user })
      live.release(room, user).then(
        (left) => {
          if (left.removed) announceDeparture(room, user, MemberKind.LEFT, user, left.count)
        },
        (err: unknown) => log.warn('could not let go of a room member; their hold runs out instead', { room, user, error: String(err) })
      )
    }, config.graceMs)
    timer.unref()
    graceTimers.set(graceKey(room, user), timer)
  }

  /** Drops what this node keeps of a deleted room (its sockets, grace timers and cached definition). */
  const forgetLocally = (room: string): void => {
    for (const socket of socketsByRoom.get(room) ?? []) {
      roomsBySocket.get(socket)?.delete(room)
      fanout.forget(socket, room)
    }
    socketsByRoom.delete(room)
    relay.unlisten(room)
    for (const user of socketsByUser.get(room)?.keys() ?? []) live.forgetLocal(room, user)
    socketsByUser.delete(room)
    for (const [key, timer] of graceTimers) {
      if (key.startsWith(`${room}\u0000`)) {
        clearTimeout(timer)
        graceTimers.delete(key)
      }
    }
    definitions.cache.delete(room)
  }

  /** Another node's room traffic: written to this node's sockets in the room, then what it says is done here. */
  const relayed = (room: string, action: RoomRelayAction, frame: Uint8Array | null): void => {
    if (frame) writeLocal(room, frame)
    switch (action.kind) {
      case 'remove':
        cancelGrace(room, action.user)
        live.forgetLocal(room, action.user)
        removeLocalSockets(room, action.user)
        break
      case 'forget':
        forgetLocally(room)
        break
      case 'dropped':
        writeLocal(room, encodeEvent(room, { dropped: { count: action.count } }))
        break
      default:
        break
    }
  }

  /**
   * The bus is back: frames of other nodes may have been missed here meanwhile (how many is unknown, so at least
   * one is said), so every room's sockets here are told to re-read the recent window.
   */
  const reconnected = (unrelayedByRoom: ReadonlyMap<string, number>): void => {
    for (const room of socketsByRoom.keys()) {
      writeLocal(room, encodeEvent(room, { dropped: { count: Math.max(1, unrelayedByRoom.get(room) ?? 0) } }))
    }
  }

  const relay = createRoomRelay(bus, relayed, reconnected)

  // A member whose node died (its hold ran out) leaves as after a grace period.
  live.onExpired((room, user, count) => announceDeparture(room, user, MemberKind.LEFT, user, count))
  // A member this node holds was removed while it missed the news: their sockets here leave and are told to re-read.
  live.onLost((room, user) => {
    cancelGrace(room, user)
    const frame = encodeEvent(room, { dropped: { count: 1 } })
    for (const socket of socketsByUser.get(room)?.get(user) ?? []) fanout.writeOne(room, socket, frame)
    removeLocalSockets(room, user)
  })

  return {
    broadcast,
    removeMember,

    async forgetRoom(room) {
      relay.publish(room, { kind: 'forget' })
      forgetLocally(room)
      await live.dropRoom(room)
    },

    async join(def, socket) {
      const { room } = def
      const user = socket.user
      // Listening before the join is in the shared state, so no frame sent after it can pass this node by.
      relay.listen(room)
      let joined
      try {
        joined = await live.join(room, user, Date.now(), def.maxMembers)
      } catch (err) {
        unlistenIfEmpty(room)
        throw err
      }
      if (joined.full) {
        unlistenIfEmpty(room)
        return fail(ErrorCode.ERROR_FULL, `The room is full (${def.maxMembers} members).`)
      }
      cancelGrace(room, user)
      addSocket(room, socket)
      if (joined.added && joined.count <= ROOM_ANNOUNCE_JOINS_MAX_MEMBERS) {
        broadcast(room, { member: { kind: MemberKind.JOINED, user, actor: user, role: await definitions.wireRole(def, user), memberCount: joined.count } }, socket)
      }
      return ok({ joined: { info: await definitions.infoOf(def, user), recent: await live.recent(room) } })
    },

    async recent(def, user) {
      return ok({ joined: { info: await definitions.infoOf(def, user), recent: await live.recent(def.room) } })
    },

    async members(def, request) {
      const { room } = def
      const query = request.members ?? {}
      const limit = pageLimit(query.limit, ROOM_MEMBERS_DEFAULT_LIMIT, ROOM_MEMBERS_MAX_LIMIT)
      const page = await live.members(room, query.afterUser ?? '', limit)
      const members = await Promise.all(
        page.members.map(async (member) => ({ user: member.user, role: await definitions.wireRole(def, member.user), joinedAt: member.joinedAt }))
      )
      return ok({ members: { members, hasMore: page.hasMore, memberCount: await live.memberCount(room) } })
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
        // The user was in the room through this socket (a removal takes the sockets out first): the grace starts.
        if (!stillThere) startGrace(room, socket.user)
      }
    },

    stats: () => ({ ...fanout.stats(), ...relay.stats() }),

    close() {
      for (const timer of graceTimers.values()) clearTimeout(timer)
      graceTimers.clear()
      fanout.close()
      relay.close()
    }
  }
}
