// Turns whatever a bridge call rejected with into the sentence shown to the user: a template per error code
// filled from the error's params (one table, so the UI can be translated later), else the error's own message.
import { AppError, type AppErrorCode, type AppErrorParams } from '../../../shared/errors'
import { USERNAME_RULE } from './text-limits'

/**
 * Sentences for errors that carry params. `{name}` is replaced by params.name; a template whose params are
 * missing is not used (the error's own message is shown instead), so a half-filled sentence never shows.
 */
export const ERROR_SENTENCES: Partial<Record<AppErrorCode, string>> = {
  USER_NOT_FOUND: 'There is no user named {user}.',
  TEXT_TOO_LONG: 'This message is too long: the limit is {limit} bytes. Please shorten it.',
  RATE_LIMITED: 'Too many attempts. Please try again in {retryAfterSec} seconds.',
  INVALID_USERNAME: USERNAME_RULE
}

const PLACEHOLDER = /\{(\w+)\}/g

/** Fills a template; null when one of its placeholders has no param. */
export function fillTemplate(template: string, params: AppErrorParams | undefined): string | null {
  let complete = true
  const sentence = template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = params?.[name]
    if (value === undefined) {
      complete = false
      return ''
    }
    return String(value)
  })
  return complete ? sentence : null
}

export function errorSentence(err: unknown): string {
  const error = AppError.from(err)
  const template = ERROR_SENTENCES[error.code]
  return (template && fillTemplate(template, error.params)) || error.message
}
