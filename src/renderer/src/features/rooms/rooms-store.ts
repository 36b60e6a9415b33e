// The chat rooms as the renderer sees them: the rooms this device is in (info and live messages, from the core's
// rooms.event pushes applied once per animation frame), the directory pages, and the room actions over the bridge.
import { computed, ref, shallowRef, triggerRef, watch } from 'vue'
import { defineStore } from 'pinia'
import type { ChatMessage, Conversation } from '../../../../shared/model'
import { conversationKeyString, parseConversationKeyString } from '../../../../shared/model'
import { mergeRoomMessages, type JoinedRoom, type RoomEvent, type RoomInfo } from '../../../../shared/model/rooms'
import { bridge } from '../../bridge'
import { useConversationStore } from '../../stores/conversations'
import { useNavigationStore } from '../../stores/navigation'
import { followSignedInSession, useSessionStore } from '../../stores/session'
import { errorSentence } from '../../utils/app-error'

/** Rooms per directory page: a screenful of the lobby. */
export const DIRECTORY_PAGE_SIZE = 20

/** A joined room in the renderer: what the core keeps, plus what arrived while the room was not on screen. */
export interface RoomView extends JoinedRoom {
  unseen: number
  /** ms since epoch of the room's latest activity here (joined, or its newest message): orders it among the chats. */
  activeAt: number
}

/** When a room was last active: its newest message, else when this device joined it (`since`). */
function activityOf(messages: readonly ChatMessage[], since: number): number {
  return Math.max(since, messages.at(-1)?.timestamp ?? 0)
}

export function roomKey(room: string): string {
  return conversationKeyString({ type: 'room', id: room })
}

/** The room id of a conversation key string, or null when it is not a room. */
export function roomOfKey(key: string | null): string | null {
  const parsed = key ? parseConversationKeyString(key) : null
  return parsed?.type === 'room' ? parsed.id : null
}

export const useRoomStore = defineStore('rooms', () => {
  const conversations = useConversationStore()
  const navigation = useNavigationStore()
  /** Shallow: a busy room replaces its message array once per frame, and one trigger re-renders what reads it. */
  const joined = shallowRef(new Map<string, RoomView>())
  /** Why a room on screen was left (kicked, deleted, …): shown in its place until it is closed or joined again. */
  const exits = ref(new Map<string, string>())
  /** Bumped when a room's attributes change (a push): the members drawer reads them again. */
  const attributesVersion = ref(new Map<string, number>())
  const directory = ref<RoomInfo[]>([])
  const directoryQuery = ref('')
  const directoryNext = ref<string | null>(null)
  const directoryLoading = ref(false)
  const directoryError = ref<string | null>(null)
  const loaded = ref(false)

  const openRoom = computed(() => roomOfKey(conversations.selectedKey))
  const joinedList = computed(() => [...joined.value.values()].sort((a, b) => a.info.name.localeCompare(b.info.name)))
  const totalUnseen = computed(() => joinedList.value.reduce((sum, room) => sum + room.unseen, 0))
  /** The joined rooms as rows of the conversation list, which mixes chats, groups and rooms (newest activity first). */
  const asConversations = computed<Conversation[]>(() =>
    joinedList.value.map((room) => ({
      id: room.info.id,
      chatType: 'room',
      title: room.info.name,
      lastMessage: room.messages.at(-1) ?? null,
      unreadCount: room.unseen,
      readSeq: 0,
      draft: null,
      updatedAt: room.activeAt
    }))
  )
  watch(totalUnseen, (count) => navigation.setBadge('rooms', count))

  // Room traffic can arrive hundreds of times a second: queue the pushes and apply them once per animation frame,
  // so Vue re-renders the open room at most once a frame however fast the room is.
  let queue: RoomEvent[] = []
  let frameRequested = false

  bridge.on('rooms.event', (event) => {
    if (useSessionStore().phase !== 'signedIn') return
    queue.push(event)
    if (!frameRequested) {
      frameRequested = true
      requestAnimationFrame(flush)
    }
  })

  function flush(): void {
    frameRequested = false
    const events = queue
    queue = []
    for (const event of events) apply(event)
    triggerRef(joined)
  }

  function put(room: string, view: RoomView): void {
    joined.value.set(room, view)
  }

  function apply(event: RoomEvent): void {
    const current = joined.value.get(event.room)
    switch (event.kind) {
      case 'snapshot': {
        const messages = mergeRoomMessages(current?.messages ?? [], event.joined.messages)
        put(event.room, { info: event.joined.info, messages, unseen: current?.unseen ?? 0, activeAt: activityOf(messages, current?.activeAt ?? Date.now()) })
        exits.value.delete(event.room)
        return
      }
      case 'messages': {
        if (!current) return
        const arrived = event.messages.filter((m) => m.direction === 'in' && !current.messages.some((kept) => kept.id === m.id)).length
        const unseen = openRoom.value === event.room ? 0 : current.unseen + arrived
        const messages = mergeRoomMessages(current.messages, event.messages)
        put(event.room, { ...current, messages, unseen, activeAt: activityOf(messages, current.activeAt) })
        return
      }
      case 'member':
      case 'info':
        if (current) put(event.room, { ...current, info: event.info })
        return
      case 'attributes':
        attributesVersion.value.set(event.room, (attributesVersion.value.get(event.room) ?? 0) + 1)
        return
      case 'exit':
        joined.value.delete(event.room)
        // Why, as a reason code (RoomExitReason) the view says in the user's language.
        if (event.reason !== 'left') exits.value.set(event.room, event.reason)
        return
    }
  }

  /** The rooms the core is in (after the app opened, or a reload of the page while the session went on). */
  async function load(): Promise<void> {
    try {
      const rooms = await bridge.invoke('rooms.joined')
      const next = new Map<string, RoomView>()
      for (const room of rooms) {
        const known = joined.value.get(room.info.id)
        next.set(room.info.id, { ...room, unseen: known?.unseen ?? 0, activeAt: activityOf(room.messages, known?.activeAt ?? Date.now()) })
      }
      joined.value = next
      loaded.value = true
    } catch (err) {
      directoryError.value = errorSentence(err)
    }
  }

  async function search(query: string): Promise<void> {
    directoryQuery.value = query.trim()
    directoryNext.value = null
    directory.value = []
    await loadMore()
  }

  async function loadMore(): Promise<void> {
    if (directoryLoading.value) return
    directoryLoading.value = true
    directoryError.value = null
    try {
      const page = await bridge.invoke('rooms.directory', { query: directoryQuery.value, after: directoryNext.value, limit: DIRECTORY_PAGE_SIZE })
      const known = new Set(directory.value.map((room) => room.id))
      directory.value = [...directory.value, ...page.rooms.filter((room) => !known.has(room.id))]
      directoryNext.value = page.next
    } catch (err) {
      directoryError.value = errorSentence(err)
    } finally {
      directoryLoading.value = false
    }
  }

  /** Joins and opens the room. Rejects with the reason (full, banned, …). */
  async function join(room: string): Promise<void> {
    const snapshot = await bridge.invoke('rooms.join', { room })
    const current = joined.value.get(room)
    const messages = mergeRoomMessages(current?.messages ?? [], snapshot.messages)
    put(room, { info: snapshot.info, messages, unseen: 0, activeAt: activityOf(messages, Date.now()) })
    exits.value.delete(room)
    triggerRef(joined)
    open(room)
  }

  function open(room: string): void {
    const view = joined.value.get(room)
    if (view && view.unseen > 0) {
      put(room, { ...view, unseen: 0 })
      triggerRef(joined)
    }
    conversations.select(roomKey(room))
  }

  /** Creates a room and joins it (the creator is its owner). */
  async function create(name: string, description: string, maxMembers: number): Promise<void> {
    const { room } = await bridge.invoke('rooms.create', { name, description, maxMembers })
    await join(room)
    if (directory.value.length > 0 || directoryQuery.value === '') void search(directoryQuery.value)
  }

  async function leave(room: string): Promise<void> {
    await bridge.invoke('rooms.leave', { room })
    joined.value.delete(room)
    triggerRef(joined)
    if (openRoom.value === room) conversations.select(null)
  }

  async function send(room: string, text: string): Promise<ChatMessage> {
    return bridge.invoke('rooms.sendText', { room, text })
  }

  /** The open room was seen: nothing unseen in it. */
  function markSeen(room: string): void {
    const view = joined.value.get(room)
    if (view && view.unseen > 0) {
      put(room, { ...view, unseen: 0 })
      triggerRef(joined)
    }
  }

  /** A room's info changed by an action of this viewer (the answer carries it at once, the push comes later). */
  function noteInfo(info: RoomInfo): void {
    const view = joined.value.get(info.id)
    if (!view) return
    put(info.id, { ...view, info })
    triggerRef(joined)
  }

  function closeExit(room: string): void {
    exits.value.delete(room)
    if (openRoom.value === room) conversations.select(null)
  }

  function reset(): void {
    queue = []
    joined.value = new Map()
    exits.value = new Map()
    directory.value = []
    directoryQuery.value = ''
    directoryNext.value = null
    directoryError.value = null
    loaded.value = false
    navigation.setBadge('rooms', 0)
  }

  followSignedInSession(load, reset)

  return {
    joined,
    joinedList,
    asConversations,
    exits,
    attributesVersion,
    directory,
    directoryQuery,
    directoryNext,
    directoryLoading,
    directoryError,
    openRoom,
    loaded,
    search,
    loadMore,
    join,
    open,
    create,
    leave,
    send,
    markSeen,
    noteInfo,
    closeExit,
    load,
    reset
  }
})
