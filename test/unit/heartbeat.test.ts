// Smart heartbeat policy: starts at min, lengthens on healthy pong streaks up to max,
// shortens after failures and pong timeouts. Pure state, no timers.
import { describe, expect, it } from 'vitest'
import { HeartbeatPolicy } from '../../src/main/core/net/heartbeat'

const options = { minIntervalMs: 5_000, maxIntervalMs: 60_000, pongTimeoutMs: 10_000 }

describe('smart heartbeat policy', () => {
  it('starts at the minimum interval', () => {
    const policy = new HeartbeatPolicy(options)
    expect(policy.intervalMs).toBe(5_000)
    expect(policy.pongTimeoutMs).toBe(10_000)
  })

  it('lengthens the interval while pongs keep arriving, never past the maximum', () => {
    const policy = new HeartbeatPolicy(options)
    const seen: number[] = [policy.intervalMs]
    for (let i = 0; i < 40; i++) {
      policy.onPong()
      seen.push(policy.intervalMs)
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!)
    expect(new Set(seen).size).toBeGreaterThan(3)
    expect(policy.intervalMs).toBe(60_000)
  })

  it('needs a streak of healthy pongs before growing', () => {
    const policy = new HeartbeatPolicy({ ...options, healthyPongsToGrow: 3, growFactor: 2 })
    policy.onPong()
    policy.onPong()
    expect(policy.intervalMs).toBe(5_000)
    policy.onPong()
    expect(policy.intervalMs).toBe(10_000)
  })

  it('shortens the interval after a failure, but not below the minimum', () => {
    const policy = new HeartbeatPolicy(options)
    for (let i = 0; i < 40; i++) policy.onPong()
    expect(policy.intervalMs).toBe(60_000)
    policy.onFailure()
    expect(policy.intervalMs).toBe(30_000)
    for (let i = 0; i < 10; i++) policy.onFailure()
    expect(policy.intervalMs).toBe(5_000)
  })

  it('a pong timeout declares the link dead and shortens the interval', () => {
    const policy = new HeartbeatPolicy(options)
    for (let i = 0; i < 6; i++) policy.onPong()
    const before = policy.intervalMs
    expect(before).toBeGreaterThan(5_000)
    expect(policy.onPongTimeout()).toBe('dead')
    expect(policy.intervalMs).toBeLessThan(before)
    expect(policy.healthyPongs).toBe(0)
  })

  it('a failure breaks the healthy streak', () => {
    const policy = new HeartbeatPolicy({ ...options, healthyPongsToGrow: 2 })
    policy.onPong()
    policy.onFailure()
    policy.onPong()
    expect(policy.intervalMs).toBe(5_000)
  })

  it('rejects nonsense bounds', () => {
    expect(() => new HeartbeatPolicy({ minIntervalMs: 0, maxIntervalMs: 10, pongTimeoutMs: 1 })).toThrow(RangeError)
    expect(() => new HeartbeatPolicy({ minIntervalMs: 10, maxIntervalMs: 5, pongTimeoutMs: 1 })).toThrow(RangeError)
  })
})
