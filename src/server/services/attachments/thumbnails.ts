// Owns image thumbnails (sharp): the first frame of an image fitted in THUMBNAIL_MAX_PX as WebP, plus the image's
// own width and height. sharp's prebuilt libvips does not read BMP, so BMP is decoded with bmp-ts to raw RGBA first.
import fs from 'node:fs'
import { decode as decodeBmp } from 'bmp-ts'
import sharp from 'sharp'
import { createLogger } from '../../../shared/logger'
import { THUMBNAIL_MAX_INPUT_PIXELS, THUMBNAIL_MAX_PX, THUMBNAIL_WEBP_QUALITY } from './config'

const log = createLogger('server:thumbnails')

// Each image is read once: libvips' operation and open-file caches would only hold memory and file handles (a
// handle kept on a stored file would also stop its deletion on Windows).
sharp.cache(false)

export interface ThumbnailResult {
  width: number
  height: number
  /** False when the image could be measured but not shrunk (or not decoded at all: then width/height are 0). */
  written: boolean
}

/** A BMP's width and |height| from its header (BITMAPINFOHEADER and later; the 12-byte core header uses 16 bits). */
function bmpSize(bytes: Buffer): { width: number; height: number } {
  if (bytes.readUInt32LE(14) === 12) return { width: bytes.readUInt16LE(18), height: bytes.readUInt16LE(20) }
  return { width: Math.abs(bytes.readInt32LE(18)), height: Math.abs(bytes.readInt32LE(22)) }
}

/** sharp's input for a BMP: its pixels decoded to RGBA, alpha dropped unless the file really has it. */
async function bmpInput(source: string): Promise<{ image: sharp.Sharp; width: number; height: number } | null> {
  const bytes = await fs.promises.readFile(source)
  const { width, height } = bmpSize(bytes)
  if (width * height > THUMBNAIL_MAX_INPUT_PIXELS) return null
  const decoded = decodeBmp(bytes, { toRGBA: true })
  // 32-bit BMPs often leave the alpha byte 0 everywhere (no alpha meant); lower depths have none.
  let hasAlpha = false
  if (decoded.bitPP === 32) {
    for (let index = 3; index < decoded.data.length; index += 4) {
      if (decoded.data[index] !== 0) {
        hasAlpha = true
        break
      }
    }
  }
  // Opaque it is: sharp premultiplies alpha before resizing (and drops it only at the end), so a 0 alpha would
  // blacken every pixel.
  if (!hasAlpha) for (let index = 3; index < decoded.data.length; index += 4) decoded.data[index] = 255
  let image = sharp(decoded.data, { raw: { width: decoded.width, height: decoded.height, channels: 4 } })
  if (!hasAlpha) image = image.removeAlpha()
  return { image, width: decoded.width, height: decoded.height }
}

/**
 * Writes the thumbnail of the image at `source` to `target`. Animated GIF/WebP: sharp reads only the first frame
 * (pages: 1); the original stays animated. A file that does not decode gets no thumbnail (logged), not an error.
 */
export async function makeThumbnail(source: string, mime: string, target: string): Promise<ThumbnailResult> {
  try {
    let input: sharp.Sharp
    let width: number
    let height: number
    if (mime === 'image/bmp') {
      const bmp = await bmpInput(source)
      if (!bmp) return { width: 0, height: 0, written: false }
      ;({ image: input, width, height } = bmp)
    } else {
      input = sharp(source, { pages: 1, limitInputPixels: THUMBNAIL_MAX_INPUT_PIXELS })
      const metadata = await input.metadata()
      width = metadata.width
      // A multi-page image reports the page's height as pageHeight (height would be every frame stacked).
      height = metadata.pageHeight ?? metadata.height
    }
    await input
      .rotate() // EXIF orientation, so a phone photo's thumbnail is upright
      .resize({ width: THUMBNAIL_MAX_PX, height: THUMBNAIL_MAX_PX, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: THUMBNAIL_WEBP_QUALITY })
      .toFile(target)
    return { width, height, written: true }
  } catch (err) {
    log.warn('no thumbnail: the image did not decode', { mime, error: err instanceof Error ? err.message : String(err) })
    await fs.promises.rm(target, { force: true })
    return { width: 0, height: 0, written: false }
  }
}
