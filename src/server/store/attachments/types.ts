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
  /** The stored message that names the attachment (1:1 and group sends): it keeps the bytes alive while it lives. */
  serverId?: number
}

/** When an attachment no live message names may go (store/attachments attachmentsCollectable). */
export interface AttachmentCollectPolicy {
  /** Never referenced by any message: collectable when created before this time (the upload grace period). */
  unreferencedBefore: number
  /** A room grant newer than this keeps the attachment (rooms store no messages to count). */
  roomGrantAfter: number
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
  /** Records grants (idempotent), and the message references of those that carry a serverId. */
  attachmentGrant(grants: readonly AttachmentGrant[], at: number): Promise<void>
  /**
   * Scans up to `limit` attachments with ids after `afterId` (keyset order) and answers those no live message names
   * (every referencing message recalled, expired or trimmed; or never referenced and past the grace), and the last id
   * scanned (null when the scan reached the end).
   */
  attachmentsCollectable(afterId: string, limit: number, policy: AttachmentCollectPolicy): Promise<{ ids: string[]; lastId: string | null }>
  /** The attachments these stored messages name (recall and expiry release them at once). */
  attachmentsOfMessages(serverIds: readonly number[]): Promise<string[]>
  /** In one transaction: each of `ids` still collectable loses its row, grants and references; answers those deleted. */
  attachmentsDelete(ids: readonly string[], policy: AttachmentCollectPolicy): Promise<AttachmentRow[]>
}
