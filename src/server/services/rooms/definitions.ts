// Owns the room definitions cached on this node (write-through: every change is stored first, then announced to the
// other nodes) and what follows from one for a user: their role, their mute, what the authorisation table says, the RoomInfo.
import type { ErrorCode } from '../../../shared/proto/codec'
import { createLogger } from '../../../shared/logger'
import type { parley } from '../../../shared/proto/gen/parley.js'
import type { ClusterBus } from '../../cluster/bus'
import type { RoomDirectoryRow, RoomsStore, StoredRoom } from '../../store/rooms/types'
import { decideRoom, refusalSentence, type RoomActorRole, type RoomOperation } from './authorization'
import { RoomsUnavailableError, type RoomLiveState } from './live'
import { fail, Role, type RoomInfoProps } from './protocol'

const log = createLogger('server:rooms')

/** The bus channel on which a node says a room's definition changed (payload: the room id; empty = every room). */
const DEFINITIONS_CHANNEL = 'rooms:definitions'

/** A room definition as kept in memory on this node (write-through: every change is stored first). */
export interface CachedRoom extends Omit<StoredRoom, 'admins' | 'mutes' | 'banned'> {
  admins: Set<string>
  mutes: Map<string, number>
  banned: Set<string>
  /** The shared version this copy was read at (cluster mode; always 0 on one node). */
  version: number
}

function toCached(stored: StoredRoom, version: number): CachedRoom {
  return {
    ...stored,
    admins: new Set(stored.admins),
    mutes: new Map(Object.entries(stored.mutes)),
    banned: new Set(stored.banned),
    version
  }
}

export interface RoomDefinitions {
  /** The cached definitions by room id (only rooms some operation loaded). */
  cache: Map<string, CachedRoom>
  /** The room's definition, from the cache while it is current or else the store; null when there is no such room. */
  load(room: string | null | undefined): Promise<CachedRoom | null>
  /** The room's stored definition changed here (stored already): other nodes' copies become old before this returns. */
  changed(room: string): Promise<void>
  /** Every room's definition may have changed (a deleted account's roles went). */
  changedAll(): void
  roleOf(def: CachedRoom, user: string): Promise<RoomActorRole>
  wireRole(def: CachedRoom, user: string): Promise<parley.v1.RoomRole>
  /** When the user's mute ends, 0 when they are not muted (any more) at `now`. */
  mutedUntil(def: CachedRoom, user: string, now: number): number
  /** The authorisation table's answer for `user` doing `operation` in the room, with their role when allowed. */
  decide(def: CachedRoom, user: string, operation: RoomOperation): Promise<{ ok: true; role: RoomActorRole } | { ok: false; code: ErrorCode; message: string }>
  infoOf(def: CachedRoom | RoomDirectoryRow, viewer: string): Promise<RoomInfoProps>
  close(): void
}

export function createRoomDefinitions(store: RoomsStore, live: RoomLiveState, bus: ClusterBus): RoomDefinitions {
  const cache = new Map<string, CachedRoom>()
  /** Bumped when another node says a room changed: a load that began before keeps its copy out of the cache. */
  let generation = 0

  const stopListening = bus.subscribe(DEFINITIONS_CHANNEL, (payload) => {
    const room = payload.toString('utf8')
    generation++
    if (room === '') cache.clear()
    else cache.delete(room)
  })
  // Changes announced while the bus was down were missed: every copy is read again (the version check would catch them too).
  const stopReconnect = bus.onReconnect(() => {
    generation++
    cache.clear()
  })

  const load = async (room: string | null | undefined): Promise<CachedRoom | null> => {
    if (!room) return null
    const startedAt = generation
    // The shared version is read before the store, so a change that lands in between makes the next load read again.
    const cached = cache.get(room)
    let version: number
    try {
      version = await live.definitionVersion(room)
    } catch (err) {
      if (!(err instanceof RoomsUnavailableError)) throw err
      // Redis is down: the copy is used as it is (the reconnect drops every copy); without one the store is read,
      // and the copy made is checked again next time (no version matches -1).
      if (cached) return cached
      version = -1
    }
    if (cached && cached.version === version) return cached
    const stored = await store.getRoom(room)
    if (!stored) {
      cache.delete(room)
      return null
    }
    // Another call may have loaded it meanwhile; keep the first copy so no write-through update is lost.
    const existing = cache.get(room)
    if (existing && existing.version === version) return existing
    const fresh = toCached(stored, version)
    if (generation === startedAt) cache.set(room, fresh)
    return fresh
  }

  const changed = async (room: string): Promise<void> => {
    const copy = cache.get(room)
    try {
      const version = await live.bumpDefinitionVersion(room)
      // This node's copy has the change written through: current, unless another node changed it meanwhile too
      // (version 0: one node, no shared versions).
      if (copy && (version === 0 || version === copy.version + 1)) copy.version = version
      else cache.delete(room)
    } catch (err) {
      // Stored already; the other nodes still hear of it by the bus (or read it again when the bus is back).
      cache.delete(room)
      log.warn('could not bump a room definition version', { room, error: String(err) })
    }
    bus.publish(DEFINITIONS_CHANNEL, Buffer.from(room, 'utf8'))
  }

  const roleOf = async (def: CachedRoom, user: string): Promise<RoomActorRole> => {
    if (def.owner === user) return 'owner'
    if (def.admins.has(user)) return 'admin'
    return (await live.isPresent(def.room, user)) ? 'member' : 'outsider'
  }

  const wireRole = async (def: CachedRoom, user: string): Promise<parley.v1.RoomRole> => {
    const role = await roleOf(def, user)
    return role === 'owner' ? Role.OWNER : role === 'admin' ? Role.ADMIN : role === 'member' ? Role.MEMBER : Role.NONE
  }

  const mutedUntil = (def: CachedRoom, user: string, now: number): number => {
    const until = def.mutes.get(user) ?? 0
    return until > now ? until : 0
  }

  const decide: RoomDefinitions['decide'] = async (def, user, operation) => {
    const present = await live.isPresent(def.room, user)
    const role: RoomActorRole = def.owner === user ? 'owner' : def.admins.has(user) ? 'admin' : present ? 'member' : 'outsider'
    const decision = decideRoom(operation, role, {
      present,
      muted: mutedUntil(def, user, Date.now()) > 0,
      mutedAll: def.mutedAll,
      banned: def.banned.has(user)
    })
    return decision.ok ? { ok: true, role } : fail(decision.code, refusalSentence(decision.code, operation))
  }

  const infoOf = async (def: CachedRoom | RoomDirectoryRow, viewer: string): Promise<RoomInfoProps> => {
    const cached = 'admins' in def ? def : undefined
    let viewerRole: parley.v1.RoomRole = Role.NONE
    // The empty viewer is the room itself (an info pushed to everyone): nobody's role.
    if (viewer !== '') {
      if (cached) viewerRole = await wireRole(cached, viewer)
      else viewerRole = def.owner === viewer ? Role.OWNER : (await live.isPresent(def.room, viewer)) ? Role.MEMBER : Role.NONE
    }
    return {
      room: def.room,
      name: def.name,
      description: def.description,
      announcement: def.announcement,
      owner: def.owner,
      memberCount: await live.memberCount(def.room),
      maxMembers: def.maxMembers,
      mutedAll: def.mutedAll,
      createdAt: def.createdAt,
      myRole: viewerRole,
      myMutedUntil: cached ? mutedUntil(cached, viewer, Date.now()) : 0
    }
  }

  return {
    cache,
    load,
    changed,
    changedAll() {
      cache.clear()
      bus.publish(DEFINITIONS_CHANNEL, Buffer.alloc(0))
    },
    roleOf,
    wireRole,
    mutedUntil,
    decide,
    infoOf,
    close() {
      stopListening()
      stopReconnect()
    }
  }
}
