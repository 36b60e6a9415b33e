// Owns the SQLite side of the attachments store: upload rows and their offsets, finished attachments, and grants.
// Every statement is prepared once; completion is one transaction (the upload row goes as the attachment row comes).
import type { SqliteDomainContext } from '../domain-context'
import type { Synchronous } from '../records'
import type { AttachmentGrant, AttachmentGrantKind, AttachmentRow, AttachmentUploadRow, AttachmentsStore } from './types'

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

export function openAttachmentsSqlite(context: SqliteDomainContext): Synchronous<AttachmentsStore> {
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
        for (const grant of grants) insertGrant.run(grant.attachmentId, KIND_CODES[grant.kind], grant.target, at)
      })
    }
  }
}
