// The attachment server's pure parts: Range parsing (one range, suffixes, past the end), mime sniffing from magic
// bytes (a BMP needs its DIB header, not just "BM"), and file names reduced to a safe last segment.
import { describe, expect, it } from 'vitest'
import { parseRange } from '../../src/server/api/attachments'
import { sanitizeName } from '../../src/server/services/attachments/service'
import { sniffMime } from '../../src/server/services/attachments/sniff'

const bytes = (...values: (number | string)[]): Uint8Array =>
  Uint8Array.from(values.flatMap((value) => (typeof value === 'string' ? [...value].map((char) => char.charCodeAt(0)) : [value])))

describe('parseRange', () => {
  it.each([
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=90-500', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=0-', 0, 'unsatisfiable'],
    ['bytes=0-1,4-5', 100, null],
    ['items=0-1', 100, null],
    ['bytes=5-1', 100, null],
    [undefined, 100, null]
  ])('%s of %i bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected)
  })
})

describe('sniffMime', () => {
  const bmpHeader = (dibSize: number): Uint8Array => {
    const head = new Uint8Array(32)
    head.set(bytes('BM'))
    new DataView(head.buffer).setUint32(14, dibSize, true)
    return head
  }
  it.each([
    ['png', bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0), 'image/png'],
    ['jpeg', bytes(0xff, 0xd8, 0xff, 0xe0), 'image/jpeg'],
    ['gif', bytes('GIF89a', 1, 0), 'image/gif'],
    ['webp', bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8 '), 'image/webp'],
    ['bmp', bmpHeader(40), 'image/bmp'],
    ['text starting with BM', bytes('BMW is a car brand, not a bitmap'), null],
    ['amr', bytes('#!AMR\n', 0x3c), 'audio/amr'],
    ['mp3 with ID3', bytes('ID3', 4, 0), 'audio/mpeg'],
    ['mp3 frame', bytes(0xff, 0xfb, 0x90, 0x64), 'audio/mpeg'],
    ['mp4', bytes(0, 0, 0, 0x18, 'ftypisom', 0, 0), 'video/mp4'],
    ['m4a', bytes(0, 0, 0, 0x18, 'ftypM4A ', 0, 0), 'audio/mp4'],
    ['pdf', bytes('%PDF-1.7'), 'application/pdf'],
    ['empty', bytes(), null]
  ])('%s', (_name, head, expected) => {
    expect(sniffMime(head)).toBe(expected)
  })
})

describe('sanitizeName', () => {
  it.each([
    ['photo.png', 'photo.png'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\report.pdf', 'report.pdf'],
    ['bad\u0000na\u001fme.txt', 'badname.txt'],
    ['  spaced.txt  ', 'spaced.txt'],
    ['..', 'file'],
    ['', 'file'],
    [42, 'file'],
    ['照片.jpg', '照片.jpg']
  ])('%j -> %j', (raw, expected) => {
    expect(sanitizeName(raw)).toBe(expected)
  })

  it('keeps at most 255 characters', () => {
    expect([...sanitizeName('é'.repeat(300))]).toHaveLength(255)
  })
})
