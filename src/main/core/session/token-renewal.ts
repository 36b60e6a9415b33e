// Owns renewing a session's token over its socket when the server warns it will expire: a few attempts with a
// growing pause while the link lasts, then keeping the new token (saved by the shell) before acknowledging it.
import { createLogger } from '../../../shared/logger'
import type { Connection, ResponseBody } from '../net/connection'

const log = createLogger('core:session')

/** Tries per warning; after a disconnect the server warns again on the next auth, which starts a new renewal. */
const RENEW_ATTEMPTS = 3

export interface TokenRenewalOptions {
  connection: Connection
  /** Whether the session is still the signed-in one (an ended session's renewal stops). */
  isCurrent: () => boolean
  /** The pause after the n-th failed attempt is n times this (the reconnect backoff's base). */
  retryBaseMs: number
  /**
   * The server gave a new token and its expiry: use it from now on and save it (the shell's saved sign-in). Called
   * even when the session stopped being current meanwhile (the app is closing): the server has already rotated, so
   * the new token is the one a later start needs. Resolves once saved (a failed save resolves too: it only costs the
   * next start a password prompt).
   */
  keep: (token: string, expiresAt: number) => Promise<void>
}

/**
 * Renew rotates the token, and the server counts the new one as the device's only once the device presents it:
 * until then the old one may come back from this device (the answer was lost, or the app closed or crashed before
 * saving it). So the new token is kept and saved first and acknowledged after (a renew carrying it); an app that
 * dies in between starts again with the old one and stays signed in. A failed acknowledgement needs nothing: the
 * next auth presents the new token, which is a use as good.
 */
export async function renewToken({ connection, isCurrent, retryBaseMs, keep }: TokenRenewalOptions): Promise<void> {
  for (let attempt = 1; attempt <= RENEW_ATTEMPTS; attempt++) {
    let answer: ResponseBody<'renewOk'>
    try {
      answer = await connection.request({ renew: { token: '' } }, 'renewOk')
    } catch (err) {
      log.warn('could not renew the token', { error: String(err), attempt })
      if (!isCurrent() || !connection.isOnline) return
      await new Promise((resolve) => setTimeout(resolve, retryBaseMs * attempt))
      continue
    }
    const token = answer.token
    if (!token) return
    // Never renew again over a failed save: that would rotate once more. The save's own failure is logged by keep.
    await keep(token, Number(answer.expiresAt ?? 0)).catch((err: unknown) => log.warn('could not keep the renewed token', { error: String(err) }))
    if (!isCurrent() || !connection.isOnline) return
    try {
      await connection.request({ renew: { token } }, 'renewOk')
    } catch (err) {
      log.info('could not acknowledge the renewed token; the next sign-in on the socket presents it', { error: String(err) })
    }
    return
  }
}
