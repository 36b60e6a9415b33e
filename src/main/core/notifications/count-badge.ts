// Owns drawing the unread number as a small bitmap (Windows draws it over the taskbar button: setOverlayIcon takes
// an image, not a number). Electron-free: raw pixels in, the shell wraps them in a NativeImage.

/** 3x5 pixel glyphs of the characters a badge label uses (badgeLabel: digits and "+"). '1' = a lit pixel. */
const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  '0': ['111', '101', '101', '101', '111'],
  '1': ['010', '110', '010', '010', '111'],
  '2': ['111', '001', '111', '100', '111'],
  '3': ['111', '001', '111', '001', '111'],
  '4': ['101', '101', '111', '001', '001'],
  '5': ['111', '100', '111', '001', '111'],
  '6': ['111', '100', '111', '101', '111'],
  '7': ['111', '001', '001', '001', '001'],
  '8': ['111', '101', '111', '101', '111'],
  '9': ['111', '101', '111', '001', '111'],
  '+': ['000', '010', '111', '010', '000']
}
const GLYPH_WIDTH = 3
const GLYPH_HEIGHT = 5
/** The badge's red (the tray's unread dot, build/scripts/tray-icons.mjs) and its white digits. */
const BADGE_RGB = [0xe5, 0x48, 0x4d] as const
const DIGIT_RGB = [0xff, 0xff, 0xff] as const

export type PixelOrder = 'bgra' | 'rgba'

export interface CountBitmap {
  width: number
  height: number
  /** width * height * 4 bytes in `order`. */
  pixels: Uint8Array
}

/**
 * A red disc with the label in white, `size` pixels square (transparent outside the disc). `order` is the byte
 * order the image API expects: Electron's createFromBitmap takes the platform's native Skia order, BGRA on every
 * little-endian machine (all Windows machines).
 */
export function drawCountBadge(label: string, size: number, order: PixelOrder = 'bgra'): CountBitmap {
  const pixels = new Uint8Array(size * size * 4)
  const put = (x: number, y: number, rgb: readonly [number, number, number], alpha: number): void => {
    const at = (y * size + x) * 4
    const [r, g, b] = rgb
    pixels.set(order === 'bgra' ? [b, g, r, alpha] : [r, g, b, alpha], at)
  }
  const centre = (size - 1) / 2
  const radius = size / 2
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const distance = Math.hypot(x - centre, y - centre)
      // One pixel of soft edge so the disc does not look jagged at 16 px.
      const coverage = Math.max(0, Math.min(1, radius - distance))
      if (coverage > 0) put(x, y, BADGE_RGB, Math.round(coverage * 255))
    }
  }
  const glyphs = [...label].map((char) => GLYPHS[char]).filter((glyph): glyph is readonly string[] => glyph !== undefined)
  if (glyphs.length === 0) return { width: size, height: size, pixels }
  const columns = glyphs.length * GLYPH_WIDTH + (glyphs.length - 1)
  // As large as fits inside the disc (about 3/4 of its width), whole pixels only so the digits stay crisp.
  const scale = Math.max(1, Math.floor(Math.min((size * 0.78) / columns, (size * 0.6) / GLYPH_HEIGHT)))
  const left = Math.round((size - columns * scale) / 2)
  const top = Math.round((size - GLYPH_HEIGHT * scale) / 2)
  glyphs.forEach((glyph, index) => {
    const glyphLeft = left + index * (GLYPH_WIDTH + 1) * scale
    glyph.forEach((row, gy) => {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (row[gx] !== '1') continue
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const x = glyphLeft + gx * scale + dx
            const y = top + gy * scale + dy
            if (x >= 0 && x < size && y >= 0 && y < size) put(x, y, DIGIT_RGB, 255)
          }
        }
      }
    })
  })
  return { width: size, height: size, pixels }
}
