// Messages per conversation: pages loaded with `messages.page` (keyset by the oldest loaded seq), live
// `message.upsert` merged by id, sending and retrying. Ordering and merging live in utils/message-order.
import { reactive } from 'vue'
import { defineStore } from 'pinia'
import type { ChatMessage } from '../../../shared/model'
import { bridge } from '../bridge'
import { errorSentence } from '../utils/app-error'
import { mergeMessages, oldestSeq } from '../utils/message-order'
import { keyOfMessage, toConversationKey } from '../utils/conversation-key'
import { FIRST_PAGE_SIZE, olderPageSize } from '../utils/page-sizes'

const PAGE_SIZE = FIRST_PAGE_SIZE

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
  /** Opened at a search hit far back: newer messages exist beyond the last loaded one (loadNewer pages them in). */
  hasNewer: boolean
  /** The message a search result opened: the list scrolls to it and highlights it (then clears this). */
  focusId: string | null
  /**
   * The newest message a page load brought (not a live arrival): the list follows arrivals at the end, never the
   * end of a page paged in below a window opened far back.
   */
  lastPagedId: string | null
}

function emptyBucket(): ConversationMessages {
  return { messages: [], hasMore: true, loaded: false, loadingInitial: false, loadingOlder: false, error: null, hasNewer: false, focusId: null, lastPagedId: null }
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

  /**
   * Live messages merged at the end of the task that brought them, per conversation: a catch-up's `sync.batch` hands
   * hundreds of one chat's messages over in one task, merged (and sorted) once instead of once each.
   */
  const arriving = new Map<string, ChatMessage[]>()
  function mergeArriving(): void {
    for (const [key, messages] of arriving) {
      const bucket = buckets.get(key)
      if (!bucket) continue
      // A window opened far back gets new messages when it pages up to them, never after a hole.
      const known = bucket.hasNewer ? new Set(bucket.messages.map((m) => m.id)) : null
      const kept = known ? messages.filter((m) => known.has(m.id)) : messages
      if (kept.length > 0) merge(key, kept)
    }
    arriving.clear()
  }

  bridge.on('message.upsert', (message) => {
    // Conversations never opened load their latest page when opened; only keep what is on screen current.
    const key = keyOfMessage(message)
    if (!buckets.has(key)) return
    if (arriving.size === 0) queueMicrotask(mergeArriving)
    const waiting = arriving.get(key)
    if (waiting) waiting.push(message)
    else arriving.set(key, [message])
  })

  /** First page of a conversation (no-op when already loaded or loading). */
  async function loadInitial(conversationKey: string): Promise<void> {
    const bucket = bucketFor(conversationKey)
    // Opened normally after a search hit left a window far back: start again at the newest page.
    if (bucket.loaded && bucket.hasNewer && bucket.focusId === null) Object.assign(bucket, emptyBucket())
    if (bucket.loaded || bucket.loadingInitial) return
    bucket.loadingInitial = true
    bucket.error = null
    try {
      const page = await bridge.invoke('messages.page', { conversation: toConversationKey(conversationKey), beforeSeq: null, limit: PAGE_SIZE })
      merge(conversationKey, page.messages)
      bucket.hasMore = page.hasMore
      bucket.lastPagedId = page.messages[page.messages.length - 1]?.id ?? null
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
      // Grows with what is loaded: a user who keeps scrolling up gets to the oldest in few round trips.
      const limit = olderPageSize(bucket.messages.length)
      const page = await bridge.invoke('messages.page', { conversation: toConversationKey(conversationKey), beforeSeq, limit })
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

  /**
   * Opening a search hit: the page around the message replaces what was loaded (it may be far back), and the
   * message list scrolls to it (focusId). Rejects with the AppErrorShape when the message is gone.
   */
  async function jumpTo(conversationKey: string, messageId: string): Promise<void> {
    const window = await bridge.invoke('messages.around', { conversation: toConversationKey(conversationKey), messageId, limit: PAGE_SIZE })
    const bucket = bucketFor(conversationKey)
    Object.assign(bucket, emptyBucket(), {
      messages: mergeMessages([], window.messages),
      hasMore: window.hasMore,
      hasNewer: window.hasNewer,
      loaded: true,
      focusId: messageId,
      lastPagedId: window.messages[window.messages.length - 1]?.id ?? null
    })
  }

  /**
   * Home / Ctrl+Home in a long chat: the oldest page replaces what was loaded (a window at the start of the history,
   * like a search hit's), in one round trip however long the chat is; scrolling down pages newer messages in.
   */
  async function jumpToOldest(conversationKey: string): Promise<void> {
    const bucket = bucketFor(conversationKey)
    if (bucket.loaded && !bucket.hasMore) return
    bucket.error = null
    try {
      const window = await bridge.invoke('messages.after', { conversation: toConversationKey(conversationKey), afterSeq: 0, limit: PAGE_SIZE })
      Object.assign(bucket, emptyBucket(), {
        messages: mergeMessages([], window.messages),
        hasMore: false,
        hasNewer: window.hasNewer,
        loaded: true,
        lastPagedId: window.messages[window.messages.length - 1]?.id ?? null
      })
    } catch (err) {
      bucket.error = errorSentence(err)
    }
  }

  /** End / Ctrl+End or "Latest messages" from a window far back: the newest page again, live from there on. */
  async function jumpToLatest(conversationKey: string): Promise<void> {
    const bucket = bucketFor(conversationKey)
    if (!bucket.hasNewer) return
    Object.assign(bucket, emptyBucket())
    await loadInitial(conversationKey)
  }

  /** The search hit was scrolled to: forget it (the list keeps its own highlight for a moment). */
  function clearFocus(conversationKey: string): void {
    const bucket = buckets.get(conversationKey)
    if (bucket) bucket.focusId = null
  }

  /** Next newer page of a window opened far back; resolves with how many messages were added. */
  async function loadNewer(conversationKey: string): Promise<number> {
    const bucket = bucketFor(conversationKey)
    const newest = [...bucket.messages].reverse().find((message) => message.seq !== null)
    if (!bucket.loaded || !bucket.hasNewer || bucket.loadingOlder || !newest) return 0
    bucket.loadingOlder = true
    bucket.error = null
    try {
      const page = await bridge.invoke('messages.after', { conversation: toConversationKey(conversationKey), afterSeq: newest.seq!, limit: PAGE_SIZE })
      const before = bucket.messages.length
      merge(conversationKey, page.messages)
      bucket.lastPagedId = page.messages[page.messages.length - 1]?.id ?? bucket.lastPagedId
      bucket.hasNewer = page.hasNewer
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
    if (!bucket?.loaded || bucket.hasNewer) return
    try {
      const page = await bridge.invoke('messages.page', { conversation: toConversationKey(conversationKey), beforeSeq: null, limit: PAGE_SIZE })
      merge(conversationKey, page.messages)
    } catch (err) {
      console.warn('[renderer:messages] refresh after reconnect failed', err)
    }
  }

  /** Sends; rejects with the AppErrorShape when the core refuses (e.g. TEXT_TOO_LONG). */
  /** `mentions`: who a group message @mentions (and @all), from the composer's autocomplete. */
  async function sendText(
    to: string,
    text: string,
    mentions: { mentions?: string[]; mentionAll?: boolean; replyTo?: string; burnAfterReadSec?: number } = {}
  ): Promise<ChatMessage> {
    const message = await bridge.invoke('messages.sendText', { to: toConversationKey(to), text, ...mentions })
    merge(keyOfMessage(message), [message])
    return message
  }

  /** Drops a conversation's loaded messages (it was deleted on one of my devices). */
  function forget(conversationKey: string): void {
    buckets.delete(conversationKey)
  }

  /** Forwards messages to conversations ('<type>:<id>' keys); the sent copies arrive as message.upsert. */
  async function forward(messageIds: string[], targets: string[]): Promise<void> {
    const sent = await bridge.invoke('messages.forward', { messageIds, targets: targets.map(toConversationKey) })
    for (const message of sent) merge(keyOfMessage(message), [message])
  }

  async function retry(messageId: string): Promise<void> {
    const message = await bridge.invoke('messages.retry', { messageId })
    merge(keyOfMessage(message), [message])
  }

  /** A message made elsewhere in the renderer (an attachment sent by features/messages) shown at once. */
  function upsert(message: ChatMessage): void {
    merge(keyOfMessage(message), [message])
  }

  /** A message changed by a request of this window (recall, edit): merged at once, the push may come later. */
  function mergeOne(message: ChatMessage): void {
    if (buckets.has(keyOfMessage(message))) merge(keyOfMessage(message), [message])
  }

  /** Messages that left the device (deleted for me, cleared, expired): features/messages/message-ops-store. */
  function removeMessages(conversationKey: string, ids: readonly string[]): void {
    const bucket = buckets.get(conversationKey)
    if (!bucket) return
    const gone = new Set(ids)
    bucket.messages = bucket.messages.filter((m) => !gone.has(m.id))
  }

  function stateOf(conversationKey: string): ConversationMessages | undefined {
    return buckets.get(conversationKey)
  }

  function reset(): void {
    buckets.clear()
  }

  return { loadInitial, loadOlder, loadNewer, jumpTo, jumpToOldest, jumpToLatest, clearFocus, refreshLatest, sendText, retry, mergeOne, removeMessages, upsert, forget, forward, stateOf, reset }
})
