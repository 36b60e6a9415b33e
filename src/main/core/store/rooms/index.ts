// The rooms store domain on the device: the chat rooms this device is in (migration 007), kept so a restart within
// the server's grace period joins them again. Rooms apply no user-log events; their messages are never stored.
import type { StoreDomain, StoreDomainContext } from '../domain-types'

export interface SavedRoom {
  room: string
  name: string
  /** ms since epoch this device was last known to be in the room. */
  seenAt: number
}

export interface RoomsStoreApi {
  /** The rooms saved as joined, most recently seen first. */
  list(): SavedRoom[]
  /** Joined (or re-joined) now: saved with its current name. */
  save(room: string, name: string, at: number): void
  remove(room: string): void
  /** Every saved room was still joined at `at` (the session is closing). */
  touchAll(at: number): void
}

interface SavedRoomRow {
  room: string
  name: string
  seen_at: number
}

export function openRoomsStore(context: StoreDomainContext): StoreDomain<RoomsStoreApi> {
  const { db } = context
  const listRows = db.prepare<[], SavedRoomRow>('SELECT room, name, seen_at FROM joined_rooms ORDER BY seen_at DESC')
  const upsert = db.prepare<[string, string, number, number]>(
    `INSERT INTO joined_rooms (room, name, joined_at, seen_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (room) DO UPDATE SET name = excluded.name, seen_at = excluded.seen_at`
  )
  const deleteRow = db.prepare<[string]>('DELETE FROM joined_rooms WHERE room = ?')
  const touch = db.prepare<[number]>('UPDATE joined_rooms SET seen_at = ?')
  return {
    appliers: {},
    api: {
      list: () => listRows.all().map((row) => ({ room: row.room, name: row.name, seenAt: row.seen_at })),
      save: (room, name, at) => context.write(() => upsert.run(room, name, at, at)),
      remove: (room) => context.write(() => deleteRow.run(room)),
      touchAll: (at) => context.write(() => touch.run(at))
    }
  }
}
