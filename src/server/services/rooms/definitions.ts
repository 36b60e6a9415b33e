// Owns the room definitions cached on this node (write-through: every change is stored first) and what follows
// from one for a user: their role, their mute, whether the authorisation table lets them act, the RoomInfo they see.
import type { ErrorCode } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import type { RoomDirectoryRow, RoomsStore, StoredRoom } from '../../store/rooms/types'
import { decideRoom, refusalSentence, type RoomActorRole, type RoomOperation } from './authorization'
import type { RoomLiveState } from './live'
import { fail, Role, type RoomInfoProps } from './protocol'

/** A room definition as kept in memory on this node (write-through: every change is stored first). */
export interface CachedRoom extends Omit<StoredRoom, 'admins' | 'mutes' | 'banned'> {
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

export interface RoomDefinitions {
  /** The cached definitions by room id (only rooms some operation loaded). */
  cache: Map<string, CachedRoom>
  /** The room's definition, from the cache or the store; null when there is no such room. */
  load(room: string | null | undefined): Promise<CachedRoom | null>
  roleOf(def: CachedRoom, user: string): RoomActorRole
  wireRole(def: CachedRoom, user: string): parley.v1.RoomRole
  /** When the user's mute ends, 0 when they are not muted (any more) at `now`. */
  mutedUntil(def: CachedRoom, user: string, now: number): number
  /** The authorisation table's answer for `user` doing `operation` in the room, with their role when allowed. */
  decide(def: CachedRoom, user: string, operation: RoomOperation): { ok: true; role: RoomActorRole } | { ok: false; code: ErrorCode; message: string }
  infoOf(def: CachedRoom | RoomDirectoryRow, viewer: string): RoomInfoProps
}

export function createRoomDefinitions(store: RoomsStore, live: RoomLiveState): RoomDefinitions {
  const cache = new Map<string, CachedRoom>()

  const load = async (room: string | null | undefined): Promise<CachedRoom | null> => {
    if (!room) return null
    const cached = cache.get(room)
    if (cached) return cached
    const stored = await store.getRoom(room)
    if (!stored) return null
    // Another call may have loaded it meanwhile; keep the first copy so no write-through update is lost.
    const existing = cache.get(room)
    if (existing) return existing
    const fresh = toCached(stored)
    cache.set(room, fresh)
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

  return { cache, load, roleOf, wireRole, mutedUntil, decide, infoOf }
}
