// Owns the adaptive ("smart") heartbeat policy: how long to wait between pings and when the link is dead.
// Pure state with no timers: the connection drives the timers and reports pongs, timeouts and failures.

export interface HeartbeatOptions {
  minIntervalMs: number
  maxIntervalMs: number
  pongTimeoutMs: number
  /** Consecutive healthy pongs before the interval grows one step. */
  healthyPongsToGrow?: number
  /** Multiplier applied to the interval when it grows. */
  growFactor?: number
  /** Divisor applied to the interval after a failure. */
  shrinkFactor?: number
}

const DEFAULT_HEALTHY_PONGS_TO_GROW = 2
const DEFAULT_GROW_FACTOR = 1.5
const DEFAULT_SHRINK_FACTOR = 2

export class HeartbeatPolicy {
  private interval: number
  private healthyStreak = 0
  private readonly pongsToGrow: number
  private readonly growFactor: number
  private readonly shrinkFactor: number

  constructor(private readonly options: HeartbeatOptions) {
    if (options.minIntervalMs <= 0 || options.maxIntervalMs < options.minIntervalMs) {
      throw new RangeError('heartbeat: need 0 < minIntervalMs <= maxIntervalMs')
    }
    this.interval = options.minIntervalMs
    this.pongsToGrow = Math.max(1, options.healthyPongsToGrow ?? DEFAULT_HEALTHY_PONGS_TO_GROW)
    this.growFactor = Math.max(1, options.growFactor ?? DEFAULT_GROW_FACTOR)
    this.shrinkFactor = Math.max(1, options.shrinkFactor ?? DEFAULT_SHRINK_FACTOR)
  }

  /** How long to wait after a pong (or after connecting) before the next ping. */
  get intervalMs(): number {
    return this.interval
  }

  /** How long to wait for a pong before declaring the link dead. */
  get pongTimeoutMs(): number {
    return this.options.pongTimeoutMs
  }

  get healthyPongs(): number {
    return this.healthyStreak
  }

  /** A pong arrived in time: the link is healthy; after a streak, probe a longer interval. */
  onPong(): void {
    this.healthyStreak += 1
    if (this.healthyStreak >= this.pongsToGrow) {
      this.healthyStreak = 0
      this.interval = Math.min(this.options.maxIntervalMs, Math.round(this.interval * this.growFactor))
    }
  }

  /** No pong in time. The link is dead: the caller must drop it. Also counts as a failure. */
  onPongTimeout(): 'dead' {
    this.onFailure()
    return 'dead'
  }

  /** The link dropped (or a ping timed out): the interval was probably too long, so shorten it. */
  onFailure(): void {
    this.healthyStreak = 0
    this.interval = Math.max(this.options.minIntervalMs, Math.round(this.interval / this.shrinkFactor))
  }
}
