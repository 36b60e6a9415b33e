// Owns how the chat client reads what callers name and how its failures leave it: conversation references in
// canonical form (a user id is a single chat; group and room ids as the server made them) and AppErrors.
import { AppError } from '../../shared/errors'
import { conversationKey, type ConversationKey } from '../../shared/model'
import { canonicalUserId } from '../../shared/user-id'
import { StoreError } from './store'
import type { ConversationRef } from './types'

/** A single chat's key from a user id as typed or received (canonical form). */
export function singleChat(userId: string): ConversationKey {
  const canonical = canonicalUserId(userId)
  if (!canonical) throw new AppError('BAD_ARGUMENT', 'That is not a valid user name.')
  return conversationKey('single', canonical)
}

/**
 * A conversation reference in canonical form: a plain string is a single chat with that user; group and room ids
 * are made by the server and kept exactly as it made them.
 */
export function keyOf(ref: ConversationRef): ConversationKey {
  if (typeof ref === 'string') return singleChat(ref)
  if (ref.type === 'single') return singleChat(ref.id)
  const id = ref.id.trim()
  if (!id) throw new AppError('BAD_ARGUMENT', 'Choose a conversation.')
  return conversationKey(ref.type, id)
}

/** Store failures carry their own codes; everything leaving the client is an AppError. */
export function toAppError(err: unknown): AppError {
  if (err instanceof StoreError) return err.toAppError()
  return AppError.from(err)
}

/** Rethrows any failure as an AppError (the client's promise chains end in it). */
export function rethrowAsAppError(err: unknown): never {
  throw toAppError(err)
}
