// Owns the Electron side of menus and spellcheck: the application menu (menu-template.ts) in the app's language,
// the right-click menu with spelling suggestions (context-menu.ts), and the dictionaries from the device settings.
import { app, Menu, session, type BrowserWindow, type WebContents } from 'electron'
import type { DeviceSettings, AppLocaleCode } from '../../shared/model/settings'
import { createLogger } from '../../shared/logger'
import { buildMenuTemplate } from './menu-template'
import { buildContextMenu } from './context-menu'
import { menuLabels, menuLocale } from './menu-labels'
import { spellcheckLanguages } from './spellcheck-languages'
import { pushToRenderer } from '../window/renderer-push'
import { onDeviceSettingsChanged } from '../core/notifications/settings-access'

const log = createLogger('main:menu')

let chosenLocale: AppLocaleCode | null = null
let windowOf: () => BrowserWindow | null = () => null

function currentLocale(): AppLocaleCode {
  return menuLocale(chosenLocale, app.getLocale())
}

function rebuildAppMenu(): void {
  const template = buildMenuTemplate({
    platform: process.platform,
    labels: menuLabels(currentLocale()),
    development: !app.isPackaged,
    send: (command) => {
      const window = windowOf()
      if (!pushToRenderer(window, 'shell.command', command)) return
      // A command from the menu or a shortcut is meant for the window: bring it forward (e.g. from the tray).
      if (window && !window.isFocused()) window.focus()
    }
  })
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}

/** Sets the application menu; its commands go to the window `getWindow` returns. Call once the app is ready. */
export function installAppMenu(getWindow: () => BrowserWindow | null): void {
  windowOf = getWindow
  rebuildAppMenu()
}

/**
 * Applies the device settings the shell owns: the menus' language and the spellchecker (on or off, which
 * dictionaries). The settings wiring calls this at start and on every change.
 */
export function applyDesktopSettings(settings: DeviceSettings): void {
  if (settings.appearance.locale !== chosenLocale) {
    chosenLocale = settings.appearance.locale
    rebuildAppMenu()
  }
  const ses = session.defaultSession
  ses.setSpellCheckerEnabled(settings.spellcheck.enabled)
  // macOS uses the system's spellchecker, which picks the language itself (setSpellCheckerLanguages is a no-op).
  if (process.platform === 'darwin') return
  const languages = spellcheckLanguages(settings.spellcheck, ses.availableSpellCheckerLanguages)
  if (!languages) return
  try {
    ses.setSpellCheckerLanguages(languages)
  } catch (err) {
    log.warn('could not set the spellchecker languages', { languages, error: String(err) })
  }
}

/**
 * Applies the device settings at start and on every change, from the shell's one settings accessor
 * (core/notifications/settings-access.ts, which src/main/index.ts feeds from the settings store): call it before
 * useSettingsSource, which hands the first settings to every listener.
 */
export function followDesktopSettings(): void {
  onDeviceSettingsChanged(applyDesktopSettings)
}

/** Right-click in the window: spelling suggestions in the composer, and the edit commands. */
export function attachContextMenu(contents: WebContents): void {
  contents.on('context-menu', (_event, params) => {
    const items = buildContextMenu(params, menuLabels(currentLocale()), {
      replaceMisspelling: (suggestion) => contents.replaceMisspelling(suggestion),
      addToDictionary: (word) => contents.session.addWordToSpellCheckerDictionary(word)
    })
    if (items.length > 0) Menu.buildFromTemplate(items).popup()
  })
}
