// Owns the server schema history: numbered migrations applied in order and tracked with PRAGMA user_version.
// A database from a newer server version is refused rather than guessed at.
import type Database from 'better-sqlite3'

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
  `
]

export const SCHEMA_VERSION = MIGRATIONS.length

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > SCHEMA_VERSION) {
    throw new Error(`The server database is version ${current}, newer than this server understands (${SCHEMA_VERSION}).`)
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    const sql = MIGRATIONS[version] as string
    db.transaction(() => {
      db.exec(sql)
      db.pragma(`user_version = ${version + 1}`)
    })()
  }
}
