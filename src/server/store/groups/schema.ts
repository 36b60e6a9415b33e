// Owns the groups schema (server migration 6): groups and their members, join requests, invitations, bans, pins,
// the departures that bound what a past member may still read, and each group's own log.
export const GROUPS_MIGRATION_SQL = `
  CREATE TABLE groups (
    group_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    announcement TEXT NOT NULL DEFAULT '',
    is_public INTEGER NOT NULL,
    join_needs_approval INTEGER NOT NULL,
    invite_needs_consent INTEGER NOT NULL,
    max_members INTEGER NOT NULL,
    owner TEXT NOT NULL,
    member_count INTEGER NOT NULL DEFAULT 0,
    muted_all INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    dissolved_at INTEGER
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX groups_directory ON groups (name_lower, group_id) WHERE is_public = 1 AND dissolved_at IS NULL;

  -- role: 1 member, 2 admin, 3 owner. from_seq: the group's head when the member joined (history starts after it).
  CREATE TABLE group_members (
    group_id TEXT NOT NULL,
    user TEXT NOT NULL,
    role INTEGER NOT NULL,
    from_seq INTEGER NOT NULL,
    joined_at INTEGER NOT NULL,
    muted_until INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, user)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX group_members_by_user ON group_members (user, group_id);
  CREATE INDEX group_members_by_role ON group_members (group_id, role, user);

  -- A member who left, was removed or banned, or whose group was dissolved keeps (from_seq, to_seq].
  CREATE TABLE group_departures (
    group_id TEXT NOT NULL,
    user TEXT NOT NULL,
    from_seq INTEGER NOT NULL,
    to_seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (group_id, user)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX group_departures_by_user ON group_departures (user, group_id);

  CREATE TABLE group_join_requests (
    group_id TEXT NOT NULL,
    user TEXT NOT NULL,
    message TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (group_id, user)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE group_invitations (
    group_id TEXT NOT NULL,
    invitee TEXT NOT NULL,
    inviter TEXT NOT NULL,
    message TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (group_id, invitee)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX group_invitations_by_invitee ON group_invitations (invitee, at);

  CREATE TABLE group_bans (
    group_id TEXT NOT NULL,
    user TEXT NOT NULL,
    banned_by TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (group_id, user)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE group_pins (
    group_id TEXT NOT NULL,
    server_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (group_id, server_id)
  ) STRICT, WITHOUT ROWID;

  -- One entry per group message (kind 1: server_id, sender) or notice (kind 2: payload = encoded GroupNotice).
  CREATE TABLE group_log (
    group_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    server_id INTEGER REFERENCES messages (server_id),
    sender TEXT NOT NULL,
    payload BLOB,
    at INTEGER NOT NULL,
    PRIMARY KEY (group_id, seq)
  ) STRICT, WITHOUT ROWID;
`
