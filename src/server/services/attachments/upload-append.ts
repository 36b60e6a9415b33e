// Owns writing one PATCH of an upload: the stream appended at the durable offset in batches written in parallel,
// flushed in the background, fed to the running hash, fsynced at the end and only then recorded as the new offset.
import fs from 'node:fs'
import type { Readable } from 'node:stream'
import { createLogger } from '../../../shared/logger'
import type { AttachmentUploadRow } from '../../store/attachments/types'
import type { ServerStore } from '../../store/types'
import { UPLOAD_BACKGROUND_FLUSH_BYTES, UPLOAD_WRITE_BATCH_BYTES, UPLOAD_WRITES_IN_FLIGHT } from './config'
import type { AttachmentFiles } from './files'
import type { UploadHasher } from './hasher'
import { newId } from './naming'
import { fail, uploadNotFound, type AttachmentResult } from './results'

const log = createLogger('server:attachments')

/** A PATCH being written: how to cut it short (a newer PATCH supersedes it) and when it has settled. */
export interface ActivePatch {
  abort(): void
  settled: Promise<void>
}

/**
 * The running hash of an upload's bytes [0, bytes), kept while the upload proceeds in order on this process. The
 * state lives on the hashing thread (hasher.ts) under `key` (the upload id plus a generation, so a dropped hash's
 * late bytes can never mix into a new one).
 */
export interface RunningHash {
  key: string
  bytes: number
}

/** What the appender shares with the rest of the service (the uploads being written, hashed and completed). */
export interface UploadAppendState {
  store: ServerStore
  files: AttachmentFiles
  hasher: UploadHasher
  active: Map<string, ActivePatch>
  hashes: Map<string, RunningHash>
  completing: ReadonlySet<string>
  forgetHash(uploadId: string): void
  ownUpload(user: string, uploadId: string): Promise<AttachmentUploadRow | null>
}

export type UploadAppend = (
  user: string,
  uploadId: string,
  offset: number,
  source: Readable,
  contentLength: number | null
) => Promise<AttachmentResult<number>>

export function createUploadAppend(state: UploadAppendState): UploadAppend {
  const { store, files, hasher, active, hashes, completing, forgetHash, ownUpload } = state
  return async (
    user: string,
    uploadId: string,
    offset: number,
    source: Readable,
    contentLength: number | null
  ): Promise<AttachmentResult<number>> => {
    // A new PATCH of the same upload means the client gave up on the earlier one (its connection dropped, perhaps
    // unnoticed here yet): that one is cut short and settles (fsync, offset recorded) before this one starts.
    const earlier = active.get(uploadId)
    if (earlier) {
      earlier.abort()
      await earlier.settled
    }
    const upload = await ownUpload(user, uploadId)
    if (!upload) return uploadNotFound()
    if (completing.has(uploadId)) return fail(409, 'UPLOAD_BUSY', 'The upload is being completed.', upload.offset)
    if (offset !== upload.offset) {
      return fail(409, 'OFFSET_MISMATCH', `The upload continues at byte ${upload.offset}, not ${offset}.`, upload.offset)
    }
    if (contentLength !== null && offset + contentLength > upload.size) {
      return fail(413, 'TOO_LARGE', `The upload was announced as ${upload.size} bytes; this request would go past it.`, upload.offset)
    }

    let settle = (): void => {}
    const patch: ActivePatch = { abort: () => source.destroy(), settled: new Promise<void>((resolve) => (settle = resolve)) }
    active.set(uploadId, patch)
    const handle = await fs.promises.open(files.upload(uploadId), 'r+').catch(() => null)
    if (!handle) {
      active.delete(uploadId)
      settle()
      return uploadNotFound()
    }
    let position: number
    let overflow = false
    let discardHash: RunningHash | null = null
    try {
      // Bytes past the recorded offset were written but never acknowledged (a crash before the offset was stored).
      await handle.truncate(offset)
      let running = hashes.get(uploadId) ?? null
      if (running && running.bytes !== offset) {
        forgetHash(uploadId)
        running = null
      }
      if (!running && offset === 0) running = { key: `${uploadId}:${newId(6)}`, bytes: 0 }
      hashes.delete(uploadId)
      // Dropped on the thread unless it is kept below for the next PATCH or the completion.
      discardHash = running

      // Batches are written at their own positions while the next ones are read from the socket, up to
      // UPLOAD_WRITES_IN_FLIGHT at once: the socket waits for the disk only when the disk is the slower of the two.
      // `position` moves only once every write before it has finished (at the end, when all have).
      let pending: Buffer[] = []
      let pendingBytes = 0
      let queued = offset
      const writes = new Set<Promise<void>>()
      // Each batch goes to the hasher once it is written (the hasher may move its buffers away), in upload order.
      let hashed: Promise<void> = Promise.resolve()
      // What is written is flushed to disk in the background as the upload goes (one flush at a time), so the fsync
      // that ends the PATCH finds little left. Durability still rests on that last fsync: only then is the offset told.
      let flushing: Promise<void> | null = null
      let unflushed = 0
      let writeError: unknown = null
      const flush = async (): Promise<void> => {
        if (writeError) throw writeError
        if (pendingBytes === 0) return
        const batch = pending
        const at = queued
        queued += pendingBytes
        pending = []
        pendingBytes = 0
        const written = handle.writev(batch, at)
        const write: Promise<void> = written.then(
          () => {
            writes.delete(write)
          },
          (err: unknown) => {
            writes.delete(write)
            writeError ??= err
          }
        )
        writes.add(write)
        for (const chunk of batch) unflushed += chunk.length
        if (unflushed >= UPLOAD_BACKGROUND_FLUSH_BYTES && !flushing) {
          unflushed = 0
          flushing = written
            .then(() => handle.datasync())
            .catch(() => {}) // a failing disk fails the final fsync below, which is what answers the PATCH
            .finally(() => {
              flushing = null
            })
        }
        if (running) {
          const key = running.key
          // A failed write fails the PATCH and drops the hash, so skipping its bytes here changes nothing.
          hashed = hashed.then(() => written).then(() => hasher.update(key, batch), () => {})
        }
        if (writes.size >= UPLOAD_WRITES_IN_FLIGHT) await Promise.race(writes)
      }
      try {
        for await (const data of source) {
          let chunk = data as Buffer
          const room = upload.size - queued - pendingBytes
          if (chunk.length > room) {
            chunk = chunk.subarray(0, room)
            overflow = true
          }
          pending.push(chunk)
          pendingBytes += chunk.length
          if (overflow) break
          if (pendingBytes >= UPLOAD_WRITE_BATCH_BYTES) await flush()
        }
      } catch (err) {
        // The connection dropped (or a newer PATCH cut this one): what arrived is kept, the client resumes from it.
        log.info('upload request ended early; keeping what arrived', { uploadId, error: err instanceof Error ? err.message : String(err) })
      }
      if (!writeError) await flush()
      await Promise.all(writes)
      await hashed
      await flushing
      // A failed write (disk full): the upload keeps its recorded offset; the file is cut back to it on the next PATCH.
      if (writeError) throw writeError
      position = queued
      await handle.sync()
      if (running) {
        running.bytes = position
        hashes.set(uploadId, running)
        discardHash = null
      }
      if (!(await store.attachmentUploadAdvance(uploadId, position, Date.now()))) return uploadNotFound()
    } finally {
      if (discardHash) hasher.drop(discardHash.key)
      await handle.close()
      active.delete(uploadId)
      settle()
    }
    if (overflow) return fail(413, 'TOO_LARGE', `The upload was announced as ${upload.size} bytes; more arrived.`, position)
    return { ok: true, value: position }
  }
}
