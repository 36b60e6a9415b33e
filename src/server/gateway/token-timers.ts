// Owns one connection's token timers: the token-will-expire push and the expiry close. Instants further away than
// setTimeout can wait (2^31-1 ms, about 24.8 days) are reached by re-arming in steps, so long TTLs never fire early.
import { MAX_TIMER_MS } from '../config'

export interface TokenTimerActions {
  willExpire(expiresAt: number): void
  expired(expiresAt: number): void
}

export class TokenTimers {
  private warnHandle: NodeJS.Timeout | null = null
  private expiryHandle: NodeJS.Timeout | null = null

  constructor(
    private readonly warnBeforeMs: number,
    private readonly actions: TokenTimerActions
  ) {}

  /** (Re)arms both timers for a token expiring at `expiresAt` (ms since epoch); earlier instants are cancelled. */
  schedule(expiresAt: number): void {
    this.cancel()
    this.warnHandle = timerAt(expiresAt - this.warnBeforeMs, () => this.actions.willExpire(expiresAt), (h) => (this.warnHandle = h))
    this.expiryHandle = timerAt(expiresAt, () => this.actions.expired(expiresAt), (h) => (this.expiryHandle = h))
  }

  cancel(): void {
    if (this.warnHandle) clearTimeout(this.warnHandle)
    if (this.expiryHandle) clearTimeout(this.expiryHandle)
    this.warnHandle = null
    this.expiryHandle = null
  }
}

/**
 * Calls `callback` at wall-clock time `at`. A delay beyond MAX_TIMER_MS would be clamped by Node to 1 ms, so the timer
 * waits the longest allowed step and looks again; `track` receives each new handle so cancel() always finds it.
 */
function timerAt(at: number, callback: () => void, track: (handle: NodeJS.Timeout) => void): NodeJS.Timeout {
  const remaining = at - Date.now()
  if (remaining > MAX_TIMER_MS) return setTimeout(() => track(timerAt(at, callback, track)), MAX_TIMER_MS)
  return setTimeout(callback, Math.max(0, remaining))
}
