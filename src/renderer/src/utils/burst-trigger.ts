// Owns pacing a costly refresh under a burst of changes: a lone change refreshes at once; while changes keep coming
// (a catch-up's batches, ~10 a second) the refresh runs at most once per interval, and the last change always gets one.

export interface BurstTrigger {
  /** A change happened: refresh now, or once the interval since the last refresh is over. */
  changed(): void
  /** Refresh now (a change that must show at once), whatever is pending. */
  now(): void
  /** Drops a pending refresh (the owner is going away). */
  cancel(): void
}

export interface BurstTriggerClock {
  now(): number
  setTimeout(run: () => void, ms: number): unknown
  clearTimeout(timer: unknown): void
}

const realClock: BurstTriggerClock = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>)
}

/**
 * Changes made in the same task as a refresh are covered by it: the refresh only marks the view stale, and Vue
 * renders after the task, so the rest of the task's changes add nothing until its microtasks have run.
 */
export function createBurstTrigger(refresh: () => void, minIntervalMs: number, clock: BurstTriggerClock = realClock): BurstTrigger {
  let lastRefreshAt = Number.NEGATIVE_INFINITY
  let pending: unknown = null
  let coveredUntilMicrotasks = false

  const run = (): void => {
    if (pending !== null) clock.clearTimeout(pending)
    pending = null
    lastRefreshAt = clock.now()
    refresh()
    coveredUntilMicrotasks = true
    queueMicrotask(() => {
      coveredUntilMicrotasks = false
    })
  }

  return {
    changed() {
      if (coveredUntilMicrotasks || pending !== null) return
      const wait = lastRefreshAt + minIntervalMs - clock.now()
      if (wait <= 0) run()
      else pending = clock.setTimeout(run, wait)
    },
    now: run,
    cancel() {
      if (pending !== null) clock.clearTimeout(pending)
      pending = null
    }
  }
}
