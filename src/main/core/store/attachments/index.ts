// The attachments store domain on the device (migration 008): the uploads of the outbox's two-phase send (staged
// file, server upload id, offset, state) and the downloaded files of the cache (size, last use) for LRU eviction.
import type { AttachmentInfo, AttachmentWhich, ChatMessage, MessageContent } from '../../../../shared/model'
import { StoreError } from '../errors'
import { MESSAGE_COLUMNS, rowToMessage, type MessageRow } from '../rows'
import type { StoreDomain, StoreDomainContext } from '../domain-types'

export type UploadWhich = 'file' | 'poster'
export type UploadState = 'pending' | 'done' | 'failed' | 'canceled'

export interface UploadRecord {
  messageId: string
  which: UploadWhich
  /** File name inside the account's outbox folder. */
  stagedPath: string
  name: string
  mime: string
  size: number
  sha256: string
  uploadId: string | null
  offset: number
  state: UploadState
  /** The server's record of the file once the upload completed. */
  result: AttachmentInfo | null
  error: string | null
}

export interface CacheRecord {
  messageId: string
  which: AttachmentWhich
  attachmentId: string
  fileName: string
  mime: string
  size: number
  complete: boolean
  lastUsed: number
}

export interface AttachmentsStoreApi {
  /** Records the files a new outgoing message uploads (inside the caller's transaction when nested). */
  addUploads(records: Array<Omit<UploadRecord, 'uploadId' | 'offset' | 'state' | 'result' | 'error'>>): void
  uploadsOf(messageId: string): UploadRecord[]
  /** The server gave this upload id (offset 0). */
  setUploadId(messageId: string, which: UploadWhich, uploadId: string | null): void
  setUploadOffset(messageId: string, which: UploadWhich, offset: number): void
  /** The upload completed: the server's record of the file. */
  setUploadDone(messageId: string, which: UploadWhich, result: AttachmentInfo): void
  setUploadState(messageId: string, which: UploadWhich, state: UploadState, error: string | null): void
  /** Back to pending from the start (the user retries a failed or canceled upload). */
  resetUpload(messageId: string, which: UploadWhich): void
  /** Every staged file name still referenced (the outbox folder's other files are leftovers). */
  stagedPaths(): string[]
  /** Messages with uploads recorded whose message is no longer 'sending' or 'failed' (sent, or gone). */
  settledUploadMessages(): string[]
  removeUploads(messageId: string): void
  /**
   * Replaces the content of an outgoing message still 'sending' (its file ids once uploaded). Returns the message
   * as stored, or null when it is not sending any more.
   */
  setOutgoingContent(messageId: string, content: MessageContent): ChatMessage | null

  cacheEntry(messageId: string, which: AttachmentWhich): CacheRecord | null
  putCacheEntry(record: CacheRecord): void
  touchCacheEntry(messageId: string, which: AttachmentWhich, at: number): void
  removeCacheEntry(messageId: string, which: AttachmentWhich): void
  cacheEntriesOf(messageId: string): CacheRecord[]
  /** Every cached file, least recently used first. */
  cacheEntriesByAge(): CacheRecord[]
  cacheBytes(): number
}

interface UploadRow {
  message_id: string
  which: string
  staged_path: string
  name: string
  mime: string
  size: number
  sha256: string
  upload_id: string | null
  offset: number
  state: string
  result: string | null
  error: string | null
}

interface CacheRow {
  message_id: string
  which: string
  attachment_id: string
  file_name: string
  mime: string
  size: number
  complete: number
  last_used: number
}

function uploadFromRow(row: UploadRow): UploadRecord {
  let result: AttachmentInfo | null = null
  if (row.result !== null) {
    try {
      result = JSON.parse(row.result) as AttachmentInfo
    } catch (err) {
      throw new StoreError('STORE_CORRUPT', `The stored upload of message ${row.message_id} is damaged.`, { cause: err })
    }
  }
  return {
    messageId: row.message_id,
    which: row.which as UploadWhich,
    stagedPath: row.staged_path,
    name: row.name,
    mime: row.mime,
    size: row.size,
    sha256: row.sha256,
    uploadId: row.upload_id,
    offset: row.offset,
    state: row.state as UploadState,
    result,
    error: row.error
  }
}

function cacheFromRow(row: CacheRow): CacheRecord {
  return {
    messageId: row.message_id,
    which: row.which as AttachmentWhich,
    attachmentId: row.attachment_id,
    fileName: row.file_name,
    mime: row.mime,
    size: row.size,
    complete: row.complete === 1,
    lastUsed: row.last_used
  }
}

export function openAttachmentsStore(context: StoreDomainContext): StoreDomain<AttachmentsStoreApi> {
  const { db } = context
  const insertUpload = db.prepare(
    `INSERT OR IGNORE INTO attachment_uploads (message_id, which, staged_path, name, mime, size, sha256, state)
     VALUES (@messageId, @which, @stagedPath, @name, @mime, @size, @sha256, 'pending')`
  )
  const uploadsOf = db.prepare<[string], UploadRow>('SELECT * FROM attachment_uploads WHERE message_id = ? ORDER BY which')
  const setUploadId = db.prepare<[string | null, string, string]>(
    'UPDATE attachment_uploads SET upload_id = ?, offset = 0 WHERE message_id = ? AND which = ?'
  )
  const setOffset = db.prepare<[number, string, string]>('UPDATE attachment_uploads SET offset = ? WHERE message_id = ? AND which = ?')
  const setDone = db.prepare<[string, string, string]>(
    "UPDATE attachment_uploads SET state = 'done', result = ?, error = NULL WHERE message_id = ? AND which = ?"
  )
  const setState = db.prepare<[string, string | null, string, string]>(
    'UPDATE attachment_uploads SET state = ?, error = ? WHERE message_id = ? AND which = ?'
  )
  const reset = db.prepare<[string, string]>(
    "UPDATE attachment_uploads SET state = 'pending', error = NULL, upload_id = NULL, offset = 0 WHERE message_id = ? AND which = ? AND state <> 'done'"
  )
  const stagedPaths = db.prepare<[], { staged_path: string }>('SELECT staged_path FROM attachment_uploads')
  const removeUploads = db.prepare<[string]>('DELETE FROM attachment_uploads WHERE message_id = ?')
  const settled = db.prepare<[], { message_id: string }>(
    `SELECT DISTINCT u.message_id FROM attachment_uploads u LEFT JOIN messages m ON m.id = u.message_id
     WHERE m.id IS NULL OR m.status NOT IN ('sending', 'failed')`
  )
  const setBody = db.prepare<[string, string, string]>("UPDATE messages SET body = ?, type = ? WHERE id = ? AND status = 'sending'")
  const messageById = db.prepare<[string], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`)

  const cacheEntry = db.prepare<[string, string], CacheRow>('SELECT * FROM attachment_cache WHERE message_id = ? AND which = ?')
  const putCache = db.prepare(
    `INSERT INTO attachment_cache (message_id, which, attachment_id, file_name, mime, size, complete, last_used)
     VALUES (@messageId, @which, @attachmentId, @fileName, @mime, @size, @complete, @lastUsed)
     ON CONFLICT (message_id, which) DO UPDATE SET attachment_id = excluded.attachment_id, file_name = excluded.file_name, mime = excluded.mime,
       size = excluded.size, complete = excluded.complete, last_used = excluded.last_used`
  )
  const touchCache = db.prepare<[number, string, string]>('UPDATE attachment_cache SET last_used = ? WHERE message_id = ? AND which = ?')
  const removeCache = db.prepare<[string, string]>('DELETE FROM attachment_cache WHERE message_id = ? AND which = ?')
  const cacheOf = db.prepare<[string], CacheRow>('SELECT * FROM attachment_cache WHERE message_id = ?')
  const cacheByAge = db.prepare<[], CacheRow>('SELECT * FROM attachment_cache ORDER BY last_used, message_id')
  const cacheBytes = db.prepare<[], { total: number | null }>('SELECT SUM(size) AS total FROM attachment_cache')

  return {
    appliers: {},
    api: {
      addUploads: (records) => context.write(() => records.forEach((record) => insertUpload.run(record))),
      uploadsOf: (messageId) => uploadsOf.all(messageId).map(uploadFromRow),
      setUploadId: (messageId, which, uploadId) => context.write(() => setUploadId.run(uploadId, messageId, which)),
      setUploadOffset: (messageId, which, offset) => context.write(() => setOffset.run(offset, messageId, which)),
      setUploadDone: (messageId, which, result) => context.write(() => setDone.run(JSON.stringify(result), messageId, which)),
      setUploadState: (messageId, which, state, error) => context.write(() => setState.run(state, error, messageId, which)),
      resetUpload: (messageId, which) => context.write(() => reset.run(messageId, which)),
      stagedPaths: () => stagedPaths.all().map((row) => row.staged_path),
      settledUploadMessages: () => settled.all().map((row) => row.message_id),
      removeUploads: (messageId) => context.write(() => removeUploads.run(messageId)),
      setOutgoingContent: (messageId, content) =>
        context.write(() => {
          setBody.run(JSON.stringify(content), content.type, messageId)
          const row = messageById.get(messageId)
          return row && row.status === 'sending' ? rowToMessage(row) : null
        }),
      cacheEntry: (messageId, which) => {
        const row = cacheEntry.get(messageId, which)
        return row ? cacheFromRow(row) : null
      },
      putCacheEntry: (record) => context.write(() => putCache.run({ ...record, complete: record.complete ? 1 : 0 })),
      touchCacheEntry: (messageId, which, at) => context.write(() => touchCache.run(at, messageId, which)),
      removeCacheEntry: (messageId, which) => context.write(() => removeCache.run(messageId, which)),
      cacheEntriesOf: (messageId) => cacheOf.all(messageId).map(cacheFromRow),
      cacheEntriesByAge: () => cacheByAge.all().map(cacheFromRow),
      cacheBytes: () => cacheBytes.get()?.total ?? 0
    }
  }
}
