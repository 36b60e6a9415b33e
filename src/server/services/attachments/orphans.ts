// Owns the sweep of attachment bytes no row names: files a crash left between deleting a row and deleting its file
// (collector, cancel, abandoned-upload sweep: rows go first), removed at start-up and with the hourly upload sweep.
import fs from 'node:fs'
import path from 'node:path'
import { createLogger } from '../../../shared/logger'
import type { ServerStore } from '../../store/types'
import { ATTACHMENT_ID_PATTERN, ORPHAN_FILE_GRACE_MS, ORPHAN_LOOKUP_BATCH } from './config'
import type { AttachmentFiles } from './files'

const log = createLogger('server:attachments:orphans')

export interface OrphanSweepDeps {
  store: ServerStore
  files: AttachmentFiles
  /** Uploads this process is writing or completing now (their rows exist; checked again here to be sure). */
  busyUploads(): ReadonlySet<string>
}

/** Names in a folder that look like ours (anything else is not ours to delete). */
async function idsIn(dir: string): Promise<string[]> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => [])
  return entries.filter((entry) => entry.isFile() && ATTACHMENT_ID_PATTERN.test(entry.name)).map((entry) => entry.name)
}

/**
 * Removes `file` when it was last modified before `before` (a file is written before its row is committed: creation,
 * completion and thumbnails stamp it then, so a file younger than the grace may still be getting its row).
 */
async function removeIfOld(file: string, before: number): Promise<boolean> {
  const stat = await fs.promises.stat(file).catch(() => null)
  if (!stat || stat.mtimeMs >= before) return false
  await fs.promises.rm(file, { force: true })
  return true
}

/** Deletes attachment and upload files no row names and older than ORPHAN_FILE_GRACE_MS; returns how many went. */
export async function sweepOrphanFiles(deps: OrphanSweepDeps, now = Date.now()): Promise<number> {
  const { store, files } = deps
  const before = now - ORPHAN_FILE_GRACE_MS
  let removed = 0
  // Finished attachments: a file or thumbnail whose attachments row is gone.
  for (const dir of [files.folders.files, files.folders.thumbnails]) {
    const ids = await idsIn(dir)
    for (let at = 0; at < ids.length; at += ORPHAN_LOOKUP_BATCH) {
      const batch = ids.slice(at, at + ORPHAN_LOOKUP_BATCH)
      const known = new Set((await store.attachmentsGet(batch)).map((row) => row.id))
      for (const id of batch) if (!known.has(id) && (await removeIfOld(path.join(dir, id), before))) removed += 1
    }
  }
  // Uploads in progress: a file whose upload row is gone (cancelled, swept, completed with a mismatch).
  for (const uploadId of await idsIn(files.folders.uploads)) {
    if (deps.busyUploads().has(uploadId) || (await store.attachmentUpload(uploadId))) continue
    if (await removeIfOld(files.upload(uploadId), before)) removed += 1
  }
  if (removed > 0) log.info('removed attachment files no row names (left by a crash)', { removed })
  return removed
}
