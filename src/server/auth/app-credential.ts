// Owns the platform API's app credential: created on the server's first start (shown once, stored only as its
// SHA-256 hash behind the store), checked per request with limits on failed attempts per address, and rotated.
import crypto from 'node:crypto'
import { PLATFORM_CREDENTIAL_ATTEMPTS } from '../config'
import type { AttemptPolicy } from '../options'
import type { ServerStore } from '../store/types'
import { requiredDelayMs } from './attempt-limits'

/** The secret's name in the store: the hash of the credential in force (never the credential itself). */
export const APP_CREDENTIAL_SECRET = 'platform.app-credential.sha256'
/** 32 random bytes (256 bits): unguessable, so a fast unsalted hash is enough (as for access tokens). */
const CREDENTIAL_BYTES = 32
/** Marks the string as a Parley platform credential in scripts and secret scanners. */
const CREDENTIAL_PREFIX = 'parley_app_'

export type CredentialVerdict =
  | { ok: true }
  | { ok: false; status: 401; code: 'UNAUTHORIZED'; message: string }
  | { ok: false; status: 429; code: 'RATE_LIMITED'; message: string; retryAfterMs: number }

export interface AppCredentials {
  /** Makes sure a credential exists: returns it in clear only when this call created it (first start), else null. */
  ensure(): Promise<string | null>
  /** Checks an `Authorization` header value from `address`, counting failures against the address's limit. */
  authorize(header: string | undefined, address: string, now?: number): Promise<CredentialVerdict>
  /** Replaces the credential; the old one stops working at once. Returns the new one (shown once). */
  rotate(): Promise<string>
}

function newCredential(): string {
  return CREDENTIAL_PREFIX + crypto.randomBytes(CREDENTIAL_BYTES).toString('base64url')
}

function hashOf(credential: string): Buffer {
  return crypto.createHash('sha256').update(credential, 'utf8').digest()
}

/** `Bearer <credential>` (scheme in any case, as RFC 9110 says), or null. */
function bearerOf(header: string | undefined): string | null {
  if (!header) return null
  const match = /^bearer\s+(\S+)\s*$/i.exec(header)
  return match ? (match[1] as string) : null
}

export function createAppCredentials(store: ServerStore, policy: AttemptPolicy = PLATFORM_CREDENTIAL_ATTEMPTS): AppCredentials {
  const addressKey = (address: string): string => `platform:address:${address}`

  /** The stored hash. Read on every request (no copy in memory): a rotation by the CLI binds a running server too. */
  const storedHash = async (): Promise<Buffer> =>
    // Never created here with a usable value: ensure() runs at start. A store that lost it refuses every credential.
    store.getOrCreateSecret(APP_CREDENTIAL_SECRET, () => crypto.randomBytes(32))

  return {
    async ensure() {
      const credential = newCredential()
      const hash = hashOf(credential)
      const stored = await store.getOrCreateSecret(APP_CREDENTIAL_SECRET, () => hash)
      return stored.length === hash.length && crypto.timingSafeEqual(stored, hash) ? credential : null
    },

    async authorize(header, address, now = Date.now()) {
      const key = addressKey(address)
      // Too soon after failures from this address: refused before the credential is even compared, and counted.
      const before = await store.attemptsPeek(key, now, policy.windowMs)
      if (before.previousAt !== null && now - before.previousAt < requiredDelayMs(policy, before.count + 1)) {
        const counted = await store.countAttempt(key, now, policy.windowMs)
        const retryAfterMs = requiredDelayMs(policy, counted.count + 1)
        const seconds = Math.ceil(retryAfterMs / 1000)
        return {
          ok: false,
          status: 429,
          code: 'RATE_LIMITED',
          message: `Too many requests with a wrong app credential. Wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`,
          retryAfterMs
        }
      }
      const presented = bearerOf(header)
      if (presented !== null) {
        const expected = await storedHash()
        const actual = hashOf(presented)
        if (expected.length === actual.length && crypto.timingSafeEqual(expected, actual)) return { ok: true }
      }
      await store.countAttempt(key, now, policy.windowMs)
      return {
        ok: false,
        status: 401,
        code: 'UNAUTHORIZED',
        message:
          presented === null
            ? 'The platform API needs the app credential: send "Authorization: Bearer <credential>".'
            : 'The app credential is not valid (it may have been rotated).'
      }
    },

    async rotate() {
      const credential = newCredential()
      await store.secretReplace(APP_CREDENTIAL_SECRET, hashOf(credential))
      return credential
    }
  }
}
