// Owns the SQL of the contacts and profiles migration (one entry of store/migrations.ts): contact tables, and the
// profile, presence and deletion columns of `users`.

/**
 * `contacts` holds one row per direction of a friendship (each side keeps its own remark); `contact_requests` one
 * row per pending request (sender -> recipient); `blocks` one row per (blocker, blocked). Profiles are columns of
 * `users`; `attributes` is a JSON object of strings; `deleted_at` marks a deleted account (its name is reserved).
 */
export const CONTACTS_PROFILES_SCHEMA = `
  CREATE TABLE contacts (
    user TEXT NOT NULL,
    contact TEXT NOT NULL,
    remark TEXT NOT NULL DEFAULT '',
    since INTEGER NOT NULL,
    PRIMARY KEY (user, contact)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE contact_requests (
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    message TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (sender, recipient)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX contact_requests_by_recipient ON contact_requests (recipient, sender);

  CREATE TABLE blocks (
    user TEXT NOT NULL,
    blocked TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (user, blocked)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX blocks_by_blocked ON blocks (blocked, user);

  ALTER TABLE users ADD COLUMN nickname TEXT NOT NULL DEFAULT '';
  ALTER TABLE users ADD COLUMN signature TEXT NOT NULL DEFAULT '';
  ALTER TABLE users ADD COLUMN status_text TEXT NOT NULL DEFAULT '';
  ALTER TABLE users ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE users ADD COLUMN profile_updated_at INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE users ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE users ADD COLUMN deleted_at INTEGER;
`
