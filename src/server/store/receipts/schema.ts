// Owns the receipts schema (one server migration): the peers' pointers each sender has been told of (1:1), each
// account's delivered cursor in its own log, and the per-account privacy settings (read receipts, typing).
export const RECEIPTS_SCHEMA_SQL = `
  -- What \`user\` knows of \`peer\` in their one-to-one chat, in positions of \`user\`'s own log: messages user sent
  -- with seq <= delivered_seq are on one of peer's devices, those <= read_seq were read. One row per chat, never per message.
  CREATE TABLE receipt_pointers (
    user TEXT NOT NULL,
    peer TEXT NOT NULL,
    delivered_seq INTEGER NOT NULL DEFAULT 0,
    read_seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user, peer)
  ) STRICT, WITHOUT ROWID;

  -- How far a device of \`user\` confirmed storing the user's log (the last delivered request), so the next request
  -- only scans what came after it.
  CREATE TABLE receipt_delivered_cursors (
    user TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE privacy_settings (
    user TEXT PRIMARY KEY,
    read_receipts_off INTEGER NOT NULL DEFAULT 0,
    typing_off INTEGER NOT NULL DEFAULT 0
  ) STRICT, WITHOUT ROWID;
`
