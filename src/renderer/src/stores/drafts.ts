// Unsent text per conversation: kept here at once as the user types, saved to the core's store (drafts.set)
// shortly after typing pauses and when the chat is left, so drafts survive switching chats and reloads.
import { ref } from 'vue'
import { defineStore } from 'pinia'
import type { Conversation } from '../../../shared/model'
import { bridge } from '../bridge'
import { keyOfConversation, toConversationKey } from '../utils/conversation-key'

/** Typing pauses this long before a draft is saved: one save per pause, not one per keystroke. */
const SAVE_AFTER_MS = 300

export const useDraftStore = defineStore('drafts', () => {
  const byConversation = ref(new Map<string, string>())
  const timers = new Map<string, ReturnType<typeof setTimeout>>()

  function draftFor(conversationKey: string): string {
    return byConversation.value.get(conversationKey) ?? ''
  }

  async function save(conversationKey: string): Promise<void> {
    const timer = timers.get(conversationKey)
    if (timer) clearTimeout(timer)
    timers.delete(conversationKey)
    try {
      await bridge.invoke('drafts.set', { conversation: toConversationKey(conversationKey), text: draftFor(conversationKey) })
    } catch (err) {
      console.warn('[renderer:drafts] could not save a draft', err)
    }
  }

  function setDraft(conversationKey: string, text: string): void {
    if (draftFor(conversationKey) === text) return
    if (text) byConversation.value.set(conversationKey, text)
    else byConversation.value.delete(conversationKey)
    const timer = timers.get(conversationKey)
    if (timer) clearTimeout(timer)
    timers.set(conversationKey, setTimeout(() => void save(conversationKey), SAVE_AFTER_MS))
  }

  /** Saves a pending draft now (the chat is being left, or the page is going away). */
  function flush(conversationKey?: string): void {
    const ids = conversationKey ? [conversationKey] : [...timers.keys()]
    for (const id of ids) if (timers.has(id)) void save(id)
  }

  /** Drafts the core kept (conversations.list), unless this page already holds a newer one. */
  function adopt(conversations: readonly Conversation[]): void {
    for (const conversation of conversations) {
      const key = keyOfConversation(conversation)
      if (timers.has(key)) continue
      if (conversation.draft) byConversation.value.set(key, conversation.draft)
      else byConversation.value.delete(key)
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
