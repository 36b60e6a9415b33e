// Draws the app icons from build/icon.svg with sharp: build/icon.png (1024 px), build/icons/<N>x<N>.png for Linux,
// build/icon.ico (Windows: PNG-compressed entries) and build/icon.icns (macOS: PNG-compressed entries).
//   node build/scripts/icons.mjs           (re)draw them (npm run icons; the dist:* scripts run it first)
// The files are committed too, so electron-builder run by hand finds them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'

const buildDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const svg = readFileSync(join(buildDir, 'icon.svg'))
/** Linux icon theme sizes (hicolor), which electron-builder copies from build/icons/. */
const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024]
/** Windows shows 16-48 px in lists and the taskbar, 256 px in large views; 256 is the ICO format's largest. */
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
/** ICNS entry types holding PNG data, by pixel size (the @2x types reuse the larger bitmaps). */
const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32],
  ['ic12', 64],
  ['ic07', 128],
  ['ic13', 256],
  ['ic08', 256],
  ['ic14', 512],
  ['ic09', 512],
  ['ic10', 1024]
]

/** The SVG is drawn at the target size (not scaled down from one bitmap), so small sizes stay sharp. */
async function png(size) {
  return sharp(svg, { density: Math.max(72, (72 * size) / 512) * 2 })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toBuffer()
}

function ico(images) {
  const header = Buffer.alloc(6 + 16 * images.length)
  header.writeUInt16LE(0, 0) // reserved
  header.writeUInt16LE(1, 2) // 1 = icon
  header.writeUInt16LE(images.length, 4)
  let offset = header.length
  images.forEach(({ size, data }, index) => {
    const entry = 6 + 16 * index
    header.writeUInt8(size >= 256 ? 0 : size, entry) // 0 means 256
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1)
    header.writeUInt8(0, entry + 2) // no palette
    header.writeUInt8(0, entry + 3)
    header.writeUInt16LE(1, entry + 4) // colour planes
    header.writeUInt16LE(32, entry + 6) // bits per pixel
    header.writeUInt32LE(data.length, entry + 8)
    header.writeUInt32LE(offset, entry + 12)
    offset += data.length
  })
  return Buffer.concat([header, ...images.map((image) => image.data)])
}

function icns(entries) {
  const chunks = entries.map(({ type, data }) => {
    const head = Buffer.alloc(8)
    head.write(type, 0, 'ascii')
    head.writeUInt32BE(data.length + 8, 4)
    return Buffer.concat([head, data])
  })
  const body = Buffer.concat(chunks)
  const head = Buffer.alloc(8)
  head.write('icns', 0, 'ascii')
  head.writeUInt32BE(body.length + 8, 4)
  return Buffer.concat([head, body])
}

const sizes = [...new Set([...LINUX_SIZES, ...ICO_SIZES, ...ICNS_TYPES.map(([, size]) => size)])]
const bitmaps = new Map(await Promise.all(sizes.map(async (size) => [size, await png(size)])))
mkdirSync(join(buildDir, 'icons'), { recursive: true })
for (const size of LINUX_SIZES) writeFileSync(join(buildDir, 'icons', `${size}x${size}.png`), bitmaps.get(size))
writeFileSync(join(buildDir, 'icon.png'), bitmaps.get(1024))
writeFileSync(join(buildDir, 'icon.ico'), ico(ICO_SIZES.map((size) => ({ size, data: bitmaps.get(size) }))))
writeFileSync(join(buildDir, 'icon.icns'), icns(ICNS_TYPES.map(([type, size]) => ({ type, data: bitmaps.get(size) }))))
console.log(`[parley] icons drawn from build/icon.svg: icon.png, icon.ico, icon.icns, icons/{${LINUX_SIZES.join(',')}}`)
