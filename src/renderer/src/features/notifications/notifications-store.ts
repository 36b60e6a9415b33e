// Owns the renderer's side of notifications in both shells: each arriving message goes through the shared decision
// (src/shared/notifications) and, when it says so, is worded and shown; the badge number (title, tray, dock) and the
// do-not-disturb clock that ends mutes on time without an event; clicks that open a conversation.
import { computed, ref, watch } from 'vue'
import { defineStore } from 'pinia'
import { bridge } from '../../bridge'
import type { ChatMessage, ConversationKey } from '../../../../shared/model'
import { conversationKeyString, parseConversationKeyString } from '../../../../shared/model'
import {
  decideNotification,
  isMuted,
  nextMuteExpiry,
  trayState,
  unreadBadgeCount,
  windowTitle,
  type NotificationDecision
} from '../../../../shared/notifications'
import { tr } from '../../i18n/translate'
import { useConversationStore } from '../../stores/conversations'
import { useContactsStore } from '../contacts/contacts-store'
import { useNavigationStore } from '../../stores/navigation'
import { useSessionStore } from '../../stores/session'
import { keyOfConversation, keyOfMessage } from '../../utils/conversation-key'
import { electronPresenter, webPresenter, type NotificationPresenter } from './presenter'
import { useSettingsStore } from '../settings/settings-store'
import { notificationWords } from './words'

/** Where this device keeps the app-wide do not disturb (a device choice, like Signal's and Telegram's). */
const APP_DND_STORAGE_KEY = 'parley.notifications.appDndUntil'
/** setTimeout's longest delay (2^31 - 1 ms, ~24.8 days): a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1
/** Message ids already decided, so an edit or a status change of the same message never notifies again. */
const DECIDED_IDS_MAX = 5000

function storedAppDnd(): number {
  const value = Number(globalThis.localStorage?.getItem(APP_DND_STORAGE_KEY) ?? 0)
  return Number.isSafeInteger(value) && value > 0 ? value : 0
}

export const useNotificationsStore = defineStore('notifications', () => {
  const conversations = useConversationStore()
  const session = useSessionStore()
  const navigation = useNavigationStore()
  const contacts = useContactsStore()
  const deviceSettings = useSettingsStore()
  const appDndUntil = ref(storedAppDnd())
  /** The do-not-disturb clock: moved when a mute (a conversation's or the app's) ends, so views change on time. */
  const now = ref(Date.now())
  /** The last decision, for diagnostics and tests ("why did nothing show?"). */
  const lastDecision = ref<NotificationDecision | null>(null)
  const decided = new Set<string>()
  let timer: ReturnType<typeof setTimeout> | null = null
  let stops: Array<() => void> = []

  const isElectron = computed(() => session.appInfo?.shell === 'electron')
  // Only the whole list counts: its first screen (shown first) would make a smaller number for a moment.
  const badgeCount = computed(() => (conversations.loaded ? unreadBadgeCount(conversations.sorted, deviceSettings.settings.badge, now.value) : 0))
  const tray = computed(() => trayState({ unread: badgeCount.value, dndUntil: appDndUntil.value, now: now.value }))

  function mutedNow(conversation: { mutedUntil?: number } | null | undefined): boolean {
    return isMuted(conversation?.mutedUntil, now.value)
  }

  /** Sets one timer for the next mute to end (none when nothing ends by itself). */
  function reschedule(): void {
    if (timer !== null) clearTimeout(timer)
    timer = null
    now.value = Date.now()
    const next = nextMuteExpiry([...conversations.sorted.map((c) => c.mutedUntil), appDndUntil.value], now.value)
    if (next === null) return
    timer = setTimeout(reschedule, Math.min(Math.max(next - Date.now(), 0) + 1, MAX_TIMER_MS))
  }

  function setAppDnd(until: number): void {
    appDndUntil.value = until
    if (until > 0) globalThis.localStorage?.setItem(APP_DND_STORAGE_KEY, String(until))
    else globalThis.localStorage?.removeItem(APP_DND_STORAGE_KEY)
    reschedule()
  }

  function onAppDndStored(): () => void {
    const listener = (event: StorageEvent): void => {
      if (event.key !== APP_DND_STORAGE_KEY) return
      appDndUntil.value = storedAppDnd()
      reschedule()
    }
    window.addEventListener('storage', listener)
    return () => window.removeEventListener('storage', listener)
  }

  /** A click on a notification (or the tray's "open"): the chats section with that conversation open. */
  function open(conversation: ConversationKey): void {
    navigation.show('chats')
    conversations.select(conversationKeyString(conversation))
  }

  let presenter: NotificationPresenter | null = null
  const presenterNow = (): NotificationPresenter => (presenter ??= isElectron.value ? electronPresenter() : webPresenter(open))

  function onMessage(message: ChatMessage): void {
    if (session.phase !== 'signedIn' || message.direction !== 'in' || decided.has(message.id)) return
    if (decided.size >= DECIDED_IDS_MAX) decided.clear()
    decided.add(message.id)
    const key = keyOfMessage(message)
    const decision = decideNotification({
      message,
      conversation: conversations.sorted.find((c) => keyOfConversation(c) === key) ?? null,
      me: session.session?.user ?? '',
      windowFocused: conversations.windowActive,
      openConversation: conversations.selectedKey ? parseConversationKeyString(conversations.selectedKey) : null,
      settings: deviceSettings.settings.notifications,
      appDndUntil: appDndUntil.value,
      now: Date.now()
    })
    lastDecision.value = decision
    if (!decision.notify) return
    const { payload } = decision
    presenterNow()
      .show({ ...notificationWords(payload, contacts.displayName), conversation: payload.conversation, tag: payload.tag, silent: payload.silent })
      .catch((err: unknown) => console.warn('[renderer:notifications] could not show a notification', err))
  }

  function start(): void {
    if (stops.length > 0) return
    reschedule()
    stops = [
      bridge.on('message.upsert', onMessage),
      bridge.on('notifications.open', ({ conversation }) => open(conversation)),
      bridge.on('notifications.appDnd', ({ until }) => setAppDnd(until)),
      // Another tab of this browser profile (browser host) changed it: this one follows, as the tray follows Electron's.
      onAppDndStored(),
      // A mute set, changed or ended (here, on another device): the timer follows.
      watch(() => conversations.sorted.map((c) => c.mutedUntil ?? 0).join(), reschedule),
      // The title shows the list's unread sum in the taskbar / browser tab while the window is in the background.
      watch(
        badgeCount,
        (count) => {
          document.title = windowTitle(count, tr('notifications.appName'))
        },
        { immediate: true }
      ),
      // Electron: the tray icon and the dock / taskbar badge follow the same number.
      watch(
        () => [isElectron.value, badgeCount.value, appDndUntil.value] as const,
        ([electron, unread, dnd]) => {
          if (electron) bridge.invoke('notifications.status', { unread, appDndUntil: dnd }).catch(() => undefined)
        },
        { immediate: true }
      )
    ]
  }

  function stop(): void {
    for (const off of stops) off()
    stops = []
    if (timer !== null) clearTimeout(timer)
    timer = null
    decided.clear()
    document.title = tr('notifications.appName')
    // Signed out: no account's unread on the tray or dock any more.
    if (isElectron.value) bridge.invoke('notifications.status', { unread: 0, appDndUntil: appDndUntil.value }).catch(() => undefined)
  }

  return { appDndUntil, badgeCount, tray, now, lastDecision, mutedNow, setAppDnd, open, start, stop }
})
