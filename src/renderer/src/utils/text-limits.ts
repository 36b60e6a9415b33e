// Limits the renderer checks before a request (composer text, usernames), so the user hears about them at
// once instead of from the boundary. The boundary's own rules are in src/shared/ipc/schemas.ts.
import { AppError } from '../../../shared/errors'
import { MAX_TEXT_BYTES, MAX_USERNAME_CHARS, USERNAME_PATTERN, utf8ByteLength } from '../../../shared/limits'
import { formatNumber, tr } from '../i18n/translate'

export { MAX_TEXT_BYTES, utf8ByteLength }

/** The composer's byte counter appears once the text uses this share of the limit. */
export const COUNTER_FROM_SHARE = 0.8

/** The error the composer refuses an over-long text with (the same code and params the core would answer). */
export function textTooLongError(text: string): AppError | null {
  if (utf8ByteLength(text) <= MAX_TEXT_BYTES) return null
  return new AppError('TEXT_TOO_LONG', `This message is too long: the limit is ${MAX_TEXT_BYTES} bytes.`, {
    params: { limit: MAX_TEXT_BYTES }
  })
}

/** "4,200 / 5,120 bytes" once the text nears the limit (bytes: the limit is in UTF-8 bytes), else null. */
export function byteCounterText(bytes: number, locale?: string): string | null {
  if (bytes < MAX_TEXT_BYTES * COUNTER_FROM_SHARE) return null
  const count = formatNumber(bytes, locale)
  const limit = formatNumber(MAX_TEXT_BYTES, locale)
  return tr('chat.composer.byteCounter', { count, limit })
}

/** What a username may be, said exactly (USERNAME_PATTERN); display names in any script come with profiles. */
export function usernameRule(): string {
  return tr('signin.usernameRule', { max: MAX_USERNAME_CHARS })
}

/** The rule as the sign-in form's hint says it. */
export function usernameHint(): string {
  return tr('signin.usernameHint', { max: MAX_USERNAME_CHARS })
}

/** A sentence when a (trimmed) username breaks the rule, or null when it is a valid username. */
export function usernameProblem(name: string): string | null {
  return USERNAME_PATTERN.test(name) ? null : usernameRule()
}

/** A sentence when a (trimmed) username is longer than the boundary allows, or null when it is not. */
export function usernameTooLongMessage(name: string): string | null {
  return name.length > MAX_USERNAME_CHARS ? tr('signin.usernameTooLong', { max: MAX_USERNAME_CHARS }) : null
}
