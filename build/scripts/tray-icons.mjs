// Renders the tray icon PNGs (build/tray/) from the app icon (build/icon.svg) with sharp: the plain icon, the icon
// with an unread dot, and a grey one for do not disturb, each at 16 px and 32 px (@2x). The PNGs are committed
// (small; the app needs no image tool at run time): run `node build/scripts/tray-icons.mjs` after changing the icon.
import sharp from 'sharp'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
/** The unread dot: a red disc with a white ring in the top right corner, as docks and taskbars draw badges. */
const dot = (size) => {
  const r = size * 0.24
  const c = size - r - 0.5
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><circle cx="${c}" cy="${r + 0.5}" r="${r}" fill="#e5484d" stroke="#fff" stroke-width="${size / 16}"/></svg>`
  )
}

// 16 px is the tray's size on Windows and most Linux panels; 32 px is its @2x for high-DPI screens and macOS.
for (const size of [16, 32]) {
  const suffix = size === 16 ? '' : '@2x'
  // Rendered at the SVG's own 512 px and scaled down: smoother edges than rendering at 16 px.
  const base = await sharp(join(root, 'icon.svg')).resize(size, size).png().toBuffer()
  await sharp(base).toFile(join(root, 'tray', `tray${suffix}.png`))
  await sharp(base).composite([{ input: dot(size) }]).png().toFile(join(root, 'tray', `tray-unread${suffix}.png`))
  // Do not disturb: the same shape, grey and a little faded (the unread number still shows in the tooltip).
  await sharp(base).greyscale().ensureAlpha(0.6).modulate({ brightness: 0.9 }).png().toFile(join(root, 'tray', `tray-dnd${suffix}.png`))
  console.log(`wrote build/tray/tray*${suffix}.png (${size} px)`)
}
