// Owns the attachments' tables: uploads in progress, finished attachments and their grants. The bytes live in files
// (services/attachments/files.ts); these rows say what the files are and who may read them.

export const ATTACHMENTS_SCHEMA_SQL = `
  CREATE TABLE attachment_uploads (
    upload_id TEXT PRIMARY KEY,
    uploader TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT,
    received_bytes INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX attachment_uploads_by_update ON attachment_uploads (updated_at);

  CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    uploader TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    secret TEXT NOT NULL,
    has_thumbnail INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  -- kind: 0 = a user (both sides of a 1:1 chat), 1 = a group, 2 = a room.
  CREATE TABLE attachment_grants (
    attachment_id TEXT NOT NULL REFERENCES attachments (id),
    kind INTEGER NOT NULL,
    target TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (attachment_id, kind, target)
  ) STRICT, WITHOUT ROWID;
`

/**
 * Which stored messages name an attachment (issue 7 clean-up): one row per (attachment, message server id), written with
 * the grant after the message is stored. An attachment whose every referencing message is gone (expired, trimmed) or
 * recalled is deleted, row and bytes (services/attachments/collector.ts). `server_id` 0 = "kept": attachments
 * finished before references were recorded cannot be traced to their messages, so they are never collected.
 */
export const ATTACHMENT_REFS_SCHEMA_SQL = `
  CREATE TABLE attachment_refs (
    attachment_id TEXT NOT NULL,
    server_id INTEGER NOT NULL,
    PRIMARY KEY (attachment_id, server_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX attachment_refs_by_message ON attachment_refs (server_id);
  INSERT INTO attachment_refs (attachment_id, server_id) SELECT id, 0 FROM attachments;
`
