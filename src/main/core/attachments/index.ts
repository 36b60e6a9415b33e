// Owns the attachments of one signed-in session (AttachmentsClient): staging files for sending, the upload half of
// the outbox's two-phase send, the download queue into the cache, transfer events, and the cached files' URLs.
import { join } from 'node:path'
import { rm } from 'node:fs/promises'
import { AppError, failureBecause, type FailureReason } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import type {
  AttachmentInfo,
  AttachmentWhich,
  ChatMessage,
  ConversationKey,
  MessageContent,
  ReplyInfo,
  TransferEvent
} from '../../../shared/model'
import { newMessageIdHex } from '../message-id'
import type { AttachmentsStoreApi, UploadRecord, UploadWhich } from '../store/attachments'
import type { Promised } from '../store/domain-apis'
import type { MessageStore } from '../store/types'
import { FileCache } from './cache'
import {
  AUTO_DOWNLOAD_IMAGE_MAX_BYTES,
  DEFAULT_CACHE_CAP_BYTES,
  DEFAULT_MAX_UPLOAD_BYTES,
  DOWNLOAD_CONCURRENCY,
  DOWNLOAD_RETRY_BASE_MS,
  PROGRESS_EVENT_INTERVAL_MS
} from './config'
import { downloadResumable } from './downloads'
import { STAGED_MISSING_SENTENCE, TransferError, UPLOAD_CANCELED_SENTENCE, canceledError } from './errors'
import type { HttpTarget } from './http'
import { Staging, type StagedFile } from './staging'
import { TransferQueue } from './transfer-queue'
import { Uploader } from './uploads'
import { attachmentOf, downloadTransferId, MEDIA_TYPES, parseTransferId, placeholder, uploadTransferId, withUploaded } from './content'

export { TransferError, isPermanentTransferError } from './errors'
export { attachmentOf, parseTransferId } from './content'

const log = createLogger('core:attachments')

export type AttachmentKind = 'image' | 'voice' | 'video' | 'file'

export interface SendAttachmentArgs {
  conversation: ConversationKey
  kind: AttachmentKind
  stagedId: string
  width?: number
  height?: number
  durationMs?: number
  posterStagedId?: string
  replyTo?: ReplyInfo
  /** Burn after reading: seconds from the recipient's first read (message-ops); absent = an ordinary message. */
  burnAfterReadSec?: number
}

/** A cached file as a shell serves it: only ever a path inside the account's cache folder. */
export interface CachedFile {
  path: string
  mime: string
  size: number
  /** The name to save or download it as. */
  name: string
}

export interface AttachmentsOptions {
  me: string
  store: MessageStore
  /** The account's folder for files (session/account-files.ts accountFilesDir). */
  filesDir: string
  http: HttpTarget
  emitTransfer: (event: TransferEvent) => void
  /** A message changed here (its content got the uploaded file's id). */
  emitMessage: (message: ChatMessage) => void
  /** The outbox's cancel: fails a message still sending with the sentence. */
  cancelSend: (messageId: string, reason: FailureReason) => Promise<boolean>
  /** The URL the renderer can load a cached file from (given by the shell); none: no URL. */
  fileUrl?: (messageId: string, which: AttachmentWhich) => string
  cacheCapBytes?: number
  /** Images up to this size download by themselves as they arrive (the device setting; AUTO_DOWNLOAD_IMAGE_MAX_BYTES by default). */
  autoDownloadMaxBytes?: () => number
  downloadConcurrency?: number
  /** Tests: shorter pauses between download attempts. */
  downloadRetryBaseMs?: number
  now?: () => number
}

export class AttachmentsClient {
  private readonly staging: Staging
  private readonly cache: FileCache
  private readonly uploader: Uploader
  private readonly queue: TransferQueue
  private readonly transfers = new Map<string, TransferEvent>()
  private readonly lastProgressAt = new Map<string, number>()
  private readonly store: Promised<AttachmentsStoreApi>
  private readonly outboxDir: string
  private maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES
  private readonly now: () => number
  private closed = false

  constructor(private readonly options: AttachmentsOptions) {
    this.store = options.store.domains.attachments
    this.now = options.now ?? Date.now
    this.outboxDir = join(options.filesDir, 'outbox')
    this.staging = new Staging(this.outboxDir, () => this.maxUploadBytes)
    this.cache = new FileCache(join(options.filesDir, 'cache'), this.store, options.cacheCapBytes ?? DEFAULT_CACHE_CAP_BYTES, this.now)
    this.uploader = new Uploader({
      http: options.http,
      store: this.store,
      outboxDir: this.outboxDir,
      onMaxBytes: (bytes) => {
        this.maxUploadBytes = bytes
      }
    })
    this.queue = new TransferQueue(options.downloadConcurrency ?? DOWNLOAD_CONCURRENCY)
  }

  /** After the outbox loaded: staged files nothing refers to any more are removed. */
  async start(): Promise<void> {
    // Sent while the app was not told (the ack was lost and sync marked it sent, or a crash after the ack): the
    // staged copies become the cached ones now; uploads of messages that no longer exist are dropped.
    for (const messageId of await this.store.settledUploadMessages()) {
      const message = await this.options.store.getMessage(messageId)
      if (message) await this.onOutgoingChanged(message)
      else await this.store.removeUploads(messageId)
    }
    await this.staging.removeLeftovers(new Set(await this.store.stagedPaths()))
  }

  close(): void {
    this.closed = true
    this.queue.cancelAll(canceledError())
    void this.staging.close()
  }

  /** Transfers this session knows (running, queued, finished), for a renderer that (re)loads. */
  list(): TransferEvent[] {
    return [...this.transfers.values()]
  }

  // --- staging -------------------------------------------------------------------------------------------------

  async stageBegin(args: { name: string; mime: string; size: number }): Promise<{ stagedId: string }> {
    return { stagedId: await this.staging.begin(args) }
  }

  stageChunk(args: { stagedId: string; offset: number; bytes: Uint8Array }): Promise<void> {
    return this.staging.chunk(args)
  }

  async stageEnd(stagedId: string): Promise<{ size: number; sha256: string }> {
    const staged = await this.staging.end(stagedId)
    return { size: staged.size, sha256: staged.sha256 }
  }

  // --- sending -------------------------------------------------------------------------------------------------

  /**
   * A new outgoing message with the staged file(s) (file ids '' until uploaded), its uploads recorded; the caller
   * stores it in the outbox. Staged files go back if `store` fails, so the user can send them again.
   */
  async newMessage(args: SendAttachmentArgs, store: (message: ChatMessage) => Promise<ChatMessage>): Promise<ChatMessage> {
    const staged = this.staging.take(args.stagedId)
    let poster: StagedFile | null = null
    try {
      if (args.posterStagedId) {
        if (args.kind !== 'video') throw new AppError('BAD_ARGUMENT', 'Only a video has a poster frame.')
        poster = this.staging.take(args.posterStagedId)
      }
    } catch (err) {
      this.staging.giveBack(staged)
      throw err
    }
    const file = placeholder(staged)
    const width = args.width ?? 0
    const height = args.height ?? 0
    const durationMs = args.durationMs ?? 0
    let content: MessageContent
    switch (args.kind) {
      case 'image':
        content = { type: 'image', file, width, height }
        break
      case 'voice':
        content = { type: 'voice', file, durationMs }
        break
      case 'video':
        content = { type: 'video', file, durationMs, width, height, poster: poster ? placeholder(poster) : null }
        break
      case 'file':
        content = { type: 'file', file }
        break
    }
    const now = this.now()
    const message: ChatMessage = {
      id: newMessageIdHex(now),
      serverId: null,
      conversationId: args.conversation.id,
      chatType: args.conversation.type,
      from: this.options.me,
      to: args.conversation.id,
      direction: 'out',
      content,
      timestamp: now,
      seq: null,
      status: 'sending',
      error: null,
      ...(args.replyTo ? { replyTo: args.replyTo } : {}),
      ...(args.burnAfterReadSec ? { burnAfterReadSec: Math.floor(args.burnAfterReadSec) } : {})
    }
    const uploads = [{ which: 'file' as const, staged }, ...(poster ? [{ which: 'poster' as const, staged: poster }] : [])]
    try {
      await this.store.addUploads(
        uploads.map(({ which, staged: s }) => ({
          messageId: message.id,
          which,
          stagedPath: s.fileName,
          name: s.name,
          mime: s.mime,
          size: s.size,
          sha256: s.sha256
        }))
      )
      const stored = await store(message)
      for (const { which, staged: s } of uploads) this.report({ ...this.uploadEvent(message.id, which, s.size), state: 'queued' })
      return stored
    } catch (err) {
      await this.store.removeUploads(message.id).catch((removeErr: unknown) => log.warn('could not drop the uploads of an unsaved message', { error: String(removeErr) }))
      this.staging.giveBack(staged)
      if (poster) this.staging.giveBack(poster)
      throw err
    }
  }

  /**
   * The outbox's first phase: uploads what the message still has to upload and returns it with the server's
   * file records in its content (stored). A message without files comes back as is.
   */
  async prepare(message: ChatMessage, signal: AbortSignal): Promise<ChatMessage> {
    if (!MEDIA_TYPES.has(message.content.type)) return message
    const records = await this.store.uploadsOf(message.id)
    const file = attachmentOf(message.content, 'file')
    if (records.length === 0) {
      if (file && file.id === '') throw new TransferError('NOT_FOUND', STAGED_MISSING_SENTENCE, true, { params: { reason: 'stagedMissing' } })
      return message
    }
    let content = message.content
    for (const record of records) {
      const result = record.state === 'done' && record.result ? record.result : await this.uploadOne(record, signal)
      content = withUploaded(content, record.which, result)
    }
    if (content === message.content) return message
    const updated = await this.store.setOutgoingContent(message.id, content)
    // The message's extras (reply quote, burn after reading) stay as the caller has them.
    const complete: ChatMessage = { ...message, content: updated?.content ?? content }
    if (updated) this.options.emitMessage(complete)
    return complete
  }

  /** The outbox reports a message's new state: once sent, its staged files become the sender's cached copies. */
  async onOutgoingChanged(message: ChatMessage): Promise<void> {
    if (message.direction !== 'out' || message.status === 'sending' || message.status === 'failed' || !MEDIA_TYPES.has(message.content.type)) return
    const records = await this.store.uploadsOf(message.id)
    if (records.length === 0) return
    for (const record of records) {
      const info = record.result
      if (!info) continue
      try {
        await this.cache.adopt(join(this.outboxDir, record.stagedPath), {
          messageId: message.id,
          which: record.which,
          attachmentId: info.id,
          mime: info.mime,
          size: record.size
        }, this.activeKeys())
        this.report({ ...this.uploadEvent(message.id, record.which, record.size), attachmentId: info.id, state: 'done', transferred: record.size, url: this.urlOf(message.id, record.which) })
      } catch (err) {
        log.warn('could not keep the sent file in the cache', { error: String(err) })
        await rm(join(this.outboxDir, record.stagedPath), { force: true }).catch(() => undefined)
      }
    }
    await this.store.removeUploads(message.id)
  }

  /** A failed or canceled attachment message is sent again: its unfinished uploads start over where they can. */
  async resetUploads(messageId: string): Promise<void> {
    for (const record of await this.store.uploadsOf(messageId)) {
      if (record.state !== 'done') await this.store.setUploadState(messageId, record.which, 'pending', null)
    }
  }

  private async uploadOne(record: UploadRecord, signal: AbortSignal): Promise<AttachmentInfo & { width?: number; height?: number }> {
    const base = this.uploadEvent(record.messageId, record.which, record.size)
    this.report({ ...base, state: 'running', transferred: record.offset })
    try {
      const result = await this.uploader.upload(
        record,
        (transferred) => {
          // Bytes still draining from a canceled request are not progress.
          if (!signal.aborted) this.report({ ...base, state: 'running', transferred })
        },
        signal
      )
      this.report({ ...base, attachmentId: result.id, state: 'done', transferred: record.size })
      return result
    } catch (err) {
      const error = err instanceof AppError ? err : AppError.from(err)
      // Only the user's cancel (the outbox aborts with CANCELED) ends the upload; a closing session's abort keeps it.
      const userCanceled = signal.aborted && signal.reason instanceof AppError && signal.reason.code === 'CANCELED'
      if (signal.aborted && !userCanceled) throw new TransferError('DISCONNECTED', 'The upload stopped; it goes on at the next start.', false)
      if (userCanceled) {
        await this.store.setUploadState(record.messageId, record.which, 'canceled', UPLOAD_CANCELED_SENTENCE)
        const uploadId = (await this.store.uploadsOf(record.messageId)).find((r) => r.which === record.which)?.uploadId
        if (uploadId) void this.uploader.discard(uploadId)
        this.report({ ...base, state: 'canceled', error: UPLOAD_CANCELED_SENTENCE })
        throw new TransferError('CANCELED', UPLOAD_CANCELED_SENTENCE, true, { params: { reason: 'uploadCanceled' } })
      }
      const permanent = err instanceof TransferError ? err.permanent : false
      if (permanent) await this.store.setUploadState(record.messageId, record.which, 'failed', error.message)
      // A transient failure is retried by the outbox: the event says so but the transfer stays alive.
      this.report({ ...base, state: permanent ? 'failed' : 'queued', error: error.message })
      throw err
    }
  }

  // --- downloads -----------------------------------------------------------------------------------------------

  /**
   * Queues a download of a message's file into the cache (or answers at once when it is cached). Resolves with the
   * transfer as it stands; progress and the end come as transfer events.
   */
  async download(messageId: string, which: AttachmentWhich = 'file'): Promise<TransferEvent> {
    const message = await this.options.store.getMessage(messageId)
    if (!message) throw new AppError('NOT_FOUND', 'That message no longer exists.')
    const info = attachmentOf(message.content, which)
    if (!info || !info.id) throw new AppError('NOT_FOUND', which === 'file' ? 'This message has no file to download.' : `This message has no ${which}.`)
    const transferId = downloadTransferId(messageId, which)
    const cached = await this.cache.complete(messageId, which)
    if (cached) {
      await this.cache.touch(messageId, which)
      return this.report({ ...this.downloadEvent(messageId, which, info, cached.size), state: 'done', transferred: cached.size, url: this.urlOf(messageId, which) })
    }
    if (this.queue.has(transferId)) return this.transfers.get(transferId) ?? this.downloadEvent(messageId, which, info, 0)
    const total = which === 'thumbnail' ? 0 : info.size
    const queued = this.report({ ...this.downloadEvent(messageId, which, info, total), state: 'queued' })
    void this.queue.add(transferId, (signal) => this.runDownload(messageId, which, info, signal)).catch((err: unknown) => {
      const error = AppError.from(err)
      const current = this.transfers.get(transferId) ?? queued
      if (error.code === 'CANCELED') this.report({ ...current, state: 'canceled', error: null })
      else this.report({ ...current, state: 'failed', error: error.message })
    })
    return queued
  }

  /** Waits for a queued or running download (saveAs, open); resolves with the cached file. */
  async downloadAndWait(messageId: string, which: AttachmentWhich = 'file'): Promise<CachedFile> {
    const event = await this.download(messageId, which)
    if (event.state !== 'done') {
      await new Promise<void>((resolve, reject) => {
        const check = (): void => {
          const current = this.transfers.get(event.transferId)
          if (!current || current.state === 'done') return resolve()
          if (current.state === 'failed' || current.state === 'canceled') return reject(new AppError(current.state === 'failed' ? 'SERVER_ERROR' : 'CANCELED', current.error ?? 'The download did not finish.'))
          setTimeout(check, PROGRESS_EVENT_INTERVAL_MS)
        }
        check()
      })
    }
    const file = await this.cachedFile(messageId, which)
    if (!file) throw new AppError('NOT_FOUND', 'The file is not on this device.')
    return file
  }

  /** Cancels a download (queued or running) or an upload (the message is marked failed: "Upload canceled."). */
  async cancel(transferId: string): Promise<void> {
    const parsed = parseTransferId(transferId)
    if (!parsed) throw new AppError('NOT_FOUND', 'There is no such transfer.')
    if (parsed.direction === 'download') {
      if (!this.queue.cancel(transferId, canceledError())) throw new AppError('NOT_FOUND', 'That download is not running.')
      return
    }
    const canceled = await this.options.cancelSend(parsed.messageId, failureBecause('CANCELED', 'uploadCanceled'))
    if (!canceled) throw new AppError('NOT_FOUND', 'That upload is not running.')
    const current = this.transfers.get(transferId)
    if (current && current.state !== 'canceled') this.report({ ...current, state: 'canceled', error: UPLOAD_CANCELED_SENTENCE })
  }

  /** Tries a failed or canceled download again (an upload: the caller retries its message). */
  async retryDownload(transferId: string): Promise<TransferEvent> {
    const parsed = parseTransferId(transferId)
    if (!parsed || parsed.direction !== 'download') throw new AppError('NOT_FOUND', 'There is no such download.')
    return this.download(parsed.messageId, parsed.which)
  }

  /** Drops every cached file of a message, and stops its downloads (a recall calls this). */
  async forget(messageId: string): Promise<void> {
    for (const which of ['file', 'thumbnail', 'poster'] as const) {
      const transferId = downloadTransferId(messageId, which)
      this.queue.cancel(transferId, canceledError())
      this.transfers.delete(transferId)
    }
    await this.cache.forget(messageId)
  }

  /** The renderer's URL of a cached file; null when it is not cached (download it first). */
  async fileUrl(messageId: string, which: AttachmentWhich = 'file'): Promise<string | null> {
    return (await this.cache.complete(messageId, which)) ? this.urlOf(messageId, which) : null
  }

  /** A cached file as a shell serves or saves it (path inside the cache folder only); null when not cached. */
  async cachedFile(messageId: string, which: AttachmentWhich = 'file'): Promise<CachedFile | null> {
    const entry = await this.cache.complete(messageId, which)
    if (!entry) return null
    await this.cache.touch(messageId, which)
    const message = await this.options.store.getMessage(messageId).catch(() => null)
    const info = message ? attachmentOf(message.content, which === 'thumbnail' ? 'file' : which) : null
    const name = info?.name ?? 'file'
    return { path: entry.path, mime: entry.mime, size: entry.size, name: which === 'thumbnail' ? `thumbnail-${name}` : name }
  }

  /** The bytes the account's download cache takes. */
  cacheUsage(): Promise<number> {
    return this.cache.usedBytes()
  }

  /** Empties the download cache but for files being downloaded now; the bytes freed. */
  async clearCache(onProgress?: (done: number, total: number) => void): Promise<number> {
    const freed = await this.cache.clear(this.activeKeys(), onProgress)
    // A finished download's URL now points at nothing: forget it, so the renderer asks (and downloads) again.
    for (const [id, transfer] of this.transfers) {
      if (transfer.direction === 'download' && transfer.state === 'done' && !(await this.cache.complete(transfer.messageId, transfer.which))) this.transfers.delete(id)
    }
    return freed
  }

  /** Messages that arrived: images get their thumbnail, and small images their file, downloaded now. */
  onMessages(messages: readonly ChatMessage[]): void {
    if (this.closed) return
    const autoDownloadMax = this.options.autoDownloadMaxBytes?.() ?? AUTO_DOWNLOAD_IMAGE_MAX_BYTES
    for (const message of messages) {
      if (message.direction !== 'in' || message.content.type !== 'image' || !message.content.file.id) continue
      if (message.content.file.hasThumbnail) void this.download(message.id, 'thumbnail').catch(() => undefined)
      if (message.content.file.size <= autoDownloadMax) void this.download(message.id, 'file').catch(() => undefined)
    }
  }

  private async runDownload(messageId: string, which: AttachmentWhich, info: AttachmentInfo, signal: AbortSignal): Promise<void> {
    const base = this.downloadEvent(messageId, which, info, which === 'thumbnail' ? 0 : info.size)
    this.report({ ...base, state: 'running' })
    const partPath = this.cache.partPath(messageId, which)
    const path = which === 'thumbnail' ? `/attachments/${encodeURIComponent(info.id)}/thumbnail` : `/attachments/${encodeURIComponent(info.id)}`
    const file = await downloadResumable(
      this.options.http,
      { path, partPath, expectedSha256: which === 'thumbnail' ? null : info.sha256 || null },
      (transferred, total) => this.report({ ...base, state: 'running', transferred, total: total || base.total }),
      signal,
      this.options.downloadRetryBaseMs ?? DOWNLOAD_RETRY_BASE_MS
    )
    const keep = this.activeKeys()
    keep.add(`${messageId}.${which}`)
    await this.cache.adopt(partPath, { messageId, which, attachmentId: info.id, mime: file.mime, size: file.size }, keep)
    this.report({ ...base, state: 'done', transferred: file.size, total: file.size, url: this.urlOf(messageId, which) })
  }

  /** Cache keys of files being downloaded now: eviction leaves them alone. */
  private activeKeys(): Set<string> {
    const keys = new Set<string>()
    for (const event of this.transfers.values()) {
      if (event.state === 'queued' || event.state === 'running') keys.add(`${event.messageId}.${event.which}`)
    }
    return keys
  }

  private urlOf(messageId: string, which: AttachmentWhich): string | null {
    return this.options.fileUrl ? this.options.fileUrl(messageId, which) : null
  }

  private uploadEvent(messageId: string, which: UploadWhich, total: number): TransferEvent {
    return { transferId: uploadTransferId(messageId, which), messageId, attachmentId: '', direction: 'upload', which, state: 'queued', transferred: 0, total, error: null, url: null }
  }

  private downloadEvent(messageId: string, which: AttachmentWhich, info: AttachmentInfo, total: number): TransferEvent {
    return { transferId: downloadTransferId(messageId, which), messageId, attachmentId: info.id, direction: 'download', which, state: 'queued', transferred: 0, total, error: null, url: null }
  }

  /** Keeps the transfer's latest state and emits it (progress at most every PROGRESS_EVENT_INTERVAL_MS). */
  private report(event: TransferEvent): TransferEvent {
    const previous = this.transfers.get(event.transferId)
    this.transfers.set(event.transferId, event)
    if (this.closed) return event
    if (event.state === 'running' && previous?.state === 'running') {
      const now = this.now()
      if (now - (this.lastProgressAt.get(event.transferId) ?? 0) < PROGRESS_EVENT_INTERVAL_MS) return event
      this.lastProgressAt.set(event.transferId, now)
    } else {
      this.lastProgressAt.set(event.transferId, this.now())
    }
    this.options.emitTransfer(event)
    return event
  }
}
