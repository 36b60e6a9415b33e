// Owns the search shortcut: Ctrl/Cmd+F or Ctrl/Cmd+K anywhere on the main screen opens the search field of the
// list pane (switching the pane to chats).
import { onBeforeUnmount, onMounted } from 'vue'
import { useSearchStore } from './search-store'

export function isSearchShortcut(event: KeyboardEvent): boolean {
  if (!(event.ctrlKey || event.metaKey) || event.shiftKey || event.altKey) return false
  const key = event.key.toLowerCase()
  return key === 'f' || key === 'k'
}

export function useSearchShortcut(): void {
  const search = useSearchStore()
  function onKeydown(event: KeyboardEvent): void {
    if (!isSearchShortcut(event)) return
    event.preventDefault()
    search.requestFocus()
  }
  onMounted(() => window.addEventListener('keydown', onKeydown))
  onBeforeUnmount(() => {
    window.removeEventListener('keydown', onKeydown)
    search.reset()
  })
}
