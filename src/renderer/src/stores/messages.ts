// Messages per conversation: pages loaded with `messages.page` (keyset by the oldest loaded seq), live
// `message.upsert` merged by id, sending and retrying. Ordering and merging live in utils/message-order.
import { reactive } from 'vue'
import { defineStore } from 'pinia'
import type { ChatMessage } from '../../../shared/model'
import { bridge } from '../bridge'
import { errorSentence } from '../utils/app-error'
import { mergeMessages, oldestSeq } from '../utils/message-order'
import { keyOfMessage, toConversationKey } from '../utils/conversation-key'

const PAGE_SIZE = 50

export interface ConversationMessages {
  messages: ChatMessage[]
  /** Whether older messages exist beyond the oldest loaded one. */
  hasMore: boolean
  /** The first page has been loaded at least once. */
  loaded: boolean
  loadingInitial: boolean
  loadingOlder: boolean
  /** Why the last page load failed, as a sentence; null when fine. */
  error: string | null
}

function emptyBucket(): ConversationMessages {
  return { messages: [], hasMore: true, loaded: false, loadingInitial: false, loadingOlder: false, error: null }
}

export const useMessageStore = defineStore('messages', () => {
  const buckets = reactive(new Map<string, ConversationMessages>())

  function bucketFor(conversationKey: string): ConversationMessages {
    let bucket = buckets.get(conversationKey)
    if (!bucket) {
      buckets.set(conversationKey, emptyBucket())
      // Read back through the reactive map so later writes are tracked.
      bucket = buckets.get(conversationKey) as ConversationMessages
    }
    return bucket
  }

  function merge(conversationKey: string, incoming: readonly ChatMessage[]): void {
    const bucket = bucketFor(conversationKey)
    bucket.messages = mergeMessages(bucket.messages, incoming)
  }

  bridge.on('message.upsert', (message) => {
    // Conversations never opened load their latest page when opened; only keep what is on screen current.
    if (buckets.has(keyOfMessage(message))) merge(keyOfMessage(message), [message])
  })

  /** First page of a conversation (no-op when already loaded or loading). */
  async function loadInitial(conversationKey: string): Promise<void> {
    const bucket = bucketFor(conversationKey)
    if (bucket.loaded || bucket.loadingInitial) return
    bucket.loadingInitial = true
    bucket.error = null
    try {
      const page = await bridge.invoke('messages.page', { conversation: toConversationKey(conversationKey), beforeSeq: null, limit: PAGE_SIZE })
      merge(conversationKey, page.messages)
      bucket.hasMore = page.hasMore
      bucket.loaded = true
    } catch (err) {
      bucket.error = errorSentence(err)
    } finally {
      bucket.loadingInitial = false
    }
  }

  /** Next older page; resolves with how many messages were added. */
  async function loadOlder(conversationKey: string): Promise<number> {
    const bucket = bucketFor(conversationKey)
    if (!bucket.loaded || !bucket.hasMore || bucket.loadingOlder) return 0
    const beforeSeq = oldestSeq(bucket.messages)
    if (beforeSeq === null) {
      bucket.hasMore = false
      return 0
    }
    bucket.loadingOlder = true
    bucket.error = null
    try {
      const page = await bridge.invoke('messages.page', { conversation: toConversationKey(conversationKey), beforeSeq, limit: PAGE_SIZE })
      const before = bucket.messages.length
      merge(conversationKey, page.messages)
      bucket.hasMore = page.hasMore
      return bucket.messages.length - before
    } catch (err) {
      bucket.error = errorSentence(err)
      return 0
    } finally {
      bucket.loadingOlder = false
    }
  }

  /** After a reconnect: merge the newest page again so nothing missed while down stays missing. */
  async function refreshLatest(conversationKey: string): Promise<void> {
    const bucket = buckets.get(conversationKey)
    if (!bucket?.loaded) return
    try {
      const page = await bridge.invoke('messages.page', { conversation: toConversationKey(conversationKey), beforeSeq: null, limit: PAGE_SIZE })
      merge(conversationKey, page.messages)
    } catch (err) {
      console.warn('[renderer:messages] refresh after reconnect failed', err)
    }
  }

  /** Sends; rejects with the AppErrorShape when the core refuses (e.g. TEXT_TOO_LONG). */
  /** `mentions`: who a group message @mentions (and @all), from the composer's autocomplete. */
  async function sendText(to: string, text: string, mentions: { mentions?: string[]; mentionAll?: boolean } = {}): Promise<ChatMessage> {
    const message = await bridge.invoke('messages.sendText', { to: toConversationKey(to), text, ...mentions })
    merge(keyOfMessage(message), [message])
    return message
  }

  async function retry(messageId: string): Promise<void> {
    const message = await bridge.invoke('messages.retry', { messageId })
    merge(keyOfMessage(message), [message])
  }

  /** A message made elsewhere in the renderer (an attachment sent by features/messages) shown at once. */
  function upsert(message: ChatMessage): void {
    merge(keyOfMessage(message), [message])
  }

  function stateOf(conversationKey: string): ConversationMessages | undefined {
    return buckets.get(conversationKey)
  }

  function reset(): void {
    buckets.clear()
  }

  return { loadInitial, loadOlder, refreshLatest, sendText, retry, upsert, stateOf, reset }
})
