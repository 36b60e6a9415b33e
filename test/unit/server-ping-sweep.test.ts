// The liveness sweep: a connection that answered is pinged again, one that did not is terminated, and a sweep over
// thousands of connections is written in slices with the event loop served in between.
import { describe, expect, it } from 'vitest'
import { PingSweep, type PingTarget } from '../../src/server/gateway/ping-sweep'

function target(pingCostMs = 0): PingTarget & { pings: number; terminated: boolean } {
  return {
    alive: true,
    user: 'ada',
    deviceId: 'laptop',
    pings: 0,
    terminated: false,
    ping() {
      const until = performance.now() + pingCostMs
      while (performance.now() < until) {
        // A ping's socket write (a syscall), which is what a sweep spends its time on.
      }
      this.pings++
    },
    terminate() {
      this.terminated = true
    }
  }
}

describe('PingSweep', () => {
  it('pings a connection that answered and terminates one that did not', async () => {
    const answering = target()
    const silent = target()
    const sweep = new PingSweep(() => [answering, silent], 0.5)
    await sweep.sweep()
    expect([answering.pings, silent.pings]).toEqual([1, 1])
    expect([answering.alive, silent.alive]).toEqual([false, false])
    answering.alive = true // its pong came back
    await sweep.sweep()
    expect(answering.pings).toBe(2)
    expect(answering.terminated).toBe(false)
    expect(silent.terminated).toBe(true)
    expect(silent.pings).toBe(1)
  })

  it('sweeps thousands of connections in slices and lets timers run between them', async () => {
    // Each ping costs 0.02 ms: 2,000 of them are 40 ms, many slices of 0.5 ms.
    const targets = Array.from({ length: 2000 }, () => target(0.02))
    const sweep = new PingSweep(() => targets, 0.5)
    let pingedWhenTimerRan = -1
    setImmediate(() =>
      setTimeout(() => {
        pingedWhenTimerRan = targets.filter((t) => t.pings > 0).length
      }, 0)
    )
    await sweep.sweep()
    expect(targets.every((t) => t.pings === 1)).toBe(true)
    expect(sweep.slicesRun).toBeGreaterThan(10)
    // The timer (standing in for a 1:1 send arriving) ran while the sweep was under way, not after all of it.
    expect(pingedWhenTimerRan).toBeGreaterThan(0)
    expect(pingedWhenTimerRan).toBeLessThan(targets.length)
  })

  it('sweeps on its interval until stopped', async () => {
    const one = target()
    const sweep = new PingSweep(() => [one], 0.5)
    sweep.start(10)
    await new Promise((resolve) => setTimeout(resolve, 35))
    sweep.stop()
    const swept = one.pings + (one.terminated ? 1 : 0)
    expect(swept).toBeGreaterThanOrEqual(2)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(one.pings + (one.terminated ? 1 : 0)).toBe(swept)
  })
})
