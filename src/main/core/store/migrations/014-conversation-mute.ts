// Schema version 14: per-conversation do not disturb, synced across the account's devices with the rest of the
// conversation state (pinned / marked unread / deleted): conversation_states.muted_until, ms since epoch, 0 = not
// muted. A time already past reads as not muted, so expiry needs no write.
import type { Database } from 'better-sqlite3'

export const version = 14

export function up(db: Database): void {
  // Idempotent like 013: a database whose version was set back (tests do, to replay 012) already has the column.
  const columns = db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('conversation_states')`).all()
  if (columns.some((column) => column.name === 'muted_until')) return
  db.exec(`ALTER TABLE conversation_states ADD COLUMN muted_until INTEGER NOT NULL DEFAULT 0;`)
}
