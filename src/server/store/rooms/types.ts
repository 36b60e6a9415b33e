// Owns the rooms domain's storage contract: room definitions (info, owner, admins, mutes, blocklist, attributes).
// Who is in a room is live state (services/rooms/live.ts); its recent window is stored in cluster mode only.

export type StoredRoomRole = 'owner' | 'admin'

/** A room definition as stored. Mutes and bans are per user; an expired mute is simply ignored by readers. */
export interface StoredRoom {
  room: string
  name: string
  description: string
  announcement: string
  owner: string
  maxMembers: number
  mutedAll: boolean
  createdAt: number
  /** Users with the admin role (the owner is not listed). */
  admins: string[]
  /** user -> muted until (ms since epoch). */
  mutes: Record<string, number>
  /** Users on the room's blocklist. */
  banned: string[]
}

export interface NewRoom {
  room: string
  name: string
  description: string
  owner: string
  maxMembers: number
  createdAt: number
}

export interface RoomInfoUpdate {
  name?: string
  description?: string
  announcement?: string
}

export interface StoredRoomAttribute {
  key: string
  value: string
  owner: string
}

export interface RoomDirectoryRow {
  room: string
  name: string
  description: string
  announcement: string
  owner: string
  maxMembers: number
  mutedAll: boolean
  createdAt: number
}

/**
 * Setting attributes is all or nothing. `limit` = the room would hold more keys than allowed; `forbidden` = a key
 * belongs to someone else and the caller may not replace it (the key is named).
 */
export type SetRoomAttributesResult =
  | { ok: true; changed: StoredRoomAttribute[] }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'limit'; count: number }
  | { ok: false; reason: 'forbidden'; key: string }

/** What became of a room whose owner's account was deleted (roomSucceedDeletedOwner). */
export type RoomSuccession =
  | { outcome: 'handedOver'; owner: string }
  | { outcome: 'deleted' }
  /** The room is gone or has another owner already (the step ran before). */
  | { outcome: 'unchanged' }

/** A message to add to a room's stored window: `message` is the encoded protobuf Message without its server id. */
export interface RoomRecentAppend {
  room: string
  /** Sender + client id: a second append with it while the first is in the window returns the first's ack. */
  resendKey: string
  at: number
  message: Uint8Array
  /** How many messages the room keeps. */
  window: number
}

export type RoomRecentAppendResult = { duplicate: boolean; serverId: number; timestamp: number }

export interface StoredRoomMessage {
  serverId: number
  message: Uint8Array
}

/** The rooms' recent window as stored (cluster mode: every node reads and writes the same one). */
export interface RoomRecentStore {
  /** Adds the message with a new id unique across rooms and nodes, or answers the earlier one with this resend key. */
  roomRecentAppend(input: RoomRecentAppend): Promise<RoomRecentAppendResult>
  /** The window, oldest first. */
  roomRecent(room: string): Promise<StoredRoomMessage[]>
  roomRecentDrop(room: string): Promise<void>
}

export interface RoomsStore extends RoomRecentStore {
  createRoom(room: NewRoom): Promise<void>
  /** The room's definition, or null when there is no such room (or it was deleted). */
  getRoom(room: string): Promise<StoredRoom | null>
  /** Rooms whose name contains `query` (case-insensitive) or whose id equals it, by id after `after`. */
  listRooms(query: string, after: string, limit: number): Promise<RoomDirectoryRow[]>
  /** Returns false when there is no such room. */
  updateRoomInfo(room: string, update: RoomInfoUpdate): Promise<boolean>
  setRoomAdmin(room: string, user: string, admin: boolean): Promise<void>
  /** until 0 = unmute. */
  setRoomMute(room: string, user: string, until: number): Promise<void>
  setRoomMutedAll(room: string, muted: boolean): Promise<void>
  setRoomBan(room: string, user: string, banned: boolean, at: number): Promise<void>
  /** Deletes the room and everything stored with it; false when there was no such room. */
  deleteRoom(room: string): Promise<boolean>
  roomAttributes(room: string): Promise<StoredRoomAttribute[]>
  /** Ids of the rooms `user` owns. */
  roomsOwnedBy(user: string): Promise<string[]>
  /**
   * The room of a deleted owner, in one transaction: it passes to an admin (the first of `preferred` that is still
   * one, else the first admin by id; never a deleted account), who leaves the admin list; with no admin the room is
   * deleted. `unchanged` when `owner` no longer owns it.
   */
  roomSucceedDeletedOwner(room: string, owner: string, preferred: readonly string[]): Promise<RoomSuccession>
  /** Drops a deleted account's admin roles, mutes and bans in every room (one transaction). */
  roomsForgetDeletedAccount(user: string): Promise<void>
  /** Deleted accounts that still own a room or hold a role, mute or ban in one: the start-up sweep's list. */
  roomsDeletedAccountsPending(): Promise<string[]>
  /**
   * Sets `attributes` as `actor`, in one transaction. `mayReplaceOthers`: the actor may replace keys owned by
   * another user (an admin with overwrite_others); otherwise such a key refuses the whole call.
   */
  setRoomAttributes(
    room: string,
    actor: string,
    attributes: Record<string, string>,
    mayReplaceOthers: boolean,
    maxKeys: number
  ): Promise<SetRoomAttributesResult>
  /** Removes `keys` as `actor` (all or nothing); `mayRemoveOthers` lets an admin remove any key. */
  removeRoomAttributes(
    room: string,
    actor: string,
    keys: string[],
    mayRemoveOthers: boolean
  ): Promise<{ ok: true; removed: string[] } | { ok: false; reason: 'not-found' } | { ok: false; reason: 'forbidden'; key: string }>
}
