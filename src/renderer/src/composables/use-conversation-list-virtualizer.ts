// Owns the conversation list's virtualisation (@tanstack/vue-virtual): only the rows in view plus a few are in the
// DOM, rows keyed by conversation key and measured, the selected row brought into view when the selection changes,
// and moving keyboard focus to any row by index (a row out of view is rendered first).
import { computed, nextTick, watch, type Ref } from 'vue'
import { useVirtualizer } from '@tanstack/vue-virtual'
import { measureRowsOnce } from './measure-rows-once'

/** A row's height before it is measured: avatar 44 px + 2 x 10 px padding. */
export const ESTIMATED_CONVERSATION_ROW_PX = 64
/** Space between rows (was the list's flex gap). */
const ROW_GAP_PX = 2
/**
 * Rows rendered beyond the viewport on each side: enough for a fast wheel flick not to show blank space, few enough
 * that a list of 1,000 chats keeps a few hundred DOM nodes.
 */
const OVERSCAN_ROWS = 6
/** Frames to wait for a row scrolled to to be rendered before focusing it. */
const FOCUS_FRAMES = 3

export interface ConversationListVirtualizerOptions<T> {
  items: Ref<readonly T[]>
  scroller: Ref<HTMLElement | null>
  keyOf: (item: T) => string
  selectedKey: Ref<string | null>
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()))
}

export function useConversationListVirtualizer<T>(options: ConversationListVirtualizerOptions<T>) {
  const { items, scroller, keyOf, selectedKey } = options
  const indexByKey = computed(() => new Map(items.value.map((item, index) => [keyOf(item), index])))
  const virtualizer = useVirtualizer(
    computed(() => {
      const list = items.value
      return {
        count: list.length,
        getScrollElement: () => scroller.value,
        estimateSize: () => ESTIMATED_CONVERSATION_ROW_PX,
        overscan: OVERSCAN_ROWS,
        gap: ROW_GAP_PX,
        getItemKey: (index: number) => (list[index] === undefined ? index : keyOf(list[index] as T))
      }
    })
  )
  const rows = computed(() => virtualizer.value.getVirtualItems())
  const totalSize = computed(() => virtualizer.value.getTotalSize())

  const measureRow = measureRowsOnce((el) => virtualizer.value.measureElement(el))

  /** Whether the row at `index` is wholly inside the scroller's view. */
  function inView(index: number): boolean {
    const el = scroller.value
    const item = virtualizer.value.measurementsCache[index]
    if (!el || !item) return false
    return item.start >= el.scrollTop && item.end <= el.scrollTop + el.clientHeight
  }

  // A chat selected elsewhere (new chat, search hit, notification, next/previous) shows in the list as selected.
  watch(selectedKey, async (key) => {
    const index = key === null ? undefined : indexByKey.value.get(key)
    if (index === undefined || inView(index)) return
    await nextTick()
    virtualizer.value.scrollToIndex(index, { align: 'auto' })
  })

  /**
   * The row a focus move is still bringing in (not rendered yet), else null. Keys pressed meanwhile move on from it:
   * read from the focused button, a held-down arrow lost every press that came before the row was there.
   */
  let focusTarget: number | null = null

  /** Where the next key press moves from: the row still being brought in, else the focused row's `current`. */
  function focusOrigin(current: number): number {
    return focusTarget ?? current
  }

  /** Scrolls the row at `index` into view and focuses its conversation button (a later move supersedes this one). */
  async function focusRow(index: number, list: HTMLElement | null): Promise<void> {
    focusTarget = index
    if (!inView(index)) virtualizer.value.scrollToIndex(index, { align: 'auto' })
    try {
      for (let frame = 0; frame <= FOCUS_FRAMES && focusTarget === index; frame++) {
        const button = list?.querySelector<HTMLButtonElement>(`[data-index="${index}"] button.conversation-item`)
        if (button) {
          button.focus()
          return
        }
        await nextFrame()
      }
    } finally {
      if (focusTarget === index) focusTarget = null
    }
  }

  return { virtualizer, rows, totalSize, measureRow, focusRow, focusOrigin }
}
