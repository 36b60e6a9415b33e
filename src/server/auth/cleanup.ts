// Owns the garbage collection of sign-in bookkeeping: how long a token row outlives its expiry (so reuse detection
// and lost-answer recovery keep working), and the periodic job that deletes what is older, with emptied sessions.
import { createLogger } from '../../shared/logger'
import type { AuthPruneResult, ServerStore } from '../store/types'
import { TOKEN_ROTATION_GRACE_MS } from './tokens'

const log = createLogger('server:auth-cleanup')

/**
 * A token row is kept this long after its expiry. A rotated-away token must stay recognisable for as long as a
 * device may still present it, since that presentation is what detects a reuse (and revokes the session a copy took
 * over) or recovers a lost renew answer: the client drops a token at its expiry by ITS clock (core/api/session.ts),
 * and a clock set to the wrong time zone runs up to 14 hours behind; a renew just before expiry can also be
 * recovered until TOKEN_ROTATION_GRACE_MS after it. A day covers both, and costs one extra row per session at the
 * default 24-hour TTL. After that only a copy can show the token, and an expired copy grants nothing: it is then
 * refused as invalid instead of revoking the session.
 */
export const TOKEN_RETENTION_AFTER_EXPIRY_MS = 24 * 60 * 60_000

/**
 * The cleanup runs this often: hourly keeps each run small (an hour of expired tokens and attempts) and no row
 * outlives its retention by more than an hour. Like log retention, it runs once at start-up too.
 */
export const AUTH_CLEANUP_INTERVAL_MS = 60 * 60_000

if (TOKEN_RETENTION_AFTER_EXPIRY_MS < TOKEN_ROTATION_GRACE_MS) {
  throw new Error('TOKEN_RETENTION_AFTER_EXPIRY_MS must cover TOKEN_ROTATION_GRACE_MS (a lost answer just before expiry).')
}

/** Tokens that expired before this instant are deleted by a cleanup at `now`. */
export function tokenPruneCutoff(now: number): number {
  return now - TOKEN_RETENTION_AFTER_EXPIRY_MS
}

/** One cleanup at `now`: tokens past their retention, sessions left without a token, expired attempts. */
export function pruneAuthRows(store: ServerStore, now: number): Promise<AuthPruneResult> {
  return store.pruneAuth(tokenPruneCutoff(now), now)
}

/** Runs the cleanup now and every AUTH_CLEANUP_INTERVAL_MS; returns the stop function. */
export function startAuthCleanup(store: ServerStore, clock: () => number = Date.now): () => void {
  const run = (): void => {
    pruneAuthRows(store, clock()).then(
      (deleted) => {
        if (deleted.tokens + deleted.deviceSessions + deleted.attempts > 0) log.info('deleted expired sign-in rows', { ...deleted })
      },
      (err: unknown) => log.error('auth cleanup failed', { error: err instanceof Error ? err.message : String(err) })
    )
  }
  run()
  const timer = setInterval(run, AUTH_CLEANUP_INTERVAL_MS)
  timer.unref()
  return () => clearInterval(timer)
}
