// Limits the composer checks before sending, so the user hears about them at once instead of from the server.
import { MAX_TEXT_BYTES, utf8ByteLength } from '../../../shared/limits'

export { MAX_TEXT_BYTES, utf8ByteLength }

/** A sentence for the user when the text cannot be sent as it is, or null when it can. */
export function textTooLongMessage(text: string): string | null {
  const bytes = utf8ByteLength(text)
  if (bytes <= MAX_TEXT_BYTES) return null
  const sizeKb = (bytes / 1024).toFixed(1)
  return `This message is too long (${sizeKb} KB). The limit is ${MAX_TEXT_BYTES / 1024} KB; please shorten it.`
}
