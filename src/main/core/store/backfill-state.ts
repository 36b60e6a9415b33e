// Owns the back-fill's bookkeeping in the store (migrations/012 backfill_state): per conversation, how far the walk
// down its history has come, so a restart resumes there; and the oldest stored message time for the search view.
import type { Database, Statement } from 'better-sqlite3'
import type { ChatType, ConversationKey } from '../../../shared/model'
import { StoreError } from './errors'
import type { BackfillState } from './types'
import { checkKey, checkSafeInteger } from './validate'

/** sync_state key of the back-fill window (days) this device keeps. */
const WINDOW_DAYS_KEY = 'backfill_window_days'
/** Ten years: a longer window is "all history" for every practical purpose. */
export const MAX_BACKFILL_WINDOW_DAYS = 3_650

interface BackfillRow {
  chat_type: string
  id: string
  below_seq: number | null
  done: number
  reached_at: number | null
}

export class BackfillStates {
  private readonly list: Statement<[], BackfillRow>
  private readonly upsert: Statement<[string, string, number | null, number, number | null]>
  private readonly oldest: Statement<[string, string], { timestamp: number }>
  private readonly getWindow: Statement<[], { value: number }>
  private readonly putWindow: Statement<[number]>

  constructor(db: Database) {
    this.list = db.prepare<[], BackfillRow>('SELECT chat_type, id, below_seq, done, reached_at FROM backfill_state')
    this.upsert = db.prepare(
      `INSERT INTO backfill_state (chat_type, id, below_seq, done, reached_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (chat_type, id) DO UPDATE SET below_seq = excluded.below_seq, done = excluded.done,
         reached_at = excluded.reached_at`
    )
    // The (chat_type, conversation_id, seq) index gives the oldest acked message without a scan.
    this.oldest = db.prepare<[string, string], { timestamp: number }>(
      `SELECT timestamp FROM messages WHERE chat_type = ? AND conversation_id = ? AND seq IS NOT NULL ORDER BY seq LIMIT 1`
    )
    this.getWindow = db.prepare<[], { value: number }>(`SELECT value FROM sync_state WHERE key = '${WINDOW_DAYS_KEY}'`)
    this.putWindow = db.prepare<[number]>(
      `INSERT INTO sync_state (key, value) VALUES ('${WINDOW_DAYS_KEY}', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`
    )
  }

  all(): BackfillState[] {
    return this.list.all().map((row) => ({
      key: { type: row.chat_type as ChatType, id: row.id },
      belowSeq: row.below_seq,
      done: row.done === 1,
      reachedAt: row.reached_at
    }))
  }

  set(state: BackfillState): void {
    const { type, id } = checkKey(state.key)
    const below = state.belowSeq === null ? null : checkSafeInteger(state.belowSeq, 'history position')
    const reached = state.reachedAt === null ? null : checkSafeInteger(state.reachedAt, 'back-fill start')
    this.upsert.run(type, id, below, state.done ? 1 : 0, reached)
  }

  windowDays(): number | null {
    return this.getWindow.get()?.value ?? null
  }

  setWindowDays(days: number): void {
    const checked = checkSafeInteger(days, 'back-fill window')
    if (checked < 0 || checked > MAX_BACKFILL_WINDOW_DAYS) {
      throw new StoreError('STORE_BAD_ARGUMENT', `The history to keep must be between 0 and ${MAX_BACKFILL_WINDOW_DAYS} days.`)
    }
    this.putWindow.run(checked)
  }

  oldestMessageTime(key: ConversationKey): number | null {
    const { type, id } = checkKey(key)
    return this.oldest.get(type, id)?.timestamp ?? null
  }
}

