// Owns access tokens and the device sessions they stand for: opaque random tokens, stored only as SHA-256 hashes,
// bound to one device, rotated on every renew (a reused old token revokes its session), ended by sign-out or idleness.
import crypto from 'node:crypto'
import { TOKEN_RANDOM_BYTES } from '../config'
import type { DeviceSessionRow, ServerStore, TokenRow } from '../store/types'

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
  issue(user: string, deviceId: string | null, now?: number): Promise<IssuedToken>
  check(token: string, options: CheckOptions): Promise<TokenCheck>
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

export function createTokenService(store: ServerStore, ttlSec: number, idleMs: number): TokenService {
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
      return { token, expiresAt: row.expiresAt }
    },

    async check(token, { deviceId, user, now = Date.now() }) {
      if (!TOKEN_PATTERN.test(token)) return { ok: false, reason: 'invalid' }
      const found = await store.findToken(hashToken(token))
      if (!found || (user !== undefined && found.session.user !== user)) return { ok: false, reason: 'invalid' }
      const { token: row, session } = found
      const ended = await endedSession(session, now)
      if (ended) return ended
      // A token that was rotated away is presented again: either the device lost the renew answer or someone
      // copied it. Both copies die, so a stolen token cannot outlive the next renew of the real device.
      if (row.rotatedAt !== null) return revoked(session, now)
      if (row.expiresAt <= now) return { ok: false, reason: 'expired' }
      let boundDevice = session.deviceId
      if (boundDevice === null && deviceId) {
        if (!(await store.bindSessionDevice(session.sessionId, deviceId))) return { ok: false, reason: 'wrong-device' }
        boundDevice = deviceId
      } else if (boundDevice !== null && boundDevice !== deviceId) {
        return { ok: false, reason: 'wrong-device' }
      }
      return {
        ok: true,
        grant: { user: session.user, sessionId: session.sessionId, deviceId: boundDevice, tokenHash: row.tokenHash, expiresAt: row.expiresAt }
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
