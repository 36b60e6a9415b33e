// Owns when catch-up runs: once per (re)connect, and after a failure on a live link again with exponential
// backoff and full jitter (never a fixed short period). The outbox never waits for it.
import { createLogger } from '../../../shared/logger'
import { Backoff } from '../net/backoff'

const log = createLogger('core:catch-up')

export interface CatchUpLoopOptions {
  /** One catch-up; rejects when it fails. */
  run: () => Promise<void>
  isOnline: () => boolean
  /** Ceiling of the first retry delay and the longest one (full jitter below the ceiling). */
  baseMs: number
  maxMs: number
  random?: () => number
  /** A catch-up failed; the loop retries after `retryInMs` (null when it waits for the next connect). */
  onError?: (err: unknown, retryInMs: number | null) => void
}

export class CatchUpLoop {
  private readonly backoff: Backoff
  private timer: ReturnType<typeof setTimeout> | null = null
  private stopped = false
  private current: Promise<void> = Promise.resolve()
  private settledWaiters: Array<() => void> = []
  private busy = false

  constructor(private readonly options: CatchUpLoopOptions) {
    this.backoff = new Backoff({ baseMs: options.baseMs, maxMs: options.maxMs, random: options.random })
  }

  /** The link is up: catch up now (a retry already scheduled is replaced). Resolves after this first attempt. */
  start(): Promise<void> {
    this.clearTimer()
    if (this.stopped) return Promise.resolve()
    this.backoff.reset()
    return this.attempt()
  }

  /**
   * Something showed the device is behind (a pushed entry could not be applied): catch up unless a catch-up runs
   * or a retry is already scheduled. Keeps the backoff, so repeated failures never poll faster than it allows.
   */
  request(): void {
    if (this.stopped || this.busy || this.timer || !this.options.isOnline()) return
    void this.attempt()
  }

  /** Resolves when no catch-up runs and none is scheduled (caught up, stopped, or waiting for the next connect). */
  whenSettled(): Promise<void> {
    if (!this.busy && !this.timer) return Promise.resolve()
    return new Promise((resolve) => this.settledWaiters.push(resolve))
  }

  stop(): void {
    this.stopped = true
    this.clearTimer()
    this.settle()
  }

  /** Attempts made since the last success (diagnostics and tests). */
  get failures(): number {
    return this.backoff.attempts
  }

  private attempt(): Promise<void> {
    this.busy = true
    // Chain after the previous attempt: two catch-ups never interleave (the syncer serialises them anyway).
    const run = this.current.then(() => this.options.run())
    this.current = run.then(
      () => {
        this.backoff.reset()
        this.busy = false
        this.settle()
      },
      (err: unknown) => {
        this.busy = false
        this.scheduleRetry(err)
      }
    )
    return this.current
  }

  private scheduleRetry(err: unknown): void {
    if (this.stopped || !this.options.isOnline()) {
      // The next connect starts a new catch-up.
      this.options.onError?.(err, null)
      this.settle()
      return
    }
    const delay = this.backoff.next()
    log.info('catch-up failed; retrying', { error: String(err), delay })
    this.options.onError?.(err, delay)
    this.timer = setTimeout(() => {
      this.timer = null
      if (this.stopped || !this.options.isOnline()) {
        this.settle()
        return
      }
      void this.attempt()
    }, delay)
  }

  private settle(): void {
    if (this.busy || this.timer) return
    const waiters = this.settledWaiters
    this.settledWaiters = []
    for (const resolve of waiters) resolve()
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
