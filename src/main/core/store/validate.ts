// Argument checks at the store's boundary: anything SQLite could not bind, or that would store nonsense,
// is refused with a STORE_BAD_ARGUMENT sentence instead of reaching the database.
import type { ChatMessage } from '../../../shared/model'
import { StoreError } from './errors'

const MAX_ID_CHARS = 128
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
  if (typeof message.timestamp !== 'number' || !Number.isSafeInteger(message.timestamp)) {
    throw bad(`${where} has no valid timestamp.`)
  }
  if (!isOptionalInteger(message.seq) || !isOptionalInteger(message.serverId)) {
    throw bad(`${where} has an invalid sequence or server id.`)
  }
  if (message.error !== null && typeof message.error !== 'string') throw bad(`${where} has an invalid error.`)
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
