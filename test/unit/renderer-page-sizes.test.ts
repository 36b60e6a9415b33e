// Older pages grow with what is loaded (up to the IPC maximum) so scrolling to the oldest of a long chat takes few
// round trips; the first page stays one screen.
import { describe, expect, it } from 'vitest'
import { FIRST_PAGE_SIZE, MAX_PAGE_SIZE, olderPageSize } from '../../src/renderer/src/utils/page-sizes'
import { invokeSchemas } from '../../src/shared/ipc/schemas'

describe('older page sizes', () => {
  it('grows with what is loaded: 50, 100, 200, then 200 each time', () => {
    const sizes: number[] = []
    let loaded = FIRST_PAGE_SIZE
    for (let i = 0; i < 5; i++) {
      const size = olderPageSize(loaded)
      sizes.push(size)
      loaded += size
    }
    expect(sizes).toEqual([50, 100, 200, 200, 200])
  })

  it('never asks below the first page or above the IPC maximum', () => {
    expect(olderPageSize(0)).toBe(FIRST_PAGE_SIZE)
    expect(olderPageSize(3)).toBe(FIRST_PAGE_SIZE)
    expect(olderPageSize(1_000_000)).toBe(MAX_PAGE_SIZE)
    expect(olderPageSize(Number.NaN)).toBe(FIRST_PAGE_SIZE)
  })

  it('the maximum is what messages.page accepts', () => {
    expect(() => invokeSchemas['messages.page'].parse({ conversation: { type: 'single', id: 'bob' }, beforeSeq: 10, limit: MAX_PAGE_SIZE })).not.toThrow()
    expect(() => invokeSchemas['messages.page'].parse({ conversation: { type: 'single', id: 'bob' }, beforeSeq: 10, limit: MAX_PAGE_SIZE + 1 })).toThrow()
  })
})
