// Owns access tokens: HMAC-SHA256-signed, expiring, base64url `payload.signature` strings.
// Minting and verification only; who may have a token is decided by the app server.
import crypto from 'node:crypto'

/** Random bytes in each token so two tokens minted in the same millisecond differ. */
const TOKEN_ID_BYTES = 9

export interface TokenClaims {
  /** User name. */
  sub: string
  /** Issued at, ms since epoch. */
  iat: number
  /** Expires at, ms since epoch. */
  exp: number
  /** Random token id. */
  jti: string
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'invalid' | 'expired'; claims?: TokenClaims }

export interface IssuedToken {
  token: string
  expiresAt: number
}

export interface TokenService {
  readonly ttlMs: number
  mint(user: string, now?: number): IssuedToken
  verify(token: string, now?: number): TokenCheck
}

function isClaims(value: unknown): value is TokenClaims {
  if (typeof value !== 'object' || value === null) return false
  const claims = value as Record<string, unknown>
  return (
    typeof claims.sub === 'string' &&
    typeof claims.iat === 'number' &&
    typeof claims.exp === 'number' &&
    typeof claims.jti === 'string'
  )
}

export function createTokenService(secret: Buffer, ttlSec: number): TokenService {
  const ttlMs = ttlSec * 1000
  const sign = (payload: string): Buffer => crypto.createHmac('sha256', secret).update(payload).digest()

  return {
    ttlMs,
    mint(user: string, now = Date.now()): IssuedToken {
      const claims: TokenClaims = {
        sub: user,
        iat: now,
        exp: now + ttlMs,
        jti: crypto.randomBytes(TOKEN_ID_BYTES).toString('base64url')
      }
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
      return { token: `${payload}.${sign(payload).toString('base64url')}`, expiresAt: claims.exp }
    },
    verify(token: string, now = Date.now()): TokenCheck {
      const dot = token.indexOf('.')
      if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'invalid' }
      const payload = token.slice(0, dot)
      const given = Buffer.from(token.slice(dot + 1), 'base64url')
      const expected = sign(payload)
      if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
        return { ok: false, reason: 'invalid' }
      }
      let claims: unknown
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
      } catch {
        return { ok: false, reason: 'invalid' }
      }
      if (!isClaims(claims)) return { ok: false, reason: 'invalid' }
      if (claims.exp <= now) return { ok: false, reason: 'expired', claims }
      return { ok: true, claims }
    }
  }
}
