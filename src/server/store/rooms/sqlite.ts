// Owns the SQLite side of room definitions: the rooms tables (schema in ROOMS_SCHEMA_SQL, one migration entry)
// and the synchronous RoomsStore the writer worker runs (the stored recent window: recent-sqlite.ts).
import type { DomainContext } from '../domain-context'
import type { Synchronous } from '../records'
import { openRoomRecentSqlite } from './recent-sqlite'
import type { RoomDirectoryRow, RoomsStore, RoomSuccession, StoredRoom, StoredRoomAttribute } from './types'

/** The rooms tables: definitions, admins, mutes, blocklist and attributes, all keyed by room first. */
export const ROOMS_SCHEMA_SQL = `
  CREATE TABLE rooms (
    room TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT NOT NULL,
    announcement TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL,
    max_members INTEGER NOT NULL,
    muted_all INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE room_admins (
    room TEXT NOT NULL,
    user TEXT NOT NULL,
    PRIMARY KEY (room, user)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE room_mutes (
    room TEXT NOT NULL,
    user TEXT NOT NULL,
    until INTEGER NOT NULL,
    PRIMARY KEY (room, user)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE room_bans (
    room TEXT NOT NULL,
    user TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (room, user)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE room_attributes (
    room TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    owner TEXT NOT NULL,
    PRIMARY KEY (room, key)
  ) STRICT, WITHOUT ROWID;
`

interface RoomRow {
  room: string
  name: string
  description: string
  announcement: string
  owner: string
  max_members: number
  muted_all: number
  created_at: number
}

function toDirectoryRow(row: RoomRow): RoomDirectoryRow {
  return {
    room: row.room,
    name: row.name,
    description: row.description,
    announcement: row.announcement,
    owner: row.owner,
    maxMembers: row.max_members,
    mutedAll: row.muted_all === 1,
    createdAt: row.created_at
  }
}

/** Escapes LIKE's wildcards so a search for "50%" finds that text. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

export function openRoomsSqlite(context: DomainContext): Synchronous<RoomsStore> {
  const { db, inTransaction } = context
  const insertRoom = db.prepare<[string, string, string, string, string, number, number]>(
    'INSERT INTO rooms (room, name, name_folded, description, owner, max_members, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'
  )
  const selectRoom = db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE room = ?')
  const selectAdmins = db.prepare<[string], { user: string }>('SELECT user FROM room_admins WHERE room = ?')
  const selectMutes = db.prepare<[string], { user: string; until: number }>('SELECT user, until FROM room_mutes WHERE room = ?')
  const selectBans = db.prepare<[string], { user: string }>('SELECT user FROM room_bans WHERE room = ?')
  const listAll = db.prepare<[string, number], RoomRow>('SELECT * FROM rooms WHERE room > ? ORDER BY room LIMIT ?')
  const listMatching = db.prepare<[string, string, string, number], RoomRow>(
    "SELECT * FROM rooms WHERE room > ? AND (name_folded LIKE ? ESCAPE '\\' OR room = ?) ORDER BY room LIMIT ?"
  )
  const updateName = db.prepare<[string, string, string]>('UPDATE rooms SET name = ?, name_folded = ? WHERE room = ?')
  const updateDescription = db.prepare<[string, string]>('UPDATE rooms SET description = ? WHERE room = ?')
  const updateAnnouncement = db.prepare<[string, string]>('UPDATE rooms SET announcement = ? WHERE room = ?')
  const updateMutedAll = db.prepare<[number, string]>('UPDATE rooms SET muted_all = ? WHERE room = ?')
  const insertAdmin = db.prepare<[string, string]>('INSERT OR IGNORE INTO room_admins (room, user) VALUES (?, ?)')
  const deleteAdmin = db.prepare<[string, string]>('DELETE FROM room_admins WHERE room = ? AND user = ?')
  const upsertMute = db.prepare<[string, string, number]>(
    'INSERT INTO room_mutes (room, user, until) VALUES (?, ?, ?) ON CONFLICT (room, user) DO UPDATE SET until = excluded.until'
  )
  const deleteMute = db.prepare<[string, string]>('DELETE FROM room_mutes WHERE room = ? AND user = ?')
  const insertBan = db.prepare<[string, string, number]>('INSERT OR IGNORE INTO room_bans (room, user, at) VALUES (?, ?, ?)')
  const deleteBan = db.prepare<[string, string]>('DELETE FROM room_bans WHERE room = ? AND user = ?')
  const selectAttributes = db.prepare<[string], StoredRoomAttribute>('SELECT key, value, owner FROM room_attributes WHERE room = ? ORDER BY key')
  const selectAttribute = db.prepare<[string, string], { owner: string }>('SELECT owner FROM room_attributes WHERE room = ? AND key = ?')
  const countAttributes = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM room_attributes WHERE room = ?')
  const upsertAttribute = db.prepare<[string, string, string, string]>(
    'INSERT INTO room_attributes (room, key, value, owner) VALUES (?, ?, ?, ?) ' +
      'ON CONFLICT (room, key) DO UPDATE SET value = excluded.value, owner = excluded.owner'
  )
  const deleteAttribute = db.prepare<[string, string]>('DELETE FROM room_attributes WHERE room = ? AND key = ?')
  const deleteRoomRows = ['rooms', 'room_admins', 'room_mutes', 'room_bans', 'room_attributes', 'room_recent'].map((table) =>
    db.prepare<[string]>(`DELETE FROM ${table} WHERE room = ?`)
  )

  const exists = (room: string): boolean => selectRoom.get(room) !== undefined

  // ---- a deleted account's rooms and roles --------------------------------------------------------------------
  const roomsOwned = db.prepare<[string], { room: string }>('SELECT room FROM rooms WHERE owner = ? ORDER BY room')
  const livingAdmins = db.prepare<[string], { user: string }>(
    `SELECT a.user FROM room_admins a WHERE a.room = ?
       AND NOT EXISTS (SELECT 1 FROM users u WHERE u.name = a.user AND u.deleted_at IS NOT NULL)
     ORDER BY a.user`
  )
  const updateOwner = db.prepare<[string, string]>('UPDATE rooms SET owner = ? WHERE room = ?')
  const forgetUser = ['room_admins', 'room_mutes', 'room_bans'].map((table) => db.prepare<[string]>(`DELETE FROM ${table} WHERE user = ?`))
  const deletedAccountsInRooms = db.prepare<[], { name: string }>(
    `SELECT r.owner AS name FROM rooms r JOIN users u ON u.name = r.owner WHERE u.deleted_at IS NOT NULL
     UNION SELECT a.user FROM room_admins a JOIN users u ON u.name = a.user WHERE u.deleted_at IS NOT NULL
     UNION SELECT m.user FROM room_mutes m JOIN users u ON u.name = m.user WHERE u.deleted_at IS NOT NULL
     UNION SELECT b.user FROM room_bans b JOIN users u ON u.name = b.user WHERE u.deleted_at IS NOT NULL
     ORDER BY 1`
  )

  return {
    ...openRoomRecentSqlite(context),
    createRoom(room) {
      insertRoom.run(room.room, room.name, room.name.toLowerCase(), room.description, room.owner, room.maxMembers, room.createdAt)
    },
    getRoom(room): StoredRoom | null {
      const row = selectRoom.get(room)
      if (!row) return null
      return {
        ...toDirectoryRow(row),
        admins: selectAdmins.all(room).map((r) => r.user),
        mutes: Object.fromEntries(selectMutes.all(room).map((r) => [r.user, r.until])),
        banned: selectBans.all(room).map((r) => r.user)
      }
    },
    listRooms(query, after, limit) {
      const rows = query ? listMatching.all(after, likePattern(query.toLowerCase()), query, limit) : listAll.all(after, limit)
      return rows.map(toDirectoryRow)
    },
    updateRoomInfo(room, update) {
      return inTransaction(() => {
        if (!exists(room)) return false
        if (update.name !== undefined) updateName.run(update.name, update.name.toLowerCase(), room)
        if (update.description !== undefined) updateDescription.run(update.description, room)
        if (update.announcement !== undefined) updateAnnouncement.run(update.announcement, room)
        return true
      })
    },
    setRoomAdmin(room, user, admin) {
      if (admin) insertAdmin.run(room, user)
      else deleteAdmin.run(room, user)
    },
    setRoomMute(room, user, until) {
      if (until > 0) upsertMute.run(room, user, until)
      else deleteMute.run(room, user)
    },
    setRoomMutedAll(room, muted) {
      updateMutedAll.run(muted ? 1 : 0, room)
    },
    setRoomBan(room, user, banned, at) {
      inTransaction(() => {
        if (banned) {
          insertBan.run(room, user, at)
          // A banned user loses the admin role: the blocklist outranks it.
          deleteAdmin.run(room, user)
        } else {
          deleteBan.run(room, user)
        }
      })
    },
    deleteRoom(room) {
      return inTransaction(() => {
        if (!exists(room)) return false
        for (const statement of deleteRoomRows) statement.run(room)
        return true
      })
    },
    roomAttributes(room) {
      return selectAttributes.all(room)
    },
    roomsOwnedBy(user) {
      return roomsOwned.all(user).map((row) => row.room)
    },
    roomSucceedDeletedOwner(room, owner, preferred): RoomSuccession {
      return inTransaction((): RoomSuccession => {
        const row = selectRoom.get(room)
        if (!row || row.owner !== owner) return { outcome: 'unchanged' }
        const admins = livingAdmins.all(room).map((admin) => admin.user)
        const successor = preferred.find((user) => admins.includes(user)) ?? admins[0]
        if (successor === undefined) {
          for (const statement of deleteRoomRows) statement.run(room)
          return { outcome: 'deleted' }
        }
        updateOwner.run(successor, room)
        // The owner is not listed among the admins.
        deleteAdmin.run(room, successor)
        return { outcome: 'handedOver', owner: successor }
      })
    },
    roomsForgetDeletedAccount(user) {
      inTransaction(() => {
        for (const statement of forgetUser) statement.run(user)
      })
    },
    roomsDeletedAccountsPending() {
      return deletedAccountsInRooms.all().map((row) => row.name)
    },
    setRoomAttributes(room, actor, attributes, mayReplaceOthers, maxKeys) {
      return inTransaction(() => {
        if (!exists(room)) return { ok: false as const, reason: 'not-found' as const }
        let added = 0
        for (const key of Object.keys(attributes)) {
          const current = selectAttribute.get(room, key)
          if (!current) added++
          else if (current.owner !== actor && !mayReplaceOthers) return { ok: false as const, reason: 'forbidden' as const, key }
        }
        const count = (countAttributes.get(room)?.n ?? 0) + added
        if (count > maxKeys) return { ok: false as const, reason: 'limit' as const, count }
        const changed: StoredRoomAttribute[] = []
        for (const [key, value] of Object.entries(attributes)) {
          upsertAttribute.run(room, key, value, actor)
          changed.push({ key, value, owner: actor })
        }
        return { ok: true as const, changed }
      })
    },
    removeRoomAttributes(room, actor, keys, mayRemoveOthers) {
      return inTransaction(() => {
        if (!exists(room)) return { ok: false as const, reason: 'not-found' as const }
        const removed: string[] = []
        for (const key of keys) {
          const current = selectAttribute.get(room, key)
          if (!current) continue
          if (current.owner !== actor && !mayRemoveOthers) return { ok: false as const, reason: 'forbidden' as const, key }
          removed.push(key)
        }
        // Checked every key before removing any: the call is all or nothing.
        for (const key of removed) deleteAttribute.run(room, key)
        return { ok: true as const, removed }
      })
    }
  }
}
