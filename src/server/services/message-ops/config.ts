// Owns the recall, edit and self-destruct section of the server's tunables: the two windows (server settings
// PARLEY_RECALL_WINDOW_SEC, PARLEY_EDIT_WINDOW_SEC) and the limits of the timers.

/** PARLEY_RECALL_WINDOW_SEC default: 2 minutes, the window (long enough to catch a wrong chat or a typo). */
export const DEFAULT_RECALL_WINDOW_SEC = 120
/**
 * PARLEY_EDIT_WINDOW_SEC default: 24 hours. An edit keeps the message and says "edited", so it can be allowed far
 * longer than a recall; a day covers a mistake noticed later that day, while a conversation's record cannot be
 * rewritten weeks after others replied to it.
 */
export const DEFAULT_EDIT_WINDOW_SEC = 86_400
/** Burn after reading, at most a week from the first read (a longer timer is a disappearing timer's job). */
export const MAX_BURN_AFTER_READ_SEC = 7 * 86_400
/** A conversation's disappearing timer, at most a year (the longest choice clients offer is far below it). */
export const MAX_DISAPPEAR_AFTER_SEC = 365 * 86_400
/**
 * Messages one "delete for me" request may name: a screenful of selected messages and then some, while one request
 * (one transaction, one log entry carrying every id) stays small.
 */
export const MAX_DELETE_FOR_ME_IDS = 500
/** Expired messages deleted per sweep transaction: a burst of expiries never holds the writer for long. */
export const EXPIRY_SWEEP_BATCH = 500
/**
 * The sweeper also looks for due expiries this often, whatever its own timer says: another server node (sharing the
 * store) may have set an expiry this node never heard of. A minute late at worst on the server; devices delete on
 * time by themselves.
 */
export const EXPIRY_RESCAN_INTERVAL_MS = 60_000

export interface MessageOpsConfig {
  recallWindowMs: number
  editWindowMs: number
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim()
  if (!raw) return fallback
  const value = Number(raw)
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`${name} must be a positive number of seconds (got "${raw}").`)
  return value
}

export function messageOpsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): MessageOpsConfig {
  return {
    recallWindowMs: seconds(env, 'PARLEY_RECALL_WINDOW_SEC', DEFAULT_RECALL_WINDOW_SEC) * 1000,
    editWindowMs: seconds(env, 'PARLEY_EDIT_WINDOW_SEC', DEFAULT_EDIT_WINDOW_SEC) * 1000
  }
}
