// Schema version 9: what this device knows of receipts: the peer's delivered and read pointers of each one-to-one
// chat (positions in this account's log, so "my message seq <= read_seq" means read), and the account's privacy
// settings as last synced (read receipts and typing indicators on or off). Nothing is stored per message.
import type { Database } from 'better-sqlite3'

export const version = 9

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS peer_receipts (
      conversation  TEXT    NOT NULL,            -- the peer (canonical user id)
      chat_type     TEXT    NOT NULL,            -- 'single' today
      delivered_seq INTEGER NOT NULL DEFAULT 0,  -- my messages with seq <= this are on a device of the peer
      read_seq      INTEGER NOT NULL DEFAULT 0,  -- my messages with seq <= this were read by the peer
      PRIMARY KEY (conversation, chat_type)
    ) STRICT;
    CREATE TABLE IF NOT EXISTS privacy_settings (
      id                INTEGER PRIMARY KEY CHECK (id = 1),
      read_receipts_off INTEGER NOT NULL DEFAULT 0,
      typing_off        INTEGER NOT NULL DEFAULT 0
    ) STRICT;
  `)
}
