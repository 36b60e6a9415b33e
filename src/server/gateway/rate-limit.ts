// Owns the per-connection request budget: a token bucket refilled continuously.
// Generous by design (see config): it stops floods, never a real client.
import { RATE_LIMIT_BURST, RATE_LIMIT_PER_SEC } from '../config'

export class TokenBucket {
  private tokens: number
  private refilledAt: number

  constructor(
    private readonly ratePerSec = RATE_LIMIT_PER_SEC,
    private readonly burst = RATE_LIMIT_BURST,
    now = Date.now()
  ) {
    this.tokens = burst
    this.refilledAt = now
  }

  /** Takes one token; false when the budget is spent. */
  take(now = Date.now()): boolean {
    const elapsedSec = Math.max(0, now - this.refilledAt) / 1000
    this.tokens = Math.min(this.burst, this.tokens + elapsedSec * this.ratePerSec)
    this.refilledAt = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
