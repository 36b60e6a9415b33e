// Owns the Electron shell's notifications: shows what the renderer decided and worded (src/shared/notifications)
// as native notifications, one per conversation (the previous one of that conversation is closed first), and
// turns a click into "show the window, open that conversation". Only forwards: no decision is made here.
import { app, Notification, type BrowserWindow } from 'electron'
import { createLogger } from '../../shared/logger'
import type { ShellNotification } from '../core/notifications/handlers'
import { pushToRenderer } from '../window/renderer-push'

const log = createLogger('main:notifications')

/**
 * Windows shows a toast only for an app with an AppUserModelID, and groups them under it; it must equal the
 * installer's appId (electron-builder.yml) so the Start-menu shortcut the installer makes carries the same id.
 */
export const APP_USER_MODEL_ID = 'org.parley.desktop'

export interface NotificationShellOptions {
  getWindow: () => BrowserWindow | null
  /** Shows, restores and focuses the main window (the tray's "Open" does the same). */
  showWindow: () => void
}

export class ElectronNotifications {
  /**
   * The notification shown per conversation tag: closed before the next one of that conversation (the OS would
   * stack them otherwise), and kept referenced so its click handler is not collected while it is on screen.
   */
  private readonly shown = new Map<string, Notification>()

  constructor(private readonly options: NotificationShellOptions) {
    if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID)
  }

  show(notification: ShellNotification): void {
    if (!Notification.isSupported()) {
      log.debug('notifications are not supported here')
      return
    }
    const { tag, title, body, silent, conversation } = notification
    this.shown.get(tag)?.close()
    // The sound setting maps to `silent`: the OS plays its own notification sound otherwise.
    const native = new Notification({ title, body, silent })
    native.on('click', () => {
      this.options.showWindow()
      pushToRenderer(this.options.getWindow(), 'notifications.open', { conversation })
    })
    native.on('close', () => {
      if (this.shown.get(tag) === native) this.shown.delete(tag)
    })
    native.on('failed', (_event, error) => log.warn('a notification failed to show', { error }))
    this.shown.set(tag, native)
    native.show()
  }

  /** Closes every notification shown (sign-out, quit). */
  closeAll(): void {
    for (const native of this.shown.values()) native.close()
    this.shown.clear()
  }
}
