// Schema version 12: search over every content type, and the back-fill's place in each conversation.
// * messages.text of non-text contents was '' (nothing indexed): it becomes what rows.ts searchableText derives
//   (an attachment's file name, a location's name and address, a custom card's fallback text, a combined
//   message's title and items), so stored images, files, ... are found by name. The update trigger re-indexes
//   each changed row; search_terms lists their words for substring queries.
// * backfill_state: how far sync/backfill.ts has walked down each conversation's history, so a restart resumes
//   there instead of walking every conversation again (the search view says how far back history reaches).
import type { Database } from 'better-sqlite3'
import type { MessageContent } from '../../../../shared/model'
import { searchableText } from '../rows'
import { registerStoreFunctions } from '../sql-functions'

export const version = 12

/** Content types whose searchable text was '' before this version. */
const RETEXTED_TYPES = ['image', 'voice', 'video', 'file', 'location', 'custom', 'combined']

export function up(db: Database): void {
  registerStoreFunctions(db)
  db.exec(`
    CREATE TABLE IF NOT EXISTS backfill_state (
      chat_type  TEXT    NOT NULL CHECK (chat_type IN ('single', 'group', 'room')),
      id         TEXT    NOT NULL,
      below_seq  INTEGER,                       -- the next page is below this seq (null: start at the newest)
      done       INTEGER NOT NULL DEFAULT 0,    -- 1: reached the window's start or the first message
      reached_at INTEGER,                       -- the window start it reached (ms since epoch); null: the first message
      PRIMARY KEY (chat_type, id)
    ) STRICT;
  `)
  const rows = db
    .prepare<string[], { local_order: number; body: string }>(
      `SELECT local_order, body FROM messages WHERE body IS NOT NULL AND text = ''
       AND type IN (${RETEXTED_TYPES.map(() => '?').join(', ')})`
    )
    .all(...RETEXTED_TYPES)
  const update = db.prepare<[string, number]>('UPDATE messages SET text = ? WHERE local_order = ?')
  const listWords = db.prepare<[string]>(
    `INSERT INTO search_terms (term) SELECT value FROM json_each(parley_words(?)) WHERE true ON CONFLICT (term) DO NOTHING`
  )
  for (const row of rows) {
    let text: string
    try {
      text = searchableText(JSON.parse(row.body) as MessageContent)
    } catch {
      continue // a damaged body stays unindexed; reading it reports the damage
    }
    if (text === '') continue
    update.run(text, row.local_order)
    listWords.run(text)
  }
}
