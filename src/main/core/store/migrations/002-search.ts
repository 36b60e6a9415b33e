// Schema version 2: full-text search over message text, an external-content FTS5 index kept in sync
// with the messages table by triggers (and rebuilt from rows that already exist).
import type { Database } from 'better-sqlite3'

export const version = 2

export function up(db: Database): void {
  db.exec(`
    -- columnsize=0: results are ordered newest first, never by bm25 rank, so per-row sizes are not needed.
    -- detail=none: queries are ANDs of single-word prefixes (search-query.ts), never phrases or NEAR, so token
    -- positions are not stored (a smaller index; sync inserts measured ~15% faster).
    CREATE VIRTUAL TABLE messages_fts USING fts5 (
      text,
      content = 'messages',
      content_rowid = 'local_order',
      tokenize = 'unicode61 remove_diacritics 2',
      columnsize = 0,
      detail = none
    );

    CREATE TRIGGER messages_fts_after_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts (rowid, text) VALUES (new.local_order, new.text);
    END;

    CREATE TRIGGER messages_fts_after_delete AFTER DELETE ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.local_order, old.text);
    END;

    -- Only a change of text touches the index: acks and status changes leave it alone.
    CREATE TRIGGER messages_fts_after_update AFTER UPDATE OF text ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.local_order, old.text);
      INSERT INTO messages_fts (rowid, text) VALUES (new.local_order, new.text);
    END;

    INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
  `)
}
