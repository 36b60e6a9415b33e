// The download queue's scheduling (core/attachments/transfer-queue.ts): never more than its concurrency running,
// first come first served, one job per key, and cancel (a queued job never starts; a running one is aborted).
import { describe, expect, it } from 'vitest'
import { TransferQueue } from '../../src/main/core/attachments/transfer-queue'

/** A job that runs until the test releases it (or its signal aborts), recording when it ran. */
function gate(): { run: (signal: AbortSignal) => Promise<void>; release: () => void; started: boolean; aborted: boolean } {
  let release!: () => void
  const job = {
    started: false,
    aborted: false,
    release: () => release(),
    run: (signal: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        job.started = true
        release = resolve
        signal.addEventListener('abort', () => {
          job.aborted = true
          reject(signal.reason)
        })
      })
  }
  return job
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

describe('transfer queue', () => {
  it('runs at most its concurrency at once, the rest in the order added', async () => {
    const queue = new TransferQueue(3)
    const jobs = Array.from({ length: 7 }, () => gate())
    let peak = 0
    const order: number[] = []
    jobs.forEach((job, i) =>
      void queue.add(`k${i}`, async (signal) => {
        order.push(i)
        peak = Math.max(peak, queue.runningCount)
        await job.run(signal)
      })
    )
    await tick()
    expect(queue.runningCount).toBe(3)
    expect(queue.waitingCount).toBe(4)
    expect(jobs.map((j) => j.started)).toEqual([true, true, true, false, false, false, false])
    for (const job of jobs) {
      job.release()
      await tick()
      await tick()
    }
    expect(peak).toBe(3)
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(queue.runningCount).toBe(0)
  })

  it('runs one job per key: adding a queued or running key again returns the same promise', async () => {
    const queue = new TransferQueue(1)
    const first = gate()
    let runs = 0
    const a = queue.add('same', async (signal) => {
      runs++
      await first.run(signal)
    })
    const b = queue.add('same', async () => {
      runs++
    })
    expect(b).toBe(a)
    await tick()
    first.release()
    await a
    expect(runs).toBe(1)
  })

  it('cancels a queued job before it starts and aborts a running one; the next queued job takes its place', async () => {
    const queue = new TransferQueue(1)
    const running = gate()
    const queued = gate()
    const after = gate()
    const pRunning = queue.add('running', (s) => running.run(s))
    const pQueued = queue.add('queued', (s) => queued.run(s))
    void queue.add('after', (s) => after.run(s))
    await tick()
    expect(queue.cancel('queued', new Error('canceled'))).toBe(true)
    await expect(pQueued).rejects.toThrow('canceled')
    expect(queued.started).toBe(false)

    expect(queue.cancel('running', new Error('stop'))).toBe(true)
    await expect(pRunning).rejects.toThrow('stop')
    expect(running.aborted).toBe(true)
    await tick()
    expect(after.started).toBe(true)
    expect(queue.cancel('nothing', new Error('x'))).toBe(false)
    after.release()
  })
})
