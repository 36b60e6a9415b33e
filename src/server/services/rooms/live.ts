// Owns a room's live state: who is in it (by user) and its recent window of messages with their resend keys.
// Behind RoomLiveState so a cluster mode can keep it in Redis; this node's sockets are not part of it (service.ts).
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

export interface RoomLiveState {
  /** Adds `user` (no-op if present); `added` says whether they were new. */
  join(room: string, user: string, at: number): { added: boolean; count: number }
  leave(room: string, user: string): { removed: boolean; count: number }
  isPresent(room: string, user: string): boolean
  /** The rooms `user` is in (a deleted account leaves them all). */
  roomsOf(user: string): string[]
  memberCount(room: string): number
  /** Members ordered by user id, after `afterUser`. */
  members(room: string, afterUser: string, limit: number): { members: RoomPresence[]; hasMore: boolean }
  /** Appends to the room's window (dropping the oldest beyond `window`); remembers the resend key while it is in it. */
  appendRecent(room: string, message: RoomMessageProps, resendKey: string, window: number): void
  /** The window, oldest first. */
  recent(room: string): RoomMessageProps[]
  /** The ack of a message still in the window with this resend key (sender + client id). */
  findResend(room: string, resendKey: string): RoomAckProps | undefined
  /** A new server id for a room message (unique on this node's state). */
  nextMessageId(): number
  /** Forgets the room (deleted). */
  dropRoom(room: string): void
}

interface LiveRoom {
  members: Map<string, number>
  window: { message: RoomMessageProps; resendKey: string }[]
  resends: Map<string, RoomAckProps>
}

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

  join(room: string, user: string, at: number): { added: boolean; count: number } {
    const live = this.roomOf(room)
    const added = !live.members.has(user)
    if (added) live.members.set(user, at)
    return { added, count: live.members.size }
  }

  leave(room: string, user: string): { removed: boolean; count: number } {
    const live = this.rooms.get(room)
    if (!live) return { removed: false, count: 0 }
    const removed = live.members.delete(user)
    return { removed, count: live.members.size }
  }

  isPresent(room: string, user: string): boolean {
    return this.rooms.get(room)?.members.has(user) ?? false
  }

  roomsOf(user: string): string[] {
    // A scan of the node's rooms: asked only when an account is deleted.
    const rooms: string[] = []
    for (const [room, live] of this.rooms) if (live.members.has(user)) rooms.push(room)
    return rooms
  }

  memberCount(room: string): number {
    return this.rooms.get(room)?.members.size ?? 0
  }

  members(room: string, afterUser: string, limit: number): { members: RoomPresence[]; hasMore: boolean } {
    const live = this.rooms.get(room)
    if (!live) return { members: [], hasMore: false }
    const sorted = [...live.members.keys()].filter((user) => user > afterUser).sort()
    const page = sorted.slice(0, limit).map((user) => ({ user, joinedAt: live.members.get(user) ?? 0 }))
    return { members: page, hasMore: sorted.length > limit }
  }

  appendRecent(room: string, message: RoomMessageProps, resendKey: string, window: number): void {
    const live = this.roomOf(room)
    live.window.push({ message, resendKey })
    live.resends.set(resendKey, { serverId: Number(message.serverId), timestamp: Number(message.timestamp) })
    while (live.window.length > window) {
      const gone = live.window.shift()
      if (gone) live.resends.delete(gone.resendKey)
    }
  }

  recent(room: string): RoomMessageProps[] {
    return (this.rooms.get(room)?.window ?? []).map((entry) => entry.message)
  }

  findResend(room: string, resendKey: string): RoomAckProps | undefined {
    return this.rooms.get(room)?.resends.get(resendKey)
  }

  nextMessageId(): number {
    this.lastId = Math.max(this.lastId + 1, Date.now() * 1000)
    return this.lastId
  }

  dropRoom(room: string): void {
    this.rooms.delete(room)
  }
}
