// Owns how attachments sit in message content and transfer ids: which file a message's `which` names, the content
// before (placeholder) and after (withUploaded) an upload, and the transfer ids ("up:<message>:<which>", "down:...").
import type { AttachmentInfo, AttachmentWhich, MessageContent } from '../../../shared/model'
import type { UploadWhich } from '../store/attachments'
import type { StagedFile } from './staging'

export const MEDIA_TYPES: ReadonlySet<MessageContent['type']> = new Set(['image', 'voice', 'video', 'file'])

export function uploadTransferId(messageId: string, which: UploadWhich): string {
  return `up:${messageId}:${which}`
}

export function downloadTransferId(messageId: string, which: AttachmentWhich): string {
  return `down:${messageId}:${which}`
}

/** The file a message's `which` names: its attachment, the video's poster, or the attachment's thumbnail. */
export function attachmentOf(content: MessageContent, which: AttachmentWhich): AttachmentInfo | null {
  if (!MEDIA_TYPES.has(content.type)) return null
  const media = content as Extract<MessageContent, { file: AttachmentInfo }>
  if (which === 'poster') return media.type === 'video' ? media.poster : null
  if (which === 'thumbnail') return media.file.hasThumbnail ? media.file : null
  return media.file
}

/** What a message shows of a file still uploading (no id yet). */
export function placeholder(staged: StagedFile): AttachmentInfo {
  return { id: '', name: staged.name, mime: staged.mime, size: staged.size, sha256: staged.sha256, secret: '', hasThumbnail: false }
}

/** Just the attachment record of a server answer (which carries more, such as the image's size). */
export function attachmentInfoOf(result: AttachmentInfo): AttachmentInfo {
  return {
    id: result.id,
    name: result.name,
    mime: result.mime,
    size: result.size,
    sha256: result.sha256,
    secret: result.secret,
    hasThumbnail: result.hasThumbnail
  }
}

/** The message content with an uploaded file's server record in place of the staged one. */
export function withUploaded(content: MessageContent, which: UploadWhich, result: AttachmentInfo & { width?: number; height?: number }): MessageContent {
  const info = attachmentInfoOf(result)
  if (which === 'poster') return content.type === 'video' ? { ...content, poster: info } : content
  // The server measures images it can read; the renderer's figures win when it gave them.
  if (content.type === 'image' || content.type === 'video') {
    return { ...content, file: info, width: content.width || result.width || 0, height: content.height || result.height || 0 }
  }
  if (!MEDIA_TYPES.has(content.type)) return content
  return { ...(content as Extract<MessageContent, { file: AttachmentInfo }>), file: info } as MessageContent
}

export function parseTransferId(transferId: string): { direction: 'upload' | 'download'; messageId: string; which: AttachmentWhich } | null {
  const match = /^(up|down):([0-9a-f]{32}):(file|thumbnail|poster)$/.exec(transferId)
  if (!match) return null
  return { direction: match[1] === 'up' ? 'upload' : 'download', messageId: match[2]!, which: match[3] as AttachmentWhich }
}
