// Typed application errors: a stable code for programs and a sentence for people.
// Every layer throws/returns AppError; IPC and the browser host carry it as { code, message, params? }.

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
