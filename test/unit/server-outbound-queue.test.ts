// The gateway's outbound path: frames a fan-out defers keep their order with every other frame of the connection,
// and a large fan-out is written in slices with the event loop served in between.
import { describe, expect, it } from 'vitest'
import { OutboundQueue, OutboundScheduler } from '../../src/server/gateway/outbound-queue'
import { OUTBOUND_SLICE_MS } from '../../src/server/config'

function frame(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

function connection(scheduler: OutboundScheduler, writeCostMs = 0): { queue: OutboundQueue; written: string[] } {
  const written: string[] = []
  const queue = new OutboundQueue(
    scheduler,
    (bytes) => {
      const until = performance.now() + writeCostMs
      while (performance.now() < until) {
        // A socket write's syscall cost, which is what a fan-out spends its time on.
      }
      written.push(new TextDecoder().decode(bytes))
    },
    (write) => write()
  )
  return { queue, written }
}

const settled = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20))

describe('OutboundQueue', () => {
  it('writes at once when nothing is deferred', () => {
    const { queue, written } = connection(new OutboundScheduler())
    queue.sendInOrder(frame('ack'))
    expect(written).toEqual(['ack'])
  })

  it('keeps a direct frame and a confirming step behind the deferred ones', async () => {
    const { queue, written } = connection(new OutboundScheduler())
    queue.defer(frame('group entry'))
    queue.sendInOrder(frame('removed from group'))
    queue.sendInOrder(() => written.push('ping'))
    expect(written).toEqual([])
    expect(queue.deferredBytes).toBe('group entry'.length + 'removed from group'.length)
    await settled()
    expect(written).toEqual(['group entry', 'removed from group', 'ping'])
    expect(queue.deferredBytes).toBe(0)
    queue.sendInOrder(frame('next ack'))
    expect(written.at(-1)).toBe('next ack')
  })

  it('drops what was deferred when the connection closes', async () => {
    const scheduler = new OutboundScheduler()
    const { queue, written } = connection(scheduler)
    queue.defer(frame('never sent'))
    queue.clear()
    expect(scheduler.waiting).toBe(0)
    await settled()
    expect(written).toEqual([])
  })
})

describe('OutboundScheduler', () => {
  it('writes a large fan-out in slices and lets timers run between them', async () => {
    const scheduler = new OutboundScheduler()
    // Each write costs 0.05 ms: 400 of them are 20 ms, ten slices' worth.
    const connections = Array.from({ length: 400 }, () => connection(scheduler, 0.05))
    let writtenWhenTimerRan = -1
    for (const { queue } of connections) queue.defer(frame('group entry'))
    // Queued behind the first slice, the timer is due before the second one.
    setImmediate(() =>
      setTimeout(() => {
        writtenWhenTimerRan = connections.filter((c) => c.written.length > 0).length
      }, 0)
    )
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(connections.every((c) => c.written.length === 1)).toBe(true)
    expect(scheduler.slicesRun).toBeGreaterThan(2)
    // The timer (standing in for a 1:1 send arriving) ran while the fan-out was under way, not after all of it.
    expect(writtenWhenTimerRan).toBeGreaterThan(0)
    expect(writtenWhenTimerRan).toBeLessThan(connections.length)
    expect(OUTBOUND_SLICE_MS).toBeLessThan(10)
  })

  it('serves connections in the order they were given deferred frames', async () => {
    const scheduler = new OutboundScheduler()
    const order: number[] = []
    const queues = Array.from({ length: 5 }, (_, i) => new OutboundQueue(scheduler, () => order.push(i), (write) => write()))
    for (const i of [3, 1, 4, 0, 2]) queues[i]?.defer(frame('x'))
    queues[3]?.defer(frame('y'))
    await settled()
    expect(order).toEqual([3, 3, 1, 4, 0, 2])
  })
})
