// The taskbar's drawn unread number: a red disc, white digits where the glyphs are, transparent corners.
import { describe, expect, it } from 'vitest'
import { drawCountBadge } from '../../src/main/core/notifications/count-badge'

const pixel = (bitmap: ReturnType<typeof drawCountBadge>, x: number, y: number): number[] => {
  const at = (y * bitmap.width + x) * 4
  return [...bitmap.pixels.slice(at, at + 4)]
}

describe('count badge bitmap', () => {
  it('draws "7" in white on a red disc, corners transparent, in BGRA or RGBA', () => {
    const bgra = drawCountBadge('7', 32, 'bgra')
    expect(bgra.pixels.length).toBe(32 * 32 * 4)
    expect(pixel(bgra, 0, 0)[3]).toBe(0)
    // Scale 3 for one glyph at 32 px: the glyph is 9x15 from (12, 9); its top row is lit, (13, 12) is the 7's
    // second row, left column: dark (red).
    expect(pixel(bgra, 13, 9)).toEqual([255, 255, 255, 255])
    expect(pixel(bgra, 13, 12)).toEqual([0x4d, 0x48, 0xe5, 255])
    const rgba = drawCountBadge('7', 32, 'rgba')
    expect(pixel(rgba, 13, 12)).toEqual([0xe5, 0x48, 0x4d, 255])
  })

  it('fits "99+" inside 16 px and draws only known glyphs', () => {
    const bitmap = drawCountBadge('99+', 16)
    let white = 0
    for (let i = 0; i < bitmap.pixels.length; i += 4) if (bitmap.pixels[i] === 255 && bitmap.pixels[i + 1] === 255) white++
    // Two 9s (12 lit pixels each) and a plus (5) at scale 1.
    expect(white).toBe(12 + 12 + 5)
    const empty = drawCountBadge('x', 16)
    let lit = 0
    for (let i = 0; i < empty.pixels.length; i += 4) if (empty.pixels[i] === 255 && empty.pixels[i + 1] === 255) lit++
    expect(lit).toBe(0)
  })
})
