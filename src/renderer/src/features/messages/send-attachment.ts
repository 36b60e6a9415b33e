// Owns sending a file the renderer holds (picked, pasted, dropped, recorded): which kind of message it makes,
// the details read before sending (media-probe.ts), staging its bytes in the outbox in chunks, then
// messages.sendAttachment; the message appears at once (status 'sending') and the upload goes on in the core.
import type { ChatMessage } from '../../../../shared/model'
import { toConversationKey } from '../../utils/conversation-key'
import { invokeAttachment, type AttachmentKind, type SendAttachmentArgs } from './attachments-api'
import { probeAudioDuration, probeImage, probeVideo } from './media-probe'
import { useTransfersStore } from './transfers-store'
import { useMessageStore } from '../../stores/messages'
import { useBurnAfterReadStore } from '../composer/burn-after-read-store'

/** Bytes per stageChunk call: the contract's limit (1 MiB), so a 100 MB file is 100 calls. */
export const STAGE_CHUNK_BYTES = 1024 * 1024

/** Image types every shell shows inline (and the server thumbnails); others go as files. */
const INLINE_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/bmp', 'image/webp'])

/** The kind of message a file makes: photos, audio (a voice message), video, anything else a file. */
export function attachmentKindFor(file: { type: string; name: string }): AttachmentKind {
  const type = file.type.toLowerCase()
  if (INLINE_IMAGE_TYPES.has(type)) return 'image'
  if (type.startsWith('audio/') || /\.amr$/i.test(file.name)) return 'voice'
  if (type.startsWith('video/')) return 'video'
  return 'file'
}

/** A MIME type for the file (the browser leaves it empty for types it does not know). */
function mimeOf(file: File): string {
  if (file.type) return file.type
  return /\.amr$/i.test(file.name) ? 'audio/amr' : 'application/octet-stream'
}

/** Copies the file into the account's outbox; resolves with its staged id. */
export async function stageFile(file: File): Promise<string> {
  const { stagedId } = await invokeAttachment('attachments.stageBegin', { name: file.name || 'file', mime: mimeOf(file), size: file.size })
  for (let offset = 0; offset < file.size; offset += STAGE_CHUNK_BYTES) {
    const bytes = new Uint8Array(await file.slice(offset, offset + STAGE_CHUNK_BYTES).arrayBuffer())
    await invokeAttachment('attachments.stageChunk', { stagedId, offset, bytes })
  }
  await invokeAttachment('attachments.stageEnd', { stagedId })
  return stagedId
}

export interface SendFileOptions {
  /** Overrides the kind chosen from the type (a recorded voice message is 'voice' whatever its container). */
  kind?: AttachmentKind
  /** Known length (a recording's timer), instead of reading it from the file. */
  durationMs?: number
}

/** Sends one file to a conversation ('single:bob'); rejects with the core's error. */
export async function sendFile(conversationKey: string, file: File, options: SendFileOptions = {}): Promise<ChatMessage> {
  let kind = options.kind ?? attachmentKindFor(file)
  // Burn after reading, when the composer has it on for this conversation (picker, paste, drop and recorder alike).
  const args: Omit<SendAttachmentArgs, 'stagedId'> = { conversation: toConversationKey(conversationKey), kind, ...useBurnAfterReadStore().sendExtras(conversationKey) }
  let poster: File | null = null
  if (kind === 'image') {
    const facts = await probeImage(file)
    if (facts) Object.assign(args, facts)
    else kind = args.kind = 'file' // not a picture the renderer can read: sent as a file
  } else if (kind === 'video') {
    const facts = await probeVideo(file)
    if (facts) {
      args.width = facts.width
      args.height = facts.height
      args.durationMs = facts.durationMs
      poster = facts.poster
    }
  } else if (kind === 'voice') {
    args.durationMs = options.durationMs ?? (await probeAudioDuration(file))
  }
  const stagedId = await stageFile(file)
  if (poster) args.posterStagedId = await stageFile(poster)
  const message = await invokeAttachment('messages.sendAttachment', { ...args, stagedId })
  if (kind === 'image' || kind === 'voice' || kind === 'video') useTransfersStore().setLocalPreview(message.id, file)
  useMessageStore().upsert(message)
  return message
}
