// Owns the PostgreSQL schema as numbered migrations, the same idea as the SQLite runner's (store/migrations.ts): each
// entry applied once, in order, in one transaction; a new table or column in SQLite gets its entry here too.

export interface PostgresMigration {
  version: number
  name: string
  sql: string
}

/**
 * 1 is the SQLite schema at its version 19, in PostgreSQL's types: INTEGER -> BIGINT (64-bit, as SQLite's), BLOB ->
 * BYTEA, text compared byte by byte (COLLATE "C", as SQLite's BINARY: paging by name must not depend on the server's
 * locale), the column "user" quoted (a reserved word), and attempts given the rowid SQLite gives every table.
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'initial schema (SQLite schema 19)',
    sql: `
CREATE TABLE users (
    name TEXT COLLATE "C" PRIMARY KEY,
    password_hash TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL
  , nickname TEXT COLLATE "C" NOT NULL DEFAULT '', signature TEXT COLLATE "C" NOT NULL DEFAULT '', status_text TEXT COLLATE "C" NOT NULL DEFAULT '', attributes TEXT COLLATE "C" NOT NULL DEFAULT '{}', profile_updated_at BIGINT NOT NULL DEFAULT 0, last_seen_at BIGINT NOT NULL DEFAULT 0, deleted_at BIGINT, banned_at BIGINT);
CREATE TABLE messages (
    server_id BIGSERIAL PRIMARY KEY,
    sender TEXT COLLATE "C" NOT NULL,
    client_id BYTEA NOT NULL,
    recipient TEXT COLLATE "C" NOT NULL,
    chat_type BIGINT NOT NULL,
    ts BIGINT NOT NULL,
    body BYTEA NOT NULL,
    sender_seq BIGINT NOT NULL, recipient_seq BIGINT, recalled_by TEXT COLLATE "C", recalled_at BIGINT, edited_at BIGINT, expires_at BIGINT, burn_sec BIGINT,
    UNIQUE (sender, client_id)
  );
CREATE TABLE user_log (
    "user" TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    conversation TEXT COLLATE "C" NOT NULL,
    chat_type BIGINT NOT NULL,
    kind BIGINT NOT NULL,
    server_id BIGINT REFERENCES messages (server_id),
    outgoing BIGINT NOT NULL DEFAULT 0,
    read_seq BIGINT,
    at BIGINT NOT NULL, payload BYTEA,
    PRIMARY KEY ("user", seq)
  );
CREATE INDEX user_log_messages_by_conversation ON user_log ("user", conversation, seq) WHERE kind = 1;
CREATE TABLE conversations (
    "user" TEXT COLLATE "C" NOT NULL,
    conversation TEXT COLLATE "C" NOT NULL,
    chat_type BIGINT NOT NULL,
    last_message_seq BIGINT NOT NULL DEFAULT 0,
    read_seq BIGINT NOT NULL DEFAULT 0,
    unread BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY ("user", conversation, chat_type)
  );
CREATE INDEX conversations_by_recent ON conversations ("user", last_message_seq);
CREATE TABLE log_trims (
    "user" TEXT COLLATE "C" PRIMARY KEY,
    oldest_seq BIGINT NOT NULL
  );
CREATE TABLE secrets (
    name TEXT COLLATE "C" PRIMARY KEY,
    value BYTEA NOT NULL,
    created_at BIGINT NOT NULL
  );
CREATE TABLE device_sessions (
    session_id TEXT COLLATE "C" PRIMARY KEY,
    "user" TEXT COLLATE "C" NOT NULL,
    device_id TEXT COLLATE "C",
    created_at BIGINT NOT NULL,
    renewed_at BIGINT NOT NULL,
    revoked_at BIGINT
  , device_name TEXT COLLATE "C", platform TEXT COLLATE "C", last_seen_at BIGINT);
CREATE INDEX device_sessions_by_user ON device_sessions ("user");
CREATE TABLE tokens (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    session_id TEXT COLLATE "C" NOT NULL REFERENCES device_sessions (session_id),
    expires_at BIGINT NOT NULL,
    rotated_at BIGINT
  , first_used_at BIGINT, successor_hash TEXT COLLATE "C");
CREATE INDEX tokens_by_session ON tokens (session_id);
CREATE TABLE attempts (
    rowid BIGSERIAL PRIMARY KEY,
    key TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
  );
CREATE INDEX attempts_by_key ON attempts (key, at);
CREATE INDEX attempts_by_expiry ON attempts (expires_at);
CREATE INDEX tokens_by_expiry ON tokens (expires_at);
CREATE TABLE rooms (
    room TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_folded TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C" NOT NULL,
    announcement TEXT COLLATE "C" NOT NULL DEFAULT '',
    owner TEXT COLLATE "C" NOT NULL,
    max_members BIGINT NOT NULL,
    muted_all BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
  );
CREATE TABLE room_admins (
    room TEXT COLLATE "C" NOT NULL,
    "user" TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (room, "user")
  );
CREATE TABLE room_mutes (
    room TEXT COLLATE "C" NOT NULL,
    "user" TEXT COLLATE "C" NOT NULL,
    until BIGINT NOT NULL,
    PRIMARY KEY (room, "user")
  );
CREATE TABLE room_bans (
    room TEXT COLLATE "C" NOT NULL,
    "user" TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (room, "user")
  );
CREATE TABLE room_attributes (
    room TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    owner TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (room, key)
  );
CREATE TABLE contacts (
    "user" TEXT COLLATE "C" NOT NULL,
    contact TEXT COLLATE "C" NOT NULL,
    remark TEXT COLLATE "C" NOT NULL DEFAULT '',
    since BIGINT NOT NULL,
    PRIMARY KEY ("user", contact)
  );
CREATE TABLE contact_requests (
    sender TEXT COLLATE "C" NOT NULL,
    recipient TEXT COLLATE "C" NOT NULL,
    message TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (sender, recipient)
  );
CREATE INDEX contact_requests_by_recipient ON contact_requests (recipient, sender);
CREATE TABLE blocks (
    "user" TEXT COLLATE "C" NOT NULL,
    blocked TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY ("user", blocked)
  );
CREATE INDEX blocks_by_blocked ON blocks (blocked, "user");
CREATE TABLE groups (
    group_id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_lower TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C" NOT NULL DEFAULT '',
    announcement TEXT COLLATE "C" NOT NULL DEFAULT '',
    is_public BIGINT NOT NULL,
    join_needs_approval BIGINT NOT NULL,
    invite_needs_consent BIGINT NOT NULL,
    max_members BIGINT NOT NULL,
    owner TEXT COLLATE "C" NOT NULL,
    member_count BIGINT NOT NULL DEFAULT 0,
    muted_all BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    dissolved_at BIGINT
  );
CREATE INDEX groups_directory ON groups (name_lower, group_id) WHERE is_public = 1 AND dissolved_at IS NULL;
CREATE TABLE group_members (
    group_id TEXT COLLATE "C" NOT NULL,
    "user" TEXT COLLATE "C" NOT NULL,
    role BIGINT NOT NULL,
    from_seq BIGINT NOT NULL,
    joined_at BIGINT NOT NULL,
    muted_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, "user")
  );
CREATE INDEX group_members_by_user ON group_members ("user", group_id);
CREATE INDEX group_members_by_role ON group_members (group_id, role, "user");
CREATE TABLE group_departures (
    group_id TEXT COLLATE "C" NOT NULL,
    "user" TEXT COLLATE "C" NOT NULL,
    from_seq BIGINT NOT NULL,
    to_seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (group_id, "user")
  );
CREATE INDEX group_departures_by_user ON group_departures ("user", group_id);
CREATE TABLE group_join_requests (
    group_id TEXT COLLATE "C" NOT NULL,
    "user" TEXT COLLATE "C" NOT NULL,
    message TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (group_id, "user")
  );
CREATE TABLE group_invitations (
    group_id TEXT COLLATE "C" NOT NULL,
    invitee TEXT COLLATE "C" NOT NULL,
    inviter TEXT COLLATE "C" NOT NULL,
    message TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (group_id, invitee)
  );
CREATE INDEX group_invitations_by_invitee ON group_invitations (invitee, at);
CREATE TABLE group_bans (
    group_id TEXT COLLATE "C" NOT NULL,
    "user" TEXT COLLATE "C" NOT NULL,
    banned_by TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (group_id, "user")
  );
CREATE TABLE group_pins (
    group_id TEXT COLLATE "C" NOT NULL,
    server_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (group_id, server_id)
  );
CREATE TABLE group_log (
    group_id TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    kind BIGINT NOT NULL,
    server_id BIGINT REFERENCES messages (server_id),
    sender TEXT COLLATE "C" NOT NULL,
    payload BYTEA,
    at BIGINT NOT NULL,
    PRIMARY KEY (group_id, seq)
  );
CREATE TABLE attachment_uploads (
    upload_id TEXT COLLATE "C" PRIMARY KEY,
    uploader TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    mime TEXT COLLATE "C" NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT COLLATE "C",
    received_bytes BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
CREATE INDEX attachment_uploads_by_update ON attachment_uploads (updated_at);
CREATE TABLE attachments (
    id TEXT COLLATE "C" PRIMARY KEY,
    uploader TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    mime TEXT COLLATE "C" NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT COLLATE "C" NOT NULL,
    secret TEXT COLLATE "C" NOT NULL,
    has_thumbnail BIGINT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    created_at BIGINT NOT NULL
  );
CREATE TABLE attachment_grants (
    attachment_id TEXT COLLATE "C" NOT NULL REFERENCES attachments (id),
    kind BIGINT NOT NULL,
    target TEXT COLLATE "C" NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (attachment_id, kind, target)
  );
CREATE TABLE receipt_pointers (
    "user" TEXT COLLATE "C" NOT NULL,
    peer TEXT COLLATE "C" NOT NULL,
    delivered_seq BIGINT NOT NULL DEFAULT 0,
    read_seq BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY ("user", peer)
  );
CREATE TABLE receipt_delivered_cursors (
    "user" TEXT COLLATE "C" PRIMARY KEY,
    seq BIGINT NOT NULL
  );
CREATE TABLE privacy_settings (
    "user" TEXT COLLATE "C" PRIMARY KEY,
    read_receipts_off BIGINT NOT NULL DEFAULT 0,
    typing_off BIGINT NOT NULL DEFAULT 0
  );
CREATE TABLE message_reactions (
    server_id BIGINT NOT NULL,
    emoji TEXT COLLATE "C" NOT NULL,
    "user" TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (server_id, emoji, "user")
  );
CREATE TABLE single_pins (
    user_a TEXT COLLATE "C" NOT NULL,
    user_b TEXT COLLATE "C" NOT NULL,
    server_id BIGINT NOT NULL,
    pinned_by TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (user_a, user_b, server_id)
  );
CREATE TABLE conversation_states (
    "user" TEXT COLLATE "C" NOT NULL,
    conversation TEXT COLLATE "C" NOT NULL,
    chat_type BIGINT NOT NULL,
    pinned BIGINT NOT NULL DEFAULT 0,
    marked_unread BIGINT NOT NULL DEFAULT 0,
    deleted_through_seq BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL, muted_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY ("user", conversation, chat_type)
  );
CREATE INDEX messages_by_expiry ON messages (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX messages_burn_waiting ON messages (recipient, sender, recipient_seq)
    WHERE burn_sec IS NOT NULL AND expires_at IS NULL;
CREATE TABLE conversation_settings (
    "user" TEXT COLLATE "C" NOT NULL,
    conversation TEXT COLLATE "C" NOT NULL,
    chat_type BIGINT NOT NULL,
    disappear_sec BIGINT NOT NULL,
    changed_by TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY ("user", conversation, chat_type)
  );
CREATE TABLE deleted_for_me (
    "user" TEXT COLLATE "C" NOT NULL,
    server_id BIGINT NOT NULL,
    PRIMARY KEY ("user", server_id)
  );
CREATE TABLE attachment_refs (
    attachment_id TEXT COLLATE "C" NOT NULL,
    server_id BIGINT NOT NULL,
    PRIMARY KEY (attachment_id, server_id)
  );
CREATE INDEX attachment_refs_by_message ON attachment_refs (server_id);
CREATE TABLE group_burns (
    "user" TEXT COLLATE "C" NOT NULL,
    server_id BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY ("user", server_id)
  );
CREATE INDEX group_burns_by_expiry ON group_burns (expires_at);
CREATE TABLE group_reaction_changes (
    group_id TEXT COLLATE "C" NOT NULL,
    server_id BIGINT NOT NULL,
    change_seq BIGINT NOT NULL,
    PRIMARY KEY (group_id, server_id)
  );
CREATE INDEX group_reaction_changes_by_seq ON group_reaction_changes (group_id, change_seq);
`
  },
  {
    version: 2,
    name: 'rooms: the recent window (SQLite schema 20)',
    sql: `
CREATE TABLE room_recent (
    server_id BIGINT PRIMARY KEY,
    room TEXT COLLATE "C" NOT NULL,
    resend_key TEXT COLLATE "C" NOT NULL,
    ts BIGINT NOT NULL,
    message BYTEA NOT NULL,
    UNIQUE (room, resend_key)
  );
CREATE INDEX room_recent_by_room ON room_recent (room, server_id);
`
  }
]
