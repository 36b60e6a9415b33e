// Schema version 11: what the account did to messages and conversations after sending, as applied from the user
// log (reaction, one-to-one pin and conversation-state entries) and from the server's answers and group pushes.
//
// * reactions: one row per (conversation, message, emoji, user), like the server's; a device replaces a message's
//   rows whole when it re-reads them (ReactionsRequest), so a missed group push heals when the chat is shown again.
// * message_pins: pins of one-to-one conversations (groups keep theirs in their info).
// * conversation_states: pinned / marked unread / deleted through a seq, the same on every device of the account.
// * messages.reply_to (JSON of the ReplyInfo a reply quotes) and messages.forwarded (1 = forwarded): what a bubble
//   shows of a reply or a forward; NULL for every other message.
import type { Database } from 'better-sqlite3'

export const version = 11

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE messages ADD COLUMN reply_to TEXT;
    ALTER TABLE messages ADD COLUMN forwarded INTEGER;

    CREATE TABLE reactions (
      chat_type       TEXT    NOT NULL,
      conversation_id TEXT    NOT NULL,
      server_id       INTEGER NOT NULL,
      emoji           TEXT    NOT NULL,
      user            TEXT    NOT NULL,
      at              INTEGER NOT NULL,
      PRIMARY KEY (chat_type, conversation_id, server_id, emoji, user)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE message_pins (
      chat_type       TEXT    NOT NULL,
      conversation_id TEXT    NOT NULL,
      server_id       INTEGER NOT NULL,
      at              INTEGER NOT NULL,
      PRIMARY KEY (chat_type, conversation_id, server_id)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE conversation_states (
      chat_type           TEXT    NOT NULL,
      conversation_id     TEXT    NOT NULL,
      pinned              INTEGER NOT NULL DEFAULT 0,
      marked_unread       INTEGER NOT NULL DEFAULT 0,
      deleted_through_seq INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (chat_type, conversation_id)
    ) STRICT, WITHOUT ROWID;
  `)
}
