// Owns the message list's keys to the two ends of a chat's history: Home / Ctrl+Home opens the chat at its first
// message (the oldest page, one round trip however long the chat is), End / Ctrl+End goes back to the newest, live.
import { nextTick, type ComputedRef, type Ref } from 'vue'
import type { ConversationMessages } from '../../stores/messages'
import { useMessageStore } from '../../stores/messages'

/** What the message log's element announces to assistive technology (aria-keyshortcuts). */
export const HISTORY_END_SHORTCUTS = 'Home End Control+Home Control+End'

export interface HistoryEndsOptions {
  conversationKey: () => string
  state: ComputedRef<ConversationMessages | undefined>
  scroller: Ref<HTMLElement | null>
  virtualizer: { readonly value: { scrollToIndex(index: number, options?: { align?: 'start' | 'center' | 'end' | 'auto' }): void } }
  followsBottom: Ref<boolean>
  /** Takes the view to the newest loaded message and follows it (the list's own "New messages ↓"). */
  scrollToBottom: () => void
  /** The list's scroll handler, run once the jump has landed (what is in view, paging from there). */
  afterMove: () => void
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()))
}

/** Keys typed into a field or an editable part of a bubble keep their usual meaning there. */
function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement
}

export function useHistoryEnds(options: HistoryEndsOptions) {
  const messageStore = useMessageStore()
  let moving = false

  /** The chat's first message at the top of the view, loading the oldest page when it is not loaded yet. */
  async function goToOldest(): Promise<void> {
    options.followsBottom.value = false
    if (options.state.value?.hasMore) await messageStore.jumpToOldest(options.conversationKey())
    await nextTick()
    options.virtualizer.value.scrollToIndex(0, { align: 'start' })
    // Rows rendered by the jump are measured now; once more so their estimated heights do not leave it off.
    await nextFrame()
    await nextFrame()
    options.virtualizer.value.scrollToIndex(0, { align: 'start' })
    const el = options.scroller.value
    if (el) el.scrollTop = 0
  }

  /** The newest message in view, following new ones; from a window far back the newest page is loaded first. */
  async function goToNewest(): Promise<void> {
    if (options.state.value?.hasNewer) await messageStore.jumpToLatest(options.conversationKey())
    await nextTick()
    options.scrollToBottom()
  }

  async function run(move: () => Promise<void>): Promise<void> {
    if (moving) return
    moving = true
    try {
      await move()
    } finally {
      moving = false
    }
    options.afterMove()
  }

  /** The "Latest messages" button: the same as End. */
  function jumpToLatest(): void {
    void run(goToNewest)
  }

  /**
   * Home / Ctrl+Home and End / Ctrl+End on the message log (Cmd on macOS as well). A key a control inside the log
   * used already (a bubble's action menu moves to its first / last item with them) is left to it.
   */
  function onKeydown(event: KeyboardEvent): void {
    if (event.key !== 'Home' && event.key !== 'End') return
    if (event.defaultPrevented || event.altKey || event.shiftKey || isEditable(event.target)) return
    event.preventDefault()
    void run(event.key === 'Home' ? goToOldest : goToNewest)
  }

  /**
   * True while a jump is under way: the list's scroll handler then leaves paging alone (the old window's position
   * seen against the new window would page the wrong way, e.g. newer pages in right after the jump to the oldest).
   */
  function isMoving(): boolean {
    return moving
  }

  return { onKeydown, jumpToLatest, isMoving }
}
