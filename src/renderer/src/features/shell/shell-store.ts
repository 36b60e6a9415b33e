// Owns what the desktop shell hands the renderer: the parley:// link waiting to be opened (pushed by Electron, or
// ?open= on the browser host's page URL), menu commands, the update status, and the notice a link may leave.
import { ref, shallowRef } from 'vue'
import { defineStore } from 'pinia'
import type { DeepLinkTarget, ShellCommand, UpdateStatus } from '../../../../shared/ipc/shell-events'
import { parseDeepLink } from '../../../../main/core/deep-links/parse'
import { bridge } from '../../bridge'

/** The browser host's stand-in for the OS handing a link over: http://127.0.0.1:3211/?open=parley://chat/bob */
export const OPEN_LINK_PARAM = 'open'

/** Takes ?open= off the page URL (a reload must not open it again) and parses it like the desktop app does. */
function takeLinkFromPageUrl(): DeepLinkTarget | null {
  if (typeof window === 'undefined') return null
  const url = new URL(window.location.href)
  const raw = url.searchParams.get(OPEN_LINK_PARAM)
  if (raw === null) return null
  url.searchParams.delete(OPEN_LINK_PARAM)
  history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`)
  const parsed = parseDeepLink(raw)
  if (!parsed.ok) console.warn('[renderer:shell] refused the link in the page address', parsed.reason)
  return parsed.ok ? parsed.target : null
}

export type ShellNotice = 'groupNotJoined' | 'roomNotJoined' | { sentence: string }
type CommandHandler = (command: ShellCommand) => void

export const useShellStore = defineStore('shell', () => {
  const pendingLink = shallowRef<DeepLinkTarget | null>(takeLinkFromPageUrl())
  const notice = ref<ShellNotice | null>(null)
  const update = ref<UpdateStatus>({ state: 'idle' })
  /** Bumped by the menu's Settings command: the settings view watches it and opens (Ctrl/Cmd+, is its own). */
  const settingsRequests = ref(0)
  let handler: CommandHandler | null = null

  bridge.on('shell.openLink', (target) => {
    pendingLink.value = target
  })
  bridge.on('shell.command', (command) => run(command))
  bridge.on('shell.update', (status) => {
    update.value = status
  })

  /** Carries out a command on the main screen; ignored when no one is signed in (nothing to move through). */
  function run(command: ShellCommand): void {
    if (command === 'settings') settingsRequests.value++
    else handler?.(command)
  }

  /** The main screen takes the commands while it is shown; returns the function that lets go. */
  function handleCommands(next: CommandHandler): () => void {
    handler = next
    return () => {
      if (handler === next) handler = null
    }
  }

  function takePendingLink(): DeepLinkTarget | null {
    const link = pendingLink.value
    pendingLink.value = null
    return link
  }

  function dismissUpdate(): void {
    update.value = { state: 'idle' }
  }

  return { pendingLink, notice, update, settingsRequests, run, handleCommands, takePendingLink, dismissUpdate }
})
