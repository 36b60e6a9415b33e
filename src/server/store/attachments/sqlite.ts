// Owns the SQLite side of the attachments store: upload rows and their offsets, finished attachments, and grants.
// Every statement is prepared once; completion is one transaction (the upload row goes as the attachment row comes).
import type { DomainContext } from '../domain-context'
import type { Synchronous } from '../records'
import type { AttachmentCollectPolicy, AttachmentGrant, AttachmentGrantKind, AttachmentRow, AttachmentUploadRow, AttachmentsStore } from './types'

const KIND_CODES: Record<AttachmentGrantKind, number> = { user: 0, group: 1, room: 2 }
const KIND_BY_CODE: readonly AttachmentGrantKind[] = ['user', 'group', 'room']

interface UploadDbRow {
  upload_id: string
  uploader: string
  name: string
  mime: string
  size: number
  sha256: string | null
  received_bytes: number
  created_at: number
  updated_at: number
}

interface AttachmentDbRow {
  id: string
  uploader: string
  name: string
  mime: string
  size: number
  sha256: string
  secret: string
  has_thumbnail: number
  width: number
  height: number
  created_at: number
}

function toUpload(row: UploadDbRow): AttachmentUploadRow {
  return {
    uploadId: row.upload_id,
    uploader: row.uploader,
    name: row.name,
    mime: row.mime,
    size: row.size,
    sha256: row.sha256,
    offset: row.received_bytes,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}

function toAttachment(row: AttachmentDbRow): AttachmentRow {
  return {
    id: row.id,
    uploader: row.uploader,
    name: row.name,
    mime: row.mime,
    size: row.size,
    sha256: row.sha256,
    secret: row.secret,
    hasThumbnail: row.has_thumbnail !== 0,
    width: row.width,
    height: row.height,
    createdAt: row.created_at
  }
}

export function openAttachmentsSqlite(context: DomainContext): Synchronous<AttachmentsStore> {
  const { db } = context
  const insertUpload = db.prepare(
    `INSERT INTO attachment_uploads (upload_id, uploader, name, mime, size, sha256, received_bytes, created_at, updated_at)
     VALUES (@uploadId, @uploader, @name, @mime, @size, @sha256, @offset, @createdAt, @updatedAt)`
  )
  const selectUpload = db.prepare<[string], UploadDbRow>('SELECT * FROM attachment_uploads WHERE upload_id = ?')
  const updateOffset = db.prepare<[number, number, string]>('UPDATE attachment_uploads SET received_bytes = ?, updated_at = ? WHERE upload_id = ?')
  const deleteUpload = db.prepare<[string]>('DELETE FROM attachment_uploads WHERE upload_id = ?')
  const selectIdle = db.prepare<[number, number], UploadDbRow>(
    'SELECT * FROM attachment_uploads WHERE updated_at < ? ORDER BY updated_at LIMIT ?'
  )
  const insertAttachment = db.prepare(
    `INSERT INTO attachments (id, uploader, name, mime, size, sha256, secret, has_thumbnail, width, height, created_at)
     VALUES (@id, @uploader, @name, @mime, @size, @sha256, @secret, @hasThumbnail, @width, @height, @createdAt)`
  )
  const selectAttachment = db.prepare<[string], AttachmentDbRow>('SELECT * FROM attachments WHERE id = ?')
  const selectGrants = db.prepare<[string], { kind: number; target: string }>(
    'SELECT kind, target FROM attachment_grants WHERE attachment_id = ?'
  )
  const insertGrant = db.prepare<[string, number, string, number]>(
    'INSERT INTO attachment_grants (attachment_id, kind, target, granted_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'
  )
  const insertRef = db.prepare<[string, number]>(
    'INSERT INTO attachment_refs (attachment_id, server_id) VALUES (?, ?) ON CONFLICT DO NOTHING'
  )
  // Collectable: no live reference (a message still stored and not recalled; 0 = kept since before references were
  // recorded), no recent room grant, and either referenced once (all gone now) or never referenced and past the grace.
  // A group message that expired keeps its row marked recalled, so `recalled_by IS NULL` covers expiry there too.
  const COLLECTABLE = `NOT EXISTS (SELECT 1 FROM attachment_refs r LEFT JOIN messages m ON m.server_id = r.server_id
        WHERE r.attachment_id = a.id AND (r.server_id = 0 OR (m.server_id IS NOT NULL AND m.recalled_by IS NULL)))
      AND NOT EXISTS (SELECT 1 FROM attachment_grants g WHERE g.attachment_id = a.id AND g.kind = ${KIND_CODES.room}
        AND g.granted_at > @roomGrantAfter)
      AND (a.created_at < @unreferencedBefore OR EXISTS (SELECT 1 FROM attachment_refs r2 WHERE r2.attachment_id = a.id))`
  const scanIds = db.prepare<[string, number], { id: string }>('SELECT id FROM attachments WHERE id > ? ORDER BY id LIMIT ?')
  const collectableOne = db.prepare<[{ id: string } & AttachmentCollectPolicy], AttachmentDbRow>(
    `SELECT a.* FROM attachments a WHERE a.id = @id AND ${COLLECTABLE}`
  )
  const refsOfMessage = db.prepare<[number], { attachment_id: string }>('SELECT attachment_id FROM attachment_refs WHERE server_id = ?')
  const deleteRefs = db.prepare<[string]>('DELETE FROM attachment_refs WHERE attachment_id = ?')
  const deleteGrants = db.prepare<[string]>('DELETE FROM attachment_grants WHERE attachment_id = ?')
  const deleteAttachment = db.prepare<[string]>('DELETE FROM attachments WHERE id = ?')

  return {
    attachmentUploadCreate(upload) {
      insertUpload.run(upload)
    },
    attachmentUpload(uploadId) {
      const row = selectUpload.get(uploadId)
      return row ? toUpload(row) : null
    },
    attachmentUploadAdvance(uploadId, offset, at) {
      return updateOffset.run(offset, at, uploadId).changes > 0
    },
    attachmentUploadDelete(uploadId) {
      return deleteUpload.run(uploadId).changes > 0
    },
    attachmentUploadsIdleSince(before, limit) {
      return selectIdle.all(before, limit).map(toUpload)
    },
    attachmentComplete(uploadId, attachment) {
      return context.inTransaction(() => {
        if (deleteUpload.run(uploadId).changes === 0) return false
        insertAttachment.run({ ...attachment, hasThumbnail: attachment.hasThumbnail ? 1 : 0 })
        return true
      })
    },
    attachmentGet(id) {
      const row = selectAttachment.get(id)
      return row ? toAttachment(row) : null
    },
    attachmentsGet(ids) {
      const found: AttachmentRow[] = []
      for (const id of new Set(ids)) {
        const row = selectAttachment.get(id)
        if (row) found.push(toAttachment(row))
      }
      return found
    },
    attachmentGrants(id) {
      return selectGrants.all(id).flatMap((row): AttachmentGrant[] => {
        const kind = KIND_BY_CODE[row.kind]
        return kind ? [{ attachmentId: id, kind, target: row.target }] : []
      })
    },
    attachmentGrant(grants, at) {
      if (grants.length === 0) return
      context.inTransaction(() => {
        for (const grant of grants) {
          insertGrant.run(grant.attachmentId, KIND_CODES[grant.kind], grant.target, at)
          if (grant.serverId !== undefined && grant.serverId > 0) insertRef.run(grant.attachmentId, grant.serverId)
        }
      })
    },
    attachmentsCollectable(afterId, limit, policy) {
      const scanned = scanIds.all(afterId, limit)
      const ids = scanned.filter(({ id }) => collectableOne.get({ id, ...policy }) !== undefined).map(({ id }) => id)
      return { ids, lastId: scanned.length === limit ? (scanned[scanned.length - 1]?.id ?? null) : null }
    },
    attachmentsOfMessages(serverIds) {
      const ids = new Set<string>()
      for (const serverId of serverIds) for (const row of refsOfMessage.all(serverId)) ids.add(row.attachment_id)
      return [...ids]
    },
    attachmentsDelete(ids, policy) {
      return context.inTransaction(() => {
        const deleted: AttachmentRow[] = []
        for (const id of new Set(ids)) {
          const row = collectableOne.get({ id, ...policy })
          if (!row) continue
          deleteRefs.run(id)
          deleteGrants.run(id)
          deleteAttachment.run(id)
          deleted.push(toAttachment(row))
        }
        return deleted
      })
    }
  }
}
