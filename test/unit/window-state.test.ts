// Window state: saved bounds fitted onto the displays of today (monitor removed, resolution shrunk, a monitor left
// of the primary, tiny sizes) and garbage in the state file.
import { describe, expect, it } from 'vitest'
import { clampZoomLevel, placeWindow, readSavedWindowState, type Rect } from '../../src/main/window/window-state'

const LIMITS = { defaultWidth: 1180, defaultHeight: 760, minWidth: 360, minHeight: 480 }
/** A 1920×1080 primary display with a 40 px taskbar, and a second one to its right or left. */
const PRIMARY: Rect = { x: 0, y: 0, width: 1920, height: 1040 }
const RIGHT: Rect = { x: 1920, y: 0, width: 2560, height: 1400 }
const LEFT: Rect = { x: -1920, y: -200, width: 1920, height: 1080 }

function inside(placement: { x?: number; y?: number; width: number; height: number }, area: Rect): boolean {
  const x = placement.x ?? NaN
  const y = placement.y ?? NaN
  return x >= area.x && y >= area.y && x + placement.width <= area.x + area.width && y + placement.height <= area.y + area.height
}

describe('placeWindow', () => {
  it('keeps bounds that are on a display as they were', () => {
    const saved = { x: 100, y: 80, width: 1000, height: 700 }
    expect(placeWindow(saved, [PRIMARY, RIGHT], LIMITS)).toEqual(saved)
    const onSecond = { x: 2200, y: 100, width: 1600, height: 1000 }
    expect(placeWindow(onSecond, [PRIMARY, RIGHT], LIMITS)).toEqual(onSecond)
  })

  it('moves a window whose monitor was removed onto the nearest display that is left', () => {
    const onRemoved = { x: 2600, y: 300, width: 1200, height: 800 }
    const placed = placeWindow(onRemoved, [PRIMARY], LIMITS)
    expect(placed).toEqual({ x: 1920 - 1200, y: 1040 - 800, width: 1200, height: 800 })
    expect(inside(placed, PRIMARY)).toBe(true)
  })

  it('shrinks and moves a window when the resolution shrank', () => {
    const saved = { x: 400, y: 200, width: 1800, height: 1000 }
    const small: Rect = { x: 0, y: 0, width: 1280, height: 680 }
    const placed = placeWindow(saved, [small], LIMITS)
    expect(placed).toEqual({ x: 0, y: 0, width: 1280, height: 680 })
  })

  it('keeps negative coordinates on a monitor left of (and above) the primary', () => {
    const saved = { x: -1500, y: -100, width: 1000, height: 700 }
    expect(placeWindow(saved, [PRIMARY, LEFT], LIMITS)).toEqual(saved)
    // Half off the left monitor's left edge: pulled in, not thrown onto the primary.
    const placed = placeWindow({ x: -2300, y: -150, width: 1000, height: 700 }, [PRIMARY, LEFT], LIMITS)
    expect(placed).toEqual({ x: -1920, y: -150, width: 1000, height: 700 })
    // The left monitor unplugged: onto the primary.
    expect(inside(placeWindow(saved, [PRIMARY], LIMITS), PRIMARY)).toBe(true)
  })

  it('takes the display that shows most of a window straddling two', () => {
    const straddling = { x: 1500, y: 100, width: 1000, height: 700 }
    const placed = placeWindow(straddling, [PRIMARY, RIGHT], LIMITS)
    expect(inside(placed, RIGHT)).toBe(true)
    expect(placed).toMatchObject({ width: 1000, height: 700 })
  })

  it('grows tiny sizes to the minimum', () => {
    expect(placeWindow({ x: 10, y: 10, width: 1, height: 2 }, [PRIMARY], LIMITS)).toEqual({ x: 10, y: 10, width: 360, height: 480 })
  })

  it('pulls back a window dragged almost off the bottom and the top', () => {
    expect(placeWindow({ x: 100, y: 1030, width: 800, height: 600 }, [PRIMARY], LIMITS)).toEqual({ x: 100, y: 440, width: 800, height: 600 })
    expect(placeWindow({ x: 100, y: -590, width: 800, height: 600 }, [PRIMARY], LIMITS)).toEqual({ x: 100, y: 0, width: 800, height: 600 })
  })

  it('opens at the default size, centred by the system, without saved bounds, with garbage, or with no display', () => {
    expect(placeWindow(null, [PRIMARY], LIMITS)).toEqual({ width: 1180, height: 760 })
    const garbage = { x: NaN, y: 0, width: 800, height: 600 }
    expect(placeWindow(garbage, [PRIMARY], LIMITS)).toEqual({ width: 1180, height: 760 })
    expect(placeWindow({ x: 0, y: 0, width: Infinity, height: 600 }, [PRIMARY], LIMITS)).toEqual({ width: 1180, height: 760 })
    expect(placeWindow({ x: 0, y: 0, width: 800, height: 600 }, [], LIMITS)).toEqual({ width: 1180, height: 760 })
    // The default never exceeds a small primary display.
    expect(placeWindow(null, [{ x: 0, y: 0, width: 1024, height: 700 }], LIMITS)).toEqual({ width: 1024, height: 700 })
  })

  it('ignores a display reported with garbage bounds', () => {
    const garbageDisplay = { x: NaN, y: 0, width: 0, height: 1080 }
    const saved = { x: 100, y: 80, width: 1000, height: 700 }
    expect(placeWindow(saved, [garbageDisplay, PRIMARY], LIMITS)).toEqual(saved)
  })
})

describe('readSavedWindowState', () => {
  it('reads a good state file', () => {
    const state = { bounds: { x: -1500, y: 20, width: 1000, height: 700 }, maximised: true, zoomLevel: 1 }
    expect(readSavedWindowState(state)).toEqual(state)
  })

  it('turns garbage into null or defaults', () => {
    expect(readSavedWindowState(null)).toBeNull()
    expect(readSavedWindowState('{"bounds":1}')).toBeNull()
    expect(readSavedWindowState({ bounds: { x: '10', y: 0, width: 800, height: 600 } })).toBeNull()
    expect(readSavedWindowState({ bounds: { x: 0, y: 0, width: -800, height: 600 } })).toBeNull()
    expect(readSavedWindowState({ bounds: { x: 1e12, y: 0, width: 800, height: 600 } })).toBeNull()
    expect(readSavedWindowState({ bounds: { x: 0.4, y: 0, width: 800.6, height: 600 }, maximised: 'yes', zoomLevel: 'big' })).toEqual({
      bounds: { x: 0, y: 0, width: 801, height: 600 },
      maximised: false,
      zoomLevel: 0
    })
    expect(readSavedWindowState({ bounds: { x: 0, y: 0, width: 800, height: 600 }, zoomLevel: 99 })?.zoomLevel).toBe(5)
  })

  it('clamps zoom levels', () => {
    expect(clampZoomLevel(-10)).toBe(-3)
    expect(clampZoomLevel(NaN)).toBe(0)
    expect(clampZoomLevel(2)).toBe(2)
  })
})
