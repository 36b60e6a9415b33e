// Owns recognising a file's type from its first bytes (magic numbers) for the formats chats carry, so the recorded
// mime is what the bytes are, not what the client claimed. Unknown bytes keep the client's (sanitised) mime.

/** Bytes read from the start of a file to sniff it (the BMP check reads its DIB header size at bytes 14-17). */
export const SNIFF_BYTES = 32

interface Signature {
  mime: string
  offset: number
  bytes: readonly number[]
}

const ascii = (text: string): number[] => [...text].map((char) => char.charCodeAt(0))

const SIGNATURES: readonly Signature[] = [
  { mime: 'image/png', offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { mime: 'image/jpeg', offset: 0, bytes: [0xff, 0xd8, 0xff] },
  { mime: 'image/gif', offset: 0, bytes: ascii('GIF87a') },
  { mime: 'image/gif', offset: 0, bytes: ascii('GIF89a') },
  { mime: 'image/webp', offset: 8, bytes: ascii('WEBP') },
  { mime: 'audio/wav', offset: 8, bytes: ascii('WAVE') },
  { mime: 'audio/amr', offset: 0, bytes: ascii('#!AMR\n') },
  { mime: 'audio/mpeg', offset: 0, bytes: ascii('ID3') },
  { mime: 'audio/ogg', offset: 0, bytes: ascii('OggS') },
  { mime: 'audio/flac', offset: 0, bytes: ascii('fLaC') },
  { mime: 'application/pdf', offset: 0, bytes: ascii('%PDF-') },
  { mime: 'video/webm', offset: 0, bytes: [0x1a, 0x45, 0xdf, 0xa3] }
]

function matches(head: Uint8Array, signature: Signature): boolean {
  if (head.length < signature.offset + signature.bytes.length) return false
  return signature.bytes.every((byte, index) => head[signature.offset + index] === byte)
}

/** The DIB header sizes of the BMP versions (core, info, v2-v5): 'BM' alone is too weak (text may start so). */
const BMP_HEADER_SIZES: ReadonlySet<number> = new Set([12, 40, 52, 56, 64, 108, 124])

function isBmp(head: Uint8Array): boolean {
  if (head.length < 18 || head[0] !== 0x42 || head[1] !== 0x4d) return false
  const headerSize = Buffer.from(head.buffer, head.byteOffset, head.byteLength).readUInt32LE(14)
  return BMP_HEADER_SIZES.has(headerSize)
}

/** The mime the first bytes say, or null when they say nothing this table knows. */
export function sniffMime(head: Uint8Array): string | null {
  for (const signature of SIGNATURES) if (matches(head, signature)) return signature.mime
  if (isBmp(head)) return 'image/bmp'
  // ISO base media (MP4, MOV, M4A): a box named 'ftyp' at byte 4; the brand tells audio from video.
  if (head.length >= 12 && String.fromCharCode(...head.subarray(4, 8)) === 'ftyp') {
    const brand = String.fromCharCode(...head.subarray(8, 12))
    if (brand === 'M4A ') return 'audio/mp4'
    if (brand === 'qt  ') return 'video/quicktime'
    return 'video/mp4'
  }
  // An MPEG audio frame without an ID3 tag: 11 set sync bits, layer III.
  if (head.length >= 2 && head[0] === 0xff && ((head[1] ?? 0) & 0xe6) === 0xe2) return 'audio/mpeg'
  return null
}

/** Images the server makes thumbnails of (sharp reads all but BMP itself; BMP is decoded first). */
export const THUMBNAILED_MIMES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/bmp', 'image/webp'])
