// Typed application errors: a stable code for programs and a sentence for people.
// Every layer throws/returns AppError; IPC and the browser host carry it as { code, message }.

export type AppErrorCode =
  | 'BAD_ARGUMENT' // arguments failed validation at a boundary
  | 'NOT_SIGNED_IN'
  | 'ALREADY_SIGNED_IN'
  | 'INVALID_CREDENTIALS'
  | 'USERNAME_TAKEN'
  | 'INVALID_USERNAME'
  | 'INVALID_PASSWORD'
  | 'SERVER_UNREACHABLE'
  | 'SERVER_ERROR'
  | 'TEXT_TOO_LONG'
  | 'USER_NOT_FOUND'
  | 'TOKEN_EXPIRED'
  | 'NOT_FOUND'
  | 'TIMEOUT'
  | 'DISCONNECTED'
  | 'STORE_ERROR'
  | 'UNKNOWN_METHOD'
  | 'INTERNAL'

export interface AppErrorShape {
  code: AppErrorCode
  message: string
}

export class AppError extends Error implements AppErrorShape {
  readonly code: AppErrorCode
  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AppError'
    this.code = code
  }

  toJSON(): AppErrorShape {
    return { code: this.code, message: this.message }
  }

  static from(err: unknown): AppError {
    if (err instanceof AppError) return err
    if (isAppErrorShape(err)) return new AppError(err.code, err.message)
    const detail = err instanceof Error ? err.message : String(err)
    return new AppError('INTERNAL', `Something went wrong: ${detail}`, { cause: err })
  }
}

export function isAppErrorShape(value: unknown): value is AppErrorShape {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  )
}
