// Owns checking a message Body before it is stored or relayed: every content type of messages.proto with its limits,
// the attachments it names (each readable by the sender, its AttachmentRef filled from the server's record).
import { ErrorCode, MAX_TEXT_BYTES, pb } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { canonicalUserId } from '../../../shared/user-id'
import type { AttachmentRow } from '../../store/attachments/types'
import {
  COMBINED_MAX_BYTES,
  COMBINED_MAX_DEPTH,
  COMBINED_MAX_MESSAGES,
  COMBINED_TITLE_MAX_CHARS,
  COMMAND_ACTION_MAX_CHARS,
  CONTENT_FIELD_KEY_MAX_CHARS,
  CONTENT_FIELD_VALUE_MAX_BYTES,
  CONTENT_FIELDS_MAX,
  CUSTOM_EVENT_MAX_CHARS,
  LOCATION_ADDRESS_MAX_CHARS,
  LOCATION_NAME_MAX_CHARS,
  MEDIA_MAX_DIMENSION_PX,
  MEDIA_MAX_DURATION_MS
} from './config'
import type { SendAccess } from './service'

type BodyProps = parley.v1.Body.$Properties
type AttachmentRefProps = parley.v1.AttachmentRef.$Properties
type MessageProps = parley.v1.Message.$Properties

/** The content members of Body's oneof, in field order. */
export const CONTENT_KINDS = ['text', 'image', 'voice', 'video', 'file', 'location', 'command', 'custom', 'combined'] as const
export type ContentKind = (typeof CONTENT_KINDS)[number]

/** What the send path needs of the attachment service. */
export interface BodyAttachmentAccess {
  checkForSend(sender: string, ids: readonly string[]): Promise<SendAccess>
}

export type CheckedBody =
  | { ok: true; body: BodyProps; kind: ContentKind; attachmentIds: string[] }
  | { ok: false; code: ErrorCode; message: string }

export interface BodyCheckOptions {
  /** Group chats keep (canonical) @mentions and @all in text; elsewhere they are dropped. */
  mentions: boolean
}

class BodyRefusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string
  ) {
    super(message)
  }
}

const refuse = (message: string, code: ErrorCode = ErrorCode.ERROR_BAD_REQUEST): never => {
  throw new BodyRefusal(code, message)
}

/** The content member a body carries; refused unless exactly one. */
export function contentKindOf(body: BodyProps | null | undefined): ContentKind | null {
  if (!body) return null
  const present = CONTENT_KINDS.filter((kind) => body[kind] !== undefined && body[kind] !== null)
  return present.length === 1 ? (present[0] ?? null) : null
}

function checkString(value: unknown, maxChars: number, what: string, required: boolean): string {
  const text = typeof value === 'string' ? value : ''
  if (required && text.trim() === '') refuse(`The ${what} must not be empty.`)
  if ([...text].length > maxChars) refuse(`The ${what} is longer than ${maxChars} characters.`, ErrorCode.ERROR_LIMIT_EXCEEDED)
  return text
}

function checkUint(value: unknown, max: number, what: string): number {
  const number = Number(value ?? 0)
  if (!Number.isInteger(number) || number < 0 || number > max) refuse(`The ${what} must be a whole number from 0 to ${max}.`)
  return number
}

function checkFields(fields: { [key: string]: string } | null | undefined, what: string): { [key: string]: string } {
  const entries = Object.entries(fields ?? {})
  if (entries.length > CONTENT_FIELDS_MAX) refuse(`A ${what} has at most ${CONTENT_FIELDS_MAX} fields.`, ErrorCode.ERROR_LIMIT_EXCEEDED)
  const checked: { [key: string]: string } = {}
  for (const [key, value] of entries) {
    if (key === '' || [...key].length > CONTENT_FIELD_KEY_MAX_CHARS) {
      refuse(`A ${what}'s field names are 1 to ${CONTENT_FIELD_KEY_MAX_CHARS} characters.`, ErrorCode.ERROR_LIMIT_EXCEEDED)
    }
    const text = typeof value === 'string' ? value : ''
    if (Buffer.byteLength(text, 'utf8') > CONTENT_FIELD_VALUE_MAX_BYTES) {
      refuse(`A ${what}'s field values are at most ${CONTENT_FIELD_VALUE_MAX_BYTES} bytes.`, ErrorCode.ERROR_LIMIT_EXCEEDED)
    }
    checked[key] = text
  }
  return checked
}

/** Collects the attachment references of a body (nested ones of a combined body too) so they can be filled later. */
class RefCollector {
  readonly refs: AttachmentRefProps[] = []
  add(ref: AttachmentRefProps | null | undefined, what: string, required: boolean): AttachmentRefProps | undefined {
    if (!ref) {
      if (required) refuse(`The ${what} needs its attachment (upload the file first).`)
      return undefined
    }
    if (typeof ref.id !== 'string' || ref.id === '') refuse(`The ${what}'s attachment has no id.`)
    const copy: AttachmentRefProps = { id: ref.id }
    this.refs.push(copy)
    return copy
  }
}

function checkContent(body: BodyProps, kind: ContentKind, refs: RefCollector, options: BodyCheckOptions, depth: number): BodyProps {
  switch (kind) {
    case 'text': {
      const text = body.text?.text
      if (typeof text !== 'string' || text.length === 0) refuse('The message needs a non-empty text body.')
      if (Buffer.byteLength(text as string, 'utf8') > MAX_TEXT_BYTES) refuse(`The text is longer than ${MAX_TEXT_BYTES} bytes.`, ErrorCode.ERROR_TEXT_TOO_LONG)
      if (!options.mentions) return { text: { text } }
      const mentions = [...new Set((body.text?.mentions ?? []).flatMap((name) => canonicalUserId(name) ?? []))]
      return { text: { text, mentions, mentionAll: body.text?.mentionAll === true } }
    }
    case 'image': {
      const image = body.image ?? {}
      return {
        image: {
          file: refs.add(image.file, 'image', true),
          width: checkUint(image.width, MEDIA_MAX_DIMENSION_PX, 'image width'),
          height: checkUint(image.height, MEDIA_MAX_DIMENSION_PX, 'image height')
        }
      }
    }
    case 'voice': {
      const voice = body.voice ?? {}
      return { voice: { file: refs.add(voice.file, 'voice message', true), durationMs: checkUint(voice.durationMs, MEDIA_MAX_DURATION_MS, 'duration') } }
    }
    case 'video': {
      const video = body.video ?? {}
      return {
        video: {
          file: refs.add(video.file, 'video', true),
          durationMs: checkUint(video.durationMs, MEDIA_MAX_DURATION_MS, 'duration'),
          width: checkUint(video.width, MEDIA_MAX_DIMENSION_PX, 'video width'),
          height: checkUint(video.height, MEDIA_MAX_DIMENSION_PX, 'video height'),
          poster: refs.add(video.poster, 'video poster', false)
        }
      }
    }
    case 'file':
      return { file: { file: refs.add(body.file?.file, 'file', true) } }
    case 'location': {
      const location = body.location ?? {}
      const latitude = Number(location.latitude ?? 0)
      const longitude = Number(location.longitude ?? 0)
      if (!Number.isFinite(latitude) || latitude < -90 || latitude > 90) refuse('The latitude must be between -90 and 90.')
      if (!Number.isFinite(longitude) || longitude < -180 || longitude > 180) refuse('The longitude must be between -180 and 180.')
      return {
        location: {
          latitude,
          longitude,
          address: checkString(location.address, LOCATION_ADDRESS_MAX_CHARS, 'address', false),
          name: checkString(location.name, LOCATION_NAME_MAX_CHARS, 'place name', false)
        }
      }
    }
    case 'command': {
      const command = body.command ?? {}
      return { command: { action: checkString(command.action, COMMAND_ACTION_MAX_CHARS, 'command action', true), params: checkFields(command.params, 'command') } }
    }
    case 'custom': {
      const custom = body.custom ?? {}
      const fallbackText = typeof custom.fallbackText === 'string' ? custom.fallbackText : ''
      if (Buffer.byteLength(fallbackText, 'utf8') > MAX_TEXT_BYTES) refuse(`The fallback text is longer than ${MAX_TEXT_BYTES} bytes.`, ErrorCode.ERROR_TEXT_TOO_LONG)
      return {
        custom: { event: checkString(custom.event, CUSTOM_EVENT_MAX_CHARS, 'custom type name', true), fields: checkFields(custom.fields, 'custom message'), fallbackText }
      }
    }
    case 'combined': {
      if (depth >= COMBINED_MAX_DEPTH) refuse(`Merged forwards nest at most ${COMBINED_MAX_DEPTH} deep.`, ErrorCode.ERROR_LIMIT_EXCEEDED)
      const combined = body.combined ?? {}
      const messages = combined.messages ?? []
      if (messages.length === 0) refuse('A merged forward needs at least one message.')
      if (messages.length > COMBINED_MAX_MESSAGES) refuse(`A merged forward holds at most ${COMBINED_MAX_MESSAGES} messages.`, ErrorCode.ERROR_LIMIT_EXCEEDED)
      const checked: MessageProps[] = messages.map((message) => {
        const inner = message.body
        const innerKind = contentKindOf(inner)
        if (!inner || !innerKind) return refuse('Each forwarded message needs exactly one kind of content.')
        return { ...message, body: checkContentAndExtras(inner, innerKind, refs, { mentions: false }, depth + 1) }
      })
      const result: BodyProps = { combined: { title: checkString(combined.title, COMBINED_TITLE_MAX_CHARS, 'title', false), messages: checked } }
      if (pb.Body.encode(result).finish().length > COMBINED_MAX_BYTES) {
        refuse(`A merged forward is at most ${COMBINED_MAX_BYTES / 1024} KB.`, ErrorCode.ERROR_TOO_LARGE)
      }
      return result
    }
  }
}

/** The checked content plus the body's other fields (reply_to, burn_after_read_sec, forwarded, ...) as given. */
function checkContentAndExtras(body: BodyProps, kind: ContentKind, refs: RefCollector, options: BodyCheckOptions, depth: number): BodyProps {
  const extras: BodyProps = {}
  for (const [key, value] of Object.entries(body) as [keyof BodyProps, unknown][]) {
    if ((CONTENT_KINDS as readonly string[]).includes(key) || value === undefined || value === null) continue
    ;(extras as Record<string, unknown>)[key] = value
  }
  return { ...extras, ...checkContent(body, kind, refs, options, depth) }
}

function fillRef(ref: AttachmentRefProps, row: AttachmentRow): void {
  ref.name = row.name
  ref.mime = row.mime
  ref.size = row.size
  ref.sha256 = row.sha256
  ref.secret = row.secret
  ref.hasThumbnail = row.hasThumbnail
}

/** An image's dimensions come from the server's record when it measured them (in merged forwards too). */
function fillDimensions(body: BodyProps, attachments: Map<string, AttachmentRow>): void {
  const image = body.image
  const row = image?.file?.id ? attachments.get(image.file.id) : undefined
  if (image && row && row.width > 0 && row.height > 0) {
    image.width = row.width
    image.height = row.height
  }
  for (const message of body.combined?.messages ?? []) if (message.body) fillDimensions(message.body, attachments)
}

/**
 * Checks a body for sending by `sender`: exactly one content type within its limits, and every attachment it names
 * (nested ones too) existing and readable by the sender. The answer's body is what to store: refs filled from the
 * server's records; `attachmentIds` are what the target conversation must be granted.
 */
export async function checkBody(
  sender: string,
  body: BodyProps | null | undefined,
  access: BodyAttachmentAccess | undefined,
  options: BodyCheckOptions
): Promise<CheckedBody> {
  const kind = contentKindOf(body)
  if (!body || !kind) return { ok: false, code: ErrorCode.ERROR_BAD_REQUEST, message: 'The message needs exactly one kind of content.' }
  const refs = new RefCollector()
  let checked: BodyProps
  try {
    checked = checkContentAndExtras(body, kind, refs, options, 0)
  } catch (err) {
    if (err instanceof BodyRefusal) return { ok: false, code: err.code, message: err.message }
    throw err
  }
  const ids = [...new Set(refs.refs.map((ref) => ref.id as string))]
  if (ids.length === 0) return { ok: true, body: checked, kind, attachmentIds: [] }
  if (!access) return { ok: false, code: ErrorCode.ERROR_ATTACHMENT_NOT_FOUND, message: 'This server does not take attachments here.' }
  const found = await access.checkForSend(sender, ids)
  if (!found.ok) {
    return found.reason === 'not-found'
      ? { ok: false, code: ErrorCode.ERROR_ATTACHMENT_NOT_FOUND, message: `There is no attachment "${found.id}" (upload it first).` }
      : { ok: false, code: ErrorCode.ERROR_ATTACHMENT_FORBIDDEN, message: 'The message names an attachment you may not read.' }
  }
  for (const ref of refs.refs) fillRef(ref, found.attachments.get(ref.id as string) as AttachmentRow)
  fillDimensions(checked, found.attachments)
  return { ok: true, body: checked, kind, attachmentIds: ids }
}
