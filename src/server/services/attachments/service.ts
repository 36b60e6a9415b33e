// Owns attachments on the server: resumable uploads (bytes appended at a durable, fsynced offset), completion (hash,
// sniffed mime, thumbnail), who may read an attachment (uploader, granted conversations, secret), and the sweep of
// abandoned uploads. Transport-free: api/attachments.ts maps it to HTTP.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { createLogger } from '../../../shared/logger'
import type { ServerStore } from '../../store/types'
import type { AttachmentGrant, AttachmentRow } from '../../store/attachments/types'
import {
  ATTACHMENT_ID_BYTES,
  ATTACHMENT_ID_PATTERN,
  ATTACHMENT_SECRET_BYTES,
  DEFAULT_ATTACHMENT_GRACE_HOURS,
  HEAD_SETTLE_WAIT_MS,
  THUMBNAIL_MIME,
  UPLOAD_ABANDON_MS,
  UPLOAD_SWEEP_BATCH,
  UPLOAD_SWEEP_INTERVAL_MS
} from './config'
import { createAttachmentCollector } from './collector'
import { hashFile, readHead, syncFile } from './file-io'
import { attachmentFiles, syncFolder, type AttachmentFiles } from './files'
import { createUploadHasher } from './hasher'
import { newId, sanitizeMime, sanitizeName, SHA256_PATTERN } from './naming'
import { sweepOrphanFiles } from './orphans'
import { attachmentNotFound, fail, uploadNotFound, type AttachmentFailure, type AttachmentResult } from './results'
import { sniffMime, THUMBNAILED_MIMES } from './sniff'
import { makeThumbnail } from './thumbnails'
import { createUploadAppend, type ActivePatch, type RunningHash } from './upload-append'

// The service's answers and names, for the routes and tests that import them from here.
export type { AttachmentFailure, AttachmentResult }
export { sanitizeName }

const log = createLogger('server:attachments')


/** What a client learns of a finished attachment (the AttachmentRef fields plus the image's dimensions). */
export interface AttachmentInfo {
  id: string
  name: string
  mime: string
  size: number
  sha256: string
  secret: string
  hasThumbnail: boolean
  width: number
  height: number
}

export interface NewUpload {
  name?: unknown
  mime?: unknown
  size?: unknown
  sha256?: unknown
}

/** Who asks to read: a signed-in user, or whoever holds the attachment's secret. */
export type AttachmentReader = { user: string } | { secret: string }

export interface OpenedAttachment {
  row: AttachmentRow
  path: string
  size: number
  mime: string
}

/** A message's references checked against the sender's access: every attachment found and readable, or why not. */
export type SendAccess =
  | { ok: true; attachments: Map<string, AttachmentRow> }
  | { ok: false; reason: 'not-found' | 'forbidden'; id: string }

export interface AttachmentService {
  readonly maxBytes: number
  createUpload(user: string, input: NewUpload): Promise<AttachmentResult<{ uploadId: string; offset: number; maxBytes: number }>>
  /** The durable offset; waits (a little) for a PATCH of this upload still settling. */
  uploadOffset(user: string, uploadId: string): Promise<AttachmentResult<{ offset: number; size: number }>>
  /** Appends the stream at `offset`; a stream cut short keeps what arrived. Resolves with the new durable offset. */
  append(user: string, uploadId: string, offset: number, source: Readable, contentLength: number | null): Promise<AttachmentResult<number>>
  complete(user: string, uploadId: string): Promise<AttachmentResult<AttachmentInfo>>
  cancel(user: string, uploadId: string): Promise<AttachmentResult<null>>
  open(reader: AttachmentReader, id: string, which: 'file' | 'thumbnail'): Promise<AttachmentResult<OpenedAttachment>>
  /** Whether `user` may read the attachment (uploader, a grant of theirs, a group or room they are in). */
  canRead(user: string, row: AttachmentRow): Promise<boolean>
  /** The attachments a message names, each readable by its sender (the send path's check). */
  checkForSend(sender: string, ids: readonly string[]): Promise<SendAccess>
  /** Records that a conversation may read these attachments (a message referencing them was stored there). */
  grant(grants: readonly AttachmentGrant[]): Promise<void>
  /** Removes uploads idle longer than the abandon period (PARLEY_UPLOAD_ABANDON_HOURS); returns how many. */
  sweep(now?: number): Promise<number>
  /** Removes files no row names (a crash between a row's deletion and its file's), older than a grace; how many. */
  sweepOrphans(now?: number): Promise<number>
  /** Deletes finished attachments no live message names (collector.ts); returns how many. */
  collect(now?: number): Promise<number>
  /** Recalled or expired messages: their attachments go now unless another live message names them. */
  release(serverIds: readonly number[]): Promise<number>
  /** Whether the attachment's bytes are still on disk (diagnostics and tests of the clean-up). */
  bytesPresent(id: string): Promise<{ file: boolean; thumbnail: boolean }>
  close(): void
}

export interface AttachmentServiceDeps {
  store: ServerStore
  dataDir: string
  maxUploadBytes: number
  /** Room membership is live (services/rooms), not stored; in cluster mode it is asked of Redis. */
  isInRoom(room: string, user: string): boolean | Promise<boolean>
  /** Never-referenced finished attachments are deleted this long after completion (PARLEY_ATTACHMENT_GRACE_HOURS). */
  unreferencedGraceMs?: number
  /** Uploads not advanced for this long are removed (PARLEY_UPLOAD_ABANDON_HOURS; default UPLOAD_ABANDON_MS). */
  uploadAbandonMs?: number
}

function infoOf(row: AttachmentRow): AttachmentInfo {
  const { id, name, mime, size, sha256, secret, hasThumbnail, width, height } = row
  return { id, name, mime, size, sha256, secret, hasThumbnail, width, height }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && crypto.timingSafeEqual(a, b)
}


export async function createAttachmentService(deps: AttachmentServiceDeps): Promise<AttachmentService> {
  const { store, maxUploadBytes, isInRoom } = deps
  const uploadAbandonMs = deps.uploadAbandonMs ?? UPLOAD_ABANDON_MS
  const files: AttachmentFiles = attachmentFiles(deps.dataDir)
  await files.ensure()
  const active = new Map<string, ActivePatch>()
  const hashes = new Map<string, RunningHash>()
  const hasher = createUploadHasher()
  const forgetHash = (uploadId: string): void => {
    const running = hashes.get(uploadId)
    if (running) hasher.drop(running.key)
    hashes.delete(uploadId)
  }
  const completing = new Set<string>()
  const collector = createAttachmentCollector({
    store,
    files,
    unreferencedGraceMs: deps.unreferencedGraceMs ?? DEFAULT_ATTACHMENT_GRACE_HOURS * 60 * 60_000
  })

  const ownUpload = async (user: string, uploadId: string) => {
    if (!ATTACHMENT_ID_PATTERN.test(uploadId)) return null
    const upload = await store.attachmentUpload(uploadId)
    return upload && upload.uploader === user ? upload : null
  }

  const removeUpload = async (uploadId: string): Promise<void> => {
    forgetHash(uploadId)
    await store.attachmentUploadDelete(uploadId)
    await fs.promises.rm(files.upload(uploadId), { force: true })
  }

  const canRead = async (user: string, row: AttachmentRow): Promise<boolean> => {
    if (row.uploader === user) return true
    const grants = await store.attachmentGrants(row.id)
    let groups: Set<string> | null = null
    for (const grant of grants) {
      if (grant.kind === 'user' && grant.target === user) return true
      if (grant.kind === 'room' && (await isInRoom(grant.target, user))) return true
      if (grant.kind === 'group') {
        groups ??= new Set(await store.groupIdsOf(user))
        if (groups.has(grant.target)) return true
      }
    }
    return false
  }

  const append = createUploadAppend({ store, files, hasher, active, hashes, completing, forgetHash, ownUpload })

  const complete = async (user: string, uploadId: string): Promise<AttachmentResult<AttachmentInfo>> => {
    const upload = await ownUpload(user, uploadId)
    if (!upload) return uploadNotFound()
    if (active.has(uploadId) || completing.has(uploadId)) return fail(409, 'UPLOAD_BUSY', 'The upload is still receiving bytes.', upload.offset)
    if (upload.offset !== upload.size) {
      return fail(409, 'INCOMPLETE', `The upload has ${upload.offset} of ${upload.size} bytes; send the rest first.`, upload.offset)
    }
    completing.add(uploadId)
    const source = files.upload(uploadId)
    try {
      if (!(await fs.promises.stat(source).catch(() => null))) {
        // A crash after an earlier completion's rename and before its row: those bytes are an orphan now (orphans.ts
        // removes them); this upload cannot finish, so it goes and the client starts over.
        log.error('an upload to complete has no bytes on disk; dropping it', { uploadId })
        await removeUpload(uploadId)
        return uploadNotFound()
      }
      const running = hashes.get(uploadId)
      hashes.delete(uploadId)
      let sha256: string
      if (running && running.bytes === upload.size) {
        sha256 = await hasher.digest(running.key)
      } else {
        if (running) hasher.drop(running.key)
        sha256 = await hashFile(source)
      }
      if (upload.sha256 !== null && upload.sha256 !== sha256) {
        await removeUpload(uploadId)
        return fail(422, 'CHECKSUM_MISMATCH', 'The bytes received do not match the sha256 announced; upload the file again.')
      }
      const mime = sniffMime(await readHead(source)) ?? upload.mime
      const id = newId(ATTACHMENT_ID_BYTES)
      const target = files.file(id)
      await fs.promises.rename(source, target)
      // The rename keeps the last PATCH's time: stamped now, the orphan sweep's grace covers the file until its row.
      const renamedAt = new Date()
      await fs.promises.utimes(target, renamedAt, renamedAt)
      let thumbnail = { width: 0, height: 0, written: false }
      if (THUMBNAILED_MIMES.has(mime)) {
        thumbnail = await makeThumbnail(target, mime, files.thumbnail(id))
        if (thumbnail.written) await syncFile(files.thumbnail(id))
      }
      await syncFolder(path.dirname(target))
      const row: AttachmentRow = {
        id,
        uploader: upload.uploader,
        name: upload.name,
        mime,
        size: upload.size,
        sha256,
        secret: newId(ATTACHMENT_SECRET_BYTES),
        hasThumbnail: thumbnail.written,
        width: thumbnail.width,
        height: thumbnail.height,
        createdAt: Date.now()
      }
      if (!(await store.attachmentComplete(uploadId, row))) {
        // Cancelled meanwhile: nothing refers to the bytes.
        await fs.promises.rm(target, { force: true })
        await fs.promises.rm(files.thumbnail(id), { force: true })
        return uploadNotFound()
      }
      log.info('attachment stored', { id, size: row.size, mime, thumbnail: row.hasThumbnail })
      return { ok: true, value: infoOf(row) }
    } finally {
      completing.delete(uploadId)
    }
  }

  const sweep = async (now = Date.now()): Promise<number> => {
    const idle = await store.attachmentUploadsIdleSince(now - uploadAbandonMs, UPLOAD_SWEEP_BATCH)
    let removed = 0
    for (const upload of idle) {
      if (active.has(upload.uploadId) || completing.has(upload.uploadId)) continue
      await removeUpload(upload.uploadId)
      removed += 1
    }
    if (removed > 0) log.info('removed abandoned uploads', { removed })
    return removed
  }

  const busyUploads = (): Set<string> => new Set([...active.keys(), ...completing])
  const sweepOrphans = (now = Date.now()): Promise<number> => sweepOrphanFiles({ store, files, busyUploads }, now)
  const logFailure = (what: string) => (err: unknown) => {
    log.error(what, { error: err instanceof Error ? err.message : String(err) })
    return 0
  }
  // Rows are deleted before their files (a download or a send then finds nothing): what a crash left between the two
  // goes before the server takes requests, and again with each hourly sweep; so do uploads abandoned meanwhile.
  const sweepAll = async (): Promise<void> => {
    await sweep().catch(logFailure('sweeping abandoned uploads failed'))
    await sweepOrphans().catch(logFailure('sweeping files no row names failed'))
  }
  await sweepAll()
  const sweepTimer = setInterval(() => void sweepAll(), UPLOAD_SWEEP_INTERVAL_MS)
  sweepTimer.unref()

  return {
    maxBytes: maxUploadBytes,

    async createUpload(user, input) {
      const size = input.size
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
        return fail(400, 'BAD_REQUEST', 'size must be the file size in bytes (a whole number, 0 or more).')
      }
      if (size > maxUploadBytes) {
        return fail(413, 'TOO_LARGE', `The file is larger than this server accepts (${Math.floor(maxUploadBytes / (1024 * 1024))} MB).`)
      }
      let sha256: string | null = null
      if (input.sha256 !== undefined && input.sha256 !== null && input.sha256 !== '') {
        if (typeof input.sha256 !== 'string' || !SHA256_PATTERN.test(input.sha256.toLowerCase())) {
          return fail(400, 'BAD_REQUEST', 'sha256 must be 64 hex digits.')
        }
        sha256 = input.sha256.toLowerCase()
      }
      const uploadId = newId(ATTACHMENT_ID_BYTES)
      await fs.promises.writeFile(files.upload(uploadId), new Uint8Array(0))
      const now = Date.now()
      await store.attachmentUploadCreate({
        uploadId,
        uploader: user,
        name: sanitizeName(input.name),
        mime: sanitizeMime(input.mime),
        size,
        sha256,
        offset: 0,
        createdAt: now,
        updatedAt: now
      })
      return { ok: true, value: { uploadId, offset: 0, maxBytes: maxUploadBytes } }
    },

    async uploadOffset(user, uploadId) {
      const running = active.get(uploadId)
      if (running) {
        let timer: NodeJS.Timeout | undefined
        await Promise.race([running.settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, HEAD_SETTLE_WAIT_MS)))])
        clearTimeout(timer)
      }
      const upload = await ownUpload(user, uploadId)
      if (!upload) return uploadNotFound()
      return { ok: true, value: { offset: upload.offset, size: upload.size } }
    },

    append,
    complete,

    async cancel(user, uploadId) {
      const upload = await ownUpload(user, uploadId)
      if (!upload) return uploadNotFound()
      const running = active.get(uploadId)
      if (running) {
        running.abort()
        await running.settled
      }
      await removeUpload(uploadId)
      return { ok: true, value: null }
    },

    async open(reader, id, which) {
      if (!ATTACHMENT_ID_PATTERN.test(id)) return attachmentNotFound()
      const row = await store.attachmentGet(id)
      if (!row) return attachmentNotFound()
      const allowed = 'secret' in reader ? sameSecret(reader.secret, row.secret) : await canRead(reader.user, row)
      if (!allowed) return fail(403, 'FORBIDDEN', 'You may not read this attachment: it was not shared in a conversation of yours.')
      if (which === 'thumbnail' && !row.hasThumbnail) return fail(404, 'NOT_FOUND', 'This attachment has no thumbnail.')
      const bytesPath = which === 'thumbnail' ? files.thumbnail(id) : files.file(id)
      const stat = await fs.promises.stat(bytesPath).catch(() => null)
      if (!stat) {
        log.error('attachment bytes are missing', { id, which })
        return fail(404, 'NOT_FOUND', 'The bytes of this attachment are gone.')
      }
      return { ok: true, value: { row, path: bytesPath, size: stat.size, mime: which === 'thumbnail' ? THUMBNAIL_MIME : row.mime } }
    },

    canRead,

    async checkForSend(sender, ids) {
      if (ids.length === 0) return { ok: true, attachments: new Map() }
      // Marked before the look-up: a collection running meanwhile leaves them alone until the send's grant.
      collector.noteSendCheck(ids)
      const found = new Map((await store.attachmentsGet(ids)).map((row) => [row.id, row]))
      for (const id of ids) {
        const row = found.get(id)
        if (!row) return { ok: false, reason: 'not-found', id }
        if (!(await canRead(sender, row))) return { ok: false, reason: 'forbidden', id }
      }
      return { ok: true, attachments: found }
    },

    async grant(grants) {
      await store.attachmentGrant(grants, Date.now())
      // One grant per side of a 1:1 chat: a send's check is settled once per message and attachment.
      const settled = new Map(grants.map((grant) => [`${grant.serverId ?? ''}|${grant.attachmentId}`, grant.attachmentId]))
      collector.noteGranted([...settled.values()])
    },

    sweep,
    sweepOrphans,
    collect: (now) => collector.collect(now),
    release: (serverIds) => collector.release(serverIds),

    async bytesPresent(id) {
      if (!ATTACHMENT_ID_PATTERN.test(id)) return { file: false, thumbnail: false }
      const exists = (file: string): Promise<boolean> => fs.promises.access(file).then(() => true, () => false)
      return { file: await exists(files.file(id)), thumbnail: await exists(files.thumbnail(id)) }
    },

    close() {
      clearInterval(sweepTimer)
      collector.close()
      void hasher.close()
    }
  }
}
