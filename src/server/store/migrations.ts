// Owns the server schema history: numbered migrations, applied by the shared runner (src/shared/sqlite-migrations.ts)
// in order and tracked with PRAGMA user_version. A database from a newer server version is refused, not guessed at.
import type Database from 'better-sqlite3'
import { ROOMS_SCHEMA_SQL } from './rooms/sqlite'
import { ROOM_RECENT_SCHEMA_SQL } from './rooms/recent-sqlite'
import { CONTACTS_PROFILES_SCHEMA } from './contacts/schema'
import { GROUPS_MIGRATION_SQL } from './groups/schema'
import { PLATFORM_SCHEMA_SQL } from './platform/schema'
import { DELETED_FOR_ME_SCHEMA_SQL, MESSAGE_OPS_SCHEMA_SQL, GROUP_SELF_DESTRUCT_SCHEMA_SQL } from './message-ops/schema'
import { ATTACHMENT_REFS_SCHEMA_SQL, ATTACHMENTS_SCHEMA_SQL } from './attachments/schema'
import { CONVERSATION_MUTE_SCHEMA_SQL, REACTIONS_SCHEMA_SQL } from './reactions/schema'
import { GROUP_REACTION_CHANGES_SCHEMA_SQL } from './reactions/group-changes-schema'
import { DEVICES_SCHEMA_SQL } from './devices/schema'
import { RECEIPTS_SCHEMA_SQL } from './receipts/schema'
import { runSchemaMigrations, SchemaMigrationError, SchemaTooNewError, type SchemaMigration } from '../../shared/sqlite-migrations'

/** Index i holds the SQL that moves the schema from version i to i + 1. Never edit a shipped entry; append. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE messages (
    server_id INTEGER PRIMARY KEY AUTOINCREMENT,
    sender TEXT NOT NULL,
    client_id BLOB NOT NULL,
    recipient TEXT NOT NULL,
    chat_type INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    body BLOB NOT NULL,
    sender_seq INTEGER NOT NULL,
    UNIQUE (sender, client_id)
  ) STRICT;

  CREATE TABLE user_log (
    user TEXT NOT NULL,
    seq INTEGER NOT NULL,
    conversation TEXT NOT NULL,
    server_id INTEGER NOT NULL REFERENCES messages (server_id),
    PRIMARY KEY (user, seq)
  ) STRICT, WITHOUT ROWID;

  CREATE INDEX user_log_by_conversation ON user_log (user, conversation, seq);
  `,
  // 2: a log entry is a message OR a read pointer; per-conversation summaries (read pointer, unread, newest
  // message); retention bookkeeping; the token secret, device sessions, tokens and shared attempt counters.
  `
  CREATE TABLE user_log_v2 (
    user TEXT NOT NULL,
    seq INTEGER NOT NULL,
    conversation TEXT NOT NULL,
    chat_type INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    server_id INTEGER REFERENCES messages (server_id),
    outgoing INTEGER NOT NULL DEFAULT 0,
    read_seq INTEGER,
    at INTEGER NOT NULL,
    PRIMARY KEY (user, seq)
  ) STRICT, WITHOUT ROWID;

  INSERT INTO user_log_v2 (user, seq, conversation, chat_type, kind, server_id, outgoing, read_seq, at)
    SELECT l.user, l.seq, l.conversation, m.chat_type, 1, l.server_id, l.user = m.sender, NULL, m.ts
    FROM user_log l JOIN messages m ON m.server_id = l.server_id;
  DROP TABLE user_log;
  ALTER TABLE user_log_v2 RENAME TO user_log;
  CREATE INDEX user_log_messages_by_conversation ON user_log (user, conversation, seq) WHERE kind = 1;

  ALTER TABLE messages ADD COLUMN recipient_seq INTEGER;
  CREATE INDEX migration_2_log_by_server_id ON user_log (server_id);
  UPDATE messages SET recipient_seq = (
    SELECT l.seq FROM user_log l WHERE l.server_id = messages.server_id AND l.user = messages.recipient
  );
  DROP INDEX migration_2_log_by_server_id;

  CREATE TABLE conversations (
    user TEXT NOT NULL,
    conversation TEXT NOT NULL,
    chat_type INTEGER NOT NULL,
    last_message_seq INTEGER NOT NULL DEFAULT 0,
    read_seq INTEGER NOT NULL DEFAULT 0,
    unread INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user, conversation, chat_type)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX conversations_by_recent ON conversations (user, last_message_seq);
  -- Read state lived only on the devices until now: what was stored before this version counts as read.
  INSERT INTO conversations (user, conversation, chat_type, last_message_seq, read_seq, unread)
    SELECT user, conversation, chat_type, MAX(seq), MAX(seq), 0 FROM user_log GROUP BY user, conversation, chat_type;

  CREATE TABLE log_trims (
    user TEXT PRIMARY KEY,
    oldest_seq INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE device_sessions (
    session_id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    device_id TEXT,
    created_at INTEGER NOT NULL,
    renewed_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX device_sessions_by_user ON device_sessions (user);

  CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES device_sessions (session_id),
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX tokens_by_session ON tokens (session_id);

  CREATE TABLE attempts (
    key TEXT NOT NULL,
    at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX attempts_by_key ON attempts (key, at);
  CREATE INDEX attempts_by_expiry ON attempts (expires_at);
  `,
  // 3: a token remembers its first use and, once rotated, its successor, so a device that lost a renew answer can
  // come back with the old token while the new one was never presented (see auth/tokens.ts). Tokens rotated before
  // this version have no successor recorded: presenting them again still revokes their session.
  `
  ALTER TABLE tokens ADD COLUMN first_used_at INTEGER;
  ALTER TABLE tokens ADD COLUMN successor_hash TEXT;
  `,
  // 4: auth cleanup deletes tokens by expiry (see auth/cleanup.ts): an index keeps each step from scanning them all.
  `
  CREATE INDEX tokens_by_expiry ON tokens (expires_at);
  `,
  // 5: the user log carries event entries besides messages and read pointers (kind 3 = contact, 4 = membership,
  // 5 = profile), each kept as the encoded protobuf of its kind in `payload`.
  `
  ALTER TABLE user_log ADD COLUMN payload BLOB;
  `,
  // rooms: definitions, admins, mutes, blocklist, attributes (store/rooms/sqlite.ts); membership is live, not stored.
  ROOMS_SCHEMA_SQL,
  // contacts (friendships, requests, blocklists) and profile / presence / deletion columns of users
  // (store/contacts/schema.ts).
  CONTACTS_PROFILES_SCHEMA,
  // groups: groups, members, departures, join requests, invitations, bans, pins and each group's log
  // (store/groups/schema.ts).
  GROUPS_MIGRATION_SQL,
  // platform API: users.banned_at (store/platform/schema.ts)
  PLATFORM_SCHEMA_SQL,
  // attachments: uploads in progress, finished attachments and their grants (store/attachments/schema.ts)
  ATTACHMENTS_SCHEMA_SQL,
  // receipts: peers' pointers of one-to-one chats, delivered cursors, privacy settings (store/receipts/schema.ts)
  RECEIPTS_SCHEMA_SQL,
  // reactions: message_reactions, single_pins, conversation_states (store/reactions/schema.ts)
  REACTIONS_SCHEMA_SQL,
  // devices: device_sessions.device_name, platform, last_seen_at (store/devices/schema.ts)
  DEVICES_SCHEMA_SQL,
  // recall, edit and self-destruct: messages.recalled_by/recalled_at/edited_at/expires_at/burn_sec and
  // conversation_settings (store/message-ops/schema.ts)
  MESSAGE_OPS_SCHEMA_SQL,
  // delete for me in groups: deleted_for_me (user, server_id) (store/message-ops/schema.ts)
  DELETED_FOR_ME_SCHEMA_SQL,
  // per-conversation do not disturb: conversation_states.muted_until (store/reactions/schema.ts)
  CONVERSATION_MUTE_SCHEMA_SQL,
  // attachment clean-up: attachment_refs (attachment, message) (store/attachments/schema.ts)
  ATTACHMENT_REFS_SCHEMA_SQL,
  // self-destruct in groups: group_burns (user, server_id, expires_at) (store/message-ops/schema.ts)
  GROUP_SELF_DESTRUCT_SCHEMA_SQL,
  // group reaction catch-up: group_reaction_changes (group_id, server_id, change_seq) (store/reactions/group-changes-schema.ts)
  GROUP_REACTION_CHANGES_SCHEMA_SQL,
  // rooms' recent window as stored in cluster mode: room_recent (store/rooms/recent-sqlite.ts)
  ROOM_RECENT_SCHEMA_SQL
]

export const SCHEMA_VERSION = MIGRATIONS.length

/** MIGRATIONS as the runner takes them: entry i is version i + 1. */
const SERVER_MIGRATIONS: readonly SchemaMigration[] = MIGRATIONS.map((sql, index) => ({
  version: index + 1,
  up: (db) => db.exec(sql)
}))

export function migrate(db: Database.Database): void {
  try {
    runSchemaMigrations(db, SERVER_MIGRATIONS)
  } catch (err) {
    if (err instanceof SchemaTooNewError) {
      const sentence = `The server database is version ${err.current}, newer than this server understands (${err.latest}).`
      throw new SchemaTooNewError(err.current, err.latest, sentence)
    }
    // A failed step reports SQLite's own error, as it always has (the worker sends its message to the caller).
    if (err instanceof SchemaMigrationError) throw err.cause
    throw err
  }
}
