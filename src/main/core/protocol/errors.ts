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

function appCodeFor(code: ErrorCode): AppErrorCode {
  switch (code) {
    case ErrorCode.ERROR_TEXT_TOO_LONG:
    case ErrorCode.ERROR_FRAME_TOO_LARGE:
      return 'TEXT_TOO_LONG'
    case ErrorCode.ERROR_USER_NOT_FOUND:
      return 'USER_NOT_FOUND'
    case ErrorCode.ERROR_TOKEN_EXPIRED:
      return 'TOKEN_EXPIRED'
    case ErrorCode.ERROR_UNAUTHENTICATED:
      return 'NOT_SIGNED_IN'
    case ErrorCode.ERROR_BAD_REQUEST:
    case ErrorCode.ERROR_MALFORMED_FRAME:
      return 'BAD_ARGUMENT'
    case ErrorCode.ERROR_FORBIDDEN:
      return 'BAD_ARGUMENT'
    default:
      return 'SERVER_ERROR'
  }
}

function sentenceFor(code: ErrorCode, serverMessage: string): string {
  switch (code) {
    case ErrorCode.ERROR_TEXT_TOO_LONG:
    case ErrorCode.ERROR_FRAME_TOO_LARGE:
      return 'This message is too long to send.'
    case ErrorCode.ERROR_USER_NOT_FOUND:
      return 'That user does not exist.'
    case ErrorCode.ERROR_TOKEN_EXPIRED:
      return 'Your session has expired. Please sign in again.'
    case ErrorCode.ERROR_UNAUTHENTICATED:
      return 'You are not signed in.'
    case ErrorCode.ERROR_RATE_LIMITED:
      return 'Too many requests; slowing down.'
    case ErrorCode.ERROR_FORBIDDEN:
      return 'You are not allowed to do that.'
    default:
      return serverMessage ? `The server refused the request: ${serverMessage}` : 'The server refused the request.'
  }
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
