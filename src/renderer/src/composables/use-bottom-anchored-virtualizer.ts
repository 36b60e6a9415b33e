// Owns what every message timeline (a chat's MessageList, a room's RoomTimeline) shares: the @tanstack/vue-virtual
// virtualiser over messages keyed by id, row measuring, and keeping the newest message in view while it follows.
import { computed, watch, type Ref } from 'vue'
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/vue-virtual'
import { measureRowsOnce } from './measure-rows-once'

/** Rows rendered beyond the viewport on each side, so fast scrolling does not show blank space. */
const OVERSCAN_ROWS = 8

export interface BottomAnchoredOptions {
  /** The messages in order, oldest first; each row is keyed by its id. */
  items: Ref<readonly { id: string }[]>
  scroller: Ref<HTMLElement | null>
  /** Whether the view follows the newest message (the owner decides; growth of the list keeps it at the bottom). */
  followsBottom: Ref<boolean>
  /** A row's height before it is measured. */
  estimatedRowPx: number
  /** Space above the first and below the last row. */
  listPaddingPx: number
}

/** How far the scroller's end is below its view. */
export function distanceFromBottom(el: HTMLElement): number {
  return el.scrollHeight - el.scrollTop - el.clientHeight
}

/**
 * The rows to render: the virtualiser's own range, except while the view follows the newest message but is not at
 * the end yet (a chat opening, scrolled to its end right after): then the rows at the end, where the view is going.
 * Rendering the top rows first and the end ones a frame later mounted every bubble twice on each chat switch.
 */
function rangeFollowingBottom(range: Range, followsBottom: boolean): number[] {
  if (!followsBottom || range.count === 0 || range.endIndex >= range.count - 1) return defaultRangeExtractor(range)
  const first = Math.max(0, range.count - (range.endIndex - range.startIndex + 1) - range.overscan)
  return Array.from({ length: range.count - first }, (_, offset) => first + offset)
}

export function useBottomAnchoredVirtualizer(options: BottomAnchoredOptions) {
  const { items, scroller, followsBottom } = options
  const virtualizer = useVirtualizer(
    computed(() => {
      const list = items.value
      return {
        count: list.length,
        getScrollElement: () => scroller.value,
        estimateSize: () => options.estimatedRowPx,
        overscan: OVERSCAN_ROWS,
        paddingStart: options.listPaddingPx,
        paddingEnd: options.listPaddingPx,
        getItemKey: (index: number) => list[index]?.id ?? index,
        rangeExtractor: (range: Range) => rangeFollowingBottom(range, followsBottom.value)
      }
    })
  )
  const rows = computed(() => virtualizer.value.getVirtualItems())
  const totalSize = computed(() => virtualizer.value.getTotalSize())

  const measureRow = measureRowsOnce((el) => virtualizer.value.measureElement(el))

  // Rows measured taller than estimated (long texts) would otherwise push the newest message out of view.
  watch(
    totalSize,
    () => {
      const el = scroller.value
      if (el && followsBottom.value && distanceFromBottom(el) > 1) el.scrollTop = el.scrollHeight
    },
    { flush: 'post' }
  )

  return { virtualizer, rows, totalSize, measureRow }
}
