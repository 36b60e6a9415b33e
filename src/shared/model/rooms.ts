// The chat-room types every layer speaks (core, IPC, renderer): a room's info, its members and attributes, and the
// live room events the core pushes. Plain serialisable data only. Room messages are ChatMessages with chatType 'room'.
import type { ChatMessage } from './messages'

/** The viewer's (or a member's) place in a room; 'none' = not in it. */
export type RoomRole = 'none' | 'member' | 'admin' | 'owner'

export interface RoomInfo {
  /** Server-made id ('room-…'); the conversation id of the room's messages. */
  id: string
  name: string
  description: string
  announcement: string
  owner: string
  /** Members in the room now (rooms have live membership: who is there, not who once joined). */
  memberCount: number
  maxMembers: number
  /** Only the owner and admins may send. */
  mutedAll: boolean
  /** ms since epoch */
  createdAt: number
  myRole: RoomRole
  /** ms since epoch until which the viewer is muted here; 0 = not muted. */
  myMutedUntil: number
}

export interface RoomMember {
  user: string
  role: RoomRole
  /** ms since epoch */
  joinedAt: number
}

export interface RoomMemberPage {
  members: RoomMember[]
  hasMore: boolean
  memberCount: number
}

export interface RoomDirectoryPage {
  rooms: RoomInfo[]
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null
}

export interface RoomAttribute {
  key: string
  /** '' in a change means the key was removed. */
  value: string
  /** Who set it (members may change only their own keys; admins any). */
  owner: string
}

/** A room this device is in: its info and the live messages kept in memory (oldest first, bounded). */
export interface JoinedRoom {
  info: RoomInfo
  messages: ChatMessage[]
}

export type RoomMemberChangeKind = 'joined' | 'left' | 'kicked' | 'banned' | 'muted' | 'unmuted' | 'roleChanged'

export interface RoomMemberChange {
  kind: RoomMemberChangeKind
  user: string
  actor: string
  role: RoomRole
  /** For 'muted': ms since epoch the mute ends. */
  until: number
  memberCount: number
}

/** Why this device is no longer in a room. */
export type RoomExitReason = 'left' | 'kicked' | 'banned' | 'deleted' | 'gone'

/**
 * What the core pushes about the rooms this device is in. 'snapshot' replaces the room's state (after a join, a
 * re-join after a reconnect, or a re-read of the recent window after a drop); 'messages' are new or changed ones
 * (merge by id); 'exit' removes the room, with a sentence saying why.
 */
export type RoomEvent =
  | { kind: 'snapshot'; room: string; joined: JoinedRoom }
  | { kind: 'messages'; room: string; messages: ChatMessage[] }
  | { kind: 'member'; room: string; change: RoomMemberChange; info: RoomInfo }
  | { kind: 'info'; room: string; info: RoomInfo }
  | { kind: 'attributes'; room: string; attributes: RoomAttribute[] }
  | { kind: 'exit'; room: string; reason: RoomExitReason; message: string }

/**
 * Live room messages kept per joined room, in the core and in the renderer: the newest 500. Ten times the server's
 * default recent window, so a re-join or a drop notice always merges into what is kept; at a fast room's pace
 * (tens a second) it is a few seconds to minutes of scroll-back, and it bounds the memory of a busy room.
 */
export const ROOM_MESSAGES_KEPT = 500

/** Server order: acked messages by server id (room ids grow on the node), pending ones last in the order written. */
function roomMessageOrder(a: ChatMessage, b: ChatMessage): number {
  if (a.serverId !== null && b.serverId !== null) return a.serverId - b.serverId
  if (a.serverId !== null) return -1
  if (b.serverId !== null) return 1
  return a.timestamp - b.timestamp
}

/**
 * Merges new or changed room messages into a room's window without duplicates (one entry per client id, the later
 * copy wins), in server order, keeping the newest `cap`. The common case, new messages after the last, only appends.
 */
export function mergeRoomMessages(existing: readonly ChatMessage[], incoming: readonly ChatMessage[], cap = ROOM_MESSAGES_KEPT): ChatMessage[] {
  if (incoming.length === 0) return existing.slice()
  const indexById = new Map<string, number>()
  existing.forEach((message, index) => indexById.set(message.id, index))
  const next = existing.slice()
  let needsSort = false
  for (const message of incoming) {
    const at = indexById.get(message.id)
    if (at !== undefined) {
      if (next[at]?.serverId !== message.serverId) needsSort = true
      next[at] = message
      continue
    }
    const last = next[next.length - 1]
    if (last && roomMessageOrder(last, message) > 0) needsSort = true
    indexById.set(message.id, next.length)
    next.push(message)
  }
  if (needsSort) next.sort(roomMessageOrder)
  return next.length > cap ? next.slice(next.length - cap) : next
}
