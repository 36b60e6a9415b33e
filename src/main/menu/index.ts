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
import type { CoreSession } from '../core/api/session'

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
 * Applies the device settings at start and on every change: the settings domain's `settings.get` and
 * `settings.changed` (src/main/core/settings). Named as strings: until that domain is in the build, the call is
 * refused (UNKNOWN_METHOD), no event comes, and the menus follow the system's language.
 */
export function followDesktopSettings(session: Pick<CoreSession, 'invoke' | 'onEvent'>): void {
  session.onEvent((event, payload) => {
    if ((event as string) === 'settings.changed') applyDesktopSettings(payload as unknown as DeviceSettings)
  })
  void session.invoke('settings.get', undefined).then((reply) => {
    if (reply.ok) applyDesktopSettings(reply.result as unknown as DeviceSettings)
    else log.debug('no device settings to apply yet', { code: reply.error.code })
  })
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
