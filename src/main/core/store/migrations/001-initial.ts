// Schema version 1: messages, conversations and the sync cursor (STRICT tables), with the keyset-paging,
// outbox and conversation-list indexes.
import type { Database } from 'better-sqlite3'

export const version = 1

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE messages (
      -- Insertion order on this device. Also the FTS rowid, so it is an INTEGER PRIMARY KEY (stable across VACUUM).
      local_order     INTEGER PRIMARY KEY,
      id              TEXT    NOT NULL UNIQUE,  -- the client id (32 hex digits)
      server_id       INTEGER,
      conversation_id TEXT    NOT NULL,
      chat_type       TEXT    NOT NULL CHECK (chat_type IN ('single', 'group', 'room')),
      sender          TEXT    NOT NULL,
      recipient       TEXT    NOT NULL,
      direction       TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
      type            TEXT    NOT NULL,
      -- JSON of the message content; NULL when the content is plain text, which \`text\` then holds (stored once).
      body            TEXT,
      text            TEXT    NOT NULL,         -- searchable text extracted from the content
      timestamp       INTEGER NOT NULL,
      seq             INTEGER,                  -- null while unacked
      status          TEXT    NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'received')),
      error           TEXT
    ) STRICT;

    -- Keyset paging: WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC. Unacked rows (seq NULL) sort first,
    -- in rowid (= local) order, which is exactly what the newest page appends.
    CREATE INDEX messages_by_conversation_seq ON messages (conversation_id, seq);

    -- The durable outbox: only rows still 'sending' are in this index, so it stays tiny.
    CREATE INDEX messages_outbox ON messages (local_order) WHERE status = 'sending';

    CREATE TABLE conversations (
      id              TEXT    PRIMARY KEY,
      chat_type       TEXT    NOT NULL CHECK (chat_type IN ('single', 'group', 'room')),
      last_message_id TEXT    REFERENCES messages (id) ON DELETE SET NULL,
      unread_count    INTEGER NOT NULL DEFAULT 0 CHECK (unread_count >= 0),
      updated_at      INTEGER NOT NULL
    ) STRICT;

    CREATE INDEX conversations_by_updated_at ON conversations (updated_at);
    -- Lets ON DELETE SET NULL find the referencing conversation without a scan.
    CREATE INDEX conversations_by_last_message ON conversations (last_message_id);

    CREATE TABLE sync_state (
      key   TEXT PRIMARY KEY,
      value ANY
    ) STRICT;
  `)
}
