// Schema version 5: the account's contacts (friends with my remark, pending requests both ways, my blocklist) as
// applied from the user log's contact events, and a cache of users' profiles (mine included).
//
// * contacts_state holds `list_seq`: the log position of the last full contacts list this device loaded (a new
//   device or a resync loads it; the contact events up to that position are already in it and are skipped).
// * A row's `seq` is the log entry that last wrote it (the list's head for rows from a list).
// * profiles is a cache: the newest `updated_at` wins, whichever way it arrived (ProfileGet, a friend's
//   ContactUpdate push, my own ProfileChanged log entry).
import type { Database } from 'better-sqlite3'

export const version = 5

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE contacts_state (
      key   TEXT PRIMARY KEY,
      value ANY
    ) STRICT;

    CREATE TABLE contact_friends (
      user   TEXT    PRIMARY KEY,  -- canonicalUserId()
      remark TEXT    NOT NULL DEFAULT '',
      since  INTEGER NOT NULL,
      seq    INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE contact_requests (
      peer      TEXT    NOT NULL,
      direction TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
      message   TEXT    NOT NULL DEFAULT '',
      at        INTEGER NOT NULL,
      seq       INTEGER NOT NULL,
      PRIMARY KEY (peer, direction)
    ) STRICT;

    CREATE TABLE contact_blocks (
      user TEXT    PRIMARY KEY,
      seq  INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE profiles (
      user        TEXT    PRIMARY KEY,
      nickname    TEXT    NOT NULL DEFAULT '',
      signature   TEXT    NOT NULL DEFAULT '',
      status_text TEXT    NOT NULL DEFAULT '',
      attributes  TEXT    NOT NULL DEFAULT '{}',  -- JSON object of strings
      deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
      present     INTEGER NOT NULL DEFAULT 1 CHECK (present IN (0, 1)),  -- 0: no such user
      updated_at  INTEGER NOT NULL DEFAULT 0
    ) STRICT;
  `)
}
