// Reconnect backoff: every delay within [0, min(max, base*2^n)], the cap, real jitter, reset after success.
// Pure: a seeded random source keeps failures reproducible.
import { describe, expect, it } from 'vitest'
import { Backoff, backoffCeilingMs, fullJitterDelayMs } from '../../src/main/core/net/backoff'
import { seededRandom } from '../support/seeded-random'

describe('backoff with full jitter', () => {
  it('ceiling doubles from base and caps at max', () => {
    expect(backoffCeilingMs(0, 500, 30_000)).toBe(500)
    expect(backoffCeilingMs(1, 500, 30_000)).toBe(1_000)
    expect(backoffCeilingMs(5, 500, 30_000)).toBe(16_000)
    expect(backoffCeilingMs(6, 500, 30_000)).toBe(30_000)
    expect(backoffCeilingMs(2_000, 500, 30_000)).toBe(30_000)
  })

  it('every delay lies within [0, min(max, base * 2^n)]', () => {
    const random = seededRandom(42)
    for (let attempt = 0; attempt < 40; attempt++) {
      for (let i = 0; i < 50; i++) {
        const delay = fullJitterDelayMs(attempt, { baseMs: 100, maxMs: 10_000, random })
        expect(delay).toBeGreaterThanOrEqual(0)
        expect(delay).toBeLessThanOrEqual(Math.min(10_000, 100 * 2 ** attempt))
      }
    }
  })

  it('uses the extremes of the random source', () => {
    expect(fullJitterDelayMs(3, { baseMs: 100, maxMs: 10_000, random: () => 0 })).toBe(0)
    expect(fullJitterDelayMs(3, { baseMs: 100, maxMs: 10_000, random: () => 0.999999 })).toBe(799)
    expect(fullJitterDelayMs(30, { baseMs: 100, maxMs: 10_000, random: () => 0.999999 })).toBe(9_999)
  })

  it('jitter varies: delays for the same attempt are spread out, not constant', () => {
    const random = seededRandom(7)
    const delays = Array.from({ length: 200 }, () => fullJitterDelayMs(10, { baseMs: 100, maxMs: 60_000, random }))
    expect(new Set(delays).size).toBeGreaterThan(150)
    expect(Math.min(...delays)).toBeLessThan(60_000 * 0.1)
    expect(Math.max(...delays)).toBeGreaterThan(60_000 * 0.9)
  })

  it('Backoff counts attempts, grows its ceiling, and resets after success', () => {
    const backoff = new Backoff({ baseMs: 10, maxMs: 1_000, random: () => 0.999999 })
    const delays = Array.from({ length: 9 }, () => backoff.next())
    expect(delays).toEqual([9, 19, 39, 79, 159, 319, 639, 999, 999])
    expect(backoff.attempts).toBe(9)
    backoff.reset()
    expect(backoff.attempts).toBe(0)
    expect(backoff.next()).toBe(9)
  })
})
