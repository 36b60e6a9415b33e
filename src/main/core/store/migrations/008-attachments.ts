// Schema version 8: attachments on this device. attachment_uploads is the upload half of the outbox's two-phase
// send (the staged copy of the file, the server's upload id and how far it got), so a message with a file survives
// a restart mid-upload; attachment_cache lists the downloaded files of the account's cache folder (size, last use)
// so the cache keeps under its cap by evicting the least recently used, and a recall can drop a message's files.
import type { Database } from 'better-sqlite3'

export const version = 8

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE attachment_uploads (
      message_id  TEXT    NOT NULL,   -- the outgoing message (client id) whose content refers to the file
      which       TEXT    NOT NULL CHECK (which IN ('file', 'poster')),
      staged_path TEXT    NOT NULL,   -- the staged copy's file name inside the account's outbox folder
      name        TEXT    NOT NULL,
      mime        TEXT    NOT NULL,
      size        INTEGER NOT NULL,
      sha256      TEXT    NOT NULL,   -- hex, computed while staging (the server checks it at complete)
      upload_id   TEXT,               -- the server's upload id; null until created
      offset      INTEGER NOT NULL DEFAULT 0, -- bytes the server confirmed (Upload-Offset)
      state       TEXT    NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'canceled')),
      result      TEXT,               -- JSON AttachmentInfo the server answered at complete
      error       TEXT,
      PRIMARY KEY (message_id, which)
    ) STRICT;

    CREATE TABLE attachment_cache (
      message_id    TEXT    NOT NULL,
      which         TEXT    NOT NULL CHECK (which IN ('file', 'thumbnail', 'poster')),
      attachment_id TEXT    NOT NULL,
      file_name     TEXT    NOT NULL, -- inside the account's cache folder (never a path from the network)
      mime          TEXT    NOT NULL, -- as the server answered it (served back to the renderer as is)
      size          INTEGER NOT NULL, -- bytes on disk (a partial file counts too)
      complete      INTEGER NOT NULL, -- 1 once the checksum matched
      last_used     INTEGER NOT NULL, -- ms since epoch: downloaded, shown or saved
      PRIMARY KEY (message_id, which)
    ) STRICT;
    CREATE INDEX attachment_cache_lru ON attachment_cache (last_used);
  `)
}
