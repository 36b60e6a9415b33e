// Owns the main window: a sandboxed, context-isolated BrowserWindow that loads the renderer from the
// dev server (hot reload) or from the built files, where it was last time (window-state-store.ts).
import { app, BrowserWindow, nativeTheme } from 'electron'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { guardNavigation } from './security'
import { initialPlacement, loadWindowState, trackWindowState } from './window-state-store'
import type { WindowSizeLimits } from './window-state'

export const WINDOW_SIZE_LIMITS: WindowSizeLimits = {
  defaultWidth: 1180,
  defaultHeight: 760,
  // Narrow windows show one pane at a time (renderer: use-narrow-layout.ts), so the window may be as narrow as a phone.
  minWidth: 360,
  minHeight: 480
}

export interface RendererLocation {
  /** The dev server's origin, or the built index.html's file URL: every trusted page and IPC sender is on it. */
  origin: string
  /** Served by electron-vite's dev server (hot reload), whose CSP must allow its reload socket. */
  isDevServer: boolean
  load(window: BrowserWindow): Promise<void>
}

/** electron-vite sets ELECTRON_RENDERER_URL while `npm run dev` serves the renderer with hot reload. */
export function rendererLocation(): RendererLocation {
  const devUrl = process.env['ELECTRON_RENDERER_URL']
  if (devUrl) {
    return { origin: new URL(devUrl).origin, isDevServer: true, load: (window) => window.loadURL(devUrl) }
  }
  const indexFile = join(__dirname, '../renderer/index.html')
  return { origin: pathToFileURL(indexFile).href, isDevServer: false, load: (window) => window.loadFile(indexFile) }
}

/**
 * The window where it was last time (kept on a display), with its zoom. `startHidden`: the window loads but stays
 * in the tray (a login launch with "start minimised").
 */
export function createMainWindow(location: RendererLocation, { startHidden = false }: { startHidden?: boolean } = {}): BrowserWindow {
  const userData = app.getPath('userData')
  const saved = loadWindowState(userData)
  const window = new BrowserWindow({
    ...initialPlacement(saved, WINDOW_SIZE_LIMITS),
    minWidth: WINDOW_SIZE_LIMITS.minWidth,
    minHeight: WINDOW_SIZE_LIMITS.minHeight,
    show: false,
    title: 'Parley',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#15171c' : '#ffffff',
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: true
    }
  })
  guardNavigation(window.webContents, location.origin)
  trackWindowState(window, userData, saved, WINDOW_SIZE_LIMITS)
  if (startHidden) {
    // Shown later from the tray: maximised then, if it was.
    if (saved?.maximised) window.once('show', () => window.maximize())
  } else {
    window.once('ready-to-show', () => {
      // Maximised before it shows, so it does not flash at its normal size first.
      if (saved?.maximised) window.maximize()
      window.show()
    })
  }
  return window
}
