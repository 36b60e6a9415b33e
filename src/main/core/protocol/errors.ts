// Owns the translation of wire errors (protocol ErrorCode in error frames) into typed AppErrors,
// and which of them are permanent for a message (the outbox marks it failed) or transient (resend later).
import { AppError, type AppErrorCode, type AppErrorParams } from '../../../shared/errors'
import { ErrorCode } from '../../../shared/proto/codec'

/** An AppError that came from an error frame; keeps the wire code so callers can decide what to do. */
export class ProtocolError extends AppError {
  readonly wireCode: ErrorCode
  /** The server's "try again after" (rate limits, overload); null when it gave none. */
  readonly retryAfterMs: number | null
  constructor(wireCode: ErrorCode, serverMessage: string, retryAfterMs: number | null = null) {
    super(appCodeFor(wireCode), sentenceFor(wireCode, serverMessage), { params: wireParams(wireCode, retryAfterMs) })
    this.name = 'ProtocolError'
    this.wireCode = wireCode
    this.retryAfterMs = retryAfterMs !== null && retryAfterMs > 0 ? retryAfterMs : null
  }
}

/**
 * What the renderer needs to say it in the user's language: the wire code's name (several wire codes share one
 * AppErrorCode, e.g. MUTED and MUTED_ALL) and, for rate limits, how many seconds to wait.
 */
function wireParams(wireCode: ErrorCode, retryAfterMs: number | null): AppErrorParams {
  const name: string | undefined = ErrorCode[wireCode]
  return {
    ...(name ? { wire: name } : {}),
    ...(retryAfterMs !== null && retryAfterMs > 0 ? { retryAfterSec: Math.ceil(retryAfterMs / 1000) } : {})
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
  [ErrorCode.ERROR_FORBIDDEN]: { code: 'FORBIDDEN', sentence: 'You are not allowed to do that.' },
  [ErrorCode.ERROR_BLOCKED]: { code: 'BLOCKED', sentence: 'You cannot contact this user: one of you has blocked the other.' },
  [ErrorCode.ERROR_NOT_FOUND]: { code: 'NOT_FOUND', sentence: 'That group, room or request no longer exists.' },
  [ErrorCode.ERROR_NOT_MEMBER]: { code: 'NOT_MEMBER', sentence: 'You are not a member of this group or room.' },
  [ErrorCode.ERROR_MUTED]: { code: 'MUTED', sentence: 'You are muted here for now.' },
  [ErrorCode.ERROR_MUTED_ALL]: { code: 'MUTED', sentence: 'Only the owner and admins can send here right now.' },
  [ErrorCode.ERROR_BANNED]: { code: 'BANNED', sentence: 'You are banned from this group or room.' },
  [ErrorCode.ERROR_DISSOLVED]: { code: 'DISSOLVED', sentence: 'This group was dissolved.' },
  [ErrorCode.ERROR_FULL]: { code: 'FULL', sentence: 'This group or room is full.' },
  [ErrorCode.ERROR_CONFLICT]: { code: 'CONFLICT', sentence: 'That is already done.' },
  [ErrorCode.ERROR_NOT_FRIENDS]: {
    code: 'NOT_FRIENDS',
    sentence: 'This server only lets contacts message each other. Send a friend request first.'
  },
  [ErrorCode.ERROR_LIMIT_EXCEEDED]: { code: 'LIMIT_EXCEEDED', sentence: 'That is over the allowed size or number.' },
  [ErrorCode.ERROR_RECALL_WINDOW_CLOSED]: {
    code: 'RECALL_WINDOW_CLOSED',
    sentence: 'This message can no longer be recalled: the time allowed for recalling it has passed.'
  },
  [ErrorCode.ERROR_EDIT_WINDOW_CLOSED]: {
    code: 'EDIT_WINDOW_CLOSED',
    sentence: 'This message can no longer be edited: the time allowed for editing it has passed.'
  },
  [ErrorCode.ERROR_MESSAGE_GONE]: { code: 'MESSAGE_GONE', sentence: 'That message was recalled or has disappeared.' },
  [ErrorCode.ERROR_TOKEN_REVOKED]: {
    code: 'NOT_SIGNED_IN',
    sentence: 'This sign-in was ended (signed out or used elsewhere). Please sign in again.'
  },
  [ErrorCode.ERROR_TOO_MANY_REACTIONS]: { code: 'LIMIT_EXCEEDED', sentence: 'This message already has 20 different reactions: add one of those.' },
  [ErrorCode.ERROR_DEVICE_SIGNED_OUT]: { code: 'NOT_SIGNED_IN', sentence: 'This device was signed out from another device of your account.' },
  [ErrorCode.ERROR_DEVICE_LIMIT]: {
    code: 'NOT_SIGNED_IN',
    sentence: 'This device was signed out because your account signed in on more devices than allowed.'
  },
  [ErrorCode.ERROR_ATTACHMENT_NOT_FOUND]: {
    code: 'NOT_FOUND',
    sentence: 'The attached file is no longer on the server. Attach it again.'
  },
  [ErrorCode.ERROR_ATTACHMENT_FORBIDDEN]: {
    code: 'FORBIDDEN',
    sentence: 'You cannot send this attachment: it was not shared with you.'
  },
  [ErrorCode.ERROR_TOO_LARGE]: { code: 'LIMIT_EXCEEDED', sentence: 'This is too large to send.' }
}

/**
 * The wire error an English sentence of WIRE_ERRORS stood for, as a code and params: older versions stored these
 * sentences as a failed message's reason (read once by store/failure-reasons.ts). Null for any other text.
 */
export function failureOfWireSentence(sentence: string): { code: AppErrorCode; params: AppErrorParams } | null {
  for (const [wire, known] of Object.entries(WIRE_ERRORS)) {
    if (known?.sentence === sentence) return { code: known.code, params: wireParams(Number(wire) as ErrorCode, null) }
  }
  return null
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

/**
 * Only errors that no retry can fix fail a message. Everything else is transient and retried with backoff:
 * ERROR_INTERNAL (a failed group commit, a dispatch exception), ERROR_UNKNOWN (a code from a newer server),
 * rate limits, and the auth errors (the session ends or reconnects; the message waits in the outbox).
 */
const PERMANENT_SEND_ERRORS: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.ERROR_TEXT_TOO_LONG,
  ErrorCode.ERROR_FRAME_TOO_LARGE,
  ErrorCode.ERROR_USER_NOT_FOUND,
  ErrorCode.ERROR_BAD_REQUEST,
  ErrorCode.ERROR_MALFORMED_FRAME,
  ErrorCode.ERROR_FORBIDDEN,
  ErrorCode.ERROR_BLOCKED,
  ErrorCode.ERROR_NOT_FOUND,
  ErrorCode.ERROR_NOT_MEMBER,
  ErrorCode.ERROR_MUTED,
  ErrorCode.ERROR_MUTED_ALL,
  ErrorCode.ERROR_BANNED,
  ErrorCode.ERROR_DISSOLVED,
  ErrorCode.ERROR_NOT_FRIENDS,
  ErrorCode.ERROR_LIMIT_EXCEEDED,
  ErrorCode.ERROR_ATTACHMENT_NOT_FOUND,
  ErrorCode.ERROR_ATTACHMENT_FORBIDDEN,
  ErrorCode.ERROR_TOO_LARGE
])

/** A send that failed this way will never succeed as is: the message becomes 'failed'. */
export function isPermanentSendError(err: unknown): err is AppError {
  if (err instanceof ProtocolError) return PERMANENT_SEND_ERRORS.has(err.wireCode)
  // Refused before it left: the encoded frame is over the size limit.
  return err instanceof AppError && err.code === 'TEXT_TOO_LONG'
}

export function isRateLimited(err: unknown): boolean {
  return err instanceof ProtocolError && err.wireCode === ErrorCode.ERROR_RATE_LIMITED
}

/** How long the server asked us to wait before trying again, or null. */
export function retryAfterMsOf(err: unknown): number | null {
  return err instanceof ProtocolError ? err.retryAfterMs : null
}
