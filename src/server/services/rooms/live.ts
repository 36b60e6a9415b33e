// Owns a room's live state: who is in it (by user) and its recent window of messages with their resend keys.
// Behind RoomLiveState so cluster mode keeps it in Redis and the store (live-redis.ts); this node's sockets are not part of it.
import type { parley } from '../../../shared/proto/gen/parley.js'

export type RoomMessageProps = parley.v1.Message.$Properties

export interface RoomPresence {
  user: string
  joinedAt: number
}

export interface RoomAckProps {
  serverId: number
  timestamp: number
}

export interface RoomJoined {
  /** The user was not in the room before. */
  added: boolean
  count: number
  /** The room was full: nothing changed. */
  full: boolean
}

export interface RoomLeft {
  removed: boolean
  count: number
}

/** A room message appended (or the first answer of a resend still in the window: `duplicate`). */
export interface RoomAppended extends RoomAckProps {
  duplicate: boolean
}

/** Called when a member left without a leave: their node stopped renewing its hold (cluster mode). */
export type RoomExpiredHandler = (room: string, user: string, count: number) => void
/** Called when this node finds a member it holds gone from the room (removed while it missed the news). */
export type RoomLostHandler = (room: string, user: string) => void

/** In cluster mode a call may reject with RoomsUnavailableError while Redis cannot be reached. */
export interface RoomLiveState {
  /** Adds `user` unless the room is full (no-op if present); this node holds them until released. */
  join(room: string, user: string, at: number, maxMembers: number): Promise<RoomJoined>
  /** The user leaves the room (from every node). */
  leave(room: string, user: string): Promise<RoomLeft>
  /** This node holds the user no more (their last socket here is past its grace): they leave unless another node holds them. */
  release(room: string, user: string): Promise<RoomLeft>
  /** Another node removed the user and said so: this node holds them no more (nothing to write). */
  forgetLocal(room: string, user: string): void
  isPresent(room: string, user: string): Promise<boolean>
  /** The rooms `user` is in (a deleted account leaves them all). */
  roomsOf(user: string): Promise<string[]>
  memberCount(room: string): Promise<number>
  /** Members ordered by user id, after `afterUser`. */
  members(room: string, afterUser: string, limit: number): Promise<{ members: RoomPresence[]; hasMore: boolean }>
  /**
   * Gives `message` (its server id unset) a new server id and appends it to the room's window (dropping the oldest
   * beyond `window`); a resend key still in the window answers the first message's ack instead (`duplicate`).
   */
  append(room: string, message: RoomMessageProps, resendKey: string, window: number): Promise<RoomAppended>
  /** The window, oldest first. */
  recent(room: string): Promise<RoomMessageProps[]>
  /** Forgets the room (deleted). */
  dropRoom(room: string): Promise<void>
  /** The room definition's version: bumped by every change on any node, so a node can tell its cached copy is old. */
  definitionVersion(room: string): Promise<number>
  /** Returns the new version. */
  bumpDefinitionVersion(room: string): Promise<number>
  onExpired(handler: RoomExpiredHandler): void
  onLost(handler: RoomLostHandler): void
  close(): void
}

/** Room state in cluster mode is unreachable (Redis is down): the operation stopped there (what it stored stays). */
export class RoomsUnavailableError extends Error {
  readonly code = 'ROOMS_UNAVAILABLE'
  constructor(cause: string) {
    super(`Rooms are briefly unavailable: the cluster's shared state cannot be reached (${cause}).`)
    this.name = 'RoomsUnavailableError'
  }
}

interface LiveRoom {
  members: Map<string, number>
  window: { message: RoomMessageProps; resendKey: string }[]
  resends: Map<string, RoomAckProps>
}

/** One node's rooms, in its memory (the single-node default): nothing expires and nothing is lost. */
export class MemoryRoomLiveState implements RoomLiveState {
  private readonly rooms = new Map<string, LiveRoom>()
  /**
   * Room message ids are not stored, so they come from the clock: ms × 1,000 plus a counter stays unique across
   * restarts (unless a node sends 1,000 room messages per ms for long) and below 2^53 until the year 2255.
   */
  private lastId = Date.now() * 1000

  private roomOf(room: string): LiveRoom {
    let live = this.rooms.get(room)
    if (!live) {
      live = { members: new Map(), window: [], resends: new Map() }
      this.rooms.set(room, live)
    }
    return live
  }

  async join(room: string, user: string, at: number, maxMembers: number): Promise<RoomJoined> {
    const live = this.roomOf(room)
    const added = !live.members.has(user)
    if (added && live.members.size >= maxMembers) return { added: false, count: live.members.size, full: true }
    if (added) live.members.set(user, at)
    return { added, count: live.members.size, full: false }
  }

  async leave(room: string, user: string): Promise<RoomLeft> {
    const live = this.rooms.get(room)
    if (!live) return { removed: false, count: 0 }
    const removed = live.members.delete(user)
    return { removed, count: live.members.size }
  }

  release(room: string, user: string): Promise<RoomLeft> {
    return this.leave(room, user)
  }

  forgetLocal(): void {}

  async isPresent(room: string, user: string): Promise<boolean> {
    return this.rooms.get(room)?.members.has(user) ?? false
  }

  async roomsOf(user: string): Promise<string[]> {
    // A scan of the node's rooms: asked only when an account is deleted.
    const rooms: string[] = []
    for (const [room, live] of this.rooms) if (live.members.has(user)) rooms.push(room)
    return rooms
  }

  async memberCount(room: string): Promise<number> {
    return this.rooms.get(room)?.members.size ?? 0
  }

  async members(room: string, afterUser: string, limit: number): Promise<{ members: RoomPresence[]; hasMore: boolean }> {
    const live = this.rooms.get(room)
    if (!live) return { members: [], hasMore: false }
    const sorted = [...live.members.keys()].filter((user) => user > afterUser).sort()
    const page = sorted.slice(0, limit).map((user) => ({ user, joinedAt: live.members.get(user) ?? 0 }))
    return { members: page, hasMore: sorted.length > limit }
  }

  async append(room: string, message: RoomMessageProps, resendKey: string, window: number): Promise<RoomAppended> {
    const live = this.roomOf(room)
    const earlier = live.resends.get(resendKey)
    if (earlier) return { ...earlier, duplicate: true }
    this.lastId = Math.max(this.lastId + 1, Date.now() * 1000)
    message.serverId = this.lastId
    const ack = { serverId: this.lastId, timestamp: Number(message.timestamp) }
    live.window.push({ message, resendKey })
    live.resends.set(resendKey, ack)
    while (live.window.length > window) {
      const gone = live.window.shift()
      if (gone) live.resends.delete(gone.resendKey)
    }
    return { ...ack, duplicate: false }
  }

  async recent(room: string): Promise<RoomMessageProps[]> {
    return (this.rooms.get(room)?.window ?? []).map((entry) => entry.message)
  }

  async dropRoom(room: string): Promise<void> {
    this.rooms.delete(room)
  }

  /** One node writes every change through its own cache: the copy it holds is always current (version 0). */
  async definitionVersion(): Promise<number> {
    return 0
  }

  async bumpDefinitionVersion(): Promise<number> {
    return 0
  }

  onExpired(): void {}
  onLost(): void {}
  close(): void {}
}
