// The pieces of attachments that need no server: staging a file into the outbox folder (declared size, the upload
// limit, chunks in order, the hash), bytes over the host's JSON socket, Range headers and what is served inline.
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Staging, cleanFileName } from '../../src/main/core/attachments/staging'
import { contentDisposition, parseRange, servedMime } from '../../src/main/core/attachments/serving'
import { parseWithBytes, stringifyWithBytes } from '../../src/shared/ipc/binary-json'
import { makeTempDir, removeDir } from '../support/test-server'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir)
})

function staging(limit = 10_000): Staging {
  const dir = makeTempDir()
  dirs.push(dir)
  return new Staging(join(dir, 'outbox'), () => limit)
}

describe('staging', () => {
  it('copies the chunks in order into the outbox folder and hashes them', async () => {
    const stage = staging()
    const bytes = randomBytes(5000)
    const stagedId = await stage.begin({ name: '../../etc/passwd', mime: 'Text/Plain', size: bytes.length })
    await stage.chunk({ stagedId, offset: 0, bytes: bytes.subarray(0, 3000) })
    await stage.chunk({ stagedId, offset: 3000, bytes: bytes.subarray(3000) })
    const staged = await stage.end(stagedId)
    expect(staged.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect(staged).toMatchObject({ name: 'passwd', mime: 'text/plain', size: 5000, fileName: stagedId })
    expect(readFileSync(join(stage.dir, stagedId)).equals(bytes)).toBe(true)
    expect(stage.take(stagedId)).toEqual(staged)
    expect(() => stage.take(stagedId)).toThrow(/not ready|already sent/)
  })

  it('refuses a file over the limit, chunks out of order or past the size, and an early end', async () => {
    const stage = staging(1000)
    await expect(stage.begin({ name: 'big', mime: '', size: 1001 })).rejects.toMatchObject({ code: 'TOO_LARGE' })
    const stagedId = await stage.begin({ name: 'a', mime: '', size: 10 })
    await expect(stage.chunk({ stagedId, offset: 4, bytes: new Uint8Array(4) })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    await stage.chunk({ stagedId, offset: 0, bytes: new Uint8Array(4) })
    await expect(stage.chunk({ stagedId, offset: 4, bytes: new Uint8Array(7) })).rejects.toThrow(/larger than its declared size/)
    await expect(stage.end(stagedId)).rejects.toThrow(/ended after 4 of its 10 bytes/)
    await expect(stage.chunk({ stagedId: 'f'.repeat(32), offset: 0, bytes: new Uint8Array(1) })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('keeps file names to a plain name', () => {
    expect(cleanFileName('C:\\Users\\me\\photo.jpg')).toBe('photo.jpg')
    expect(cleanFileName('..')).toBe('file')
    expect(cleanFileName('a\u0000b\nc.txt')).toBe('abc.txt')
  })
})

describe('serving cached files', () => {
  it('parses single byte ranges and refuses ones outside the file', () => {
    expect(parseRange(undefined, 100)).toBeNull()
    expect(parseRange('bytes=10-19', 100)).toEqual({ start: 10, end: 19 })
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 })
    expect(parseRange('bytes=-5', 100)).toEqual({ start: 95, end: 99 })
    expect(parseRange('bytes=100-', 100)).toBe('invalid')
    expect(parseRange('bytes=5-1', 100)).toBe('invalid')
    expect(parseRange('items=1-2', 100)).toBe('invalid')
  })

  it('shows media inline and serves everything else (HTML, SVG, scripts) as bytes to download', () => {
    expect(servedMime('image/png')).toEqual({ mime: 'image/png', inline: true })
    expect(servedMime('audio/mpeg')).toEqual({ mime: 'audio/mpeg', inline: true })
    expect(servedMime('video/mp4; codecs=avc1')).toEqual({ mime: 'video/mp4', inline: true })
    for (const mime of ['text/html', 'image/svg+xml', 'application/javascript', '']) {
      expect(servedMime(mime)).toEqual({ mime: 'application/octet-stream', inline: false })
    }
    expect(contentDisposition('résumé "v2".pdf', true)).toBe(`attachment; filename="r_sum_ _v2_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22.pdf`)
  })
})

describe('bytes over the host socket', () => {
  it('round-trips Uint8Array and Buffer values as base64 objects, and nothing else', () => {
    const bytes = randomBytes(70_000)
    const text = stringifyWithBytes({ args: { bytes, buffer: Buffer.from('hi'), plain: { $bytes: 1 }, list: [1, 2] } })
    expect(text).not.toContain('"type":"Buffer"')
    const back = parseWithBytes(text) as { args: { bytes: Uint8Array; buffer: Uint8Array; plain: unknown; list: number[] } }
    expect(back.args.bytes).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(back.args.bytes).equals(bytes)).toBe(true)
    expect(Buffer.from(back.args.buffer).toString()).toBe('hi')
    expect(back.args.plain).toEqual({ $bytes: 1 })
    expect(back.args.list).toEqual([1, 2])
  })
})
