// Owns renewing a session's token over its socket when the server warns it will expire: a few attempts with a
// growing pause while the link lasts; the caller keeps the new token (renew rotates it: the old one stops working).
import { createLogger } from '../../../shared/logger'
import type { Connection } from '../net/connection'

const log = createLogger('core:session')

/** Tries per warning; after a disconnect the server warns again on the next auth, which starts a new renewal. */
const RENEW_ATTEMPTS = 3

export interface TokenRenewalOptions {
  connection: Connection
  /** Whether the session is still the signed-in one (an ended session's renewal stops). */
  isCurrent: () => boolean
  /** The pause after the n-th failed attempt is n times this (the reconnect backoff's base). */
  retryBaseMs: number
  /** The server gave a new token and its expiry. */
  renewed: (token: string, expiresAt: number) => void
}

export async function renewToken({ connection, isCurrent, retryBaseMs, renewed }: TokenRenewalOptions): Promise<void> {
  for (let attempt = 1; attempt <= RENEW_ATTEMPTS; attempt++) {
    try {
      const answer = await connection.request({ renew: { token: '' } }, 'renewOk')
      if (!answer.token || !isCurrent()) return
      renewed(answer.token, Number(answer.expiresAt ?? 0))
      return
    } catch (err) {
      log.warn('could not renew the token', { error: String(err), attempt })
      if (!isCurrent() || !connection.isOnline) return
      await new Promise((resolve) => setTimeout(resolve, retryBaseMs * attempt))
    }
  }
}
