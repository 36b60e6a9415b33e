// Owns the mapping between a wire message Body and the domain's MessageContent plus the body-level extras (reply
// quote, burn after reading, forwarded): one place for every content type, both directions.
import type {
  AttachmentInfo,
  ChatMessage,
  CombinedItem,
  MediaOrTextContent,
  MessageContent,
  ReplyInfo
} from '../../../shared/model'
import { clientIdToHex, hexToClientId } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { canonicalUserId } from '../../../shared/user-id'

type WireBody = parley.v1.IBody
type WireAttachment = parley.v1.IAttachmentRef
type WireMessage = parley.v1.IMessage

/** The body-level fields a ChatMessage carries besides its content. */
export type MessageExtras = Pick<ChatMessage, 'replyTo' | 'burnAfterReadSec' | 'forwarded'>

const CLIENT_ID_BYTES = 16

function attachmentFromWire(ref: WireAttachment | null | undefined): AttachmentInfo | null {
  if (!ref) return null
  return {
    id: ref.id ?? '',
    name: ref.name ?? '',
    mime: ref.mime ?? '',
    size: Number(ref.size ?? 0),
    sha256: ref.sha256 ?? '',
    secret: ref.secret ?? '',
    hasThumbnail: ref.hasThumbnail === true
  }
}

function attachmentToWire(file: AttachmentInfo): WireAttachment {
  return {
    id: file.id,
    name: file.name,
    mime: file.mime,
    size: file.size,
    sha256: file.sha256,
    secret: file.secret,
    hasThumbnail: file.hasThumbnail
  }
}

function stringMap(map: Record<string, string> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(map ?? {})) if (typeof value === 'string') out[key] = value
  return out
}

/** A combined message's item: the original's sender, time and content (null when its content is not showable). */
function combinedItemFromWire(message: WireMessage): CombinedItem | null {
  const from = canonicalUserId(message.from)
  const content = contentFromBody(message.body)
  if (!from || !content || content.type === 'command' || content.type === 'unsupported' || content.type === 'notice' || content.type === 'recalled') {
    return null
  }
  const inner: MediaOrTextContent = content.type === 'text' ? { type: 'text', text: content.text } : content
  return { from, timestamp: Number(message.timestamp ?? 0), content: inner }
}

/**
 * The content of a wire body; null when the body has no content type this version knows (the caller keeps the
 * raw bytes as 'unsupported') or a media body without its file.
 */
export function contentFromBody(body: WireBody | null | undefined): MessageContent | null {
  if (!body) return null
  if (body.text) {
    const content: MessageContent = { type: 'text', text: body.text.text ?? '' }
    const mentions = (body.text.mentions ?? []).flatMap((user) => canonicalUserId(user) ?? [])
    if (mentions.length > 0) content.mentions = mentions
    if (body.text.mentionAll) content.mentionAll = true
    return content
  }
  if (body.image) {
    const file = attachmentFromWire(body.image.file)
    return file ? { type: 'image', file, width: body.image.width ?? 0, height: body.image.height ?? 0 } : null
  }
  if (body.voice) {
    const file = attachmentFromWire(body.voice.file)
    return file ? { type: 'voice', file, durationMs: body.voice.durationMs ?? 0 } : null
  }
  if (body.video) {
    const file = attachmentFromWire(body.video.file)
    if (!file) return null
    return {
      type: 'video',
      file,
      durationMs: body.video.durationMs ?? 0,
      width: body.video.width ?? 0,
      height: body.video.height ?? 0,
      poster: attachmentFromWire(body.video.poster)
    }
  }
  if (body.file) {
    const file = attachmentFromWire(body.file.file)
    return file ? { type: 'file', file } : null
  }
  if (body.location) {
    return {
      type: 'location',
      latitude: body.location.latitude ?? 0,
      longitude: body.location.longitude ?? 0,
      address: body.location.address ?? '',
      name: body.location.name ?? ''
    }
  }
  if (body.command) return { type: 'command', action: body.command.action ?? '', params: stringMap(body.command.params) }
  if (body.custom) {
    return {
      type: 'custom',
      event: body.custom.event ?? '',
      fields: stringMap(body.custom.fields),
      fallbackText: body.custom.fallbackText ?? ''
    }
  }
  if (body.combined) {
    const items = (body.combined.messages ?? []).flatMap((message) => combinedItemFromWire(message) ?? [])
    return { type: 'combined', title: body.combined.title ?? '', items }
  }
  return null
}

function combinedItemToWire(item: CombinedItem): WireMessage {
  return { from: item.from, timestamp: item.timestamp, body: bodyFromContent(item.content) }
}

/** The wire body of a content (notices and unsupported content are never sent: they throw). */
export function bodyFromContent(content: MessageContent): WireBody {
  switch (content.type) {
    case 'text':
      return { text: { text: content.text, mentions: content.mentions ?? [], mentionAll: content.mentionAll === true } }
    case 'image':
      return { image: { file: attachmentToWire(content.file), width: content.width, height: content.height } }
    case 'voice':
      return { voice: { file: attachmentToWire(content.file), durationMs: content.durationMs } }
    case 'video':
      return {
        video: {
          file: attachmentToWire(content.file),
          durationMs: content.durationMs,
          width: content.width,
          height: content.height,
          poster: content.poster ? attachmentToWire(content.poster) : null
        }
      }
    case 'file':
      return { file: { file: attachmentToWire(content.file) } }
    case 'location':
      return { location: { latitude: content.latitude, longitude: content.longitude, address: content.address, name: content.name } }
    case 'command':
      return { command: { action: content.action, params: content.params } }
    case 'custom':
      return { custom: { event: content.event, fields: content.fields, fallbackText: content.fallbackText } }
    case 'combined':
      return { combined: { title: content.title, messages: content.items.map(combinedItemToWire) } }
    case 'notice':
    case 'unsupported':
    case 'recalled':
      throw new Error(`a ${content.type} content is never sent`)
  }
}

function replyFromWire(ref: parley.v1.IReplyRef | null | undefined): ReplyInfo | undefined {
  if (!ref?.clientId || ref.clientId.length !== CLIENT_ID_BYTES) return undefined
  const from = canonicalUserId(ref.from)
  if (!from) return undefined
  return {
    id: clientIdToHex(ref.clientId),
    serverId: Number(ref.serverId ?? 0) || null,
    from,
    preview: ref.preview ?? '',
    seq: Number(ref.seq ?? 0) || null
  }
}

/** The reply quote, burn-after-reading time and forwarded flag of a wire body (only those present). */
export function extrasFromBody(body: WireBody | null | undefined): MessageExtras {
  const extras: MessageExtras = {}
  const replyTo = replyFromWire(body?.replyTo)
  if (replyTo) extras.replyTo = replyTo
  if ((body?.burnAfterReadSec ?? 0) > 0) extras.burnAfterReadSec = body?.burnAfterReadSec ?? 0
  if (body?.forwarded) extras.forwarded = true
  return extras
}

/** The wire body of an outgoing message: its content plus its extras. */
export function bodyOfMessage(message: ChatMessage): WireBody {
  const body = bodyFromContent(message.content)
  if (message.replyTo) {
    body.replyTo = {
      clientId: hexToClientId(message.replyTo.id),
      serverId: message.replyTo.serverId ?? 0,
      from: message.replyTo.from,
      preview: message.replyTo.preview,
      seq: message.replyTo.seq ?? 0
    }
  }
  if (message.burnAfterReadSec) body.burnAfterReadSec = message.burnAfterReadSec
  if (message.forwarded) body.forwarded = true
  return body
}
