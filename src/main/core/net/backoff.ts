// Owns the reconnect delay policy: exponential backoff with FULL jitter,
// delay = random(0, min(max, base * 2^attempt)). Pure; the random source is injectable for tests.

export interface BackoffOptions {
  baseMs: number
  maxMs: number
  /** Returns a number in [0, 1); Math.random by default. */
  random?: () => number
}

/** The upper bound of the delay for a given attempt (0-based): min(max, base * 2^attempt). */
export function backoffCeilingMs(attempt: number, baseMs: number, maxMs: number): number {
  const safeAttempt = Math.max(0, Math.floor(attempt))
  // 2^1024 overflows to Infinity; Math.min keeps it at max, so no special case is needed.
  return Math.min(maxMs, baseMs * 2 ** safeAttempt)
}

/** One full-jitter delay for the given attempt. */
export function fullJitterDelayMs(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random
  const ceiling = backoffCeilingMs(attempt, options.baseMs, options.maxMs)
  return Math.floor(random() * ceiling)
}

/** Stateful helper: counts attempts since the last success. */
export class Backoff {
  private attempt = 0
  constructor(private readonly options: BackoffOptions) {}

  /** The delay before the next attempt; each call counts one more attempt. */
  next(): number {
    const delay = fullJitterDelayMs(this.attempt, this.options)
    this.attempt += 1
    return delay
  }

  /** After a successful connection: start again from the base. */
  reset(): void {
    this.attempt = 0
  }

  get attempts(): number {
    return this.attempt
  }
}
