// Owns sign-in bookkeeping: device sessions, their refresh tokens (rotation, reinstating, revocation), the counted
// attempts that rate-limit sign-ins, and the cleanup that keeps those tables bounded.
import type {
  AttemptCount,
  AuthPruneResult,
  AuthRowCounts,
  DeviceSessionRow,
  ServerStore,
  StoredToken,
  Synchronous,
  TokenRow
} from '../types'
import type { StoreCoreContext } from './context'

/**
 * Auth cleanup deletes at most this many expired tokens (with their sessions) and this many expired attempts per
 * transaction; the worker serves the calls that queued up between steps, so a backlog (the first run on a database
 * that never pruned) never holds the writer for long. A step of 500 index-ordered deletes stays around a millisecond.
 */
const AUTH_PRUNE_ROWS_PER_STEP = 500

interface SessionColumns {
  session_id: string
  user: string
  device_id: string | null
  created_at: number
  renewed_at: number
  revoked_at: number | null
}
interface TokenColumns {
  token_hash: string
  expires_at: number
  rotated_at: number | null
  first_used_at: number | null
  successor_hash: string | null
}

function toStoredToken(row: TokenColumns & { session_id: string }): StoredToken {
  return {
    tokenHash: row.token_hash,
    sessionId: row.session_id,
    expiresAt: row.expires_at,
    rotatedAt: row.rotated_at,
    firstUsedAt: row.first_used_at,
    successorHash: row.successor_hash
  }
}

function toSession(row: SessionColumns): DeviceSessionRow {
  return {
    sessionId: row.session_id,
    user: row.user,
    deviceId: row.device_id,
    createdAt: row.created_at,
    renewedAt: row.renewed_at,
    revokedAt: row.revoked_at
  }
}

type AuthMethods =
  | 'createDeviceSession' | 'findToken' | 'bindSessionDevice' | 'rotateToken' | 'markTokenUsed' | 'reinstateToken'
  | 'revokeSession' | 'revokeUserSessions' | 'countAttempt' | 'resetAttempts' | 'pruneAuth'

export interface AuthStore extends Pick<Synchronous<ServerStore>, AuthMethods> {
  /** One step of pruneAuth (one transaction, bounded); `done` when nothing expired is left. */
  pruneAuthStep(tokensExpiredBefore: number, now: number): AuthPruneResult & { done: boolean }
  /** Rows the sign-in bookkeeping holds now. */
  authRowCounts(): AuthRowCounts
}

export function createAuthStore({ db, inTransaction }: StoreCoreContext): AuthStore {
  const insertSession = db.prepare<[string, string, string | null, number, number, number | null]>(
    `INSERT INTO device_sessions (session_id, user, device_id, created_at, renewed_at, revoked_at)
     VALUES (?, ?, ?, ?, ?, ?)`
  )
  const insertToken = db.prepare<[string, string, number, number | null]>(
    'INSERT INTO tokens (token_hash, session_id, expires_at, rotated_at) VALUES (?, ?, ?, ?)'
  )
  const selectToken = db.prepare<[string], SessionColumns & TokenColumns>(
    `SELECT t.token_hash, t.expires_at, t.rotated_at, t.first_used_at, t.successor_hash,
            s.session_id, s.user, s.device_id, s.created_at, s.renewed_at, s.revoked_at
     FROM tokens t JOIN device_sessions s ON s.session_id = t.session_id WHERE t.token_hash = ?`
  )
  const bindDevice = db.prepare<[string, string]>(
    'UPDATE device_sessions SET device_id = ? WHERE session_id = ? AND device_id IS NULL'
  )
  const selectSessionDevice = db.prepare<[string], { device_id: string | null }>(
    'SELECT device_id FROM device_sessions WHERE session_id = ?'
  )
  // Rotating a token is a use of it (the connection renewing holds it).
  const markRotated = db.prepare<[number, string, number, string, string]>(
    `UPDATE tokens SET rotated_at = ?, successor_hash = ?, first_used_at = COALESCE(first_used_at, ?)
     WHERE token_hash = ? AND session_id = ? AND rotated_at IS NULL`
  )
  const markUsed = db.prepare<[number, string]>(
    'UPDATE tokens SET first_used_at = COALESCE(first_used_at, ?) WHERE token_hash = ? AND rotated_at IS NULL'
  )
  const retireToken = db.prepare<[number, string, string]>(
    'UPDATE tokens SET rotated_at = ?, successor_hash = ? WHERE token_hash = ?'
  )
  const makeCurrent = db.prepare<[number, number, string]>(
    `UPDATE tokens SET rotated_at = NULL, successor_hash = NULL, first_used_at = COALESCE(first_used_at, ?), expires_at = ?
     WHERE token_hash = ?`
  )
  const markRenewed = db.prepare<[number, string]>('UPDATE device_sessions SET renewed_at = ? WHERE session_id = ?')
  const markRevoked = db.prepare<[number, string]>(
    'UPDATE device_sessions SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL'
  )
  const liveSessionsOf = db.prepare<[string], { session_id: string }>(
    'SELECT session_id FROM device_sessions WHERE user = ? AND revoked_at IS NULL'
  )

  const pruneAttempts = db.prepare<[number]>('DELETE FROM attempts WHERE expires_at <= ?')
  const attemptsInWindow = db.prepare<[string, number], { count: number; previous_at: number | null }>(
    'SELECT COUNT(*) AS count, MAX(at) AS previous_at FROM attempts WHERE key = ? AND at > ?'
  )
  const insertAttempt = db.prepare<[string, number, number]>('INSERT INTO attempts (key, at, expires_at) VALUES (?, ?, ?)')
  const deleteAttempts = db.prepare<[string]>('DELETE FROM attempts WHERE key = ?')

  const deleteExpiredTokens = db.prepare<[number, number], { session_id: string }>(
    `DELETE FROM tokens WHERE token_hash IN (SELECT token_hash FROM tokens WHERE expires_at < ? ORDER BY expires_at LIMIT ?)
     RETURNING session_id`
  )
  // A session is found only through its tokens: once the last one is gone, nothing can reach (or revive) it.
  const deleteSessionWithoutTokens = db.prepare<[string, string]>(
    'DELETE FROM device_sessions WHERE session_id = ? AND NOT EXISTS (SELECT 1 FROM tokens WHERE session_id = ?)'
  )
  const deleteExpiredAttempts = db.prepare<[number, number]>(
    'DELETE FROM attempts WHERE rowid IN (SELECT rowid FROM attempts WHERE expires_at <= ? LIMIT ?)'
  )
  const countAuthRows = db.prepare<[], { tokens: number; device_sessions: number; attempts: number }>(
    `SELECT (SELECT COUNT(*) FROM tokens) AS tokens, (SELECT COUNT(*) FROM device_sessions) AS device_sessions,
            (SELECT COUNT(*) FROM attempts) AS attempts`
  )

  const authRowCounts = (): AuthRowCounts => {
    const row = countAuthRows.get()
    return { tokens: row?.tokens ?? 0, deviceSessions: row?.device_sessions ?? 0, attempts: row?.attempts ?? 0 }
  }

  const pruneAuthStep = (tokensExpiredBefore: number, now: number): AuthPruneResult & { done: boolean } =>
    inTransaction(() => {
      const deletedTokens = deleteExpiredTokens.all(tokensExpiredBefore, AUTH_PRUNE_ROWS_PER_STEP)
      const tokens = deletedTokens.length
      let deviceSessions = 0
      for (const sessionId of new Set(deletedTokens.map((row) => row.session_id))) {
        deviceSessions += deleteSessionWithoutTokens.run(sessionId, sessionId).changes
      }
      const attempts = deleteExpiredAttempts.run(now, AUTH_PRUNE_ROWS_PER_STEP).changes
      return { tokens, deviceSessions, attempts, done: tokens < AUTH_PRUNE_ROWS_PER_STEP && attempts < AUTH_PRUNE_ROWS_PER_STEP }
    })

  return {
    authRowCounts,
    createDeviceSession(session, token) {
      inTransaction(() => {
        insertSession.run(
          session.sessionId, session.user, session.deviceId, session.createdAt, session.renewedAt, session.revokedAt
        )
        insertToken.run(token.tokenHash, session.sessionId, token.expiresAt, token.rotatedAt)
      })
    },
    findToken(tokenHash) {
      const row = selectToken.get(tokenHash)
      if (!row) return null
      return { token: toStoredToken(row), session: toSession(row) }
    },
    bindSessionDevice(sessionId, deviceId) {
      if (bindDevice.run(deviceId, sessionId).changes === 1) return true
      return selectSessionDevice.get(sessionId)?.device_id === deviceId
    },
    rotateToken(sessionId, oldHash, next: TokenRow, now) {
      return inTransaction(() => {
        if (markRotated.run(now, next.tokenHash, now, oldHash, sessionId).changes === 0) return 'stale' as const
        insertToken.run(next.tokenHash, sessionId, next.expiresAt, next.rotatedAt)
        markRenewed.run(now, sessionId)
        return 'rotated' as const
      })
    },
    markTokenUsed(tokenHash, now) {
      return markUsed.run(now, tokenHash).changes === 1
    },
    reinstateToken(sessionId, oldHash, now) {
      return inTransaction(() => {
        const old = selectToken.get(oldHash)
        if (!old || old.session_id !== sessionId || old.revoked_at !== null) return null
        // Already current: the same device presented it twice at once and the other presentation reinstated it.
        if (old.rotated_at === null) return toStoredToken(old)
        if (old.successor_hash === null) return null
        const successor = selectToken.get(old.successor_hash)
        if (!successor || successor.session_id !== sessionId) return null
        if (successor.rotated_at !== null || successor.first_used_at !== null) return null
        retireToken.run(now, oldHash, successor.token_hash)
        makeCurrent.run(now, Math.max(old.expires_at, successor.expires_at), oldHash)
        const reinstated = selectToken.get(oldHash)
        return reinstated ? toStoredToken(reinstated) : null
      })
    },
    revokeSession(sessionId, now) {
      markRevoked.run(now, sessionId)
    },
    revokeUserSessions(user, now, keep) {
      return inTransaction(() => {
        const revoked: string[] = []
        for (const { session_id: sessionId } of liveSessionsOf.all(user)) {
          if (sessionId === keep) continue
          markRevoked.run(now, sessionId)
          revoked.push(sessionId)
        }
        return revoked
      })
    },
    countAttempt(key, now, windowMs): AttemptCount {
      return inTransaction(() => {
        pruneAttempts.run(now)
        const row = attemptsInWindow.get(key, now - windowMs)
        insertAttempt.run(key, now, now + windowMs)
        return { count: (row?.count ?? 0) + 1, previousAt: row?.previous_at ?? null }
      })
    },
    resetAttempts(key) {
      deleteAttempts.run(key)
    },
    pruneAuthStep,
    pruneAuth(tokensExpiredBefore, now) {
      const total: AuthPruneResult = { tokens: 0, deviceSessions: 0, attempts: 0 }
      for (;;) {
        const step = pruneAuthStep(tokensExpiredBefore, now)
        total.tokens += step.tokens
        total.deviceSessions += step.deviceSessions
        total.attempts += step.attempts
        if (step.done) return total
      }
    }
  }
}
