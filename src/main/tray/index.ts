// Owns the Electron shell's tray and badges: the tray icon (plain / unread dot / do-not-disturb grey) with its menu
// (open, do not disturb for 1 h / 8 h / until turned off, quit), the dock / Unity count and the Windows taskbar
// overlay number, launch at login and close-to-tray. What to show comes from trayState() (src/shared/notifications);
// this module only forwards it to Electron.
import { app, Menu, nativeImage, Tray, type BrowserWindow, type MenuItemConstructorOptions, type NativeImage } from 'electron'
import { mutedUntilFor, trayState, type MuteChoice, type TrayIconVariant, type TrayState } from '../../shared/notifications'
import { createLogger } from '../../shared/logger'
import { drawCountBadge } from '../core/notifications/count-badge'
import type { NotificationStatus } from '../core/notifications/handlers'
import { deviceSettings, onDeviceSettingsChanged } from '../core/notifications/settings-access'
import { startupPlan, type StartupPlan } from '../core/notifications/startup'
import { trayWords } from './words'
import trayPng from '../../../build/tray/tray.png?asset'
import tray2xPng from '../../../build/tray/tray@2x.png?asset'
import unreadPng from '../../../build/tray/tray-unread.png?asset'
import unread2xPng from '../../../build/tray/tray-unread@2x.png?asset'
import dndPng from '../../../build/tray/tray-dnd.png?asset'
import dnd2xPng from '../../../build/tray/tray-dnd@2x.png?asset'

const log = createLogger('main:tray')

/** The Windows overlay is drawn at 32 px and shown at 16 px logical (crisp at 200 % scaling). */
const OVERLAY_SIZE_PX = 32
/** setTimeout's longest delay (~24.8 days): a later end of do not disturb is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1

const ICON_FILES: Record<TrayIconVariant, readonly [string, string]> = {
  idle: [trayPng, tray2xPng],
  unread: [unreadPng, unread2xPng],
  dnd: [dndPng, dnd2xPng]
}

/** One image with its 1x and 2x pictures, so each screen gets the sharp one. */
function trayImage(variant: TrayIconVariant): NativeImage {
  const [one, two] = ICON_FILES[variant]
  const image = nativeImage.createFromPath(one)
  const hiDpi = nativeImage.createFromPath(two)
  if (!hiDpi.isEmpty()) image.addRepresentation({ scaleFactor: 2, buffer: hiDpi.toPNG() })
  return image
}

export interface AppTrayOptions {
  getWindow: () => BrowserWindow | null
  showWindow: () => void
  /** The tray's do-not-disturb choice, for the renderer (it decides notifications): ms since epoch, 0 = off. */
  setAppDnd: (until: number) => void
}

export class AppTray {
  private tray: Tray | null = null
  private status: NotificationStatus = { unread: 0, appDndUntil: 0 }
  private expiry: ReturnType<typeof setTimeout> | null = null
  private quitting = false
  private readonly images = new Map<TrayIconVariant, NativeImage>()

  constructor(private readonly options: AppTrayOptions) {
    app.on('before-quit', () => {
      this.quitting = true
    })
    // macOS: a click on the dock icon brings back a window hidden to the tray (index.ts opens one only when none exists).
    app.on('activate', () => {
      if (this.options.getWindow()) this.options.showWindow()
    })
    // Language and startup choices changed in the settings view: new words, the login item follows.
    onDeviceSettingsChanged(() => {
      this.applyStartup()
      this.render()
    })
  }

  /** Creates the tray icon (after app ready). A desktop without a tray area leaves it null: nothing hides then. */
  create(): void {
    try {
      this.tray = new Tray(this.image('idle'))
      this.tray.on('click', () => this.options.showWindow())
      this.render()
    } catch (err) {
      log.warn('no tray icon on this desktop', { error: String(err) })
      this.tray = null
    }
  }

  /** Applies the startup settings (the login item) and says whether this launch starts hidden in the tray. */
  applyStartup(): StartupPlan {
    const plan = this.plan()
    if (plan.loginItem) app.setLoginItemSettings(plan.loginItem)
    return plan
  }

  /** Close-to-tray: closing the window hides it while the setting is on (quitting still closes it). */
  attachWindow(window: BrowserWindow): void {
    window.on('close', (event) => {
      if (this.quitting || !this.plan().closeToTray) return
      event.preventDefault()
      window.hide()
    })
    // Windows signing out or shutting down closes the window without before-quit: hiding it would block that.
    window.on('session-end', () => {
      this.quitting = true
    })
    this.render()
  }

  /** The renderer's badge number and app-wide do not disturb (notifications.status). */
  update(status: NotificationStatus): void {
    this.status = status
    this.render()
  }

  destroy(): void {
    if (this.expiry) clearTimeout(this.expiry)
    this.tray?.destroy()
    this.tray = null
  }

  private plan(): StartupPlan {
    return startupPlan(deviceSettings().startup, {
      platform: process.platform,
      isPackaged: app.isPackaged,
      trayAvailable: this.tray !== null,
      argv: process.argv,
      openedAtLogin: process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin
    })
  }

  private image(variant: TrayIconVariant): NativeImage {
    let image = this.images.get(variant)
    if (!image) {
      image = trayImage(variant)
      this.images.set(variant, image)
    }
    return image
  }

  private render(): void {
    const state = trayState({ unread: this.status.unread, dndUntil: this.status.appDndUntil, now: Date.now() })
    const locale = deviceSettings().appearance.locale
    if (this.tray) {
      this.tray.setImage(this.image(state.icon))
      this.tray.setToolTip(
        state.dndActive ? trayWords(locale, 'tooltipDnd') : state.unread > 0 ? trayWords(locale, 'tooltipUnread', { count: state.unread }) : trayWords(locale, 'tooltip')
      )
      this.tray.setContextMenu(Menu.buildFromTemplate(this.menu(state)))
    }
    this.badge(state)
    this.scheduleDndEnd(state)
  }

  private menu(state: TrayState): MenuItemConstructorOptions[] {
    const locale = deviceSettings().appearance.locale
    // The time is taken at the click: "1 hour" counts from then, not from when the menu was built.
    const dnd = (choice: MuteChoice) => () => this.options.setAppDnd(mutedUntilFor(choice, Date.now()))
    return [
      { label: trayWords(locale, 'open'), click: () => this.options.showWindow() },
      {
        label: trayWords(locale, 'dnd'),
        submenu: [
          { label: trayWords(locale, 'dnd1h'), click: dnd('1h') },
          { label: trayWords(locale, 'dnd8h'), click: dnd('8h') },
          { label: trayWords(locale, 'dnd24h'), click: dnd('24h') },
          { label: trayWords(locale, 'dndUntilOff'), type: 'checkbox', checked: state.dndUntilTurnedOff, click: dnd('untilOff') },
          { type: 'separator' },
          { label: trayWords(locale, 'dndOff'), enabled: state.dndActive, click: () => this.options.setAppDnd(0) }
        ]
      },
      { type: 'separator' },
      { label: trayWords(locale, 'quit'), role: 'quit' }
    ]
  }

  /** macOS dock and Linux (Unity launcher) take a number; Windows an overlay picture on the taskbar button. */
  private badge(state: TrayState): void {
    if (process.platform === 'darwin' || process.platform === 'linux') {
      app.setBadgeCount(state.unread)
      return
    }
    if (process.platform !== 'win32') return
    const window = this.options.getWindow()
    if (!window || window.isDestroyed()) return
    if (!state.badge) {
      window.setOverlayIcon(null, '')
      return
    }
    const bitmap = drawCountBadge(state.badge, OVERLAY_SIZE_PX, 'bgra')
    const image = nativeImage.createFromBitmap(Buffer.from(bitmap.pixels), { width: bitmap.width, height: bitmap.height, scaleFactor: 2 })
    window.setOverlayIcon(image, trayWords(deviceSettings().appearance.locale, 'badgeDescription', { count: state.unread }))
  }

  /** App-wide do not disturb ends by time: the icon changes then, without an event. */
  private scheduleDndEnd(state: TrayState): void {
    if (this.expiry) clearTimeout(this.expiry)
    this.expiry = null
    if (!state.dndEndsAt) return
    this.expiry = setTimeout(() => this.render(), Math.min(Math.max(state.dndEndsAt - Date.now(), 0) + 1, MAX_TIMER_MS))
  }
}
