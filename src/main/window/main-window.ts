// Owns the main window: a sandboxed, context-isolated BrowserWindow that loads the renderer from the
// dev server (hot reload) or from the built files, and remembers nothing it should not.
import { BrowserWindow, nativeTheme } from 'electron'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { guardNavigation } from './security'

const WINDOW_WIDTH = 1180
const WINDOW_HEIGHT = 760
// Narrow windows show one pane at a time (renderer: use-narrow-layout.ts), so the window may be as narrow as a phone.
const MIN_WIDTH = 360
const MIN_HEIGHT = 480

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

/** `startHidden`: the window loads but stays in the tray (a login launch with "start minimised"). */
export function createMainWindow(location: RendererLocation, { startHidden = false }: { startHidden?: boolean } = {}): BrowserWindow {
  const window = new BrowserWindow({
    width: WINDOW_WIDTH,
    height: WINDOW_HEIGHT,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
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
  if (!startHidden) window.once('ready-to-show', () => window.show())
  return window
}
