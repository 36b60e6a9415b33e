// Owns who may do what in a room: ONE table (operation × role × state) consulted before anything is written or
// sent. A refused operation changes nothing and answers the cell's error code (test/unit/room-authorization walks it).
import { ErrorCode } from '../../../shared/proto/codec'

export type RoomOperation =
  | 'info'
  | 'directory'
  | 'join'
  | 'leave'
  | 'members'
  | 'attributes'
  | 'recent'
  | 'send'
  | 'setAttributes'
  | 'removeAttributes'
  | 'kick'
  | 'mute'
  | 'muteAll'
  | 'ban'
  | 'update'
  | 'setAdmin'
  | 'delete'

/** owner / admin are stored roles (they hold with or without presence); member = in the room without a role. */
export type RoomActorRole = 'owner' | 'admin' | 'member' | 'outsider'

export interface RoomActorState {
  /** The actor is in the room now (always true for 'member', false for 'outsider'). */
  present: boolean
  /** The actor is muted in this room (a mute whose time has not run out). */
  muted: boolean
  /** The room is muted for everyone but the owner and admins. */
  mutedAll: boolean
  /** The actor is on the room's blocklist. */
  banned: boolean
}

type Cell = 'allow' | ErrorCode

interface RoomRule {
  owner: Cell
  admin: Cell
  member: Cell
  outsider: Cell
  /** Owners and admins must be in the room too (sending, leaving, re-reading the window are things members do). */
  needsPresence: boolean
  /** A muted member (or any member of a muted-all room) is refused; owner and admins never are. */
  mutable: boolean
  /** A user on the blocklist is refused (ERROR_BANNED) before anything else. */
  bannedRefused: boolean
}

const { ERROR_NOT_MEMBER: NOT_MEMBER, ERROR_FORBIDDEN: FORBIDDEN } = ErrorCode

const anyone = { owner: 'allow', admin: 'allow', member: 'allow', outsider: 'allow' } as const
const inRoom = { owner: 'allow', admin: 'allow', member: 'allow', outsider: NOT_MEMBER } as const
const staff = { owner: 'allow', admin: 'allow', member: FORBIDDEN, outsider: NOT_MEMBER } as const
const ownerOnly = { owner: 'allow', admin: FORBIDDEN, member: FORBIDDEN, outsider: NOT_MEMBER } as const
const plain = { needsPresence: false, mutable: false, bannedRefused: true } as const

/** THE table. Rows: operations; columns: roles; flags: how the actor's state refines the cell. */
export const ROOM_RULES: Readonly<Record<RoomOperation, RoomRule>> = {
  info: { ...anyone, ...plain, bannedRefused: false },
  directory: { ...anyone, ...plain, bannedRefused: false },
  join: { ...anyone, ...plain },
  // Leaving is always possible for someone in the room (a banned user is not in it any more).
  leave: { ...inRoom, ...plain, needsPresence: true, bannedRefused: false },
  members: { ...inRoom, ...plain },
  attributes: { ...inRoom, ...plain },
  recent: { ...inRoom, ...plain, needsPresence: true },
  send: { ...inRoom, ...plain, needsPresence: true, mutable: true },
  // Which keys a member may set or remove (their own) is decided per key by the store, in the same transaction.
  setAttributes: { ...inRoom, ...plain },
  removeAttributes: { ...inRoom, ...plain },
  kick: { ...staff, ...plain },
  mute: { ...staff, ...plain },
  muteAll: { ...staff, ...plain },
  ban: { ...staff, ...plain },
  update: { ...staff, ...plain },
  setAdmin: { ...ownerOnly, ...plain },
  delete: { ...ownerOnly, ...plain }
}

export type RoomDecision = { ok: true } | { ok: false; code: ErrorCode }

export function decideRoom(operation: RoomOperation, role: RoomActorRole, state: RoomActorState): RoomDecision {
  const rule = ROOM_RULES[operation]
  if (rule.bannedRefused && state.banned) return { ok: false, code: ErrorCode.ERROR_BANNED }
  const cell = rule[role]
  if (cell !== 'allow') return { ok: false, code: cell }
  if (rule.needsPresence && !state.present) return { ok: false, code: NOT_MEMBER }
  if (rule.mutable && role === 'member') {
    if (state.muted) return { ok: false, code: ErrorCode.ERROR_MUTED }
    if (state.mutedAll) return { ok: false, code: ErrorCode.ERROR_MUTED_ALL }
  }
  return { ok: true }
}

const RANK: Record<RoomActorRole, number> = { owner: 3, admin: 2, member: 1, outsider: 1 }

/** Kick, mute and ban need the actor to outrank the target: admins act on members, the owner on admins too. */
export function outranks(actor: RoomActorRole, target: RoomActorRole): boolean {
  return RANK[actor] > RANK[target]
}

/** The sentence for a refusal, by code. */
export function refusalSentence(code: ErrorCode, operation: RoomOperation): string {
  switch (code) {
    case ErrorCode.ERROR_BANNED:
      return 'You are on this room\'s blocklist.'
    case ErrorCode.ERROR_NOT_MEMBER:
      return 'Join the room first.'
    case ErrorCode.ERROR_MUTED:
      return 'You are muted in this room.'
    case ErrorCode.ERROR_MUTED_ALL:
      return 'This room is muted: only the owner and admins can send.'
    case ErrorCode.ERROR_FORBIDDEN:
      return operation === 'setAdmin' || operation === 'delete'
        ? 'Only the room\'s owner can do that.'
        : 'Only the room\'s owner and admins can do that.'
    default:
      return 'That is not allowed in this room.'
  }
}
