// Schema version 6: the groups this account belongs to (or did), with my standing, the server's description as
// last known and the device's cursor in each group's log; and the group messages that @mention me.
import type { Database } from 'better-sqlite3'

export const version = 6

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE groups (
      group_id              TEXT    PRIMARY KEY,
      name                  TEXT    NOT NULL DEFAULT '',
      description           TEXT    NOT NULL DEFAULT '',
      announcement          TEXT    NOT NULL DEFAULT '',
      is_public             INTEGER NOT NULL DEFAULT 0,
      join_needs_approval   INTEGER NOT NULL DEFAULT 0,
      invite_needs_consent  INTEGER NOT NULL DEFAULT 0,
      max_members           INTEGER NOT NULL DEFAULT 0,
      owner                 TEXT    NOT NULL DEFAULT '',
      member_count          INTEGER NOT NULL DEFAULT 0,
      muted_all             INTEGER NOT NULL DEFAULT 0,
      created_at            INTEGER NOT NULL DEFAULT 0,
      pinned                TEXT    NOT NULL DEFAULT '[]',   -- JSON array of server ids, newest pin first
      my_role               TEXT    NOT NULL DEFAULT 'member' CHECK (my_role IN ('none', 'member', 'admin', 'owner')),
      my_muted_until        INTEGER NOT NULL DEFAULT 0,
      state                 TEXT    NOT NULL DEFAULT 'member' CHECK (state IN ('member', 'left', 'removed', 'dissolved')),
      from_seq              INTEGER NOT NULL DEFAULT 0,      -- the group's head when I joined
      to_seq                INTEGER NOT NULL DEFAULT 0,      -- the last entry I may see after leaving (0 = member)
      cursor                INTEGER NOT NULL DEFAULT 0,      -- newest entry of the group's log applied here
      updated_at            INTEGER NOT NULL DEFAULT 0
    ) STRICT;

    -- Unread @mentions are counted over this key from the read pointer up: a few rows per group, never a scan.
    CREATE TABLE group_mentions (
      group_id TEXT    NOT NULL,
      seq      INTEGER NOT NULL,
      PRIMARY KEY (group_id, seq)
    ) STRICT, WITHOUT ROWID;
  `)
}
