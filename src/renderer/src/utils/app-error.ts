// Turns whatever a bridge call rejected with into the sentence shown to the user (AppErrorShape.message),
// without importing AppError's class into places that only need the words.
import { isAppErrorShape, type AppErrorShape } from '../../../shared/errors'

export function toAppErrorShape(err: unknown): AppErrorShape {
  if (isAppErrorShape(err)) return { code: err.code, message: err.message }
  const detail = err instanceof Error ? err.message : String(err)
  return { code: 'INTERNAL', message: `Something went wrong: ${detail}` }
}

export function errorSentence(err: unknown): string {
  return toAppErrorShape(err).message
}
