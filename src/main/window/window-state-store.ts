// Owns the main window's state file (<userData>/window-state.json): read before the window opens, written as the
// window moves, resizes, (un)maximises, zooms and closes, and re-fitted when displays come, go or change size.
import { screen, type BrowserWindow, type Rectangle } from 'electron'
import { readFileSync } from 'node:fs'
import { rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createLogger } from '../../shared/logger'
import {
  clampZoomLevel,
  placeWindow,
  readSavedWindowState,
  samePlacement,
  type Rect,
  type SavedWindowState,
  type WindowPlacement,
  type WindowSizeLimits
} from './window-state'

const log = createLogger('main:window-state')
const STATE_FILE_NAME = 'window-state.json'
/** Moving or resizing fires dozens of events a second: write once the window has been still this long. */
const SAVE_DELAY_MS = 500

/** The work areas of today's displays, the primary first (placeWindow falls back to it). */
function workAreas(): Rect[] {
  const primary = screen.getPrimaryDisplay()
  return [primary, ...screen.getAllDisplays().filter((display) => display.id !== primary.id)].map((display) => display.workArea)
}

export function loadWindowState(userData: string): SavedWindowState | null {
  try {
    return readSavedWindowState(JSON.parse(readFileSync(join(userData, STATE_FILE_NAME), 'utf8')))
  } catch {
    // No file yet (first start) or garbage: the default placement.
    return null
  }
}

/** Where the window opens, fitted onto the displays there are now. */
export function initialPlacement(saved: SavedWindowState | null, limits: WindowSizeLimits): WindowPlacement {
  return placeWindow(saved?.bounds ?? null, workAreas(), limits)
}

/**
 * Keeps `window`'s state file up to date, applies the saved zoom, and keeps the window on a
 * display when monitors change, until the window is closed.
 */
export function trackWindowState(window: BrowserWindow, userData: string, saved: SavedWindowState | null, limits: WindowSizeLimits): void {
  const file = join(userData, STATE_FILE_NAME)
  let timer: NodeJS.Timeout | null = null
  let writing: Promise<void> = Promise.resolve()
  let last: SavedWindowState | null = saved

  const snapshot = (): SavedWindowState | null => {
    if (window.isDestroyed()) return last
    return { bounds: window.getNormalBounds(), maximised: window.isMaximized(), zoomLevel: clampZoomLevel(window.webContents.getZoomLevel()) }
  }
  const write = (): void => {
    if (timer) clearTimeout(timer)
    timer = null
    const state = snapshot()
    if (!state) return
    last = state
    const text = JSON.stringify(state)
    // Written to a temporary file and renamed: a crash mid-write leaves the old state, never half a file.
    writing = writing
      .then(async () => {
        await writeFile(`${file}.tmp`, text, 'utf8')
        await rename(`${file}.tmp`, file)
      })
      .catch((err: unknown) => log.warn('could not save the window state', { error: String(err) }))
  }
  const saveSoon = (): void => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(write, SAVE_DELAY_MS)
  }

  const applyZoom = (): void => window.webContents.setZoomLevel(saved?.zoomLevel ?? 0)
  window.webContents.on('did-finish-load', applyZoom)
  // The View menu's zoom roles change the level without an event; Ctrl+wheel reports it here. Both are saved
  // on close at the latest.
  window.webContents.on('zoom-changed', saveSoon)
  window.on('resize', saveSoon)
  window.on('move', saveSoon)
  window.on('maximize', saveSoon)
  window.on('unmaximize', saveSoon)
  window.on('close', write)

  const refit = (): void => {
    if (window.isDestroyed() || window.isMaximized() || window.isFullScreen()) return
    const bounds: Rectangle = window.getBounds()
    const placement = placeWindow(bounds, workAreas(), limits)
    if (placement.x !== undefined && placement.y !== undefined && !samePlacement(placement, bounds)) {
      log.info('moving the window back onto a display', { from: bounds, to: placement })
      window.setBounds({ x: placement.x, y: placement.y, width: placement.width, height: placement.height })
    }
  }
  screen.on('display-removed', refit)
  screen.on('display-metrics-changed', refit)

  window.once('closed', () => {
    if (timer) clearTimeout(timer)
    screen.off('display-removed', refit)
    screen.off('display-metrics-changed', refit)
  })
}
