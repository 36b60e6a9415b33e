// Owns the translation of wire errors (protocol ErrorCode in error frames) into typed AppErrors,
// and which of them are permanent for a message (the outbox marks it failed) or transient (resend later).
import { AppError, type AppErrorCode } from '../../../shared/errors'
import { ErrorCode } from '../../../shared/proto/codec'

/** An AppError that came from an error frame; keeps the wire code so callers can decide what to do. */
export class ProtocolError extends AppError {
  readonly wireCode: ErrorCode
  constructor(wireCode: ErrorCode, serverMessage: string) {
    super(appCodeFor(wireCode), sentenceFor(wireCode, serverMessage))
    this.name = 'ProtocolError'
    this.wireCode = wireCode
  }
}

/** What each wire error means on this side: a stable code and a sentence for the user. */
const WIRE_ERRORS: Partial<Record<ErrorCode, { code: AppErrorCode; sentence: string }>> = {
  [ErrorCode.ERROR_TEXT_TOO_LONG]: { code: 'TEXT_TOO_LONG', sentence: 'This message is too long to send.' },
  [ErrorCode.ERROR_FRAME_TOO_LARGE]: { code: 'TEXT_TOO_LONG', sentence: 'This message is too long to send.' },
  [ErrorCode.ERROR_USER_NOT_FOUND]: { code: 'USER_NOT_FOUND', sentence: 'That user does not exist.' },
  [ErrorCode.ERROR_TOKEN_EXPIRED]: { code: 'TOKEN_EXPIRED', sentence: 'Your session has expired. Please sign in again.' },
  [ErrorCode.ERROR_UNAUTHENTICATED]: { code: 'NOT_SIGNED_IN', sentence: 'You are not signed in.' },
  [ErrorCode.ERROR_RATE_LIMITED]: { code: 'SERVER_ERROR', sentence: 'Too many requests; slowing down.' },
  [ErrorCode.ERROR_FORBIDDEN]: { code: 'BAD_ARGUMENT', sentence: 'You are not allowed to do that.' }
}

function appCodeFor(code: ErrorCode): AppErrorCode {
  if (code === ErrorCode.ERROR_BAD_REQUEST || code === ErrorCode.ERROR_MALFORMED_FRAME) return 'BAD_ARGUMENT'
  return WIRE_ERRORS[code]?.code ?? 'SERVER_ERROR'
}

function sentenceFor(code: ErrorCode, serverMessage: string): string {
  const known = WIRE_ERRORS[code]?.sentence
  if (known) return known
  return serverMessage ? `The server refused the request: ${serverMessage}` : 'The server refused the request.'
}

const PERMANENT_SEND_ERRORS: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.ERROR_TEXT_TOO_LONG,
  ErrorCode.ERROR_FRAME_TOO_LARGE,
  ErrorCode.ERROR_USER_NOT_FOUND,
  ErrorCode.ERROR_BAD_REQUEST,
  ErrorCode.ERROR_MALFORMED_FRAME,
  ErrorCode.ERROR_FORBIDDEN,
  ErrorCode.ERROR_INTERNAL,
  ErrorCode.ERROR_UNKNOWN
])

/** A send that failed this way will never succeed as is: the message becomes 'failed'. */
export function isPermanentSendError(err: unknown): err is ProtocolError {
  return err instanceof ProtocolError && PERMANENT_SEND_ERRORS.has(err.wireCode)
}

export function isRateLimited(err: unknown): boolean {
  return err instanceof ProtocolError && err.wireCode === ErrorCode.ERROR_RATE_LIMITED
}
