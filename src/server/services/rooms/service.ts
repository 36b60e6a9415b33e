// Owns chat rooms on this node: the RoomsRequest operations (checked against the authorisation table), room sends
// (recent window, resend de-duplication, one encoding fanned out to every member socket) and the grace-period leave.
import crypto from 'node:crypto'
import { ChatTypePb, ErrorCode, MAX_TEXT_BYTES, clientIdToHex, encodeFrame } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { createLogger } from '../../../shared/logger'
import { canonicalUserId } from '../../../shared/user-id'
import {
  DEFAULT_ROOM_MAX_MEMBERS,
  MAX_ROOM_MAX_MEMBERS,
  ROOM_ANNOUNCEMENT_MAX_CHARS,
  ROOM_ANNOUNCE_JOINS_MAX_MEMBERS,
  ROOM_ATTRIBUTE_KEY_MAX_CHARS,
  ROOM_ATTRIBUTE_VALUE_MAX_BYTES,
  ROOM_DESCRIPTION_MAX_CHARS,
  ROOM_DIRECTORY_DEFAULT_LIMIT,
  ROOM_DIRECTORY_MAX_LIMIT,
  ROOM_MAX_ATTRIBUTES,
  ROOM_MEMBERS_DEFAULT_LIMIT,
  ROOM_MEMBERS_MAX_LIMIT,
  ROOM_NAME_MAX_CHARS,
  type RoomsConfig
} from '../../config'
import type { RoomsStore, StoredRoom, RoomDirectoryRow } from '../../store/rooms/types'
import type { ConnectionRef } from '../fanout'
import { CLIENT_ID_BYTES, type SendOutcome, type SendRequestProps } from '../messages'
import { decideRoom, outranks, refusalSentence, type RoomActorRole, type RoomOperation } from './authorization'
import { RoomFanout, type RoomFanoutStats, type RoomSocket } from './fanout'
import { MemoryRoomLiveState, type RoomLiveState, type RoomMessageProps } from './live'

const log = createLogger('server:rooms')

type RoomsRequest = parley.v1.RoomsRequest
type RoomsResponseProps = parley.v1.RoomsResponse.$Properties
type RoomInfoProps = parley.v1.RoomInfo.$Properties
type RoomEventProps = parley.v1.RoomEvent.$Properties
const MemberKind = {
  JOINED: 1,
  LEFT: 2,
  KICKED: 3,
  BANNED: 4,
  MUTED: 5,
  UNMUTED: 6,
  ROLE_CHANGED: 7
} as const satisfies Record<string, parley.v1.RoomMemberChange.Kind>
const Role = { NONE: 0, MEMBER: 1, ADMIN: 2, OWNER: 3 } as const satisfies Record<string, parley.v1.RoomRole>

export type RoomsOutcome = { ok: true; response: RoomsResponseProps } | { ok: false; code: ErrorCode; message: string }

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
  close(): void
}

/** What a deleted account's departure did to rooms (logged). */
export interface RoomDeparture {
  left: number
  handedOver: number
  deleted: number
}

/** A room definition as kept in memory on this node (write-through: every change is stored first). */
interface CachedRoom {
  room: string
  name: string
  description: string
  announcement: string
  owner: string
  maxMembers: number
  mutedAll: boolean
  createdAt: number
  admins: Set<string>
  mutes: Map<string, number>
  banned: Set<string>
}

function toCached(stored: StoredRoom): CachedRoom {
  return {
    ...stored,
    admins: new Set(stored.admins),
    mutes: new Map(Object.entries(stored.mutes)),
    banned: new Set(stored.banned)
  }
}

function fail(code: ErrorCode, message: string): { ok: false; code: ErrorCode; message: string } {
  return { ok: false, code, message }
}

function ok(response: RoomsResponseProps): RoomsOutcome {
  return { ok: true, response }
}

const graceKey = (room: string, user: string): string => `${room}\u0000${user}`

export function createRoomService(store: RoomsStore, config: RoomsConfig, live: RoomLiveState = new MemoryRoomLiveState()): RoomService {
  const definitions = new Map<string, CachedRoom>()
  /** This node's sockets in each room, by user (a user's devices that joined), and flat for the fan-out loop. */
  const socketsByUser = new Map<string, Map<string, Set<RoomSocket>>>()
  const socketsByRoom = new Map<string, Set<RoomSocket>>()
  const roomsBySocket = new Map<RoomSocket, Set<string>>()
  const graceTimers = new Map<string, NodeJS.Timeout>()
  const fanout = new RoomFanout()

  const load = async (room: string | null | undefined): Promise<CachedRoom | null> => {
    if (!room) return null
    const cached = definitions.get(room)
    if (cached) return cached
    const stored = await store.getRoom(room)
    if (!stored) return null
    // Another call may have loaded it meanwhile; keep the first copy so no write-through update is lost.
    const existing = definitions.get(room)
    if (existing) return existing
    const fresh = toCached(stored)
    definitions.set(room, fresh)
    return fresh
  }

  const roleOf = (def: CachedRoom, user: string): RoomActorRole => {
    if (def.owner === user) return 'owner'
    if (def.admins.has(user)) return 'admin'
    return live.isPresent(def.room, user) ? 'member' : 'outsider'
  }

  const wireRole = (def: CachedRoom, user: string): parley.v1.RoomRole => {
    const role = roleOf(def, user)
    return role === 'owner' ? Role.OWNER : role === 'admin' ? Role.ADMIN : role === 'member' ? Role.MEMBER : Role.NONE
  }

  const mutedUntil = (def: CachedRoom, user: string, now: number): number => {
    const until = def.mutes.get(user) ?? 0
    return until > now ? until : 0
  }

  const decide = (def: CachedRoom, user: string, operation: RoomOperation): { ok: true; role: RoomActorRole } | { ok: false; code: ErrorCode; message: string } => {
    const role = roleOf(def, user)
    const decision = decideRoom(operation, role, {
      present: live.isPresent(def.room, user),
      muted: mutedUntil(def, user, Date.now()) > 0,
      mutedAll: def.mutedAll,
      banned: def.banned.has(user)
    })
    return decision.ok ? { ok: true, role } : fail(decision.code, refusalSentence(decision.code, operation))
  }

  const infoOf = (def: CachedRoom | RoomDirectoryRow, viewer: string): RoomInfoProps => {
    const cached = 'admins' in def ? def : undefined
    return {
      room: def.room,
      name: def.name,
      description: def.description,
      announcement: def.announcement,
      owner: def.owner,
      memberCount: live.memberCount(def.room),
      maxMembers: def.maxMembers,
      mutedAll: def.mutedAll,
      createdAt: def.createdAt,
      myRole: cached ? wireRole(cached, viewer) : def.owner === viewer ? Role.OWNER : live.isPresent(def.room, viewer) ? Role.MEMBER : Role.NONE,
      myMutedUntil: cached ? mutedUntil(cached, viewer, Date.now()) : 0
    }
  }

  /** Encodes the event once and writes the same bytes to every socket of the room on this node (but `except`). */
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

  /** Takes `user` out of the room (all devices), telling everyone still there and the user's own sockets first. */
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
    definitions.delete(room)
  }

  const notFound = (room: string | null | undefined): RoomsOutcome => fail(ErrorCode.ERROR_NOT_FOUND, `There is no room "${room ?? ''}".`)

  const checkText = (value: string | null | undefined, max: number, what: string, required: boolean): string | RoomsOutcome => {
    const text = (value ?? '').trim()
    if (required && text.length === 0) return fail(ErrorCode.ERROR_BAD_REQUEST, `The room needs a ${what}.`)
    if ([...text].length > max) return fail(ErrorCode.ERROR_LIMIT_EXCEEDED, `The room's ${what} must be at most ${max} characters.`)
    return text
  }

  const pageLimit = (asked: number | null | undefined, fallback: number, max: number): number =>
    Math.min(Math.max(1, asked && asked > 0 ? asked : fallback), max)

  /** Resolves the target user of an admin operation and checks the actor outranks them. */
  const target = (def: CachedRoom, actorRole: RoomActorRole, raw: string | null | undefined): { ok: true; user: string; role: RoomActorRole } | RoomsOutcome & { ok: false } => {
    const user = canonicalUserId(raw)
    if (!user) return fail(ErrorCode.ERROR_BAD_REQUEST, 'Name the member this applies to.')
    const role = roleOf(def, user)
    if (!outranks(actorRole, role)) {
      return fail(ErrorCode.ERROR_FORBIDDEN, role === 'owner' ? 'Nobody can do that to the room\'s owner.' : 'Only the owner can do that to an admin.')
    }
    return { ok: true, user, role }
  }

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
            rooms: page.map((row) => infoOf(definitions.get(row.room) ?? row, user)),
            next: rows.length > limit ? (page[page.length - 1]?.room ?? '') : ''
          }
        })
      }
      default:
        break
    }

    const roomId = roomOfRequest(request)
    const def = await load(roomId)
    if (!def) return notFound(roomId)
    const room = def.room
    const operation = request.op as RoomOperation
    const allowed = decide(def, user, operation)
    if (!allowed.ok) return allowed
    const actorRole = allowed.role

    switch (request.op) {
      case 'info':
        return ok({ info: infoOf(def, user) })
      case 'join': {
        if (!live.isPresent(room, user) && live.memberCount(room) >= def.maxMembers) {
          return fail(ErrorCode.ERROR_FULL, `The room is full (${def.maxMembers} members).`)
        }
        const joined = live.join(room, user, Date.now())
        cancelGrace(room, user)
        addSocket(room, socket)
        if (joined.added && joined.count <= ROOM_ANNOUNCE_JOINS_MAX_MEMBERS) {
          broadcast(room, { member: { kind: MemberKind.JOINED, user, actor: user, role: wireRole(def, user), memberCount: joined.count } }, socket)
        }
        return ok({ joined: { info: infoOf(def, user), recent: live.recent(room) } })
      }
      case 'recent':
        return ok({ joined: { info: infoOf(def, user), recent: live.recent(room) } })
      case 'leave':
        removeMember(room, user, MemberKind.LEFT, user)
        return ok({ done: { room } })
      case 'members': {
        const query = request.members ?? {}
        const limit = pageLimit(query.limit, ROOM_MEMBERS_DEFAULT_LIMIT, ROOM_MEMBERS_MAX_LIMIT)
        const page = live.members(room, query.afterUser ?? '', limit)
        return ok({
          members: {
            members: page.members.map((member) => ({ user: member.user, role: wireRole(def, member.user), joinedAt: member.joinedAt })),
            hasMore: page.hasMore,
            memberCount: live.memberCount(room)
          }
        })
      }
      case 'kick': {
        const who = target(def, actorRole, request.kick?.user)
        if (!who.ok) return who
        if (!live.isPresent(room, who.user)) return fail(ErrorCode.ERROR_NOT_MEMBER, `${who.user} is not in the room.`)
        removeMember(room, who.user, MemberKind.KICKED, user)
        return ok({ done: { room } })
      }
      case 'mute': {
        const who = target(def, actorRole, request.mute?.user)
        if (!who.ok) return who
        const until = Number(request.mute?.until ?? 0)
        await store.setRoomMute(room, who.user, until)
        if (until > 0) def.mutes.set(who.user, until)
        else def.mutes.delete(who.user)
        broadcast(room, {
          member: { kind: until > 0 ? MemberKind.MUTED : MemberKind.UNMUTED, user: who.user, actor: user, until, memberCount: live.memberCount(room) }
        })
        return ok({ done: { room } })
      }
      case 'muteAll': {
        const muted = request.muteAll?.muted === true
        await store.setRoomMutedAll(room, muted)
        def.mutedAll = muted
        broadcast(room, { info: infoOf(def, '') })
        return ok({ info: infoOf(def, user) })
      }
      case 'ban': {
        const who = target(def, actorRole, request.ban?.user)
        if (!who.ok) return who
        const banned = request.ban?.banned !== false
        await store.setRoomBan(room, who.user, banned, Date.now())
        if (banned) {
          def.banned.add(who.user)
          def.admins.delete(who.user)
          if (live.isPresent(room, who.user)) removeMember(room, who.user, MemberKind.BANNED, user)
        } else {
          def.banned.delete(who.user)
        }
        return ok({ done: { room } })
      }
      case 'setAdmin': {
        const targetUser = canonicalUserId(request.setAdmin?.user)
        if (!targetUser) return fail(ErrorCode.ERROR_BAD_REQUEST, 'Name the member this applies to.')
        if (targetUser === def.owner) return fail(ErrorCode.ERROR_FORBIDDEN, 'The owner is not an admin; ownership stays as it is.')
        const admin = request.setAdmin?.admin === true
        if (admin && def.banned.has(targetUser)) return fail(ErrorCode.ERROR_BANNED, `${targetUser} is on this room's blocklist.`)
        await store.setRoomAdmin(room, targetUser, admin)
        if (admin) def.admins.add(targetUser)
        else def.admins.delete(targetUser)
        broadcast(room, {
          member: { kind: MemberKind.ROLE_CHANGED, user: targetUser, actor: user, role: wireRole(def, targetUser), memberCount: live.memberCount(room) }
        })
        return ok({ done: { room } })
      }
      case 'update': {
        const update = request.update ?? {}
        const changes: { name?: string; description?: string; announcement?: string } = {}
        if (update.name != null) {
          const name = checkText(update.name, ROOM_NAME_MAX_CHARS, 'name', true)
          if (typeof name !== 'string') return name
          changes.name = name
        }
        if (update.description != null) {
          const description = checkText(update.description, ROOM_DESCRIPTION_MAX_CHARS, 'description', false)
          if (typeof description !== 'string') return description
          changes.description = description
        }
        if (update.announcement != null) {
          const announcement = checkText(update.announcement, ROOM_ANNOUNCEMENT_MAX_CHARS, 'announcement', false)
          if (typeof announcement !== 'string') return announcement
          changes.announcement = announcement
        }
        if (!(await store.updateRoomInfo(room, changes))) return notFound(room)
        Object.assign(def, changes)
        broadcast(room, { info: infoOf(def, '') })
        return ok({ info: infoOf(def, user) })
      }
      case 'attributes':
        return ok({ attributes: { room, attributes: await store.roomAttributes(room) } })
      case 'setAttributes': {
        const set = request.setAttributes ?? {}
        const attributes = set.attributes ?? {}
        const keys = Object.keys(attributes)
        if (keys.length === 0) return fail(ErrorCode.ERROR_BAD_REQUEST, 'Name at least one attribute to set.')
        if (keys.length > ROOM_MAX_ATTRIBUTES) {
          return fail(ErrorCode.ERROR_LIMIT_EXCEEDED, `A room has at most ${ROOM_MAX_ATTRIBUTES} attributes.`)
        }
        for (const key of keys) {
          if (key.length === 0) return fail(ErrorCode.ERROR_BAD_REQUEST, 'An attribute key cannot be empty.')
          if ([...key].length > ROOM_ATTRIBUTE_KEY_MAX_CHARS) {
            return fail(ErrorCode.ERROR_LIMIT_EXCEEDED, `An attribute key must be at most ${ROOM_ATTRIBUTE_KEY_MAX_CHARS} characters.`)
          }
          if (Buffer.byteLength(attributes[key] ?? '', 'utf8') > ROOM_ATTRIBUTE_VALUE_MAX_BYTES) {
            return fail(ErrorCode.ERROR_LIMIT_EXCEEDED, `The value of "${key}" is over ${ROOM_ATTRIBUTE_VALUE_MAX_BYTES} bytes.`)
          }
        }
        const staff = actorRole === 'owner' || actorRole === 'admin'
        const result = await store.setRoomAttributes(room, user, attributes, staff && set.overwriteOthers === true, ROOM_MAX_ATTRIBUTES)
        if (!result.ok) {
          if (result.reason === 'not-found') return notFound(room)
          if (result.reason === 'limit') {
            return fail(ErrorCode.ERROR_LIMIT_EXCEEDED, `A room has at most ${ROOM_MAX_ATTRIBUTES} attributes (this would make ${result.count}).`)
          }
          return staff
            ? fail(ErrorCode.ERROR_CONFLICT, `"${result.key}" belongs to another member; set overwrite_others to replace it.`)
            : fail(ErrorCode.ERROR_FORBIDDEN, `"${result.key}" belongs to another member.`)
        }
        broadcast(room, { attributes: { room, attributes: result.changed } })
        return ok({ attributes: { room, attributes: result.changed } })
      }
      case 'removeAttributes': {
        const keys = request.removeAttributes?.keys ?? []
        const staff = actorRole === 'owner' || actorRole === 'admin'
        const result = await store.removeRoomAttributes(room, user, keys, staff)
        if (!result.ok) {
          if (result.reason === 'not-found') return notFound(room)
          return fail(ErrorCode.ERROR_FORBIDDEN, `"${result.key}" belongs to another member.`)
        }
        const removed = result.removed.map((key) => ({ key, value: '', owner: '' }))
        if (removed.length > 0) broadcast(room, { attributes: { room, attributes: removed } })
        return ok({ attributes: { room, attributes: removed } })
      }
      case 'delete': {
        await store.deleteRoom(room)
        broadcast(room, { deleted: { room } })
        forgetRoom(room)
        log.info('room deleted', { room, by: user })
        return ok({ done: { room } })
      }
      default:
        return fail(ErrorCode.ERROR_BAD_REQUEST, 'The rooms request names no operation.')
    }
  }

  return {
    handle: operations,

    async send(socket, request) {
      const clientId = request.clientId
      if (!clientId || clientId.length !== CLIENT_ID_BYTES) {
        return fail(ErrorCode.ERROR_BAD_REQUEST, `The client id must be exactly ${CLIENT_ID_BYTES} bytes.`)
      }
      const text = request.body?.text?.text
      if (typeof text !== 'string' || text.length === 0) return fail(ErrorCode.ERROR_BAD_REQUEST, 'The message needs a non-empty text body.')
      if (Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES) {
        return fail(ErrorCode.ERROR_TEXT_TOO_LONG, `The text is longer than ${MAX_TEXT_BYTES} bytes.`)
      }
      const def = definitions.get(request.to ?? '') ?? (await load(request.to))
      if (!def) return fail(ErrorCode.ERROR_NOT_FOUND, `There is no room "${request.to ?? ''}".`)
      const room = def.room
      const allowed = decide(def, socket.user, 'send')
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
      broadcast(room, { message }, socket)
      return { ok: true, ack: { clientId, serverId: message.serverId, timestamp: message.timestamp, seq: 0 } }
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

    async removeDeletedAccount(user) {
      const departure: RoomDeparture = { left: 0, handedOver: 0, deleted: 0 }
      for (const room of await store.roomsOwnedBy(user)) {
        const def = await load(room)
        // An admin who is in the room now takes over before one who is away (by id within each).
        const preferred = def ? [...def.admins].filter((admin) => live.isPresent(room, admin)).sort() : []
        const succession = await store.roomSucceedDeletedOwner(room, user, preferred)
        if (succession.outcome === 'handedOver') {
          departure.handedOver++
          const cached = definitions.get(room)
          if (cached) {
            cached.owner = succession.owner
            cached.admins.delete(succession.owner)
            broadcast(room, {
              member: { kind: MemberKind.ROLE_CHANGED, user: succession.owner, actor: user, role: Role.OWNER, memberCount: live.memberCount(room) }
            })
            broadcast(room, { info: infoOf(cached, '') })
          }
          log.info('room handed over: its owner deleted the account', { room, owner: succession.owner })
        } else if (succession.outcome === 'deleted') {
          departure.deleted++
          broadcast(room, { deleted: { room } })
          forgetRoom(room)
          log.info('room deleted: its owner deleted the account and it has no admin', { room })
        }
      }
      for (const room of live.roomsOf(user)) {
        removeMember(room, user, MemberKind.LEFT, user)
        departure.left++
      }
      await store.roomsForgetDeletedAccount(user)
      for (const def of definitions.values()) {
        def.admins.delete(user)
        def.mutes.delete(user)
        def.banned.delete(user)
      }
      return departure
    },

    stats: () => fanout.stats(),

    close() {
      for (const timer of graceTimers.values()) clearTimeout(timer)
      graceTimers.clear()
      fanout.close()
    }
  }
}

/** The room a request is about (every operation but create and directory names one). */
function roomOfRequest(request: RoomsRequest): string {
  switch (request.op) {
    case 'info':
      return request.info?.room ?? ''
    case 'join':
      return request.join?.room ?? ''
    case 'leave':
      return request.leave?.room ?? ''
    case 'members':
      return request.members?.room ?? ''
    case 'kick':
      return request.kick?.room ?? ''
    case 'mute':
      return request.mute?.room ?? ''
    case 'muteAll':
      return request.muteAll?.room ?? ''
    case 'ban':
      return request.ban?.room ?? ''
    case 'setAdmin':
      return request.setAdmin?.room ?? ''
    case 'update':
      return request.update?.room ?? ''
    case 'setAttributes':
      return request.setAttributes?.room ?? ''
    case 'removeAttributes':
      return request.removeAttributes?.room ?? ''
    case 'attributes':
      return request.attributes?.room ?? ''
    case 'delete':
      return request.delete?.room ?? ''
    case 'recent':
      return request.recent?.room ?? ''
    default:
      return ''
  }
}
