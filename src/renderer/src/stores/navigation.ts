// Which section the list pane shows (chats, contacts, rooms) and the count badges of the rail's section buttons,
// set by the feature that owns each count (e.g. pending friend requests), so the rail depends on no feature.
import { ref } from 'vue'
import { defineStore } from 'pinia'

export type AppSection = 'chats' | 'contacts' | 'rooms'

export const useNavigationStore = defineStore('navigation', () => {
  const section = ref<AppSection>('chats')
  const badges = ref<Record<AppSection, number>>({ chats: 0, contacts: 0, rooms: 0 })

  function show(next: AppSection): void {
    section.value = next
  }

  function setBadge(of: AppSection, count: number): void {
    badges.value = { ...badges.value, [of]: Math.max(0, Math.floor(count)) }
  }

  function reset(): void {
    section.value = 'chats'
    badges.value = { chats: 0, contacts: 0, rooms: 0 }
  }

  return { section, badges, show, setBadge, reset }
})
