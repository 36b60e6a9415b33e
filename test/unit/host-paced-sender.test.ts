// The browser host's paced sender: a burst of messages goes out in order, a slice per turn of the event loop (so
// the loop turns between slices), and a lone message is written at once.
import { describe, expect, it } from 'vitest'
import { createPacedSender, SLICE_BUDGET_MS } from '../../src/host/paced-sender'

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('host paced sender', () => {
  it('writes a lone message at once', () => {
    const written: string[] = []
    const sender = createPacedSender((text) => written.push(text))
    sender.send({ kind: 'reply', id: 1 })
    expect(written).toEqual(['{"kind":"reply","id":1}'])
    sender.clear()
  })

  it('sends a burst in order, at most a slice per turn of the loop', async () => {
    let clock = 0
    const written: number[] = []
    // Each write takes 1 ms of the (fake) clock.
    const sender = createPacedSender((text) => {
      clock += 1
      written.push((JSON.parse(text) as { n: number }).n)
    }, () => clock)
    for (let n = 0; n < 100; n++) sender.send({ n })
    expect(written.length).toBeLessThanOrEqual(SLICE_BUDGET_MS)
    expect(sender.queued).toBe(100 - written.length)
    const perTurn: number[] = []
    for (let i = 0; i < 100 && written.length < 100; i++) {
      const before = written.length
      await turn()
      perTurn.push(written.length - before)
    }
    expect(written).toEqual(Array.from({ length: 100 }, (_, n) => n))
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(SLICE_BUDGET_MS)
    sender.clear()
  })

  it('drops what is queued when cleared', async () => {
    let clock = 0
    const written: string[] = []
    const sender = createPacedSender((text) => {
      clock += 5
      written.push(text)
    }, () => clock)
    for (let n = 0; n < 10; n++) sender.send({ n })
    const sent = written.length
    sender.clear()
    await turn()
    await turn()
    expect(written.length).toBe(sent)
    expect(sender.queued).toBe(0)
  })
})
