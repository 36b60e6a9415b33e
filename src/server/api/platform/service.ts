// Owns what the platform API does, transport-free: user administration (create, list, ban, delete), sends as a user
// or as the system through the message service, and groups and rooms acted on as their owner (the operator's stand-in).
import crypto from 'node:crypto'
import { ChatTypePb, ErrorCode, clientIdToHex, hexToClientId, pb } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { createLogger } from '../../../shared/logger'
import { canonicalUserId } from '../../../shared/user-id'
import { MAX_USERNAME_CHARS } from '../../../shared/limits'
import { hashPassword } from '../../auth/passwords'
import { PLATFORM_USERS_PAGE_DEFAULT, PLATFORM_USERS_PAGE_MAX, SYSTEM_SENDER_ID } from '../../config'
import { passwordProblem, type AccountDeparture } from '../../services/accounts'
import type { ContactsService } from '../../services/contacts'
import type { ConnectionRef } from '../../services/fanout'
import type { GroupsService } from '../../services/groups'
import { canonicalGroupId } from '../../../shared/group-id'
import { CLIENT_ID_BYTES, type MessageService } from '../../services/messages'
import type { LiveConnections } from '../../services/profiles'
import type { RoomService } from '../../services/rooms/service'
import type { RoomSocket } from '../../services/rooms/fanout'
import type { ServerStore } from '../../store/types'

const log = createLogger('server:platform')

/** An answer of the platform API: a value, or an HTTP status with the house {code, message}. */
export type PlatformResult<T> = { ok: true; value: T } | PlatformFailure
export interface PlatformFailure {
  ok: false
  status: number
  code: string
  message: string
}

/** The HTTP status of each wire error a service may answer (anything else is a 500). */
const STATUS_BY_ERROR: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.ERROR_BAD_REQUEST]: 400,
  [ErrorCode.ERROR_TEXT_TOO_LONG]: 400,
  [ErrorCode.ERROR_LIMIT_EXCEEDED]: 400,
  [ErrorCode.ERROR_USER_NOT_FOUND]: 404,
  [ErrorCode.ERROR_NOT_FOUND]: 404,
  [ErrorCode.ERROR_FORBIDDEN]: 403,
  [ErrorCode.ERROR_BLOCKED]: 403,
  [ErrorCode.ERROR_NOT_FRIENDS]: 403,
  [ErrorCode.ERROR_NOT_MEMBER]: 403,
  [ErrorCode.ERROR_MUTED]: 403,
  [ErrorCode.ERROR_MUTED_ALL]: 403,
  [ErrorCode.ERROR_BANNED]: 403,
  [ErrorCode.ERROR_DISSOLVED]: 409,
  [ErrorCode.ERROR_CONFLICT]: 409,
  [ErrorCode.ERROR_FULL]: 409
}

export function failure(status: number, code: string, message: string): PlatformFailure {
  return { ok: false, status, code, message }
}

/** A service refusal (wire ErrorCode) as the API's failure: the code's name without ERROR_, e.g. NOT_MEMBER. */
function fromWire(code: ErrorCode, message: string): PlatformFailure {
  const name = (ErrorCode[code] as string | undefined) ?? 'ERROR_INTERNAL'
  return failure(STATUS_BY_ERROR[code] ?? 500, name.replace(/^ERROR_/, ''), message)
}

const ACCOUNT_BANNED_MESSAGE = 'This account was banned by the server operator.'
const ACCOUNT_DELETED_MESSAGE = 'This account was deleted.'
const USERNAME_RULE = `The username must be 1 to ${MAX_USERNAME_CHARS} characters: ASCII letters (a-z, A-Z), digits, "_", "." or "-".`

export interface PlatformUser {
  user: string
  createdAt: number
  banned: boolean
  deleted: boolean
}

export interface SendAnswer {
  serverId: number
  timestamp: number
  /** The message's place in the sender's log (one-to-one) or the group's log (group). */
  seq: number
  /** The client id used (hex): send it again with the same text and the server answers the original, stores nothing. */
  clientId: string
}

export interface GroupMember {
  user: string
  role: 'member' | 'admin' | 'owner'
  joinedAt: number
}

export interface RoomSummary {
  room: string
  name: string
  description: string
  owner: string
  memberCount: number
  maxMembers: number
  createdAt: number
}

export interface PlatformDeps {
  store: ServerStore
  messages: MessageService
  groups: GroupsService
  rooms: RoomService
  contacts: ContactsService
  live: Pick<LiveConnections, 'endSessions'>
  /** A deleted account's groups and rooms (services/accounts.ts). */
  departure?: Pick<AccountDeparture, 'leaveEverything'>
}

export interface SendInput {
  to: string
  text: string
  /** 32 hex characters (16 bytes): the idempotency key; a random one when absent. */
  clientId?: string
}

/** A stand-in socket for the room service: room operations the platform makes as the room's owner (never joins). */
function ownerSocket(user: string): RoomSocket {
  return { user, deviceId: 'platform-api', isOpen: false, unsentBytes: 0, sendBytes: () => {}, queueBytes: () => {} }
}

const ROLE_NAMES: Readonly<Record<number, GroupMember['role']>> = { 1: 'member', 2: 'admin', 3: 'owner' }

export interface PlatformService {
  /** Reserves the system sender's name (a user row no password matches); called once at start. */
  reserveSystemSender(): Promise<void>
  createUser(name: unknown, password: unknown): Promise<PlatformResult<PlatformUser>>
  listUsers(prefix: string | undefined, after: string | undefined, limit: number | undefined): Promise<PlatformResult<{ users: PlatformUser[]; next: string }>>
  setBanned(name: string, banned: boolean): Promise<PlatformResult<PlatformUser>>
  deleteUser(name: string): Promise<PlatformResult<{ user: string }>>
  sendAsUser(sender: string, chatType: 'user' | 'group', input: SendInput): Promise<PlatformResult<SendAnswer>>
  sendAsSystem(input: SendInput): Promise<PlatformResult<SendAnswer>>
  createGroup(input: { owner: string; name: string; description?: string; members?: string[]; isPublic?: boolean }): Promise<PlatformResult<{ group: string }>>
  groupMembers(group: string, after: string | undefined, limit: number | undefined): Promise<PlatformResult<{ members: GroupMember[]; memberCount: number; next: string }>>
  addGroupMembers(group: string, users: string[]): Promise<PlatformResult<{ group: string; pending: boolean }>>
  removeGroupMember(group: string, user: string): Promise<PlatformResult<{ group: string }>>
  dissolveGroup(group: string): Promise<PlatformResult<{ group: string }>>
  createRoom(input: { owner: string; name: string; description?: string; maxMembers?: number }): Promise<PlatformResult<{ room: string }>>
  listRooms(query: string | undefined, after: string | undefined, limit: number | undefined): Promise<PlatformResult<{ rooms: RoomSummary[]; next: string }>>
  roomMembers(room: string, after: string | undefined, limit: number | undefined): Promise<PlatformResult<{ members: { user: string; role: string; joinedAt: number }[]; memberCount: number; next: string }>>
  deleteRoom(room: string): Promise<PlatformResult<{ room: string }>>
}

export function createPlatformService(deps: PlatformDeps): PlatformService {
  const { store, messages, groups, rooms, contacts, live, departure } = deps

  /** The canonical id of an existing account that is neither deleted nor the system sender, or why not. */
  const account = async (raw: unknown): Promise<PlatformResult<{ user: string; createdAt: number }>> => {
    const user = canonicalUserId(raw)
    if (!user || user === SYSTEM_SENDER_ID) return failure(404, 'USER_NOT_FOUND', `There is no user named "${String(raw)}".`)
    const [stored, deletedAt] = await Promise.all([store.getUser(user), store.accountDeletedAt(user)])
    if (!stored) return failure(404, 'USER_NOT_FOUND', `There is no user named "${user}".`)
    if (deletedAt !== null) return failure(410, 'ACCOUNT_DELETED', `The account "${user}" was deleted.`)
    const [row] = await store.platformUsers(user, '', 1)
    return { ok: true, value: { user, createdAt: row?.user === user ? row.createdAt : 0 } }
  }

  const clientIdOf = (raw: string | undefined): Uint8Array | PlatformFailure => {
    if (raw === undefined) return new Uint8Array(crypto.randomBytes(CLIENT_ID_BYTES))
    if (!new RegExp(`^[0-9a-fA-F]{${CLIENT_ID_BYTES * 2}}$`).test(raw)) {
      return failure(400, 'BAD_REQUEST', `The clientId must be ${CLIENT_ID_BYTES * 2} hexadecimal characters.`)
    }
    return hexToClientId(raw.toLowerCase())
  }

  const send = async (sender: string, chatType: 'user' | 'group', input: SendInput): Promise<PlatformResult<SendAnswer>> => {
    const clientId = clientIdOf(input.clientId)
    if (!(clientId instanceof Uint8Array)) return clientId
    const to = chatType === 'group' ? canonicalGroupId(input.to) : canonicalUserId(input.to)
    if (!to) {
      return chatType === 'group'
        ? failure(404, 'NOT_FOUND', `There is no group "${input.to}".`)
        : failure(404, 'USER_NOT_FOUND', `There is no user named "${input.to}".`)
    }
    if (chatType === 'user' && to === SYSTEM_SENDER_ID) return failure(400, 'BAD_REQUEST', 'Messages cannot be sent to the system sender.')
    // A fresh object as the origin: no connection of the sender is excepted, so all their devices get the message.
    const origin: ConnectionRef = {}
    const request = {
      clientId,
      to,
      chatType: chatType === 'group' ? ChatTypePb.CHAT_TYPE_GROUP : ChatTypePb.CHAT_TYPE_SINGLE,
      body: { text: { text: input.text } }
    }
    const outcome = await messages.send(sender, request, origin)
    if (!outcome.ok) return fromWire(outcome.code, outcome.message)
    return {
      ok: true,
      value: {
        serverId: Number(outcome.ack.serverId ?? 0),
        timestamp: Number(outcome.ack.timestamp ?? 0),
        seq: Number(outcome.ack.seq ?? 0),
        clientId: clientIdToHex(clientId)
      }
    }
  }

  /** The owner of a group, the stand-in the platform acts as (the groups' authorisation table still applies). */
  const groupOwner = async (raw: string): Promise<PlatformResult<{ group: string; owner: string }>> => {
    const group = canonicalGroupId(raw)
    const owner = group ? await store.platformGroupOwner(group) : null
    if (!group || !owner) return failure(404, 'NOT_FOUND', `There is no group "${raw}".`)
    return { ok: true, value: { group, owner } }
  }

  const groupsAs = async (
    user: string,
    request: parley.v1.GroupsRequest.$Properties
  ): Promise<PlatformResult<parley.v1.GroupsResponse.$Properties>> => {
    const outcome = await groups.handle(user, request)
    return outcome.ok ? outcome : fromWire(outcome.code, outcome.message)
  }

  const roomsAs = async (
    user: string,
    request: parley.v1.RoomsRequest.$Properties
  ): Promise<PlatformResult<parley.v1.RoomsResponse.$Properties>> => {
    // The room service reads the request's `op` (a oneof getter), so it needs a message instance, not a plain object.
    const outcome = await rooms.handle(ownerSocket(user), pb.RoomsRequest.create(request))
    return outcome.ok ? { ok: true, value: outcome.response } : fromWire(outcome.code, outcome.message)
  }

  const roomOwner = async (raw: string): Promise<PlatformResult<{ room: string; owner: string }>> => {
    const stored = raw ? await store.getRoom(raw) : null
    if (!stored) return failure(404, 'NOT_FOUND', `There is no room "${raw}".`)
    return { ok: true, value: { room: stored.room, owner: stored.owner } }
  }

  const pageLimit = (asked: number | undefined, fallback: number, max: number): number =>
    Math.min(Math.max(1, asked ?? fallback), max)

  return {
    async reserveSystemSender() {
      const outcome = await store.platformReserveName(SYSTEM_SENDER_ID, Date.now())
      if (outcome === 'exists' && (await store.platformUsers(SYSTEM_SENDER_ID, '', 1)).some((row) => row.user === SYSTEM_SENDER_ID)) {
        // A real account registered the name before this server version reserved it: its messages would pass for
        // the system's. Say so loudly; the operator decides (delete or rename it).
        log.warn('a user account holds the system sender name; system messages will appear to come from it', { user: SYSTEM_SENDER_ID })
      }
    },

    async createUser(name, password) {
      const user = canonicalUserId(name)
      if (!user) return failure(400, 'INVALID_USERNAME', USERNAME_RULE)
      if (user === SYSTEM_SENDER_ID) return failure(409, 'USER_EXISTS', `The username "${user}" is reserved.`)
      const problem = passwordProblem(password)
      if (problem) return failure(400, 'INVALID_PASSWORD', problem)
      const now = Date.now()
      const outcome = await store.createUser(user, await hashPassword(password as string), now)
      if (outcome === 'exists') return failure(409, 'USER_EXISTS', `The username "${user}" is already taken.`)
      log.info('user created through the platform API', { user })
      return { ok: true, value: { user, createdAt: now, banned: false, deleted: false } }
    },

    async listUsers(prefix, after, limit) {
      const cap = pageLimit(limit, PLATFORM_USERS_PAGE_DEFAULT, PLATFORM_USERS_PAGE_MAX)
      // Names are stored canonical (lowercase ASCII): a prefix matches in any case.
      const rows = await store.platformUsers((prefix ?? '').trim().toLowerCase(), canonicalUserId(after) ?? '', cap + 1)
      const page = rows.slice(0, cap)
      return {
        ok: true,
        value: {
          users: page.map((row) => ({ user: row.user, createdAt: row.createdAt, banned: row.bannedAt !== null, deleted: row.deletedAt !== null })),
          next: rows.length > cap ? (page[page.length - 1]?.user ?? '') : ''
        }
      }
    },

    async setBanned(name, banned) {
      const found = await account(name)
      if (!found.ok) return found
      const { user, createdAt } = found.value
      const now = Date.now()
      // The flag first: a sign-in from here on is refused; then the sessions end (tokens refused on every node, the
      // sockets on this one closed with CLOSE_SIGNED_OUT).
      await store.accountSetBanned(user, banned ? now : null)
      if (banned) {
        const ended = await store.revokeUserSessions(user, now)
        live.endSessions(user, 'all', ACCOUNT_BANNED_MESSAGE)
        log.info('user banned through the platform API', { user, sessionsEnded: ended.length })
      } else {
        log.info('user unbanned through the platform API', { user })
      }
      return { ok: true, value: { user, createdAt, banned, deleted: false } }
    },

    async deleteUser(name) {
      const found = await account(name)
      if (!found.ok) return found
      const { user } = found.value
      // The same deletion as the account's own (services/profiles): one transaction in the store, then the peers told,
      // the send verdicts dropped and the live connections ended. No password: the operator's credential stands for it.
      const deletion = await store.accountDelete(user, Date.now())
      contacts.forgetUser(user)
      contacts.publish(deletion.events)
      live.endSessions(user, 'all', ACCOUNT_DELETED_MESSAGE)
      await departure?.leaveEverything(user)
      log.info('account deleted through the platform API', { user, peersTold: deletion.events.length, sessionsEnded: deletion.revokedSessions.length })
      return { ok: true, value: { user } }
    },

    async sendAsUser(sender, chatType, input) {
      const found = await account(sender)
      if (!found.ok) return found
      if ((await store.accountBannedAt(found.value.user)) !== null) {
        return failure(403, 'ACCOUNT_BANNED', `The account "${found.value.user}" is banned; it cannot send.`)
      }
      return send(found.value.user, chatType, input)
    },

    sendAsSystem: (input) => send(SYSTEM_SENDER_ID, 'user', input),

    async createGroup(input) {
      const owner = await account(input.owner)
      if (!owner.ok) return owner
      const answer = await groupsAs(owner.value.user, {
        create: { name: input.name, description: input.description ?? '', members: input.members ?? [], settings: { isPublic: input.isPublic === true } }
      })
      if (!answer.ok) return answer
      return { ok: true, value: { group: answer.value.done?.group ?? '' } }
    },

    async groupMembers(raw, after, limit) {
      const found = await groupOwner(raw)
      if (!found.ok) return found
      const answer = await groupsAs(found.value.owner, { members: { group: found.value.group, afterUser: after ?? '', limit: limit ?? 0 } })
      if (!answer.ok) return answer
      const page = answer.value.members
      const members = (page?.members ?? []).map((member) => ({
        user: member.user ?? '',
        role: ROLE_NAMES[member.role ?? 1] ?? 'member',
        joinedAt: Number(member.joinedAt ?? 0)
      }))
      return {
        ok: true,
        value: { members, memberCount: page?.memberCount ?? 0, next: page?.hasMore ? (members[members.length - 1]?.user ?? '') : '' }
      }
    },

    async addGroupMembers(raw, users) {
      const found = await groupOwner(raw)
      if (!found.ok) return found
      const answer = await groupsAs(found.value.owner, { invite: { group: found.value.group, users, message: '' } })
      if (!answer.ok) return answer
      return { ok: true, value: { group: found.value.group, pending: answer.value.done?.pending === true } }
    },

    async removeGroupMember(raw, user) {
      const found = await groupOwner(raw)
      if (!found.ok) return found
      const answer = await groupsAs(found.value.owner, { remove: { group: found.value.group, user } })
      return answer.ok ? { ok: true, value: { group: found.value.group } } : answer
    },

    async dissolveGroup(raw) {
      const found = await groupOwner(raw)
      if (!found.ok) return found
      const answer = await groupsAs(found.value.owner, { dissolve: { group: found.value.group } })
      return answer.ok ? { ok: true, value: { group: found.value.group } } : answer
    },

    async createRoom(input) {
      const owner = await account(input.owner)
      if (!owner.ok) return owner
      const answer = await roomsAs(owner.value.user, {
        create: { name: input.name, description: input.description ?? '', maxMembers: input.maxMembers ?? 0 }
      })
      if (!answer.ok) return answer
      return { ok: true, value: { room: answer.value.done?.room ?? '' } }
    },

    async listRooms(query, after, limit) {
      const answer = await roomsAs(SYSTEM_SENDER_ID, { directory: { query: query ?? '', after: after ?? '', limit: limit ?? 0 } })
      if (!answer.ok) return answer
      const directory = answer.value.directory
      return {
        ok: true,
        value: {
          rooms: (directory?.rooms ?? []).map((info) => ({
            room: info.room ?? '',
            name: info.name ?? '',
            description: info.description ?? '',
            owner: info.owner ?? '',
            memberCount: info.memberCount ?? 0,
            maxMembers: info.maxMembers ?? 0,
            createdAt: Number(info.createdAt ?? 0)
          })),
          next: directory?.next ?? ''
        }
      }
    },

    async roomMembers(raw, after, limit) {
      const found = await roomOwner(raw)
      if (!found.ok) return found
      const answer = await roomsAs(found.value.owner, { members: { room: found.value.room, afterUser: after ?? '', limit: limit ?? 0 } })
      if (!answer.ok) return answer
      const page = answer.value.members
      const wireRoles: Readonly<Record<number, string>> = { 1: 'member', 2: 'admin', 3: 'owner' }
      const members = (page?.members ?? []).map((member) => ({
        user: member.user ?? '',
        role: wireRoles[member.role ?? 1] ?? 'member',
        joinedAt: Number(member.joinedAt ?? 0)
      }))
      return {
        ok: true,
        value: { members, memberCount: page?.memberCount ?? 0, next: page?.hasMore ? (members[members.length - 1]?.user ?? '') : '' }
      }
    },

    async deleteRoom(raw) {
      const found = await roomOwner(raw)
      if (!found.ok) return found
      const answer = await roomsAs(found.value.owner, { delete: { room: found.value.room } })
      return answer.ok ? { ok: true, value: { room: found.value.room } } : answer
    }
  }
}
