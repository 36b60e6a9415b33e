// Electron lifecycle only: single instance, the embedded server, one core session, the main window.
// Everything else lives in the Electron-free core (src/main/core) and in small shell modules beside this.
import { app, BrowserWindow, dialog, shell } from 'electron'
import { join } from 'node:path'
import { CoreSession } from './core/api/session'
import { FileSessionVault, type SessionVault } from './core/api/session-vault'
import { loadOrCreateDeviceId } from './core/device-id'
import { prewarmMessageStore } from './core/store/worker/worker-store'
import { discardWarmStoreWorker } from './core/store/worker/warm-worker'
import { electronSettingsOptions } from './settings/electron-settings'
import { useSettingsSource } from './core/notifications/settings-access'
import { chooseServer, type ChosenServer } from './embedded-server'
import { connectBridge } from './ipc/bridge'
import { resolveSqliteBinding } from './native'
import { deliverDeepLinksTo, listenForDeepLinks } from './deep-links'
import { takeSingleInstanceLock } from './deep-links/single-instance'
import { attachContextMenu, followDesktopSettings, installAppMenu } from './menu'
import { restartToUpdate, showUpdatesIn, startAutoUpdates } from './updates'
import { createMainWindow, rendererLocation, type RendererLocation } from './window/main-window'
import { applySessionPolicy } from './window/security'
import { attachmentFileUrl, electronFileHooks, registerAttachmentScheme, serveAttachmentFiles } from './attachment-protocol'
import { chooseSessionCipher } from './session-cipher'
import { startNotificationShell, type NotificationShell } from './notifications/shell'
import { createLogger } from '../shared/logger'
import { logUnhandledRejections } from '../shared/last-resort'

const log = createLogger('main')
logUnhandledRejections(log)
// Privileged schemes are declared before the app is ready.
registerAttachmentScheme()
const SESSION_FILE_NAME = 'session.bin'
let mainWindow: BrowserWindow | null = null
let server: ChosenServer | null = null
let session: CoreSession | null = null
let notificationShell: NotificationShell | null = null

/** "Stay signed in" only where the OS can encrypt the token; otherwise the user signs in at every start. */
function sessionVault(userData: string): SessionVault | undefined {
  const choice = chooseSessionCipher()
  if (!choice.cipher) {
    log.warn(`not keeping the sign-in across restarts: ${choice.why}`)
    return undefined
  }
  return new FileSessionVault(join(userData, SESSION_FILE_NAME), choice.cipher)
}

function openMainWindow(location: RendererLocation): Promise<void> {
  const window = createMainWindow(location, { startHidden: notificationShell?.takeStartHidden() === true })
  notificationShell?.attachWindow(window)
  mainWindow = window
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null
  })
  deliverDeepLinksTo(window)
  attachContextMenu(window.webContents)
  showUpdatesIn(window)
  return location.load(window)
}

function showMainWindow(): void {
  if (!mainWindow) return
  if (mainWindow.isMinimized()) mainWindow.restore()
  mainWindow.show()
  mainWindow.focus()
}

async function start(): Promise<void> {
  // The store's thread loads its modules while the server and the window start: a saved sign-in then opens at once.
  prewarmMessageStore()
  const location = rendererLocation()
  applySessionPolicy(location.isDevServer ? location.origin : null)
  installAppMenu(() => mainWindow)
  const userData = app.getPath('userData')
  const nativeBinding = resolveSqliteBinding()
  server = await chooseServer(userData, nativeBinding)
  notificationShell = startNotificationShell(() => mainWindow, showMainWindow)
  session = new CoreSession({
    shell: 'electron',
    version: app.getVersion(),
    defaultServerUrl: server.url,
    deviceId: loadOrCreateDeviceId(join(userData, 'device-id')),
    dataDir: join(userData, 'accounts'),
    nativeBinding,
    ...electronSettingsOptions(userData, () => mainWindow),
    vault: sessionVault(userData),
    // The URL was checked by the IPC schema (http, https, mailto only) before it gets here.
    openExternal: (url) => shell.openExternal(url),
    restartToUpdate,
    fileUrl: attachmentFileUrl,
    fileHooks: electronFileHooks(() => mainWindow),
    notificationHooks: notificationShell.hooks
  })
  serveAttachmentFiles(() => session)
  followDesktopSettings()
  // The device's settings feed the tray, startup and notifications glue before the window opens (start hidden).
  const deviceSettings = await session.settings()
  useSettingsSource(deviceSettings.current, (listener) => deviceSettings.onChange(listener))
  connectBridge(session, () => mainWindow, location.origin)
  await openMainWindow(location)
  void startAutoUpdates(() => mainWindow)
}

async function shutdown(): Promise<void> {
  await discardWarmStoreWorker()
  await session?.dispose()
  await server?.stop()
}

if (!takeSingleInstanceLock()) {
  app.quit()
} else {
  // A second launch focuses this window and hands over its parley:// link; so does macOS open-url.
  listenForDeepLinks(showMainWindow)
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0 && session) void openMainWindow(rendererLocation())
  })
  let quitting = false
  app.on('before-quit', (event) => {
    if (quitting) return
    quitting = true
    event.preventDefault()
    void shutdown().finally(() => app.quit())
  })
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      log.error('start-up failed', { error: String(err) })
      dialog.showErrorBox('Parley could not start', err instanceof Error ? err.message : String(err))
      app.exit(1)
    })
}
