// The virtual lists' row measuring (composables/measure-rows-once.ts): Vue calls a row's function ref on every patch,
// and each measure reads layout, so a row is measured once, when new; new rows are measured together after the patch;
// a row gone from the page by then is not measured; component instances and nulls are ignored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { measureRowsOnce } from '../../src/renderer/src/composables/measure-rows-once'

/** The DOM's Element, as much of it as the function looks at (unit tests run without a DOM). */
class FakeElement {
  constructor(public isConnected = true) {}
}
const globals = globalThis as { Element?: unknown }
const hadElement = 'Element' in globals

describe('measureRowsOnce', () => {
  beforeAll(() => {
    if (!hadElement) globals.Element = FakeElement
  })
  afterAll(() => {
    if (!hadElement) delete globals.Element
  })

  it('measures each row once, after the patch, all new rows together', async () => {
    const measured: unknown[] = []
    const ref = measureRowsOnce((el) => measured.push(el))
    const [a, b] = [new FakeElement(), new FakeElement()] as unknown as Element[]
    ref(a!)
    ref(b!)
    expect(measured).toEqual([]) // not between the patch's DOM writes
    await Promise.resolve()
    expect(measured).toEqual([a, b])
    // The next patches call the refs again: nothing is measured again (the ResizeObserver follows their heights).
    for (let patch = 0; patch < 5; patch++) {
      ref(a!)
      ref(b!)
    }
    const c = new FakeElement() as unknown as Element
    ref(c)
    await Promise.resolve()
    expect(measured).toEqual([a, b, c])
  })

  it('skips a row that left the page before the measure, and what is not an element', async () => {
    const measured: unknown[] = []
    const ref = measureRowsOnce((el) => measured.push(el))
    const gone = new FakeElement() as unknown as Element & { isConnected: boolean }
    ref(gone)
    ref(null)
    ref({} as never) // a component instance
    gone.isConnected = false
    await Promise.resolve()
    expect(measured).toEqual([])
  })
})
