// The conversation list (`conversations.list` + live `conversation.upsert`, keyed by '<type>:<id>' strings from
// utils/conversation-key), which one is open, starting a chat
// (the name is looked up first) and read state: the open chat counts as read only while the window is focused
// and its newest messages are in view; otherwise arriving messages stay unread until they are seen. The open one is
// remembered for the tab (open-conversation-memory.ts) and opened again by the first load after a reload.
import { computed, ref, shallowRef, triggerRef, watch } from 'vue'
import { defineStore } from 'pinia'
import type { Conversation } from '../../../shared/model'
import { canonicalUserId } from '../../../shared/user-id'
import { bridge } from '../bridge'
import { errorSentence } from '../utils/app-error'
import { usernameRule } from '../utils/text-limits'
import { tr } from '../i18n/translate'
import { keyOfConversation, keyOfMessage, toConversationKey } from '../utils/conversation-key'
import { conversationKeyString } from '../../../shared/model'
import { useDraftStore } from './drafts'
import { useSessionStore } from './session'
import { rememberOpenConversation, rememberedOpenConversation } from './open-conversation-memory'
import { createBurstTrigger } from '../utils/burst-trigger'

/**
 * Rows the first load asks for before the whole list: more than a tall window's first screen. The whole list (a
 * thousand chats is ~0.5 MB) takes a few hundred ms more to read, send and render; the window shows this first.
 */
export const FIRST_SCREEN_CONVERSATIONS = 40

/** Under a burst of changes from the core, the list re-sorts at most this often (4 a second: still live to the eye). */
const LIST_REFRESH_MIN_INTERVAL_MS = 250

function emptyConversation(id: string): Conversation {
  return { id, chatType: 'single', title: null, lastMessage: null, unreadCount: 0, readSeq: 0, draft: null, updatedAt: Date.now() }
}

/** Whether the user can see this window: tracked from focus/blur events (the page's own view of it). */
function initialWindowActive(): boolean {
  return document.visibilityState === 'visible' && document.hasFocus()
}

export const useConversationStore = defineStore('conversations', () => {
  const drafts = useDraftStore()
  /**
   * Shallow: the conversations are plain objects, replaced whole when they change, so only the map is watched (and
   * triggered after each change of it). Deep reactivity made every sort of a 1,000-chat list track 20,000 reads, and
   * a catch-up re-sorts it with each batch (a tenth of the renderer's time in bench:ui's catch-up).
   */
  const byId = shallowRef(new Map<string, Conversation>())
  /**
   * A change from the core (an upsert) re-sorts and re-renders the list; a catch-up brings ~10 batches a second, each
   * changing hundreds of chats. Under such a burst the list refreshes at most every LIST_REFRESH_MIN_INTERVAL_MS (a
   * lone message still shows at once); this window's own actions (read, remove, load) refresh it at once.
   */
  const listRefresh = createBurstTrigger(() => triggerRef(byId), LIST_REFRESH_MIN_INTERVAL_MS)
  const selectedKey = ref<string | null>(null)
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref<string | null>(null)
  /** The window has focus and the page is visible. */
  const windowActive = ref(initialWindowActive())
  /** The open chat's newest message is in view (reported by the message list). */
  const viewingLatest = ref(false)
  let markReadInFlight = false
  let markReadAgain = false
  /** Whether this sign-in already opened the conversation remembered from before a reload (only the first load does). */
  let restored = false

  const sorted = computed(() => [...byId.value.values()].sort((a, b) => b.updatedAt - a.updatedAt))
  const selected = computed(() => (selectedKey.value ? (byId.value.get(selectedKey.value) ?? null) : null))
  const totalUnread = computed(() => sorted.value.reduce((sum, c) => sum + c.unreadCount, 0))
  /** The chat whose arriving messages the user sees as they come: only that one is read at once. */
  const activeKey = computed(() => (selectedKey.value && windowActive.value && viewingLatest.value ? selectedKey.value : null))

  async function markOpenConversationRead(): Promise<void> {
    const id = activeKey.value
    const conversation = id ? byId.value.get(id) : undefined
    if (!id || !conversation || conversation.unreadCount === 0) return
    if (markReadInFlight) {
      markReadAgain = true
      return
    }
    markReadInFlight = true
    byId.value.set(id, { ...conversation, unreadCount: 0 })
    listRefresh.now()
    try {
      await bridge.invoke('conversations.markRead', { conversation: toConversationKey(id) })
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

  // Tell the core which chat is being watched (its arriving messages are read at once), and read what is shown.
  watch(activeKey, (id) => {
    if (useSessionStore().phase !== 'signedIn') return
    bridge.invoke('conversations.setActive', { conversation: id ? toConversationKey(id) : null }).catch((err: unknown) => {
      console.warn('[renderer:conversations] setActive failed', err)
    })
    if (id) void markOpenConversationRead()
  })

  function upsert(conversation: Conversation): void {
    // A late event from a session that just ended must not leak into the next one.
    if (useSessionStore().phase !== 'signedIn') return
    const key = keyOfConversation(conversation)
    byId.value.set(key, conversation)
    listRefresh.changed()
    drafts.adopt([conversation])
    if (key === activeKey.value && conversation.unreadCount > 0) void markOpenConversationRead()
  }

  bridge.on('conversation.upsert', upsert)
  bridge.on('message.upsert', (message) => {
    if (message.direction === 'in' && keyOfMessage(message) === activeKey.value) void markOpenConversationRead()
  })
  const updateWindowActive = (): void => {
    windowActive.value = document.visibilityState === 'visible' && document.hasFocus()
  }
  window.addEventListener('focus', () => {
    windowActive.value = document.visibilityState === 'visible'
  })
  window.addEventListener('blur', () => {
    windowActive.value = false
  })
  document.addEventListener('visibilitychange', updateWindowActive)

  /** A loaded row, or the copy already here when an upsert made that one newer while the load was in flight. */
  function newerCopy(live: Conversation | undefined, loaded: Conversation): Conversation {
    return live && live.updatedAt > loaded.updatedAt ? live : loaded
  }

  /** The first screen's rows, merged in (nothing dropped): shown while the whole list is on its way. */
  async function loadFirstScreen(): Promise<void> {
    try {
      const first = await bridge.invoke('conversations.firstPage', { limit: FIRST_SCREEN_CONVERSATIONS })
      for (const conversation of first) {
        const key = keyOfConversation(conversation)
        byId.value.set(key, newerCopy(byId.value.get(key), conversation))
      }
      listRefresh.now()
    } catch (err) {
      // The whole list follows at once and says what went wrong, if anything still does.
      console.warn('[renderer:conversations] the first screen of the list could not be loaded', err)
    }
  }

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      if (!loaded.value) await loadFirstScreen()
      const list = await bridge.invoke('conversations.list')
      // Keep chats just started here (looked up, nothing written yet) that the core does not list yet.
      const next = new Map<string, Conversation>()
      for (const [id, conversation] of byId.value) if (conversation.lastMessage === null) next.set(id, conversation)
      // An upsert that arrived while the list was in flight may be newer than the list's copy.
      for (const conversation of list) {
        const key = keyOfConversation(conversation)
        next.set(key, newerCopy(byId.value.get(key), conversation))
      }
      byId.value = next
      drafts.adopt(list)
      loaded.value = true
      restoreRemembered()
    } catch (err) {
      error.value = errorSentence(err)
    } finally {
      loading.value = false
    }
  }

  /** A conversation deleted on one of my devices leaves the list (and closes when it was open). */
  function remove(key: string): void {
    byId.value.delete(key)
    listRefresh.now()
    if (selectedKey.value === key) select(null)
  }

  function select(id: string | null): void {
    if (selectedKey.value && selectedKey.value !== id) drafts.flush(selectedKey.value)
    viewingLatest.value = false
    selectedKey.value = id
    restored = true // a choice made before the list came in wins over the remembered one
    rememberOpenConversation(useSessionStore().session, id)
  }

  /** After a reload: opens the conversation that was open before, if it is still in the list and none is open yet. */
  function restoreRemembered(): void {
    if (restored) return
    restored = true
    const key = rememberedOpenConversation(useSessionStore().session)
    if (key && selectedKey.value === null && byId.value.has(key)) select(key)
  }

  /** Highest seq already sent as read per conversation, so scrolling does not repeat the same request. */
  const seenSent = new Map<string, number>()

  /**
   * The user has seen the open chat up to the message `seq` (scrolled up, reading older unread messages): the
   * read pointer moves there, so the unread count drops by what was read. Only while the window is active.
   */
  function markSeenUpTo(id: string, seq: number): void {
    const conversation = byId.value.get(id)
    if (!windowActive.value || id !== selectedKey.value || !conversation || conversation.unreadCount === 0) return
    if (seq <= Math.max(conversation.readSeq, seenSent.get(id) ?? 0)) return
    seenSent.set(id, seq)
    bridge.invoke('conversations.markRead', { conversation: toConversationKey(id), uptoSeq: seq }).catch((err: unknown) => {
      console.warn('[renderer:conversations] markRead up to a message failed', err)
    })
  }

  /** The message list says whether the newest message is in view. */
  function setViewingLatest(value: boolean): void {
    viewingLatest.value = value
    if (value) void markOpenConversationRead()
  }

  /**
   * Opens the chat with `typed`: an existing chat with that user (whatever the case), or — once the server
   * says the user exists — a new one. Resolves with a sentence when the chat cannot be started, else null.
   */
  async function startChat(typed: string, me: string | null): Promise<string | null> {
    const name = typed.trim()
    if (!name) return tr('conversations.newChatDialog.enterUsername')
    const id = canonicalUserId(name)
    if (id === null) return usernameRule()
    if (me !== null && id === canonicalUserId(me)) return tr('conversations.newChatDialog.isYou')
    const key = conversationKeyString({ type: 'single', id })
    if (!byId.value.has(key)) {
      try {
        const found = await bridge.invoke('users.lookup', { username: id })
        const foundKey = conversationKeyString({ type: 'single', id: found.user })
        if (!byId.value.has(foundKey)) byId.value.set(foundKey, emptyConversation(found.user))
        listRefresh.now()
        select(foundKey)
        return null
      } catch (err) {
        return errorSentence(err)
      }
    }
    select(key)
    return null
  }

  function reset(): void {
    listRefresh.cancel()
    byId.value = new Map()
    selectedKey.value = null
    restored = false
    viewingLatest.value = false
    seenSent.clear()
    loaded.value = false
    error.value = null
    drafts.reset()
  }

  return {
    sorted,
    selected,
    selectedKey,
    totalUnread,
    activeKey,
    windowActive,
    loading,
    loaded,
    error,
    load,
    select,
    setViewingLatest,
    markSeenUpTo,
    startChat,
    reset,
    remove,
    markOpenConversationRead
  }
})
