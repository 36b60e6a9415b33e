// Unit tests for the conversation list's refresh pacing (src/renderer/src/utils/burst-trigger.ts): a lone change
// refreshes at once, a burst at most once per interval with the last change always refreshed, changes in the task of
// a refresh are covered by it, and now() / cancel() do what they say.
import { describe, expect, it } from 'vitest'
import { createBurstTrigger, type BurstTriggerClock } from '../../src/renderer/src/utils/burst-trigger'

const INTERVAL_MS = 250

/** A clock the test moves by hand; timers run when it passes them. */
function manualClock(): BurstTriggerClock & { advance(ms: number): void; timers: number } {
  let time = 1_000
  let nextId = 1
  const timers = new Map<number, { at: number; run: () => void }>()
  return {
    now: () => time,
    setTimeout: (run, ms) => {
      const id = nextId++
      timers.set(id, { at: time + ms, run })
      return id
    },
    clearTimeout: (id) => void timers.delete(id as number),
    advance(ms: number) {
      time += ms
      for (const [id, timer] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at > time) continue
        timers.delete(id)
        timer.run()
      }
    },
    get timers() {
      return timers.size
    }
  }
}

const endOfTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

describe('burst trigger', () => {
  it('refreshes a lone change at once', () => {
    const clock = manualClock()
    let refreshes = 0
    const trigger = createBurstTrigger(() => refreshes++, INTERVAL_MS, clock)
    trigger.changed()
    expect(refreshes).toBe(1)
    expect(clock.timers).toBe(0)
  })

  it('counts every change of the refresh\'s own task as covered by it', () => {
    const clock = manualClock()
    let refreshes = 0
    const trigger = createBurstTrigger(() => refreshes++, INTERVAL_MS, clock)
    for (let i = 0; i < 600; i++) trigger.changed()
    expect(refreshes).toBe(1)
    expect(clock.timers).toBe(0)
  })

  it('refreshes a burst at most once per interval, and always after its last change', async () => {
    const clock = manualClock()
    const refreshedAt: number[] = []
    const trigger = createBurstTrigger(() => refreshedAt.push(clock.now()), INTERVAL_MS, clock)
    // Ten batches a second for two seconds, each in a task of its own.
    for (let batch = 0; batch < 20; batch++) {
      trigger.changed()
      await endOfTask()
      clock.advance(100)
    }
    clock.advance(INTERVAL_MS)
    expect(refreshedAt.length).toBeLessThanOrEqual(Math.ceil(2_000 / INTERVAL_MS) + 1)
    expect(refreshedAt.length).toBeGreaterThanOrEqual(2_000 / INTERVAL_MS - 1)
    for (let i = 1; i < refreshedAt.length; i++) expect(refreshedAt[i]! - refreshedAt[i - 1]!).toBeGreaterThanOrEqual(INTERVAL_MS)
    // The last batch came at +1,900 ms: a refresh followed it.
    expect(refreshedAt.at(-1)!).toBeGreaterThanOrEqual(1_000 + 1_900)
    expect(clock.timers).toBe(0)
  })

  it('refreshes at once on now(), taking the place of a pending one; cancel() drops a pending one', async () => {
    const clock = manualClock()
    let refreshes = 0
    const trigger = createBurstTrigger(() => refreshes++, INTERVAL_MS, clock)
    trigger.changed()
    await endOfTask()
    trigger.changed()
    expect(refreshes).toBe(1)
    expect(clock.timers).toBe(1)
    trigger.now()
    expect(refreshes).toBe(2)
    expect(clock.timers).toBe(0)
    await endOfTask()
    clock.advance(10)
    trigger.changed()
    expect(clock.timers).toBe(1)
    trigger.cancel()
    clock.advance(INTERVAL_MS)
    expect(refreshes).toBe(2)
  })
})
