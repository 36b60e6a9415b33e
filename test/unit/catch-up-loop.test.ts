// When catch-up runs: a failure on a live link is retried with exponential backoff and full jitter (the ceilings
// double up to the maximum), a success resets it, and offline it waits for the next connect instead of polling.
import { afterEach, describe, expect, it } from 'vitest'
import { CatchUpLoop } from '../../src/main/core/sync/catch-up-loop'

const BASE_MS = 8
const MAX_MS = 64

describe('catch-up loop', () => {
  let loop: CatchUpLoop | null = null

  afterEach(() => loop?.stop())

  it('retries a failing catch-up with growing, jittered delays until it succeeds, then resets', async () => {
    let runs = 0
    const delays: Array<number | null> = []
    loop = new CatchUpLoop({
      run: async () => {
        runs += 1
        if (runs <= 5) throw new Error('timeout')
      },
      isOnline: () => true,
      baseMs: BASE_MS,
      maxMs: MAX_MS,
      // The top of each jitter window, so the ceilings show: 8, 16, 32, 64, 64 (capped).
      random: () => 0.999,
      onError: (_err, retryInMs) => delays.push(retryInMs)
    })
    await loop.start()
    await loop.whenSettled()
    expect(runs).toBe(6)
    expect(delays).toEqual([7, 15, 31, 63, 63])
    expect(loop.failures).toBe(0)
  })

  it('jitter spreads the retries below the ceiling (a fixed 500 ms poll would not)', async () => {
    let runs = 0
    const delays: Array<number | null> = []
    const draws = [0.1, 0.5, 0.9]
    loop = new CatchUpLoop({
      run: async () => {
        runs += 1
        if (runs <= 3) throw new Error('boom')
      },
      isOnline: () => true,
      baseMs: 100,
      maxMs: 1_000,
      random: () => draws.shift() ?? 0,
      onError: (_err, retryInMs) => delays.push(retryInMs)
    })
    await loop.start()
    await loop.whenSettled()
    expect(delays).toEqual([10, 100, 360])
  })

  it('offline, a failure waits for the next connect (no timer), and start() runs again at once', async () => {
    let online = true
    let runs = 0
    const delays: Array<number | null> = []
    loop = new CatchUpLoop({
      run: async () => {
        runs += 1
        if (runs === 1) {
          online = false
          throw new Error('link dropped')
        }
      },
      isOnline: () => online,
      baseMs: BASE_MS,
      maxMs: MAX_MS,
      onError: (_err, retryInMs) => delays.push(retryInMs)
    })
    await loop.start()
    await loop.whenSettled()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(runs).toBe(1)
    expect(delays).toEqual([null])
    online = true
    await loop.start()
    expect(runs).toBe(2)
  })

  it('request() catches up when idle, but never while one runs or a retry is scheduled (no faster than the backoff)', async () => {
    let runs = 0
    let fail = true
    loop = new CatchUpLoop({
      run: async () => {
        runs += 1
        if (fail) throw new Error('timeout')
      },
      isOnline: () => true,
      baseMs: 200,
      maxMs: 200,
      random: () => 0.999
    })
    await loop.start()
    expect(runs).toBe(1)
    for (let i = 0; i < 10; i++) loop.request() // a retry is scheduled: these do nothing
    expect(runs).toBe(1)
    fail = false
    await loop.whenSettled()
    expect(runs).toBe(2)
    loop.request()
    await loop.whenSettled()
    expect(runs).toBe(3)
  })
})
