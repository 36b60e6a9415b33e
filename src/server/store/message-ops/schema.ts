// Owns the schema change of recall, edit and self-destruct (store/message-ops): the messages columns they write and
// the per-conversation settings. Appended to store/migrations.ts as one entry; never edited once shipped.

/**
 * messages.recalled_by / recalled_at: a recalled message keeps its row (both logs still point at it, so history shows
 * the notice in its place) with an empty body. edited_at: when the body last changed. expires_at: when the sweeper
 * deletes the message (the disappearing timer sets it at send, burn after reading at the recipient's first read);
 * burn_sec: the burn timer still waiting for that read. conversation_settings: each user's view of a conversation's
 * disappearing timer (one-to-one: one row per side, written together).
 */
export const MESSAGE_OPS_SCHEMA_SQL = `
  ALTER TABLE messages ADD COLUMN recalled_by TEXT;
  ALTER TABLE messages ADD COLUMN recalled_at INTEGER;
  ALTER TABLE messages ADD COLUMN edited_at INTEGER;
  ALTER TABLE messages ADD COLUMN expires_at INTEGER;
  ALTER TABLE messages ADD COLUMN burn_sec INTEGER;
  CREATE INDEX messages_by_expiry ON messages (expires_at) WHERE expires_at IS NOT NULL;
  CREATE INDEX messages_burn_waiting ON messages (recipient, sender, recipient_seq)
    WHERE burn_sec IS NOT NULL AND expires_at IS NULL;

  CREATE TABLE conversation_settings (
    user TEXT NOT NULL,
    conversation TEXT NOT NULL,
    chat_type INTEGER NOT NULL,
    disappear_sec INTEGER NOT NULL,
    changed_by TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (user, conversation, chat_type)
  ) STRICT, WITHOUT ROWID;
`

/**
 * Delete for me in groups: the group's log is shared, so the messages a user deleted for themself are kept per user
 * here and the group's history, sync and summary reads leave them out for that user. (One-to-one needs no row: the
 * user's own log entry of the message is deleted.)
 */
export const DELETED_FOR_ME_SCHEMA_SQL = `
  CREATE TABLE deleted_for_me (
    user TEXT NOT NULL,
    server_id INTEGER NOT NULL,
    PRIMARY KEY (user, server_id)
  ) STRICT, WITHOUT ROWID;
`

/**
 * Self-destruct in groups (issue 7 left): the group's disappearing timer is one conversation_settings row with user ''
 * (the group's own setting, not a member's view). Burn after reading burns each member's copy for that member:
 * `group_burns` holds, per member and message, when their copy goes (their first read + burn_sec; the sender's copy
 * with the first reader's, as in one-to-one). When it runs out the message is deleted for that member (deleted_for_me).
 */
export const GROUP_SELF_DESTRUCT_SCHEMA_SQL = `
  CREATE TABLE group_burns (
    user TEXT NOT NULL,
    server_id INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user, server_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX group_burns_by_expiry ON group_burns (expires_at);
`
