// Schema version 15: where this device stands in each group's reaction changes (issue 7 left). A group's log has no
// reaction entries, so after a group sync the device asks which messages' reactions changed after this cursor
// (GroupReactionsSyncRequest) and re-reads only those; an open conversation updates without being reopened.
import type { Database } from 'better-sqlite3'

export const version = 15

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS group_reaction_cursors (
      group_id TEXT PRIMARY KEY,
      cursor   INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
  `)
}
