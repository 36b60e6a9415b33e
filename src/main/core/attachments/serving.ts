// Owns how a cached attachment is handed to the renderer by either shell: which types may be shown inline (media
// only: never HTML, SVG or scripts from the network on the app's origin), the Content-Disposition, and Range.

/** Types the renderer shows in <img>/<audio>/<video>; anything else is served as a download only. */
const INLINE_MIME = /^(image\/(png|jpeg|gif|webp|bmp|avif)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+)$/

/** The Content-Type a cached file is served with: its own when it is safe to show, else a plain byte stream. */
export function servedMime(mime: string): { mime: string; inline: boolean } {
  const bare = mime.split(';', 1)[0]!.trim().toLowerCase()
  return INLINE_MIME.test(bare) ? { mime: bare, inline: true } : { mime: 'application/octet-stream', inline: false }
}

/** Content-Disposition with the file's name (RFC 6266: an ASCII fallback and the UTF-8 name). */
export function contentDisposition(name: string, download: boolean): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `${download ? 'attachment' : 'inline'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

/** A single `bytes=a-b` range of a file of `size` bytes; null for none, 'invalid' when it cannot be served. */
export function parseRange(header: string | undefined | null, size: number): { start: number; end: number } | null | 'invalid' {
  if (!header) return null
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid'
  let start: number
  let end: number
  if (match[1] === '') {
    const suffix = Number(match[2])
    start = Math.max(0, size - suffix)
    end = size - 1
  } else {
    start = Number(match[1])
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  }
  if (start > end || start >= size) return 'invalid'
  return { start, end }
}
