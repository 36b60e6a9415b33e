// Owns the Electron side of the device settings: where the file lives, the system's languages, the "system" proxy
// (Chromium's own resolution, PAC and all) and the folder picker. It only forwards; the core decides.
import { app, dialog, session, type BrowserWindow } from 'electron'
import { join } from 'node:path'
import type { CoreSessionOptions } from '../core/api/session'
import { proxyFromPac } from '../core/net/proxy'

const SETTINGS_FILE_NAME = 'settings.json'

/** The CoreSession options of the settings in the Electron shell. */
export function electronSettingsOptions(
  userData: string,
  getWindow: () => BrowserWindow | null
): Pick<CoreSessionOptions, 'settingsFile' | 'systemLanguages' | 'resolveSystemProxy' | 'settingsHooks'> {
  return {
    settingsFile: join(userData, SETTINGS_FILE_NAME),
    systemLanguages: app.getPreferredSystemLanguages(),
    // The core's socket and HTTP run in Node: Chromium resolves the system's proxy (incl. PAC) for them.
    resolveSystemProxy: async (url) => proxyFromPac(await session.defaultSession.resolveProxy(url)),
    settingsHooks: {
      chooseFolder: async (current) => {
        const window = getWindow()
        const options: Electron.OpenDialogOptions = {
          properties: ['openDirectory', 'createDirectory'],
          ...(current ? { defaultPath: current } : { defaultPath: app.getPath('downloads') })
        }
        const answer = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
        return answer.canceled ? null : (answer.filePaths[0] ?? null)
      }
    }
  }
}
