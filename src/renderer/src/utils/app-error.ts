// Turns whatever a bridge call rejected with into the sentence shown to the user; the mapping itself
// (an AppErrorShape's message, or "Something went wrong: ...") is AppError.from's in src/shared/errors.
import { AppError } from '../../../shared/errors'

export function errorSentence(err: unknown): string {
  return AppError.from(err).message
}
