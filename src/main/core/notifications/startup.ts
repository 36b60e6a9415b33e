// Owns which startup settings apply on this platform and launch: launch at login (and with what arguments), start
// hidden in the tray, close to the tray. Electron-free; the tray module passes the answers to Electron.
import type { StartupSettings } from '../../../shared/model/settings'

/** The argument a login item starts Parley with when it should start minimised (Windows and Linux read it). */
export const START_HIDDEN_ARG = '--hidden'

export interface StartupPlatform {
  platform: NodeJS.Platform
  /** A development run registers the Electron binary itself as a login item: never do that. */
  isPackaged: boolean
  /** The tray icon exists: hiding the window is only safe when the user can bring it back from there. */
  trayAvailable: boolean
  argv: readonly string[]
  /** macOS: the login item opened the app (macOS passes no arguments to login items). */
  openedAtLogin: boolean
}

export interface StartupPlan {
  /** null = leave the login item alone (a development run). */
  loginItem: { openAtLogin: boolean; args: string[] } | null
  /** This launch starts with the window hidden (in the tray). */
  startHidden: boolean
  /** Closing the window hides it to the tray instead of quitting. */
  closeToTray: boolean
}

export function startupPlan(settings: StartupSettings, at: StartupPlatform): StartupPlan {
  const launchedByLogin = at.argv.includes(START_HIDDEN_ARG) || (at.platform === 'darwin' && at.openedAtLogin)
  return {
    loginItem: at.isPackaged
      ? {
          openAtLogin: settings.launchAtLogin,
          // Windows and Linux pass it to the login launch; macOS tells through wasOpenedAtLogin instead.
          args: settings.launchAtLogin && settings.startMinimised ? [START_HIDDEN_ARG] : []
        }
      : null,
    // Start minimised applies to launches at login (a user who opens Parley by hand wants to see it).
    startHidden: at.trayAvailable && settings.startMinimised && launchedByLogin,
    closeToTray: at.trayAvailable && settings.closeToTray
  }
}
