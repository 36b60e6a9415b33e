// Owns access tokens and the device sessions they stand for: opaque random tokens, stored only as SHA-256 hashes,
// bound to one device, rotated on every renew (a reused old token revokes its session, unless its device never
// used the new one: see DEFAULT_TOKEN_ROTATION_GRACE_SEC in config.ts), ended by sign-out or idleness.
import crypto from 'node:crypto'
import { createLogger } from '../../shared/logger'
import { DEFAULT_TOKEN_ROTATION_GRACE_SEC, TOKEN_RANDOM_BYTES } from '../config'
import type { DeviceSessionRow, ServerStore, StoredToken, TokenRow } from '../store/types'

const log = createLogger('server:tokens')

/**
 * The default grace after a rotation (PARLEY_TOKEN_ROTATION_GRACE_SEC, see config.ts). A new token counts as used
 * only once its device presents it (an auth, an HTTP request, or the renew that acknowledges it after the device
 * saved it); never because its bytes reached the device, which may close or crash before keeping it.
 */
export const TOKEN_ROTATION_GRACE_MS = DEFAULT_TOKEN_ROTATION_GRACE_SEC * 1000

export interface IssuedToken {
  token: string
  expiresAt: number
}

/** What a valid token grants: the session it belongs to, and the token's own hash (the rotation key). */
export interface TokenGrant {
  user: string
  sessionId: string
  /** The device the session is bound to; null while unbound (no device id given yet). */
  deviceId: string | null
  tokenHash: string
  expiresAt: number
}

/**
 * Why a token was refused. `revoked` covers a signed-out session, a session idle too long, and a token that was
 * already rotated away (its session is revoked by the check itself); `sessionId` then names the session that ended,
 * so the caller can close its live sockets.
 */
export type TokenRefusal =
  | { ok: false; reason: 'invalid' | 'expired' | 'wrong-device' }
  | { ok: false; reason: 'revoked'; user: string; sessionId: string }

export type TokenCheck = { ok: true; grant: TokenGrant } | TokenRefusal

export interface CheckOptions {
  /** The device presenting the token (auth frame). Binds an unbound session; another device is refused. */
  deviceId: string | null
  /** Refuse (as invalid, binding nothing) a token of any other user: a renew with an app-server token. */
  user?: string
  now?: number
}

export interface TokenService {
  readonly ttlMs: number
  readonly idleMs: number
  /** Starts a device session (login) and returns its first token. */
  issue(user: string, deviceId: string | null, now?: number): Promise<IssuedToken & { sessionId: string }>
  check(token: string, options: CheckOptions): Promise<TokenCheck>
  /**
   * An HTTP request's Bearer token (attachments): valid, current and of a live session, from any device (HTTP
   * requests carry no device id; the token itself is the proof). Binds nothing. A token rotated away is refused as
   * 'expired' (the client retries with its newest one) while its successor is unused or was first used less than the
   * rotation grace ago (a request started before its own device's renew); later it is a replay and revokes.
   */
  checkBearer(token: string, now?: number): Promise<TokenCheck>
  /** Replaces the grant's token with a new one; the old one stops working (and revokes the session if reused). */
  rotate(grant: TokenGrant, now?: number): Promise<{ ok: true; issued: IssuedToken; grant: TokenGrant } | TokenRefusal>
  /** Sign-out: ends one session, or every session of the user. Returns the ids of the sessions ended. */
  revoke(user: string, sessionId: string, allDevices: boolean, now?: number): Promise<string[]>
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex')
}

function newToken(): string {
  return crypto.randomBytes(TOKEN_RANDOM_BYTES).toString('base64url')
}

/** base64url of TOKEN_RANDOM_BYTES bytes: anything else is refused without a store lookup. */
const TOKEN_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((TOKEN_RANDOM_BYTES * 4) / 3)}}$`)

export function createTokenService(
  store: ServerStore,
  ttlSec: number,
  idleMs: number,
  rotationGraceMs: number = TOKEN_ROTATION_GRACE_MS
): TokenService {
  const ttlMs = ttlSec * 1000

  const mintRow = (sessionId: string, now: number): { token: string; row: TokenRow } => {
    const token = newToken()
    return { token, row: { tokenHash: hashToken(token), sessionId, expiresAt: now + ttlMs, rotatedAt: null } }
  }

  const revoked = async (session: DeviceSessionRow, now: number): Promise<TokenRefusal> => {
    if (session.revokedAt === null) await store.revokeSession(session.sessionId, now)
    return { ok: false, reason: 'revoked', user: session.user, sessionId: session.sessionId }
  }

  /** The session's own state, whatever the token: revoked, or idle beyond the limit (which revokes it now). */
  const endedSession = async (session: DeviceSessionRow, now: number): Promise<TokenRefusal | null> => {
    if (session.revokedAt !== null || now - session.renewedAt > idleMs) return revoked(session, now)
    return null
  }

  return {
    ttlMs,
    idleMs,

    async issue(user, deviceId, now = Date.now()) {
      const sessionId = crypto.randomUUID()
      const { token, row } = mintRow(sessionId, now)
      await store.createDeviceSession(
        { sessionId, user, deviceId: deviceId || null, createdAt: now, renewedAt: now, revokedAt: null },
        row
      )
      return { token, expiresAt: row.expiresAt, sessionId }
    },

    async check(token, { deviceId, user, now = Date.now() }) {
      if (!TOKEN_PATTERN.test(token)) return { ok: false, reason: 'invalid' }
      const found = await store.findToken(hashToken(token))
      if (!found || (user !== undefined && found.session.user !== user)) return { ok: false, reason: 'invalid' }
      const { session } = found
      let row: StoredToken = found.token
      const ended = await endedSession(session, now)
      if (ended) return ended
      if (row.rotatedAt !== null) {
        // A token that was rotated away is presented again: either the device never kept the renew answer (lost on
        // the way, or the app closed or crashed before saving it) or someone copied it. Never kept = the successor
        // was never presented, it comes from the session's own device, and soon after the rotation: the old token
        // becomes current again and the unused successor is retired (shown later, it is a reuse). Anything else is a
        // reuse: both copies die, so a stolen token cannot outlive the next renew of the real device.
        const lostAnswer =
          session.deviceId !== null && session.deviceId === deviceId && now - row.rotatedAt <= rotationGraceMs
        const reinstated = lostAnswer ? await store.reinstateToken(session.sessionId, row.tokenHash, now) : null
        if (!reinstated) return revoked(session, now)
        log.info('accepted a rotated-away token: its successor was never used (a lost renew answer)', { user: session.user, deviceId })
        row = reinstated
      }
      if (row.expiresAt <= now) return { ok: false, reason: 'expired' }
      let boundDevice = session.deviceId
      if (boundDevice === null && deviceId) {
        if (!(await store.bindSessionDevice(session.sessionId, deviceId))) return { ok: false, reason: 'wrong-device' }
        boundDevice = deviceId
      } else if (boundDevice !== null && boundDevice !== deviceId) {
        return { ok: false, reason: 'wrong-device' }
      }
      // The first use is what tells a lost renew answer from a replay (see above). The mark fails only when the
      // token stopped being current since it was read (rotated or retired meanwhile): that presentation is a reuse.
      if (row.firstUsedAt === null && !(await store.markTokenUsed(row.tokenHash, now))) return revoked(session, now)
      return {
        ok: true,
        grant: { user: session.user, sessionId: session.sessionId, deviceId: boundDevice, tokenHash: row.tokenHash, expiresAt: row.expiresAt }
      }
    },

    async checkBearer(token, now = Date.now()) {
      if (!TOKEN_PATTERN.test(token)) return { ok: false, reason: 'invalid' }
      const found = await store.findToken(hashToken(token))
      if (!found) return { ok: false, reason: 'invalid' }
      const { session, token: row } = found
      if (session.revokedAt !== null || now - session.renewedAt > idleMs) return { ok: false, reason: 'revoked', user: session.user, sessionId: session.sessionId }
      if (row.rotatedAt !== null) {
        // Its successor's first use tells a request that raced its own device's renew from a replay (see check).
        const successor = row.successorHash === null ? null : await store.findToken(row.successorHash)
        const successorUsedAt = successor?.token.firstUsedAt ?? null
        if (successorUsedAt !== null && now - successorUsedAt > rotationGraceMs) {
          log.warn('a rotated-away token came back over HTTP after its successor was used: ending the session', { user: session.user })
          return revoked(session, now)
        }
        return { ok: false, reason: 'expired' }
      }
      if (row.expiresAt <= now) return { ok: false, reason: 'expired' }
      // The first use tells a lost renew answer from a replay (see check): a successor shown over HTTP counts.
      if (row.firstUsedAt === null && !(await store.markTokenUsed(row.tokenHash, now))) return { ok: false, reason: 'expired' }
      return {
        ok: true,
        grant: { user: session.user, sessionId: session.sessionId, deviceId: session.deviceId, tokenHash: row.tokenHash, expiresAt: row.expiresAt }
      }
    },

    async rotate(grant, now = Date.now()) {
      const found = await store.findToken(grant.tokenHash)
      if (!found) return { ok: false, reason: 'invalid' }
      const ended = await endedSession(found.session, now)
      if (ended) return ended
      const { token, row } = mintRow(grant.sessionId, now)
      if ((await store.rotateToken(grant.sessionId, grant.tokenHash, row, now)) === 'stale') return revoked(found.session, now)
      return {
        ok: true,
        issued: { token, expiresAt: row.expiresAt },
        grant: { ...grant, tokenHash: row.tokenHash, expiresAt: row.expiresAt }
      }
    },

    async revoke(user, sessionId, allDevices, now = Date.now()) {
      if (allDevices) return store.revokeUserSessions(user, now)
      await store.revokeSession(sessionId, now)
      return [sessionId]
    }
  }
}

/** What ends a revoked session's live sockets (the gateway's online registry). */
export interface LiveSessions {
  endSessions(user: string, sessionIds: readonly string[], message: string): void
}

/**
 * The token service for HTTP routes: a Bearer token found revoked (a replay, see checkBearer) also closes its session's
 * sockets, as a replay over the socket does, so the real device and the copy both have to sign in again.
 */
export function endingSessionsOnReplay(tokens: TokenService, live: LiveSessions): TokenService {
  return {
    ...tokens,
    async checkBearer(token, now) {
      const check = await tokens.checkBearer(token, now)
      if (!check.ok && check.reason === 'revoked') live.endSessions(check.user, [check.sessionId], 'This session has ended; sign in again.')
      return check
    }
  }
}
