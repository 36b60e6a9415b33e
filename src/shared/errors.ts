// Typed application errors: a stable code for programs and a sentence for people.
// Every layer throws/returns AppError; IPC and the browser host carry it as { code, message, params? }; a failure kept
// or pushed as data (a failed message, the end of a session) is a FailureReason: the code and params, no sentence.

/** Every code, as a list so tests and the renderer can walk them (each has a sentence in the locale files). */
export const APP_ERROR_CODES = [
  'BAD_ARGUMENT', // arguments failed validation at a boundary
  'NOT_SIGNED_IN',
  'ALREADY_SIGNED_IN',
  'INVALID_CREDENTIALS',
  'USERNAME_TAKEN',
  'INVALID_USERNAME',
  'INVALID_PASSWORD',
  'SERVER_UNREACHABLE',
  'SERVER_ERROR',
  'TEXT_TOO_LONG',
  'USER_NOT_FOUND',
  'TOKEN_EXPIRED',
  'NOT_FOUND',
  'TIMEOUT',
  'DISCONNECTED',
  'STORE_ERROR',
  'UNKNOWN_METHOD',
  'RATE_LIMITED', // too many attempts; params.retryAfterSec says when to try again
  'INTERNAL',
  'FORBIDDEN', // the user's role or state does not allow the operation
  'BLOCKED', // one side blocked the other
  'NOT_FRIENDS', // the server only lets friends message each other
  'NOT_MEMBER',
  'MUTED',
  'BANNED',
  'DISSOLVED',
  'FULL',
  'CONFLICT', // already so (already friends, already a member, a request already pending)
  'LIMIT_EXCEEDED',
  'RECALL_WINDOW_CLOSED', // the message is older than the server's recall window
  'EDIT_WINDOW_CLOSED', // the message is older than the server's edit window
  'MESSAGE_GONE', // the message was recalled or has expired
  'TOO_LARGE', // a file over the server's upload limit; params.limitBytes
  'CANCELED', // the user canceled a transfer
  'CHECKSUM_MISMATCH', // downloaded bytes do not match the attachment's SHA-256
  'UNSUPPORTED' // this shell cannot do that (e.g. open a file from the browser host)
] as const

export type AppErrorCode = (typeof APP_ERROR_CODES)[number]

/**
 * The facts a sentence needs ({ user: 'bob' }, { limit: 5120 }), so the renderer can build it in the user's
 * language from the code; `message` stays the English sentence for logs and for renderers without a template.
 */
export type AppErrorParams = Readonly<Record<string, string | number>>

export interface AppErrorShape {
  code: AppErrorCode
  message: string
  params?: AppErrorParams
}

export class AppError extends Error implements AppErrorShape {
  readonly code: AppErrorCode
  readonly params?: AppErrorParams
  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown; params?: AppErrorParams }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    if (options?.params) this.params = options.params
  }

  toJSON(): AppErrorShape {
    return this.params ? { code: this.code, message: this.message, params: this.params } : { code: this.code, message: this.message }
  }

  static from(err: unknown): AppError {
    if (err instanceof AppError) return err
    if (isAppErrorShape(err)) return new AppError(err.code, err.message, { params: paramsOf(err) })
    const detail = err instanceof Error ? err.message : String(err)
    return new AppError('INTERNAL', `Something went wrong: ${detail}`, { cause: err })
  }
}

/** Only flat string/number values cross a boundary as params; anything else is dropped. */
function paramsOf(shape: AppErrorShape): AppErrorParams | undefined {
  const raw: unknown = shape.params
  if (typeof raw !== 'object' || raw === null) return undefined
  const params: Record<string, string | number> = {}
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) params[key] = value
  }
  return Object.keys(params).length > 0 ? params : undefined
}

export function isAppErrorShape(value: unknown): value is AppErrorShape {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  )
}

/**
 * Why something failed, as data the renderer words in the user's language: an AppError's code and params (`wire`,
 * the wire code's name; `reason`, one of FAILURE_REASONS when the code alone does not say it). Stored with a failed
 * message (its `error`) and carried by the end of a session; never an English sentence.
 */
export interface FailureReason {
  code: AppErrorCode
  params?: AppErrorParams
}

/**
 * The `reason` params the core gives, each worded by the renderer (errors.reason.<reason> in every locale): what a
 * code shared by several causes cannot say by itself.
 */
export const FAILURE_REASONS = [
  'giveUp', // a message kept failing for the outbox's give-up time
  'uploadCanceled', // the user canceled a message's upload
  'stagedMissing', // the file to send is no longer on this device
  'signInRefused', // the server refused this device's token (not valid any more)
  'sessionExpired', // the token expired before it was renewed
  'sessionReplaced', // the same device signed in again elsewhere
  'sessionRevoked', // signed out (here or by "sign out everywhere") or the token was used twice
  'passwordChanged', // the account's password was changed on another device
  'accountDeleted', // the account was deleted (on this device or another)
  'savedMismatch', // the saved sign-in belongs to another account
  'sessionEnded' // anything else that ended the session
] as const

export type FailureReasonName = (typeof FAILURE_REASONS)[number]

/**
 * The WebSocket close reason of a CLOSE_SIGNED_OUT that says why the server ended a live session, and the reason the
 * client gives for it. Any other close reason reads as 'sessionRevoked'.
 */
export const SIGNED_OUT_CLOSE_REASONS = {
  'session-revoked': 'sessionRevoked',
  'password-changed': 'passwordChanged',
  'account-deleted': 'accountDeleted'
} as const satisfies Record<string, FailureReasonName>

export type SignedOutCloseReason = keyof typeof SIGNED_OUT_CLOSE_REASONS

/** The reason of any thrown value: an AppError's code and params, without its English message. */
export function failureOf(err: unknown): FailureReason {
  const error = AppError.from(err)
  return error.params ? { code: error.code, params: error.params } : { code: error.code }
}

/** A reason the core words itself: `code` for programs, `reason` for the renderer's sentence. */
export function failureBecause(code: AppErrorCode, reason: FailureReasonName, params: AppErrorParams = {}): FailureReason {
  return { code, params: { ...params, reason } }
}

/** A FailureReason as stored in a text column (JSON); decodeFailureReason reads it back. */
export function encodeFailureReason(reason: FailureReason): string {
  return JSON.stringify(reason.params ? { code: reason.code, params: reason.params } : { code: reason.code })
}

const KNOWN_CODES: ReadonlySet<string> = new Set(APP_ERROR_CODES)

/** A stored FailureReason (JSON of encodeFailureReason), or null when the text is not one (e.g. an older sentence). */
export function decodeFailureReason(stored: string): FailureReason | null {
  if (!stored.startsWith('{')) return null
  let value: unknown
  try {
    value = JSON.parse(stored)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const { code } = value as { code?: unknown }
  if (typeof code !== 'string' || !KNOWN_CODES.has(code)) return null
  const params = paramsOf({ code: code as AppErrorCode, message: '', params: (value as { params?: AppErrorParams }).params })
  return params ? { code: code as AppErrorCode, params } : { code: code as AppErrorCode }
}

export function isFailureReason(value: unknown): value is FailureReason {
  if (typeof value !== 'object' || value === null) return false
  const { code, params } = value as { code?: unknown; params?: unknown }
  return typeof code === 'string' && KNOWN_CODES.has(code) && (params === undefined || (typeof params === 'object' && params !== null))
}
