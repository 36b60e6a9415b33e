// Errors the user sees are built from their code and params (utils/app-error.ts), so the UI can be translated:
// a template per code, filled from params that survive the trip through AppError and the bridge.
import { describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/errors'
import { errorSentence, fillTemplate } from '../../src/renderer/src/utils/app-error'
import { byteCounterText, textTooLongError, usernameRule, usernameProblem } from '../../src/renderer/src/utils/text-limits'
import { MAX_TEXT_BYTES } from '../../src/shared/limits'

describe('error sentences from code and params', () => {
  it('builds USER_NOT_FOUND, TEXT_TOO_LONG and RATE_LIMITED from their params, not from the message', () => {
    expect(errorSentence({ code: 'USER_NOT_FOUND', message: 'x', params: { user: 'zed' } })).toBe('There is no user named zed.')
    expect(errorSentence({ code: 'TEXT_TOO_LONG', message: 'x', params: { limit: 5120 } })).toBe(
      'This message is too long: the limit is 5120 bytes. Please shorten it.'
    )
    expect(errorSentence({ code: 'RATE_LIMITED', message: 'x', params: { retryAfterSec: 30 } })).toBe(
      'Too many attempts. Please try again in 30 seconds.'
    )
  })

  it("falls back to the code's own sentence (never the core's message) when a template lacks its params, and never shows a half-filled sentence", () => {
    expect(errorSentence({ code: 'USER_NOT_FOUND', message: 'No such user.' })).toBe('That user does not exist.')
    expect(fillTemplate('{a} and {b}', { a: 1 })).toBeNull()
    expect(errorSentence({ code: 'NOT_SIGNED_IN', message: 'Sign in, please, right now.' })).toBe('Please sign in first.')
  })

  it('keeps params through toJSON and AppError.from, dropping values that are not flat', () => {
    const error = new AppError('USER_NOT_FOUND', 'There is no user named zed.', { params: { user: 'zed' } })
    const travelled = AppError.from(JSON.parse(JSON.stringify(error)))
    expect(travelled.params).toEqual({ user: 'zed' })
    expect(AppError.from({ code: 'RATE_LIMITED', message: 'm', params: { retryAfterSec: 3, nested: { a: 1 } } }).params).toEqual({
      retryAfterSec: 3
    })
    expect(new AppError('TIMEOUT', 'm').toJSON()).toEqual({ code: 'TIMEOUT', message: 'm' })
  })

  it('states the username rule exactly, and checks it', () => {
    expect(usernameRule()).toBe("A username is 1–64 characters: ASCII letters a–z, digits, '.', '_' or '-'.")
    expect(errorSentence({ code: 'INVALID_USERNAME', message: 'letters...' })).toBe(usernameRule())
    expect(usernameProblem('bob.smith_2-x')).toBeNull()
    expect(usernameProblem('bjørn')).toBe(usernameRule())
    expect(usernameProblem('a'.repeat(65))).toBe(usernameRule())
  })

  it('shows a byte counter near the limit and refuses over it with TEXT_TOO_LONG { limit }', () => {
    expect(byteCounterText(100, 'en')).toBeNull()
    expect(byteCounterText(4_200, 'en')).toBe(`4,200 / ${MAX_TEXT_BYTES.toLocaleString('en')} bytes`)
    expect(textTooLongError('a'.repeat(MAX_TEXT_BYTES))).toBeNull()
    // 2 000 four-byte emoji are 8 000 bytes though only 4 000 UTF-16 units: the limit is in bytes.
    const error = textTooLongError('👋'.repeat(2_000))
    expect(error?.code).toBe('TEXT_TOO_LONG')
    expect(error?.params).toEqual({ limit: MAX_TEXT_BYTES })
  })
})
