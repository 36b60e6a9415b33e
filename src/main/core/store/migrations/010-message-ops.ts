// Schema version 10: recall, edit and self-destruct on the device (store/message-ops). A recalled message keeps its
// row with content { type: 'recalled' } and an edited text keeps its `editedAt` in the content JSON, so neither needs
// a column; self-destruct does, because the device deletes expired messages by itself (even offline):
//
// * messages.expires_at: when the message goes (ms since epoch, server clock), NULL = kept. Set on arrival (the
//   conversation's disappearing timer) or by a MessageChange (burn after reading started on the recipient's side).
// * messages.burn_sec: burn after reading, seconds from the first read (the countdown chip says so until it starts).
// * conversation_settings: each conversation's disappearing timer as the server last said (both sides see it).
import type { Database } from 'better-sqlite3'

export const version = 10

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE messages ADD COLUMN expires_at INTEGER;
    ALTER TABLE messages ADD COLUMN burn_sec INTEGER;
    -- The expiry sweep: only rows with a timer are in it, so it stays tiny.
    CREATE INDEX messages_by_expiry ON messages (expires_at) WHERE expires_at IS NOT NULL;

    CREATE TABLE conversation_settings (
      chat_type           TEXT    NOT NULL,
      id                  TEXT    NOT NULL,
      disappear_after_sec INTEGER NOT NULL,
      changed_by          TEXT    NOT NULL,
      at                  INTEGER NOT NULL,
      PRIMARY KEY (chat_type, id)
    ) STRICT;
  `)
}
