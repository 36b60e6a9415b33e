// Owns the stored recent window of rooms (cluster mode): the last N messages of each room with their resend keys,
// so every node answers a join with the same window and a resend through any node gets its first answer.
import type { DomainContext } from '../domain-context'
import type { Synchronous } from '../records'
import type { RoomRecentAppend, RoomRecentAppendResult, RoomRecentStore, StoredRoomMessage } from './types'

/** SQLite migration: the window table (PostgreSQL's twin is migration 2 in postgres/schema.ts). */
export const ROOM_RECENT_SCHEMA_SQL = `
  CREATE TABLE room_recent (
    server_id INTEGER PRIMARY KEY,
    room TEXT NOT NULL,
    resend_key TEXT NOT NULL,
    ts INTEGER NOT NULL,
    message BLOB NOT NULL,
    UNIQUE (room, resend_key)
  ) STRICT;
  CREATE INDEX room_recent_by_room ON room_recent (room, server_id);
`

/** Ids per millisecond: a room message id is ms × 1,000 plus a counter (as the in-memory window's, see live.ts). */
const IDS_PER_MS = 1000

export function openRoomRecentSqlite(context: DomainContext): Synchronous<RoomRecentStore> {
  const { db, inTransaction } = context
  const selectResend = db.prepare<[string, string], { server_id: number; ts: number }>(
    'SELECT server_id, ts FROM room_recent WHERE room = ? AND resend_key = ?'
  )
  const selectNewestId = db.prepare<[], { id: number | null }>('SELECT MAX(server_id) AS id FROM room_recent')
  const insertMessage = db.prepare<[number, string, string, number, Uint8Array]>(
    'INSERT INTO room_recent (server_id, room, resend_key, ts, message) VALUES (?, ?, ?, ?, ?)'
  )
  // Keeps the newest `window` of the room: everything older than its window-th newest id goes.
  const trimRoom = db.prepare<[string, string, number]>(
    `DELETE FROM room_recent WHERE room = ? AND server_id < (
       SELECT MIN(server_id) FROM (SELECT server_id FROM room_recent WHERE room = ? ORDER BY server_id DESC LIMIT ?) AS newest)`
  )
  const selectWindow = db.prepare<[string], { server_id: number; message: Uint8Array }>(
    'SELECT server_id, message FROM room_recent WHERE room = ? ORDER BY server_id'
  )
  const deleteRoom = db.prepare<[string]>('DELETE FROM room_recent WHERE room = ?')

  return {
    roomRecentAppend(input: RoomRecentAppend): RoomRecentAppendResult {
      return inTransaction((): RoomRecentAppendResult => {
        // Under the store's write lock (one writer across nodes), so the lookup and the insert cannot interleave.
        const earlier = selectResend.get(input.room, input.resendKey)
        if (earlier) return { duplicate: true, serverId: Number(earlier.server_id), timestamp: Number(earlier.ts) }
        const newest = Number(selectNewestId.get()?.id ?? 0)
        const serverId = Math.max(newest + 1, input.at * IDS_PER_MS)
        insertMessage.run(serverId, input.room, input.resendKey, input.at, input.message)
        trimRoom.run(input.room, input.room, input.window)
        return { duplicate: false, serverId, timestamp: input.at }
      })
    },
    roomRecent(room: string): StoredRoomMessage[] {
      return selectWindow.all(room).map((row) => ({ serverId: Number(row.server_id), message: row.message }))
    },
    roomRecentDrop(room: string): void {
      deleteRoom.run(room)
    }
  }
}
