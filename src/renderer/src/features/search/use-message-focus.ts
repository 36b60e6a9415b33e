// Owns the message list's side of opening a search hit: scrolling to the message the hit named (loaded around it
// by the message store), highlighting it for a moment, and paging newer messages in when the list was opened far
// back and the user scrolls down.
import { nextTick, ref, watch, type ComputedRef, type Ref } from 'vue'
import type { ChatMessage } from '../../../../shared/model'
import { distanceFromBottom } from '../../composables/use-bottom-anchored-virtualizer'
import { useMessageStore, type ConversationMessages } from '../../stores/messages'

/** Long enough to find the message with the eye after the jump, short enough not to linger. */
const HIGHLIGHT_MS = 4_000
/** Start loading newer messages this close to the bottom of a window opened far back. */
const LOAD_NEWER_THRESHOLD_PX = 240

export interface MessageFocusOptions {
  conversationKey: () => string
  items: ComputedRef<ChatMessage[]>
  state: ComputedRef<ConversationMessages | undefined>
  scroller: Ref<HTMLElement | null>
  virtualizer: { readonly value: { scrollToIndex(index: number, options?: { align?: 'start' | 'center' | 'end' | 'auto' }): void } }
  followsBottom: Ref<boolean>
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()))
}

export function useMessageFocus(options: MessageFocusOptions) {
  const messageStore = useMessageStore()
  /** The message shown highlighted (a search hit just opened); null when none. */
  const highlightedId = ref<string | null>(null)
  let highlightTimer: ReturnType<typeof setTimeout> | null = null
  let loadingNewer = false

  /** Scrolls the focused message (if any) to the middle of the view and highlights it; false when there is none. */
  async function scrollToFocused(): Promise<boolean> {
    const focusId = options.state.value?.focusId ?? null
    if (focusId === null) return false
    const index = options.items.value.findIndex((message) => message.id === focusId)
    messageStore.clearFocus(options.conversationKey())
    if (index < 0 || !options.scroller.value) return false
    options.followsBottom.value = false
    await nextTick()
    options.virtualizer.value.scrollToIndex(index, { align: 'center' })
    // Rows rendered by the jump are measured now; jump again so their estimated heights do not leave it off.
    await nextFrame()
    await nextFrame()
    options.virtualizer.value.scrollToIndex(index, { align: 'center' })
    highlightedId.value = focusId
    if (highlightTimer) clearTimeout(highlightTimer)
    highlightTimer = setTimeout(() => {
      highlightedId.value = null
    }, HIGHLIGHT_MS)
    return true
  }

  /** A window opened far back: page newer messages in while the bottom is near. */
  async function loadNewerIfNeeded(): Promise<void> {
    const el = options.scroller.value
    if (loadingNewer || !el || !options.state.value?.hasNewer) return
    if (distanceFromBottom(el) > LOAD_NEWER_THRESHOLD_PX) return
    loadingNewer = true
    try {
      await messageStore.loadNewer(options.conversationKey())
    } finally {
      loadingNewer = false
    }
  }

  // Another hit of the conversation already on screen: the list stays mounted, so jump from here.
  watch(
    () => options.state.value?.focusId,
    (focusId) => {
      if (focusId) void nextTick(() => scrollToFocused())
    }
  )

  return { highlightedId, scrollToFocused, loadNewerIfNeeded }
}
