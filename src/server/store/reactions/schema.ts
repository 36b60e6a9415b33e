// Owns the reactions domain's schema change: emoji reactions, one-to-one pins and each account's conversation state.
// Appended to store/migrations.ts as one entry; never edited once shipped.

/**
 * message_reactions: one row per (message, emoji, user); a change is a row in or out plus a log entry, never a
 * rewrite of the message row. single_pins: pins of one-to-one conversations, keyed by the pair in name order.
 * conversation_states: the account's own view of a conversation (pinned, marked unread, deleted through a seq).
 */
export const REACTIONS_SCHEMA_SQL = `
  CREATE TABLE message_reactions (
    server_id INTEGER NOT NULL,
    emoji TEXT NOT NULL,
    user TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (server_id, emoji, user)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE single_pins (
    user_a TEXT NOT NULL,
    user_b TEXT NOT NULL,
    server_id INTEGER NOT NULL,
    pinned_by TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (user_a, user_b, server_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE conversation_states (
    user TEXT NOT NULL,
    conversation TEXT NOT NULL,
    chat_type INTEGER NOT NULL,
    pinned INTEGER NOT NULL DEFAULT 0,
    marked_unread INTEGER NOT NULL DEFAULT 0,
    deleted_through_seq INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user, conversation, chat_type)
  ) STRICT, WITHOUT ROWID;
`

/**
 * conversation_states.muted_until: do not disturb until this time (ms since epoch, 0 = not muted), synced to the
 * account's devices like the other columns. A later migration than the table's own, so old databases gain it.
 */
export const CONVERSATION_MUTE_SCHEMA_SQL = `
  ALTER TABLE conversation_states ADD COLUMN muted_until INTEGER NOT NULL DEFAULT 0;
`
