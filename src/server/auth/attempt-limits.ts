// Owns the growing delays on sign-in and registration: attempts are counted per account and per remote address in
// the store (shared by every node, never in process memory), and an attempt that comes too soon is refused.
import type { AttemptLimits } from '../config'
import type { AttemptPolicy } from '../options'
import type { ServerStore } from '../store/types'

export type AttemptAction = 'login' | 'register'

/** `accountAttempts`: attempts on the account inside the window, this one included (0 without a valid account). */
export type AttemptVerdict = { allowed: true; accountAttempts: number } | { allowed: false; retryAfterMs: number }

export interface AttemptLimiter {
  /** Counts this attempt under the account (when valid) and the address; refuses it when it comes too soon. */
  admit(action: AttemptAction, account: string | null, address: string, now?: number): Promise<AttemptVerdict>
  /**
   * A successful sign-in clears the account's count (never the address's: see AttemptLimits.address). Skipped when
   * this attempt was the only one in the window: nothing to clear, and one durable write fewer per sign-in.
   */
  succeeded(action: AttemptAction, account: string, verdict: AttemptVerdict): Promise<void>
}

/** The wait an attempt needs after the previous one, given how many attempts (this one included) the window holds. */
export function requiredDelayMs(policy: AttemptPolicy, count: number): number {
  const beyond = count - policy.freeAttempts
  if (beyond <= 0) return 0
  // 2^(beyond-1) overflows to Infinity for absurd counts; Math.min keeps the cap.
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (beyond - 1))
}

export function createAttemptLimiter(store: ServerStore, limits: AttemptLimits): AttemptLimiter {
  const accountKey = (action: AttemptAction, account: string): string => `${action}:account:${account}`
  const addressKey = (action: AttemptAction, address: string): string => `${action}:address:${address}`

  /** Counts one attempt under `key`: how many the window holds now, and the wait still owed (0 = may go ahead). */
  const owed = async (key: string, policy: AttemptPolicy, now: number): Promise<{ count: number; waitMs: number }> => {
    const { count, previousAt } = await store.countAttempt(key, now, policy.windowMs)
    if (previousAt === null || now - previousAt >= requiredDelayMs(policy, count)) return { count, waitMs: 0 }
    // This refused attempt was counted and is now the previous one: the next needs the next delay from now, so a
    // client that waits exactly Retry-After is let through.
    return { count, waitMs: requiredDelayMs(policy, count + 1) }
  }

  return {
    async admit(action, account, address, now = Date.now()) {
      const [byAccount, byAddress] = await Promise.all([
        account === null ? { count: 0, waitMs: 0 } : owed(accountKey(action, account), limits.account, now),
        owed(addressKey(action, address), limits.address, now)
      ])
      const retryAfterMs = Math.max(byAccount.waitMs, byAddress.waitMs)
      return retryAfterMs > 0 ? { allowed: false, retryAfterMs } : { allowed: true, accountAttempts: byAccount.count }
    },
    async succeeded(action, account, verdict) {
      if (verdict.allowed && verdict.accountAttempts > 1) await store.resetAttempts(accountKey(action, account))
    }
  }
}
