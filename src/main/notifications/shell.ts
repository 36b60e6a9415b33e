// Owns putting the Electron shell's notification parts together for src/main/index.ts: native notifications, the
// tray with its badges, and the hooks the core session forwards the renderer's `notifications.*` calls to.
import type { BrowserWindow } from 'electron'
import type { NotificationShellHooks } from '../core/notifications/handlers'
import { AppTray } from '../tray'
import { ElectronNotifications } from '.'
import { pushToRenderer } from '../window/renderer-push'

export interface NotificationShell {
  /** For CoreSessionOptions.notificationHooks. */
  hooks: NotificationShellHooks
  /** Close-to-tray and the taskbar badge for a new main window. */
  attachWindow(window: BrowserWindow): void
  /** True once, for the first window of a login launch with "start minimised" on: it stays in the tray. */
  takeStartHidden(): boolean
}

/** Call once the app is ready (the tray needs it). */
export function startNotificationShell(getWindow: () => BrowserWindow | null, showWindow: () => void): NotificationShell {
  const notifications = new ElectronNotifications({ getWindow, showWindow })
  const tray = new AppTray({ getWindow, showWindow, setAppDnd: (until) => pushToRenderer(getWindow(), 'notifications.appDnd', { until }) })
  tray.create()
  let startHidden = tray.applyStartup().startHidden
  return {
    hooks: {
      show: (notification) => notifications.show(notification),
      status: (status) => tray.update(status)
    },
    attachWindow: (window) => tray.attachWindow(window),
    takeStartHidden: () => {
      const hidden = startHidden
      startHidden = false
      return hidden
    }
  }
}
