// Attachment bytes a crash left behind: rows are deleted before their files, so a crash between the two leaves files no
// row names; the server removes them when it starts (after a grace), never a file whose row exists or whose upload is
// still going. Also: PARLEY_UPLOAD_ABANDON_HOURS sets how long an idle upload is kept.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { ORPHAN_FILE_GRACE_MS } from '../../src/server/services/attachments/config'
import { openServerStore } from '../../src/server/store/worker-store'
import { registerAndLogin } from '../bench/lib/frame-client'
import {
  bearer,
  completeUpload,
  createUpload,
  download,
  headOffset,
  json,
  patchBytes,
  request,
  sha256Hex,
  upload,
  type AttachmentJson
} from '../support/attachment-http'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function pngBytes(): Promise<Buffer> {
  return sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 20, b: 90 } } }).png().toBuffer()
}

/** Sets every attachment file's time `ms` in the past (as if the crash happened that long ago). */
function ageAttachmentFiles(dataDir: string, ms: number): void {
  const then = new Date(Date.now() - ms)
  for (const folder of ['uploads', 'files', 'thumbnails']) {
    const dir = path.join(dataDir, 'attachments', folder)
    for (const name of fs.readdirSync(dir)) fs.utimesSync(path.join(dir, name), then, then)
  }
}

describe('attachment files no row names', () => {
  it('a restart removes the bytes of rows a crash deleted without their files, and keeps live and in-progress ones', async () => {
    const t: TestServer = await startTestServer()
    cleanups.push(() => t.dispose())
    const alice = await registerAndLogin(t.server.url, 'alice')
    const kept: AttachmentJson = await upload(t.server.url, alice.token, await pngBytes(), 'kept.png', 'image/png')
    const doomed: AttachmentJson = await upload(t.server.url, alice.token, await pngBytes(), 'doomed.png', 'image/png')
    expect(kept.hasThumbnail && doomed.hasThumbnail).toBe(true)
    const keptBytes = (await download(t.server.url, kept.id, { token: alice.token })).body
    const partial = crypto.randomBytes(2 * 1024 * 1024)
    const inProgress = await createUpload(t.server.url, alice.token, partial, 'partial.bin', 'application/octet-stream')
    expect((await patchBytes(t.server.url, alice.token, inProgress, 0, partial.subarray(0, 1024 * 1024))).status).toBe(204)
    const cancelled = await createUpload(t.server.url, alice.token, partial, 'gone.bin', 'application/octet-stream')
    expect((await patchBytes(t.server.url, alice.token, cancelled, 0, partial.subarray(0, 4096))).status).toBe(204)
    await t.stop()

    // The crash: the rows went (the collector's and the cancel's first step), the files did not (their second step).
    const store = await openServerStore(t.dataDir, t.storeOptions)
    const far = Date.now() + 365 * 24 * 3_600_000
    expect((await store.attachmentsDelete([doomed.id], { unreferencedBefore: far, roomGrantAfter: far })).map((row) => row.id)).toEqual([doomed.id])
    expect(await store.attachmentUploadDelete(cancelled)).toBe(true)
    await store.close()
    ageAttachmentFiles(t.dataDir, ORPHAN_FILE_GRACE_MS + 60_000)
    const folder = (name: string): string => path.join(t.dataDir, 'attachments', name)
    expect(fs.existsSync(path.join(folder('files'), doomed.id))).toBe(true)
    expect(fs.existsSync(path.join(folder('uploads'), cancelled))).toBe(true)
    // A file with no row yet that is younger than the grace (a completion about to commit its row) must stay.
    const young = crypto.randomBytes(16).toString('base64url')
    fs.writeFileSync(path.join(folder('files'), young), 'young')

    await t.start()
    expect(await t.server.attachmentBytesPresent(doomed.id)).toEqual({ file: false, thumbnail: false })
    expect(fs.existsSync(path.join(folder('uploads'), cancelled))).toBe(false)
    expect(fs.existsSync(path.join(folder('files'), young))).toBe(true)
    // The live attachment and its thumbnail are untouched.
    expect(await t.server.attachmentBytesPresent(kept.id)).toEqual({ file: true, thumbnail: true })
    expect(sha256Hex((await download(t.server.url, kept.id, { token: alice.token })).body)).toBe(sha256Hex(keptBytes))
    expect((await download(t.server.url, kept.id, { token: alice.token }, {}, 'thumbnail')).status).toBe(200)
    // The upload in progress resumes where it was and finishes with the right bytes.
    expect(await headOffset(t.server.url, alice.token, inProgress)).toBe(1024 * 1024)
    expect((await patchBytes(t.server.url, alice.token, inProgress, 1024 * 1024, partial.subarray(1024 * 1024))).status).toBe(204)
    const done = await completeUpload(t.server.url, alice.token, inProgress)
    expect(done.status).toBe(200)
    expect((json(done).attachment as AttachmentJson).sha256).toBe(sha256Hex(partial))
  })

  it('a crash after a completion moved the bytes but before its row: the upload answers 404 and the moved bytes go', async () => {
    const t: TestServer = await startTestServer()
    cleanups.push(() => t.dispose())
    const alice = await registerAndLogin(t.server.url, 'alice')
    const bytes = crypto.randomBytes(300 * 1024)
    const uploadId = await createUpload(t.server.url, alice.token, bytes, 'moved.bin', 'application/octet-stream')
    expect((await patchBytes(t.server.url, alice.token, uploadId, 0, bytes)).status).toBe(204)
    await t.stop()
    // What complete() does first (rename to a new attachment id), then the crash: no attachment row, upload row kept.
    const movedId = crypto.randomBytes(16).toString('base64url')
    const moved = path.join(t.dataDir, 'attachments', 'files', movedId)
    fs.renameSync(path.join(t.dataDir, 'attachments', 'uploads', uploadId), moved)
    ageAttachmentFiles(t.dataDir, ORPHAN_FILE_GRACE_MS + 60_000)
    await t.start()
    expect(fs.existsSync(moved)).toBe(false)
    expect((await completeUpload(t.server.url, alice.token, uploadId)).status).toBe(404)
    expect((await request(t.server.url, 'HEAD', `/attachments/uploads/${uploadId}`, bearer(alice.token))).status).toBe(404)
  })

  it('PARLEY_UPLOAD_ABANDON_HOURS sets how long an idle upload is kept (checked at start and hourly)', async () => {
    const previous = process.env.PARLEY_UPLOAD_ABANDON_HOURS
    process.env.PARLEY_UPLOAD_ABANDON_HOURS = String(5 / 3600) // five seconds: longer than a restart takes under load
    cleanups.push(() => {
      if (previous === undefined) delete process.env.PARLEY_UPLOAD_ABANDON_HOURS
      else process.env.PARLEY_UPLOAD_ABANDON_HOURS = previous
    })
    const t: TestServer = await startTestServer()
    cleanups.push(() => t.dispose())
    const alice = await registerAndLogin(t.server.url, 'alice')
    const bytes = crypto.randomBytes(64 * 1024)
    const idle = await createUpload(t.server.url, alice.token, bytes, 'idle.bin', 'application/octet-stream')
    expect((await patchBytes(t.server.url, alice.token, idle, 0, bytes.subarray(0, 1000))).status).toBe(204)
    await new Promise((resolve) => setTimeout(resolve, 5_500))
    await t.restart()
    expect((await request(t.server.url, 'HEAD', `/attachments/uploads/${idle}`, bearer(alice.token))).status).toBe(404)
    expect(fs.existsSync(path.join(t.dataDir, 'attachments', 'uploads', idle))).toBe(false)
    // A fresh upload is not idle yet: kept through the restart.
    const fresh = await createUpload(t.server.url, alice.token, bytes, 'fresh.bin', 'application/octet-stream')
    await t.restart()
    expect(await headOffset(t.server.url, alice.token, fresh)).toBe(0)
  })
})
