// Owns the IPC side of notifications in the core: the renderer's worded notifications and badge status go to the
// shell's hooks (Electron: native notification, tray, dock / taskbar badge). The browser host has no hooks: its
// page shows web notifications and the title itself, so both calls succeed doing nothing there.
import type { ConversationKey } from '../../../shared/model'
import type { Handlers } from '../api/client-access'
import { canonicalConversation } from '../api/client-access'

/** A notification as the renderer worded it, for the shell to show. */
export interface ShellNotification {
  conversation: ConversationKey
  /** One per conversation: a newer one replaces the one shown. */
  tag: string
  title: string
  body: string
  silent: boolean
}

/** What the app shows outside its window: the list's unread sum and the app-wide do not disturb. */
export interface NotificationStatus {
  unread: number
  /** ms since epoch; 0 = off. */
  appDndUntil: number
}

export interface NotificationShellHooks {
  show(notification: ShellNotification): void
  status(status: NotificationStatus): void
}

export function notificationHandlers(hooks: NotificationShellHooks | undefined): Pick<Handlers, 'notifications.show' | 'notifications.status'> {
  return {
    'notifications.show': async ({ conversation, ...rest }) => {
      hooks?.show({ conversation: canonicalConversation(conversation), ...rest })
    },
    'notifications.status': async (status) => {
      hooks?.status(status)
    }
  }
}
