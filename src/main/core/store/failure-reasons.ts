// Owns reading a failed message's stored reason: the code and params this version stores (JSON), and the English
// sentences versions before it stored, mapped here once, as they are read, to the code they stood for.
import { decodeFailureReason, failureBecause, type FailureReason } from '../../../shared/errors'
import { failureOfWireSentence } from '../protocol/errors'

/**
 * The sentences older versions stored besides the wire errors' (protocol/errors.ts WIRE_ERRORS): the outbox's give-up,
 * an upload canceled or whose file went missing, a file over the server's limit.
 */
const LEGACY_SENTENCES: ReadonlyMap<string, FailureReason> = new Map([
  ['Could not send for 24 hours. Tap to try again.', failureBecause('TIMEOUT', 'giveUp')],
  ['Upload canceled.', failureBecause('CANCELED', 'uploadCanceled')],
  ['The transfer was canceled.', failureBecause('CANCELED', 'uploadCanceled')],
  ['The file to send is no longer on this device. Attach it again.', failureBecause('NOT_FOUND', 'stagedMissing')]
])

/** A stored failure reason as this version reads it; null when there is none or an old sentence is unknown. */
export function readFailureReason(stored: string | null): FailureReason | null {
  if (stored === null || stored === '') return null
  const current = decodeFailureReason(stored)
  if (current) return current
  const sentence = stored.trim()
  const legacy = LEGACY_SENTENCES.get(sentence) ?? failureOfWireSentence(sentence)
  if (legacy) return legacy
  // "This file is too large to send (…)." carried the server's words: the code is all that is left of it.
  if (sentence.startsWith('This file is too large to send')) return { code: 'TOO_LARGE' }
  return null
}
