// Owns the attachments' storage contract: uploads in progress (with their durable offset), finished attachments
// (uploader, name, mime, size, sha256, secret, thumbnail, dimensions) and the grants saying which conversations read them.

/** An upload in progress. Its bytes are a file named by `uploadId` (services/attachments/files.ts). */
export interface AttachmentUploadRow {
  uploadId: string
  uploader: string
  name: string
  mime: string
  /** The size announced at creation: the upload is complete when `offset` reaches it. */
  size: number
  /** The hex sha256 the client announced (checked at completion), or null. */
  sha256: string | null
  /** Bytes durably received (fsynced before this was written). */
  offset: number
  createdAt: number
  updatedAt: number
}

/** A finished attachment: the bytes are a file named by `id`, the thumbnail (when any) beside it. */
export interface AttachmentRow {
  id: string
  uploader: string
  name: string
  mime: string
  size: number
  sha256: string
  /** A download presenting it needs no membership (a share link). */
  secret: string
  hasThumbnail: boolean
  /** Images only (0 when unknown). */
  width: number
  height: number
  createdAt: number
}

/** Who, besides the uploader, may read an attachment: a user (both sides of a 1:1 chat), a group, a room. */
export type AttachmentGrantKind = 'user' | 'group' | 'room'

export interface AttachmentGrant {
  attachmentId: string
  kind: AttachmentGrantKind
  target: string
}

export interface AttachmentsStore {
  attachmentUploadCreate(upload: AttachmentUploadRow): Promise<void>
  attachmentUpload(uploadId: string): Promise<AttachmentUploadRow | null>
  /** Records bytes durably received; false when the upload is gone (cancelled, completed, swept). */
  attachmentUploadAdvance(uploadId: string, offset: number, at: number): Promise<boolean>
  /** Forgets an upload; false when there was none. */
  attachmentUploadDelete(uploadId: string): Promise<boolean>
  /** Uploads not advanced since `before` (abandoned), oldest first, at most `limit`. */
  attachmentUploadsIdleSince(before: number, limit: number): Promise<AttachmentUploadRow[]>
  /** In one transaction: the upload row goes, the attachment row comes; false when the upload was gone. */
  attachmentComplete(uploadId: string, attachment: AttachmentRow): Promise<boolean>
  attachmentGet(id: string): Promise<AttachmentRow | null>
  /** The attachments among `ids` that exist (for a message's references), by id. */
  attachmentsGet(ids: readonly string[]): Promise<AttachmentRow[]>
  /** The grants of an attachment (the uploader's own access is implicit). */
  attachmentGrants(id: string): Promise<AttachmentGrant[]>
  /** Records grants (idempotent). */
  attachmentGrant(grants: readonly AttachmentGrant[], at: number): Promise<void>
}
