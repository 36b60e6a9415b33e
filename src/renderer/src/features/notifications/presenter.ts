// Owns showing a worded notification in the shell the renderer runs in: Electron gets it over IPC (native
// notification, replaced per conversation by the main process); the browser host's page uses the web Notification
// API itself (permission asked on first need; one per conversation through `tag`; a click focuses and opens).
import { bridge } from '../../bridge'
import type { ConversationKey } from '../../../../shared/model'
import type { NotificationWords } from './words'

export interface PresentedNotification extends NotificationWords {
  conversation: ConversationKey
  tag: string
  silent: boolean
}

export interface NotificationPresenter {
  show(notification: PresentedNotification): Promise<void>
}

/** Electron: the main process shows it; a click comes back as the `notifications.open` event. */
export function electronPresenter(): NotificationPresenter {
  return {
    show: async (notification) => {
      await bridge.invoke('notifications.show', notification)
    }
  }
}

/** The browser host: the page's own web notifications. `open` is called when one is clicked. */
export function webPresenter(open: (conversation: ConversationKey) => void): NotificationPresenter {
  /** The one shown per conversation: closed before the next, so they never stack where `tag` alone does not replace. */
  const shown = new Map<string, Notification>()
  let permission: Promise<NotificationPermission> | null = null

  const allowed = async (): Promise<boolean> => {
    if (typeof Notification === 'undefined') return false
    if (Notification.permission === 'granted') return true
    if (Notification.permission === 'denied') return false
    // Asked once, on the first notification that would show (browsers refuse a prompt nobody needs yet).
    permission ??= Notification.requestPermission()
    return (await permission) === 'granted'
  }

  return {
    show: async ({ conversation, tag, title, body, silent }) => {
      if (!(await allowed())) return
      shown.get(tag)?.close()
      const notification = new Notification(title, { body, tag, silent })
      shown.set(tag, notification)
      notification.onclick = () => {
        window.focus()
        open(conversation)
        notification.close()
      }
      notification.onclose = () => {
        if (shown.get(tag) === notification) shown.delete(tag)
      }
    }
  }
}
