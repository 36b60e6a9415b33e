// Owns the deletion of finished attachments no live message names: at once when a recall or an expiry releases a
// message's attachments, and by a periodic scan (grace period of never-sent uploads, log retention, room keep time).
import fs from 'node:fs'
import { createLogger } from '../../../shared/logger'
import type { AttachmentCollectPolicy } from '../../store/attachments/types'
import type { ServerStore } from '../../store/types'
import { ATTACHMENT_COLLECT_BATCH, ATTACHMENT_COLLECT_INTERVAL_MS, ROOM_ATTACHMENT_KEEP_MS, SEND_CHECK_GUARD_MS } from './config'
import type { AttachmentFiles } from './files'

const log = createLogger('server:attachments:collector')

export interface AttachmentCollector {
  /** A send is about to name these attachments: they are not collected until it is granted (or SEND_CHECK_GUARD_MS). */
  noteSendCheck(ids: readonly string[]): void
  /** A checked send was stored and its references recorded (the references keep the attachments from now on). */
  noteGranted(ids: readonly string[]): void
  /** Deletes every attachment no live message names (scans them all, in batches); returns how many went. */
  collect(now?: number): Promise<number>
  /** These messages were recalled or expired: their attachments go now unless another live message names them. */
  release(serverIds: readonly number[]): Promise<number>
  close(): void
}

export interface AttachmentCollectorDeps {
  store: ServerStore
  files: AttachmentFiles
  /** Never-referenced attachments are kept this long after they were finished. */
  unreferencedGraceMs: number
}

export function createAttachmentCollector(deps: AttachmentCollectorDeps): AttachmentCollector {
  const { store, files, unreferencedGraceMs } = deps
  /** Sends checked but not yet granted, per attachment: how many, and when the latest was checked. */
  const pendingSends = new Map<string, { count: number; at: number }>()
  let closed = false

  const policyAt = (now: number): AttachmentCollectPolicy => ({
    unreferencedBefore: now - unreferencedGraceMs,
    roomGrantAfter: now - ROOM_ATTACHMENT_KEEP_MS
  })

  /** Ids a send checked within the guard are left alone; older marks are forgotten. */
  const unguarded = (ids: readonly string[], now: number): string[] => {
    // A send refused after its check never grants: its mark runs out with the guard.
    for (const [id, pending] of pendingSends) if (pending.at <= now - SEND_CHECK_GUARD_MS) pendingSends.delete(id)
    return ids.filter((id) => !pendingSends.has(id))
  }

  /** Removals under way (a release runs beside a collection): a collection returns only once they are done too. */
  const removing = new Set<Promise<number>>()

  const track = (work: Promise<number>): Promise<number> => {
    removing.add(work)
    const forget = (): void => {
      removing.delete(work)
    }
    work.then(forget, forget)
    return work
  }
  const remove = (ids: readonly string[], now: number): Promise<number> => track(removeNow(ids, now))

  const removeNow = async (ids: readonly string[], now: number): Promise<number> => {
    const candidates = unguarded(ids, now)
    if (candidates.length === 0) return 0
    // Rows first (a download or a send then finds nothing), bytes after: a crash between leaves only unreachable bytes.
    const deleted = await store.attachmentsDelete(candidates, policyAt(now))
    for (const row of deleted) {
      await fs.promises.rm(files.file(row.id), { force: true })
      await fs.promises.rm(files.thumbnail(row.id), { force: true })
    }
    if (deleted.length > 0) log.info('deleted attachments no message names any more', { count: deleted.length })
    return deleted.length
  }

  const collect = async (now = Date.now()): Promise<number> => {
    let removed = 0
    let after: string | null = ''
    while (after !== null && !closed) {
      const page: { ids: string[]; lastId: string | null } = await store.attachmentsCollectable(after, ATTACHMENT_COLLECT_BATCH, policyAt(now))
      removed += await remove(page.ids, now)
      after = page.lastId
    }
    await Promise.allSettled([...removing])
    return removed
  }

  const timer = setInterval(() => {
    collect().catch((err: unknown) => log.error('collecting attachments failed', { error: err instanceof Error ? err.message : String(err) }))
  }, ATTACHMENT_COLLECT_INTERVAL_MS)
  timer.unref()

  return {
    noteSendCheck(ids) {
      const now = Date.now()
      for (const id of new Set(ids)) pendingSends.set(id, { count: (pendingSends.get(id)?.count ?? 0) + 1, at: now })
    },
    noteGranted(ids) {
      for (const id of ids) {
        const pending = pendingSends.get(id)
        if (!pending) continue
        if (pending.count <= 1) pendingSends.delete(id)
        else pending.count -= 1
      }
    },
    collect,
    async release(serverIds) {
      if (serverIds.length === 0 || closed) return 0
      const now = Date.now()
      // Tracked from the start (the look-up too), so a collection that runs meanwhile waits for it.
      return track(store.attachmentsOfMessages(serverIds).then((ids) => removeNow(ids, now)))
    },
    close() {
      closed = true
      clearInterval(timer)
    }
  }
}
