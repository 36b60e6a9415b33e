// Limits the renderer checks before a request (composer text, usernames), so the user hears about them at
// once instead of from the boundary. The boundary's own rules are in src/shared/ipc/schemas.ts.
import { MAX_TEXT_BYTES, MAX_USERNAME_CHARS, utf8ByteLength } from '../../../shared/limits'

export { MAX_TEXT_BYTES, utf8ByteLength }

/** A sentence for the user when the text cannot be sent as it is, or null when it can. */
export function textTooLongMessage(text: string): string | null {
  const bytes = utf8ByteLength(text)
  if (bytes <= MAX_TEXT_BYTES) return null
  const sizeKb = (bytes / 1024).toFixed(1)
  return `This message is too long (${sizeKb} KB). The limit is ${MAX_TEXT_BYTES / 1024} KB; please shorten it.`
}

/** The boundary's username length limit (src/shared/ipc/schemas.ts). */

/** A sentence when a (trimmed) username is longer than the boundary allows, or null when it is not. */
export function usernameTooLongMessage(name: string): string | null {
  return name.length > MAX_USERNAME_CHARS ? `Usernames are at most ${MAX_USERNAME_CHARS} characters long.` : null
}
