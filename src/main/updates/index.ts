// Owns auto-update in packaged builds (electron-updater, generic provider): a check at start and every few hours,
// the download in the background, and "restart to update" offered to the renderer through a push event.
import { app, type BrowserWindow } from 'electron'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { UpdateStatus } from '../../shared/ipc/shell-events'
import { createLogger } from '../../shared/logger'
import { pushToRenderer } from '../window/renderer-push'
import { planUpdates, UPDATE_CHECK_INTERVAL_MS, type UpdateFacts } from './update-policy'

const log = createLogger('main:updates')

let status: UpdateStatus = { state: 'idle' }
let installNow: (() => void) | null = null

function readResource(name: string): string | null {
  try {
    return readFileSync(join(process.resourcesPath, name), 'utf8')
  } catch {
    return null
  }
}

function linuxPackage(): UpdateFacts['linuxPackage'] {
  if (process.env['APPIMAGE']) return 'appimage'
  // electron-builder writes the package type next to the app for deb / rpm installs.
  return readResource('package-type')?.trim() === 'deb' ? 'deb' : 'other'
}

/**
 * Starts checking for updates when this is a packaged build with a feed; otherwise logs why not and does nothing.
 * Status changes go to the window `getWindow` returns (and again when it reloads: see currentUpdateStatus).
 */
export async function startAutoUpdates(getWindow: () => BrowserWindow | null): Promise<void> {
  const plan = planUpdates({
    packaged: app.isPackaged,
    platform: process.platform,
    linuxPackage: process.platform === 'linux' ? linuxPackage() : 'other',
    env: process.env,
    appUpdateYml: app.isPackaged ? readResource('app-update.yml') : null
  })
  if (!plan.enabled) {
    log.info('auto-update is off', { why: plan.why })
    return
  }
  // Loaded only here: development never loads the updater. CommonJS: its exports come as the default import.
  const { autoUpdater } = (await import('electron-updater')).default
  autoUpdater.logger = null
  autoUpdater.autoDownload = true
  // A downloaded update also installs when the user quits, without asking.
  autoUpdater.autoInstallOnAppQuit = true
  if (plan.fromEnvironment) autoUpdater.setFeedURL({ provider: 'generic', url: plan.feedUrl })

  const publish = (next: UpdateStatus): void => {
    status = next
    pushToRenderer(getWindow(), 'shell.update', next)
  }
  autoUpdater.on('download-progress', (progress) => {
    const version = status.state === 'downloading' ? status.version : ''
    publish({ state: 'downloading', version, percent: Math.round(progress.percent) })
  })
  autoUpdater.on('update-available', (info) => publish({ state: 'downloading', version: info.version, percent: 0 }))
  autoUpdater.on('update-downloaded', (info) => {
    log.info('update downloaded', { version: info.version })
    installNow = () => autoUpdater.quitAndInstall()
    publish({ state: 'ready', version: info.version })
  })
  autoUpdater.on('error', (err) => {
    log.warn('update check failed', { error: String(err) })
    // A failed check is not the user's business until an update was on its way.
    if (status.state === 'downloading') publish({ state: 'failed' })
  })

  const check = (): void => {
    // Once an update waits for a restart there is nothing more to fetch.
    if (status.state === 'ready') return
    autoUpdater.checkForUpdates().catch((err: unknown) => log.warn('update check failed', { error: String(err) }))
  }
  log.info('auto-update is on', { feed: plan.feedUrl })
  check()
  setInterval(check, UPDATE_CHECK_INTERVAL_MS).unref()
}

/** A window whose page (re)loads after the last push is told again where the updater stands. */
export function showUpdatesIn(window: BrowserWindow): void {
  window.webContents.on('did-finish-load', () => {
    if (status.state !== 'idle') pushToRenderer(window, 'shell.update', status)
  })
}

/** The renderer's "restart to update": quits and installs the downloaded update; false when there is none. */
export function restartToUpdate(): boolean {
  if (!installNow) return false
  installNow()
  return true
}
