// Owns the main window's remembered state (size, position, maximised, zoom) as data: checking what was read back
// from disk and fitting saved bounds onto the displays there are now. Electron-free: window-state-store.ts applies it.

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

/** Where to open the window: no x / y means "let the system centre it". */
export interface WindowPlacement {
  width: number
  height: number
  x?: number
  y?: number
}

export interface SavedWindowState {
  /** The window's normal (not maximised) bounds. */
  bounds: Rect
  maximised: boolean
  /** Chromium's zoom level: 0 is 100 %, each step is 20 % more or less. */
  zoomLevel: number
}

export interface WindowSizeLimits {
  defaultWidth: number
  defaultHeight: number
  minWidth: number
  minHeight: number
}

/**
 * Zoom levels kept: -3 is about 58 % and 5 about 250 %; Chromium goes further, but a saved level past these is
 * more likely garbage than a choice, and would open an unreadable window.
 */
export const MIN_ZOOM_LEVEL = -3
export const MAX_ZOOM_LEVEL = 5
/** Coordinates beyond this are garbage (no desktop is a million pixels wide). */
const MAX_COORDINATE = 1_000_000

function isCoordinate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_COORDINATE
}

function readRect(value: unknown): Rect | null {
  if (typeof value !== 'object' || value === null) return null
  const { x, y, width, height } = value as Record<string, unknown>
  if (!isCoordinate(x) || !isCoordinate(y) || !isCoordinate(width) || !isCoordinate(height)) return null
  if (width <= 0 || height <= 0) return null
  return { x: Math.round(x), y: Math.round(y), width: Math.round(width), height: Math.round(height) }
}

/** What was read from the state file, checked field by field: garbage becomes null (bounds) or the default. */
export function readSavedWindowState(raw: unknown): SavedWindowState | null {
  if (typeof raw !== 'object' || raw === null) return null
  const record = raw as Record<string, unknown>
  const bounds = readRect(record['bounds'])
  if (!bounds) return null
  const zoom = record['zoomLevel']
  return {
    bounds,
    maximised: record['maximised'] === true,
    zoomLevel: typeof zoom === 'number' && Number.isFinite(zoom) ? clampZoomLevel(zoom) : 0
  }
}

export function clampZoomLevel(level: number): number {
  if (!Number.isFinite(level)) return 0
  return Math.min(MAX_ZOOM_LEVEL, Math.max(MIN_ZOOM_LEVEL, level))
}

function overlapArea(a: Rect, b: Rect): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  return width > 0 && height > 0 ? width * height : 0
}

/** Distance from a point to the nearest point of a rectangle (0 inside it). */
function distanceTo(area: Rect, x: number, y: number): number {
  const dx = Math.max(area.x - x, 0, x - (area.x + area.width))
  const dy = Math.max(area.y - y, 0, y - (area.y + area.height))
  return Math.hypot(dx, dy)
}

/** The work area showing most of the window, or (none shows any of it: that monitor is gone) the nearest one. */
function bestArea(bounds: Rect, areas: readonly Rect[]): Rect {
  let best = areas[0]!
  let bestOverlap = overlapArea(bounds, best)
  for (const area of areas.slice(1)) {
    const overlap = overlapArea(bounds, area)
    if (overlap > bestOverlap) {
      best = area
      bestOverlap = overlap
    }
  }
  if (bestOverlap > 0) return best
  const centreX = bounds.x + bounds.width / 2
  const centreY = bounds.y + bounds.height / 2
  return areas.reduce((nearest, area) => (distanceTo(area, centreX, centreY) < distanceTo(nearest, centreX, centreY) ? area : nearest))
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), Math.max(low, high))
}

/**
 * Where the window opens: the saved bounds moved (and shrunk if need be) to lie wholly inside the work area of the
 * display that shows most of them, or the nearest display when theirs is gone. `workAreas[0]` is the primary
 * display. Without saved bounds (first start, garbage) or displays, the default size, centred by the system.
 */
export function placeWindow(saved: Rect | null, workAreas: readonly Rect[], limits: WindowSizeLimits): WindowPlacement {
  const areas = workAreas.map(readRect).filter((area): area is Rect => area !== null)
  const bounds = saved ? readRect(saved) : null
  const primary = areas[0]
  if (!primary) return { width: limits.defaultWidth, height: limits.defaultHeight }
  if (!bounds) {
    return {
      width: Math.min(limits.defaultWidth, primary.width),
      height: Math.min(limits.defaultHeight, primary.height)
    }
  }
  const area = bestArea(bounds, areas)
  // The minimum size wins over a saved tiny one; the work area wins over both (a small screen cannot hold more).
  const width = Math.min(Math.max(bounds.width, limits.minWidth), area.width)
  const height = Math.min(Math.max(bounds.height, limits.minHeight), area.height)
  return {
    width,
    height,
    x: clamp(bounds.x, area.x, area.x + area.width - width),
    y: clamp(bounds.y, area.y, area.y + area.height - height)
  }
}

/** Whether a placement differs from the window's bounds now (re-fit after a display change only when it does). */
export function samePlacement(placement: WindowPlacement, bounds: Rect): boolean {
  return placement.x === bounds.x && placement.y === bounds.y && placement.width === bounds.width && placement.height === bounds.height
}
