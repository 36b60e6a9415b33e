// Schema version 7: the chat rooms this device is in, so that after a restart within the server's grace period
// (a member whose devices are all gone stays in the room that long) the core joins them again. Room messages are
// live only and are not stored (see core/README.md, "Chat rooms").
import type { Database } from 'better-sqlite3'

export const version = 7

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE joined_rooms (
      room      TEXT    PRIMARY KEY,  -- the server's room id, as made (case matters)
      name      TEXT    NOT NULL,
      joined_at INTEGER NOT NULL,     -- ms since epoch
      seen_at   INTEGER NOT NULL      -- ms since epoch this device was last known to be in it (join, close)
    ) STRICT;
  `)
}
