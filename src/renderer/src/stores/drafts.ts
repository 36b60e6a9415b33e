// Unsent text per conversation: kept here at once as the user types, saved to the core's store (drafts.set)
// shortly after typing pauses and when the chat is left, so drafts survive switching chats and reloads.
import { ref } from 'vue'
import { defineStore } from 'pinia'
import type { Conversation } from '../../../shared/model'
import { bridge } from '../bridge'

/** Typing pauses this long before a draft is saved: one save per pause, not one per keystroke. */
const SAVE_AFTER_MS = 300

export const useDraftStore = defineStore('drafts', () => {
  const byConversation = ref(new Map<string, string>())
  const timers = new Map<string, ReturnType<typeof setTimeout>>()

  function draftFor(conversationId: string): string {
    return byConversation.value.get(conversationId) ?? ''
  }

  async function save(conversationId: string): Promise<void> {
    const timer = timers.get(conversationId)
    if (timer) clearTimeout(timer)
    timers.delete(conversationId)
    try {
      await bridge.invoke('drafts.set', { conversationId, text: draftFor(conversationId) })
    } catch (err) {
      console.warn('[renderer:drafts] could not save a draft', err)
    }
  }

  function setDraft(conversationId: string, text: string): void {
    if (draftFor(conversationId) === text) return
    if (text) byConversation.value.set(conversationId, text)
    else byConversation.value.delete(conversationId)
    const timer = timers.get(conversationId)
    if (timer) clearTimeout(timer)
    timers.set(conversationId, setTimeout(() => void save(conversationId), SAVE_AFTER_MS))
  }

  /** Saves a pending draft now (the chat is being left, or the page is going away). */
  function flush(conversationId?: string): void {
    const ids = conversationId ? [conversationId] : [...timers.keys()]
    for (const id of ids) if (timers.has(id)) void save(id)
  }

  /** Drafts the core kept (conversations.list), unless this page already holds a newer one. */
  function adopt(conversations: readonly Conversation[]): void {
    for (const conversation of conversations) {
      if (timers.has(conversation.id)) continue
      if (conversation.draft) byConversation.value.set(conversation.id, conversation.draft)
      else byConversation.value.delete(conversation.id)
    }
  }

  window.addEventListener('pagehide', () => flush())

  function reset(): void {
    for (const timer of timers.values()) clearTimeout(timer)
    timers.clear()
    byConversation.value = new Map()
  }

  return { draftFor, setDraft, flush, adopt, reset }
})
