// Argument checks at the store's boundary: anything SQLite could not bind, or that would store nonsense,
// is refused with a STORE_BAD_ARGUMENT sentence instead of reaching the database.
import { isFailureReason } from '../../../shared/errors'
import type { ChatMessage, ChatType, ConversationKey } from '../../../shared/model'
import { canonicalUserId } from '../../../shared/user-id'
import { StoreError } from './errors'

const MAX_ID_CHARS = 128
/** A draft is at most a message or two; this bounds what one keystroke's save can write. */
const MAX_DRAFT_CHARS = 20_000
/** A quarantine reason is a sentence for the diagnostics view. */
const MAX_REASON_CHARS = 1_000
/** Raw events are single frames (MAX_FRAME_BYTES is 64 KiB); anything far larger is not an event. */
const MAX_RAW_EVENT_BYTES = 1024 * 1024
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const CHAT_TYPES = new Set(['single', 'group', 'room'])
const DIRECTIONS = new Set(['in', 'out'])
const STATUSES = new Set(['sending', 'sent', 'failed', 'received'])

function bad(message: string): StoreError {
  return new StoreError('STORE_BAD_ARGUMENT', message)
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_CHARS
}

function isOptionalInteger(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isSafeInteger(value))
}

export function checkId(value: unknown, what: string): string {
  if (!isName(value)) throw bad(`The ${what} must be a non-empty string of at most ${MAX_ID_CHARS} characters.`)
  return value
}

export function checkMessage(message: ChatMessage): void {
  if (typeof message !== 'object' || message === null) throw bad('A message to store must be an object.')
  checkId(message.id, 'message id')
  const where = `Message ${message.id}`
  if (!isName(message.conversationId)) throw bad(`${where} has no valid conversation id.`)
  if (!isName(message.from) || !isName(message.to)) throw bad(`${where} has no valid sender or recipient.`)
  if (!CHAT_TYPES.has(message.chatType)) throw bad(`${where} has an unknown chat type.`)
  if (!DIRECTIONS.has(message.direction)) throw bad(`${where} has an unknown direction.`)
  if (!STATUSES.has(message.status)) throw bad(`${where} has an unknown status.`)
  if (typeof message.content !== 'object' || message.content === null || typeof message.content.type !== 'string') {
    throw bad(`${where} has no content.`)
  }
  if (message.content.type === 'text' && typeof message.content.text !== 'string') {
    throw bad(`${where} is a text message without text.`)
  }
  if (message.content.type === 'unsupported' && (typeof message.content.raw !== 'string' || !BASE64.test(message.content.raw))) {
    throw bad(`${where} keeps no raw event (base64) for its unsupported content.`)
  }
  if (typeof message.timestamp !== 'number' || !Number.isSafeInteger(message.timestamp)) {
    throw bad(`${where} has no valid timestamp.`)
  }
  if (!isOptionalInteger(message.seq) || !isOptionalInteger(message.serverId)) {
    throw bad(`${where} has an invalid sequence or server id.`)
  }
  if (message.error !== null && !isFailureReason(message.error)) throw bad(`${where} has an invalid error.`)
}

export function checkSafeInteger(value: unknown, what: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw bad(`The ${what} must be a whole number of at least ${min}.`)
  }
  return value
}

/** A page/search limit: a positive whole number, capped so one call cannot load the whole database. */
export function checkLimit(value: unknown, max: number): number {
  return Math.min(checkSafeInteger(value, 'limit', 1), max)
}

/**
 * A conversation key: a known chat type and an id, canonical for single chats (the peer's canonicalUserId, so
 * 'BOB' finds 'bob'). Returns the key as stored.
 */
export function checkKey(value: unknown): ConversationKey {
  if (typeof value !== 'object' || value === null) throw bad('A conversation must be named by its type and id.')
  const { type, id } = value as { type?: unknown; id?: unknown }
  if (typeof type !== 'string' || !CHAT_TYPES.has(type)) throw bad('The conversation type must be single, group or room.')
  checkId(id, 'conversation id')
  if (type !== 'single') return { type: type as ChatType, id: id as string }
  const canonical = canonicalUserId(id)
  if (canonical === null) throw bad(`The conversation id ${String(id)} is not a valid user id.`)
  return { type: 'single', id: canonical }
}

/** A draft to keep: null for none ('' clears it too). */
export function checkDraft(value: unknown): string | null {
  if (value === null || value === '') return null
  if (typeof value !== 'string' || value.length > MAX_DRAFT_CHARS) {
    throw bad(`A draft must be text of at most ${MAX_DRAFT_CHARS} characters.`)
  }
  return value
}

export function checkBytes(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array) || value.byteLength > MAX_RAW_EVENT_BYTES) {
    throw bad(`A raw event must be bytes (at most ${MAX_RAW_EVENT_BYTES}).`)
  }
  return value
}

export function checkReason(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw bad('The reason an event is put aside must be a sentence.')
  return value.slice(0, MAX_REASON_CHARS)
}
