// Owns retention of the users' logs: trimming entries older than the window (always keeping each conversation's
// newest page and the log's head), recording how far each log was trimmed, and dropping messages no log refers to.
import type { StoreCoreContext } from './context'
import { KIND_MESSAGE } from './log-rows'

/** Retention keeps this many newest message entries of every conversation: a new device's first history page. */
export const KEPT_NEWEST_PER_CONVERSATION = 50
/** trimLogs walks each user's log in slices of this many rows, so one huge log never sits in memory at once. */
const TRIM_SCAN_ROWS = 1_000
/**
 * trimLogs works through the users this many at a time, one transaction (one fsync) per step; the worker lets the
 * calls that queued up (sends) run between steps, so retention never holds the writer for long.
 */
const TRIM_USERS_PER_STEP = 100

interface TrimScanRow {
  seq: number
  conversation: string
  kind: number
  server_id: number | null
  at: number
}

export interface Retention {
  /** One step of trimLogs: the next users after `afterUser` (by name); `lastUser` null when none are left. */
  trimStep(before: number, afterUser: string): { dropped: number; lastUser: string | null }
  /** Trims every user's log, step by step; returns the number of entries dropped. */
  trimLogs(before: number): number
}

export function createRetention({ db, inTransaction, heads }: StoreCoreContext): Retention {
  const { headOf } = heads
  const usersAfter = db.prepare<[string, number], { user: string }>(
    'SELECT DISTINCT user FROM conversations WHERE user > ? ORDER BY user LIMIT ?'
  )
  const trimScan = db.prepare<[string, number, number], TrimScanRow>(
    'SELECT seq, conversation, kind, server_id, at FROM user_log WHERE user = ? AND seq > ? ORDER BY seq LIMIT ?'
  )
  const newestPageStart = db.prepare<[string, string, number], { seq: number }>(
    `SELECT seq FROM user_log WHERE user = ? AND conversation = ? AND kind = ${KIND_MESSAGE}
     ORDER BY seq DESC LIMIT 1 OFFSET ?`
  )
  const deleteEntry = db.prepare<[string, number]>('DELETE FROM user_log WHERE user = ? AND seq = ?')
  const recordTrim = db.prepare<[string, number]>(
    `INSERT INTO log_trims (user, oldest_seq) VALUES (?, ?)
     ON CONFLICT (user) DO UPDATE SET oldest_seq = MAX(log_trims.oldest_seq, excluded.oldest_seq)`
  )
  const messageRefs = db.prepare<[number], { sender: string; sender_seq: number; recipient: string; recipient_seq: number | null }>(
    'SELECT sender, sender_seq, recipient, recipient_seq FROM messages WHERE server_id = ?'
  )
  const entryExists = db.prepare<[string, number], { one: number }>('SELECT 1 AS one FROM user_log WHERE user = ? AND seq = ?')
  const deleteMessage = db.prepare<[number]>('DELETE FROM messages WHERE server_id = ?')

  const firstPageKeepFrom = (user: string, conversation: string): number =>
    newestPageStart.get(user, conversation, KEPT_NEWEST_PER_CONVERSATION - 1)?.seq ?? 0

  /** Deletes a trimmed message once neither party's log refers to it any more. */
  const dropUnreferencedMessage = (serverId: number): void => {
    const refs = messageRefs.get(serverId)
    if (!refs) return
    if (entryExists.get(refs.sender, refs.sender_seq)) return
    if (refs.recipient_seq !== null && entryExists.get(refs.recipient, refs.recipient_seq)) return
    deleteMessage.run(serverId)
  }

  /** Trims one user's log inside the caller's transaction; returns the number of entries dropped. */
  const trimUser = (user: string, before: number): number => {
    const head = headOf(user)
    const keepFrom = new Map<string, number>()
    const droppedMessages: number[] = []
    let dropped = 0
    let newestDropped = 0
    let after = 0
    let scanning = true
    while (scanning) {
      const rows = trimScan.all(user, after, TRIM_SCAN_ROWS)
      scanning = rows.length === TRIM_SCAN_ROWS
      for (const row of rows) {
        // Entries are appended in time order, so the first one inside the retention window ends the scan.
        if (row.at >= before) {
          scanning = false
          break
        }
        after = row.seq
        // The head stays: sequences continue from MAX(seq), so the newest entry is never removed.
        if (row.seq >= head) continue
        let keep = keepFrom.get(row.conversation)
        if (keep === undefined) {
          keep = firstPageKeepFrom(user, row.conversation)
          keepFrom.set(row.conversation, keep)
        }
        if (keep === 0 || row.seq >= keep) continue
        deleteEntry.run(user, row.seq)
        dropped++
        newestDropped = row.seq
        if (row.kind === KIND_MESSAGE && row.server_id !== null) droppedMessages.push(row.server_id)
      }
    }
    if (newestDropped > 0) recordTrim.run(user, newestDropped + 1)
    for (const serverId of droppedMessages) dropUnreferencedMessage(serverId)
    return dropped
  }

  const trimStep = (before: number, afterUser: string): { dropped: number; lastUser: string | null } => {
    const users = usersAfter.all(afterUser, TRIM_USERS_PER_STEP)
    // A step that deletes nothing writes no WAL frame, so its COMMIT costs no fsync.
    const dropped = inTransaction(() => users.reduce((sum, { user }) => sum + trimUser(user, before), 0))
    return { dropped, lastUser: users.length === TRIM_USERS_PER_STEP ? (users.at(-1)?.user ?? null) : null }
  }

  return {
    trimStep,
    trimLogs(before) {
      let dropped = 0
      let step = trimStep(before, '')
      dropped += step.dropped
      while (step.lastUser !== null) {
        step = trimStep(before, step.lastUser)
        dropped += step.dropped
      }
      return dropped
    }
  }
}
