// Owns measuring a virtualised list's rows once each: the function ref that both virtual lists (the timelines, the
// conversation list) give their rows, batching the new rows' measures after the patch.
import type { ComponentPublicInstance } from 'vue'

/**
 * Vue calls a function ref on every patch of the list, and measuring reads layout: measuring every rendered row on
 * every patch forced one layout per row between the patch's DOM writes (the largest cost of opening a chat, and of
 * the list while a catch-up updates it: profiled). A row is measured once, when it is new, all new rows together
 * after the patch (one layout); later changes of its height come from the virtualiser's ResizeObserver, which
 * observes it from that first measure.
 */
export function measureRowsOnce(measure: (el: Element) => void): (el: Element | ComponentPublicInstance | null) => void {
  const measured = new WeakSet<Element>()
  let pending: Element[] = []
  function measurePending(): void {
    const batch = pending
    pending = []
    for (const el of batch) if (el.isConnected) measure(el)
  }
  return (el) => {
    if (!(el instanceof Element) || measured.has(el)) return
    measured.add(el)
    if (pending.push(el) === 1) queueMicrotask(measurePending)
  }
}
