// Owns the per-connection request budget: a token bucket refilled continuously.
// Generous by design (see config): it stops floods, never a real client.
import { RATE_LIMIT_BURST, RATE_LIMIT_PER_SEC } from '../config'

export class TokenBucket {
  private tokens = RATE_LIMIT_BURST
  private refilledAt = Date.now()

  /** Takes one token; false when the budget is spent. */
  take(): boolean {
    const now = Date.now()
    const elapsedSec = Math.max(0, now - this.refilledAt) / 1000
    this.tokens = Math.min(RATE_LIMIT_BURST, this.tokens + elapsedSec * RATE_LIMIT_PER_SEC)
    this.refilledAt = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  /** How long until the next take() can succeed (0 when it can now): the refusal's retry_after_ms. */
  msUntilNext(): number {
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / RATE_LIMIT_PER_SEC) * 1000)
  }
}
