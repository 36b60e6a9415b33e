// Schema version 4: the failing online time of each outgoing message still being sent, kept on its row so the
// outbox's give-up budget (sync/outbox.ts SEND_GIVE_UP_MS) survives app restarts.
import type { Database } from 'better-sqlite3'

export const version = 4

export function up(db: Database): void {
  db.exec(`
    -- Milliseconds the message has spent failing to send while the link was up, over every run of the app. Only
    -- meaningful while status = 'sending'; back to 0 when the user sends a failed message again (a new budget).
    ALTER TABLE messages ADD COLUMN send_failing_ms INTEGER NOT NULL DEFAULT 0 CHECK (send_failing_ms >= 0);
  `)
}
