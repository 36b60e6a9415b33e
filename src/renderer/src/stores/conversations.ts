// The conversation list (`conversations.list` + live `conversation.upsert`), which one is open, and
// read state: the open conversation is marked read when opened and when messages arrive while focused.
import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import type { Conversation } from '../../../shared/model'
import { bridge } from '../bridge'
import { errorSentence } from '../utils/app-error'
import { usernameTooLongMessage } from '../utils/text-limits'
import { useSessionStore } from './session'

export const useConversationStore = defineStore('conversations', () => {
  const byId = ref(new Map<string, Conversation>())
  const selectedId = ref<string | null>(null)
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref<string | null>(null)
  let markReadInFlight = false
  let markReadAgain = false

  const sorted = computed(() => [...byId.value.values()].sort((a, b) => b.updatedAt - a.updatedAt))
  const selected = computed(() => (selectedId.value ? (byId.value.get(selectedId.value) ?? null) : null))
  const totalUnread = computed(() => sorted.value.reduce((sum, c) => sum + c.unreadCount, 0))

  function windowIsFocused(): boolean {
    return document.visibilityState === 'visible' && document.hasFocus()
  }

  async function markOpenConversationRead(): Promise<void> {
    const id = selectedId.value
    const conversation = id ? byId.value.get(id) : undefined
    if (!id || !conversation || conversation.unreadCount === 0) return
    if (markReadInFlight) {
      markReadAgain = true
      return
    }
    markReadInFlight = true
    byId.value.set(id, { ...conversation, unreadCount: 0 })
    try {
      await bridge.invoke('conversations.markRead', { conversationId: id })
    } catch (err) {
      console.warn('[renderer:conversations] markRead failed', err)
    } finally {
      markReadInFlight = false
      if (markReadAgain) {
        markReadAgain = false
        void markOpenConversationRead()
      }
    }
  }

  function upsert(conversation: Conversation): void {
    // A late event from a session that just ended must not leak into the next one.
    if (useSessionStore().phase !== 'signedIn') return
    byId.value.set(conversation.id, conversation)
    if (conversation.id === selectedId.value && conversation.unreadCount > 0 && windowIsFocused()) {
      void markOpenConversationRead()
    }
  }

  bridge.on('conversation.upsert', upsert)
  bridge.on('message.upsert', (message) => {
    if (message.direction === 'in' && message.conversationId === selectedId.value && windowIsFocused()) {
      void markOpenConversationRead()
    }
  })
  window.addEventListener('focus', () => void markOpenConversationRead())
  document.addEventListener('visibilitychange', () => {
    if (windowIsFocused()) void markOpenConversationRead()
  })

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      const list = await bridge.invoke('conversations.list')
      // Keep local drafts (a chat started but not yet written to) that the core does not know yet.
      const next = new Map<string, Conversation>()
      for (const [id, conversation] of byId.value) if (conversation.lastMessage === null) next.set(id, conversation)
      // An upsert that arrived while the list was in flight may be newer than the list's copy.
      for (const conversation of list) {
        const live = byId.value.get(conversation.id)
        next.set(conversation.id, live && live.updatedAt > conversation.updatedAt ? live : conversation)
      }
      byId.value = next
      loaded.value = true
    } catch (err) {
      error.value = errorSentence(err)
    } finally {
      loading.value = false
    }
  }

  function select(id: string | null): void {
    selectedId.value = id
    if (id) void markOpenConversationRead()
  }

  /**
   * Opens the chat with `username`, adding an empty conversation if there is none yet.
   * Returns a sentence when the name cannot be used, else null.
   */
  function startChat(username: string, me: string | null): string | null {
    const name = username.trim()
    if (!name) return 'Enter the username of the person you want to chat with.'
    const tooLong = usernameTooLongMessage(name)
    if (tooLong) return tooLong
    if (me !== null && name === me) return 'That is you. Enter someone else’s username.'
    if (!byId.value.has(name)) {
      byId.value.set(name, { id: name, chatType: 'single', lastMessage: null, unreadCount: 0, updatedAt: Date.now() })
    }
    select(name)
    return null
  }

  function reset(): void {
    byId.value = new Map()
    selectedId.value = null
    loaded.value = false
    error.value = null
  }

  return { sorted, selected, selectedId, totalUnread, loading, loaded, error, load, select, startChat, reset, markOpenConversationRead }
})
