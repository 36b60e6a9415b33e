// Whether the window is too narrow for the conversation list and the chat side by side: then the chat view
// shows one pane at a time. One media query listener for the whole app, started on first use.
import { readonly, ref, type Ref } from 'vue'

/**
 * Below this width the panes no longer fit: the rail (68 px) and the list (320 px) would leave the chat less
 * than about 330 px, too little for a bubble of 75% width plus the composer's send button.
 */
export const TWO_PANE_MIN_WIDTH_PX = 720

const narrow = ref(false)
let query: MediaQueryList | null = null

export function useNarrowLayout(): Readonly<Ref<boolean>> {
  if (query === null) {
    query = window.matchMedia(`(max-width: ${TWO_PANE_MIN_WIDTH_PX - 0.02}px)`)
    narrow.value = query.matches
    query.addEventListener('change', (event) => (narrow.value = event.matches))
  }
  return readonly(narrow)
}
