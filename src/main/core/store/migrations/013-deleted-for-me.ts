// Schema version 13: the device's tombstones of messages deleted for me, so a history page or sync batch that was
// already on its way (read by the server before the deletion) cannot put them back.
import type { Database } from 'better-sqlite3'

export const version = 13

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS deleted_for_me (
      id TEXT PRIMARY KEY   -- the message's client id (hex)
    ) STRICT, WITHOUT ROWID;
    -- Every insert path (sync, history pages, the outbox) goes through this table's check: a tombstoned message is
    -- skipped (RAISE(IGNORE) drops that row only; the rest of a multi-row insert goes on).
    CREATE TRIGGER IF NOT EXISTS messages_not_deleted_for_me BEFORE INSERT ON messages
      WHEN EXISTS (SELECT 1 FROM deleted_for_me WHERE id = NEW.id)
    BEGIN
      SELECT RAISE(IGNORE);
    END;
  `)
}
