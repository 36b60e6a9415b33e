// Attachment uploads over time: an offset survives a server restart (the upload resumes on the new process), and the
// sweep removes uploads idle past UPLOAD_ABANDON_MS (row and bytes) while keeping recent ones and finished attachments.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { createAttachmentService } from '../../src/server/services/attachments/service'
import { UPLOAD_ABANDON_MS } from '../../src/server/services/attachments/config'
import type { WorkerStoreHandle } from '../../src/server/store/worker-store'
import { registerAndLogin } from '../bench/lib/frame-client'
import { completeUpload, createUpload, download, headOffset, json, patchBytes, patchThenDrop, sha256Hex, type AttachmentJson } from '../support/attachment-http'
import { makeTempDir, removeDir, startTestServer, type TestServer } from '../support/test-server'
import { openTestStore } from '../support/test-database'

process.env.PARLEY_LOG ??= 'warn'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe('attachment uploads over time', () => {
  it('the offset of a dropped upload survives a restart and the upload finishes on the new process', async () => {
    const t: TestServer = await startTestServer()
    cleanups.push(() => t.dispose())
    const alice = await registerAndLogin(t.server.url, 'alice')
    const bytes = crypto.randomBytes(3 * 1024 * 1024 + 7)
    const uploadId = await createUpload(t.server.url, alice.token, bytes, 'r.bin', 'application/octet-stream')
    await patchThenDrop(t.server.url, alice.token, uploadId, bytes, 2 * 1024 * 1024)
    const before = await headOffset(t.server.url, alice.token, uploadId)
    expect(before).toBeGreaterThan(0)
    await t.restart()
    // The running hash is gone with the old process: completion hashes the file instead, and must still match.
    expect(await headOffset(t.server.url, alice.token, uploadId)).toBe(before)
    expect((await patchBytes(t.server.url, alice.token, uploadId, before, bytes.subarray(before))).status).toBe(204)
    const done = await completeUpload(t.server.url, alice.token, uploadId)
    expect(done.status).toBe(200)
    const attachment = json(done).attachment as AttachmentJson
    expect(attachment.sha256).toBe(sha256Hex(bytes))
    expect(sha256Hex((await download(t.server.url, attachment.id, { token: alice.token })).body)).toBe(attachment.sha256)
  })

  it('the sweep removes uploads idle past the abandon period, their bytes too, and keeps the rest', async () => {
    const dataDir = makeTempDir()
    const store: WorkerStoreHandle = await openTestStore(dataDir)
    cleanups.push(async () => {
      await store.close()
      removeDir(dataDir)
    })
    const service = await createAttachmentService({ store, dataDir, maxUploadBytes: 1024 * 1024, isInRoom: () => false })
    cleanups.push(async () => service.close())
    const make = async (name: string): Promise<string> => {
      const created = await service.createUpload('alice', { name, mime: 'a/b', size: 10 })
      if (!created.ok) throw new Error(created.message)
      return created.value.uploadId
    }
    const idle = await make('idle')
    expect(await service.append('alice', idle, 0, Readable.from([Buffer.from('hello')]), 5)).toEqual({ ok: true, value: 5 })
    const finished = await make('finished')
    expect((await service.append('alice', finished, 0, Readable.from([Buffer.from('0123456789')]), 10)).ok).toBe(true)
    const completed = await service.complete('alice', finished)
    expect(completed.ok).toBe(true)
    const idleFile = path.join(dataDir, 'attachments', 'uploads', idle)
    expect(fs.existsSync(idleFile)).toBe(true)

    // Not yet abandoned: nothing goes.
    expect(await service.sweep(Date.now() + UPLOAD_ABANDON_MS / 2)).toBe(0)
    const recent = await make('recent')
    const later = Date.now() + UPLOAD_ABANDON_MS + 1_000
    // Past the period every unfinished upload goes, however far it got.
    expect(await service.sweep(later)).toBe(2)
    expect(fs.existsSync(idleFile)).toBe(false)
    expect(fs.existsSync(path.join(dataDir, 'attachments', 'uploads', recent))).toBe(false)
    expect(await service.uploadOffset('alice', idle)).toMatchObject({ ok: false, status: 404 })
    // The finished attachment is not an upload: it stays readable.
    if (!completed.ok) throw new Error('unreachable')
    expect(await service.open({ user: 'alice' }, completed.value.id, 'file')).toMatchObject({ ok: true })
  })
})
