// Covers the server's token timers with TTLs beyond setTimeout's cap (2^31-1 ms, about 24.8 days): the will-expire
// push and the expiry close come at their instants, not early, and re-arming for a renewed token drops the old ones.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TokenTimers } from '../../src/server/gateway/token-timers'

const DAY_MS = 86_400_000
const WARN_BEFORE_MS = 300_000

function recordingTimers(): { timers: TokenTimers; fired: string[] } {
  const fired: string[] = []
  const timers = new TokenTimers(WARN_BEFORE_MS, {
    willExpire: () => fired.push('will-expire'),
    expired: () => fired.push('expired')
  })
  return { timers, fired }
}

describe('token timers beyond the setTimeout cap', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('warns and expires at a 40-day expiry, not after 24.8 days', () => {
    const { timers, fired } = recordingTimers()
    timers.schedule(Date.now() + 40 * DAY_MS)

    vi.advanceTimersByTime(40 * DAY_MS - WARN_BEFORE_MS - 1)
    expect(fired).toEqual([])
    vi.advanceTimersByTime(1)
    expect(fired).toEqual(['will-expire'])
    vi.advanceTimersByTime(WARN_BEFORE_MS - 1)
    expect(fired).toEqual(['will-expire'])
    vi.advanceTimersByTime(1)
    expect(fired).toEqual(['will-expire', 'expired'])
  })

  it('re-arming for a renewed token cancels the old instants, also in the middle of a long wait', () => {
    const { timers, fired } = recordingTimers()
    timers.schedule(Date.now() + 30 * DAY_MS)
    // Past the first 24.8-day step, so the old timer has already re-armed itself once.
    vi.advanceTimersByTime(26 * DAY_MS)
    timers.schedule(Date.now() + 60 * DAY_MS)
    vi.advanceTimersByTime(60 * DAY_MS - WARN_BEFORE_MS - 1)
    expect(fired).toEqual([])
    vi.advanceTimersByTime(WARN_BEFORE_MS + 1)
    expect(fired).toEqual(['will-expire', 'expired'])
    timers.cancel()
    vi.advanceTimersByTime(100 * DAY_MS)
    expect(fired).toEqual(['will-expire', 'expired'])
  })
})
