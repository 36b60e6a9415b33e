// Owns one file's upload over the attachment routes, resumable: create (or HEAD to learn where a previous run or a
// dropped request stopped), PATCH the rest in one streamed request (offset recorded after it), complete; DELETE on cancel.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createLogger } from '../../../shared/logger'
import type { AttachmentInfo } from '../../../shared/model'
import type { AttachmentsStoreApi, UploadRecord } from '../store/attachments'
import type { Promised } from '../store/domain-apis'
import { attachmentInfoOf } from './content'
import { STAGED_MISSING_SENTENCE, TransferError, httpError } from './errors'
import { patchFileRange, requestText, serverMessageOf, type HttpAnswer, type HttpTarget } from './http'

const log = createLogger('core:uploads')

const UPLOADS_PATH = '/attachments/uploads'

/** The server's answer at complete: the stored file (dimensions when it is an image). */
export interface CompletedUpload extends AttachmentInfo {
  width: number
  height: number
}

export interface UploaderOptions {
  http: HttpTarget
  store: Promised<AttachmentsStoreApi>
  /** The account's outbox folder (the staged copies). */
  outboxDir: string
  /** The server said its upload limit (201's maxBytes). */
  onMaxBytes?: (bytes: number) => void
}

function offsetOf(answer: HttpAnswer): number | null {
  const raw = answer.headers['upload-offset']
  const value = Number(Array.isArray(raw) ? raw[0] : raw)
  return Number.isSafeInteger(value) && value >= 0 ? value : null
}

function parseJson<T>(answer: HttpAnswer): T {
  try {
    return JSON.parse(answer.body) as T
  } catch (err) {
    throw new TransferError('SERVER_ERROR', 'The server answered the upload with something unreadable.', false, { cause: err })
  }
}

export class Uploader {
  constructor(private readonly options: UploaderOptions) {}

  /**
   * Uploads the record's staged file from wherever it stopped and returns the server's record of it. `progress`
   * hears the bytes the server has (or is receiving). Throws TransferError (permanent or not) or CANCELED.
   */
  async upload(record: UploadRecord, progress: (transferred: number) => void, signal: AbortSignal): Promise<CompletedUpload> {
    const { http, store } = this.options
    const path = join(this.options.outboxDir, record.stagedPath)
    if (!existsSync(path)) throw new TransferError('NOT_FOUND', STAGED_MISSING_SENTENCE, true)
    let uploadId = record.uploadId
    let offset = 0
    if (uploadId) {
      const head = await requestText(http, 'HEAD', `${UPLOADS_PATH}/${encodeURIComponent(uploadId)}`, undefined, {}, signal)
      if (head.status === 404) {
        log.info('the server no longer has the upload; starting it again', { messageId: record.messageId })
        uploadId = null
      } else if (head.status !== 200 && head.status !== 204) {
        throw httpError(head.status, serverMessageOf(head), 'upload')
      } else {
        offset = offsetOf(head) ?? 0
      }
    }
    if (!uploadId) {
      const created = await requestText(http, 'POST', UPLOADS_PATH, { name: record.name, mime: record.mime, size: record.size, sha256: record.sha256 }, {}, signal)
      if (created.status !== 201 && created.status !== 200) throw httpError(created.status, serverMessageOf(created), 'upload')
      const answer = parseJson<{ uploadId?: unknown; offset?: unknown; maxBytes?: unknown }>(created)
      if (typeof answer.uploadId !== 'string' || !answer.uploadId) throw new TransferError('SERVER_ERROR', 'The server gave no upload id.', false)
      if (typeof answer.maxBytes === 'number' && answer.maxBytes > 0) this.options.onMaxBytes?.(answer.maxBytes)
      uploadId = answer.uploadId
      offset = 0
      await store.setUploadId(record.messageId, record.which, uploadId)
    }
    await store.setUploadOffset(record.messageId, record.which, offset)
    progress(offset)
    const uploadPath = `${UPLOADS_PATH}/${encodeURIComponent(uploadId)}`
    // One request for the rest: it is answered once the server has made it durable. A 409 (another PATCH of ours got
    // further than we knew) asks HEAD and goes on; a drop throws and the outbox's retry resumes from HEAD.
    while (offset < record.size) {
      const end = record.size
      let sent = 0
      const start = offset
      const answer = await patchFileRange(http, uploadPath, path, start, end, (n) => {
        sent += n
        progress(start + sent)
      }, signal)
      if (answer.status === 409) {
        // Our offset is not the server's (a request dropped after it stored more): ask where it is.
        const head = await requestText(http, 'HEAD', uploadPath, undefined, {}, signal)
        if (head.status !== 200 && head.status !== 204) throw httpError(head.status, serverMessageOf(head), 'upload')
        offset = offsetOf(head) ?? offset
      } else if (answer.status === 204 || answer.status === 200) {
        offset = offsetOf(answer) ?? end
      } else {
        throw httpError(answer.status, serverMessageOf(answer), 'upload')
      }
      await store.setUploadOffset(record.messageId, record.which, offset)
      progress(offset)
    }
    const completed = await requestText(http, 'POST', `${uploadPath}/complete`, {}, {}, signal)
    if (completed.status !== 200 && completed.status !== 201) {
      // 404 after all bytes: the upload expired on the server; start over next attempt.
      if (completed.status === 404) await store.setUploadId(record.messageId, record.which, null)
      throw httpError(completed.status, serverMessageOf(completed), 'upload')
    }
    const { attachment } = parseJson<{ attachment?: Partial<CompletedUpload> }>(completed)
    if (!attachment || typeof attachment.id !== 'string' || !attachment.id) throw new TransferError('SERVER_ERROR', 'The server did not say where it stored the file.', false)
    const result: CompletedUpload = {
      id: attachment.id,
      name: typeof attachment.name === 'string' && attachment.name ? attachment.name : record.name,
      mime: typeof attachment.mime === 'string' && attachment.mime ? attachment.mime : record.mime,
      size: typeof attachment.size === 'number' ? attachment.size : record.size,
      sha256: typeof attachment.sha256 === 'string' && attachment.sha256 ? attachment.sha256 : record.sha256,
      secret: typeof attachment.secret === 'string' ? attachment.secret : '',
      hasThumbnail: attachment.hasThumbnail === true,
      width: typeof attachment.width === 'number' ? attachment.width : 0,
      height: typeof attachment.height === 'number' ? attachment.height : 0
    }
    await store.setUploadDone(record.messageId, record.which, attachmentInfoOf(result))
    return result
  }

  /** Tells the server to drop an upload (best effort: it also expires unfinished uploads itself). */
  async discard(uploadId: string): Promise<void> {
    try {
      await requestText(this.options.http, 'DELETE', `${UPLOADS_PATH}/${encodeURIComponent(uploadId)}`)
    } catch (err) {
      log.info('could not cancel the upload on the server', { error: String(err) })
    }
  }
}
