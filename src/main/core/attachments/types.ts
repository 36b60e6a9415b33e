// Owns the shapes the session's attachments client takes and gives: what a send with an attachment names, a cached
// file as a shell serves it, and the client's options (store, folders, HTTP target, the events it emits).
import type { AttachmentWhich, ChatMessage, ConversationKey, ReplyInfo, TransferEvent } from '../../../shared/model'
import type { MessageStore } from '../store/types'
import type { HttpTarget } from './http'

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
  cancelSend: (messageId: string, reason: string) => Promise<boolean>
  /** The URL the renderer can load a cached file from (given by the shell); none: no URL. */
  fileUrl?: (messageId: string, which: AttachmentWhich) => string
  cacheCapBytes?: number
  downloadConcurrency?: number
  /** Tests: shorter pauses between download attempts. */
  downloadRetryBaseMs?: number
  now?: () => number
}
