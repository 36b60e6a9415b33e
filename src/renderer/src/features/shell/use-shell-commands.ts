// Owns the main screen's side of the desktop shell: opening the conversation a parley:// link names, and the
// menu commands (search, next / previous conversation in the list's order) and the latter's shortcuts in a browser.
import { onBeforeUnmount, onMounted, watch } from 'vue'
import type { DeepLinkTarget, ShellCommand } from '../../../../shared/ipc/shell-events'
import { conversationKeyString, parseConversationKeyString } from '../../../../shared/model'
import { useConversationStore } from '../../stores/conversations'
import { useNavigationStore } from '../../stores/navigation'
import { useSessionStore } from '../../stores/session'
import { useRoomStore } from '../rooms/rooms-store'
import { useSearchStore } from '../search/search-store'
import { keyOfConversation } from '../../utils/conversation-key'
import { conversationListOrder } from './conversation-order'
import { neighbourKey, shellShortcutOf } from './shortcuts'
import { useShellStore } from './shell-store'

/** In Electron the application menu owns these shortcuts (its accelerators); the page answers them only in a browser. */
const pageOwnsShortcuts = typeof window !== 'undefined' && !window.parley
const isMac = typeof navigator !== 'undefined' && /Mac/i.test(navigator.userAgent)

export function useShellCommands(): void {
  const shell = useShellStore()
  const conversations = useConversationStore()
  const rooms = useRoomStore()
  const navigation = useNavigationStore()
  const session = useSessionStore()
  const search = useSearchStore()

  function openKey(key: string): void {
    navigation.show('chats')
    const parsed = parseConversationKeyString(key)
    // A room opens through its store, as a click on its row does.
    if (parsed?.type === 'room') rooms.open(parsed.id)
    else conversations.select(key)
  }

  function step(direction: 1 | -1): void {
    const keys = conversationListOrder(conversations.sorted, rooms.asConversations).map(keyOfConversation)
    const next = neighbourKey(keys, conversations.selectedKey, direction)
    if (next !== null) openKey(next)
  }

  function run(command: ShellCommand): void {
    if (command === 'search') search.requestFocus()
    else if (command === 'nextConversation') step(1)
    else if (command === 'previousConversation') step(-1)
  }

  async function open(target: DeepLinkTarget): Promise<void> {
    shell.notice = null
    if (target.kind === 'chat') {
      navigation.show('chats')
      const refused = await conversations.startChat(target.id, session.session?.user ?? null)
      if (refused) shell.notice = { sentence: refused }
      return
    }
    const key = conversationKeyString({ type: target.kind, id: target.id })
    // Whether the list holds it, in any order: no need to sort the list for that.
    const known = [...conversations.sorted, ...rooms.asConversations].some((c) => keyOfConversation(c) === key)
    if (known) {
      openKey(key)
    } else if (target.kind === 'group') {
      shell.notice = 'groupNotJoined'
    } else {
      navigation.show('rooms')
      shell.notice = 'roomNotJoined'
    }
  }

  // A link opens once the list it may name is loaded (rooms too, for a room link).
  watch(
    () => [shell.pendingLink, conversations.loaded, rooms.loaded] as const,
    ([link, chatsLoaded, roomsLoaded]) => {
      if (!link || !chatsLoaded || (link.kind === 'room' && !roomsLoaded)) return
      const target = shell.takePendingLink()
      if (target) void open(target)
    },
    { immediate: true }
  )

  function onKeydown(event: KeyboardEvent): void {
    const command = shellShortcutOf(event, isMac)
    if (!command) return
    event.preventDefault()
    shell.run(command)
  }

  let release: (() => void) | null = null
  onMounted(() => {
    release = shell.handleCommands(run)
    if (pageOwnsShortcuts) window.addEventListener('keydown', onKeydown)
  })
  onBeforeUnmount(() => {
    release?.()
    window.removeEventListener('keydown', onKeydown)
    shell.notice = null
  })
}
