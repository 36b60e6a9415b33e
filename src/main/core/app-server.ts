// Owns the HTTP calls to the app server that issue accounts and tokens (register, login),
// turning every HTTP status and network failure into an AppError with a sentence for the user.
import { AppError } from '../../shared/errors'
import { createLogger } from '../../shared/logger'

const log = createLogger('core:app-server')
const HTTP_TIMEOUT_MS = 15_000

export interface LoginResult {
  user: string
  token: string
  /** ms since epoch */
  expiresAt: number
}

interface JsonResponse {
  status: number
  body: Record<string, unknown>
}

function endpoint(serverUrl: string, path: string): string {
  return serverUrl.replace(/\/+$/, '') + path
}

async function postJson(serverUrl: string, path: string, payload: unknown): Promise<JsonResponse> {
  let response: Response
  try {
    response = await fetch(endpoint(serverUrl, path), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS)
    })
  } catch (err) {
    log.warn('app server unreachable', { serverUrl, error: String(err) })
    throw new AppError('SERVER_UNREACHABLE', `Cannot reach the server at ${serverUrl}.`, { cause: err })
  }
  let body: Record<string, unknown> = {}
  try {
    const parsed: unknown = await response.json()
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>
  } catch {
    // A non-JSON body (proxy page, empty 500): the status alone decides below.
  }
  return { status: response.status, body }
}

function serverMessage(body: Record<string, unknown>, fallback: string): string {
  const message = body.message ?? body.msg
  return typeof message === 'string' && message.trim() ? message : fallback
}

function invalidInputError(body: Record<string, unknown>): AppError {
  const code = typeof body.code === 'string' ? body.code : ''
  const message = serverMessage(body, 'That username or password is not allowed.')
  if (/PASSWORD/i.test(code) || (!/USER/i.test(code) && /password/i.test(message))) {
    return new AppError('INVALID_PASSWORD', message)
  }
  return new AppError('INVALID_USERNAME', message)
}

/** 429: too many sign-in attempts; the server says when to try again (Retry-After, retryAfterMs). */
function rateLimitedError(body: Record<string, unknown>): AppError {
  const retryAfterSec = Math.max(1, Math.ceil((Number(body.retryAfterMs) || 0) / 1000))
  return new AppError('RATE_LIMITED', serverMessage(body, `Too many attempts. Try again in ${retryAfterSec} s.`), {
    params: { retryAfterSec }
  })
}

function unexpectedStatus(status: number, body: Record<string, unknown>): AppError {
  return new AppError('SERVER_ERROR', serverMessage(body, `The server answered with an error (HTTP ${status}).`))
}

export async function registerAccount(serverUrl: string, username: string, password: string): Promise<void> {
  const { status, body } = await postJson(serverUrl, '/app/chat/user/register', {
    userAccount: username,
    userPassword: password
  })
  if (status === 200 || status === 201) return
  if (status === 409) throw new AppError('USERNAME_TAKEN', 'That username is taken.')
  if (status === 429) throw rateLimitedError(body)
  if (status === 400) throw invalidInputError(body)
  throw unexpectedStatus(status, body)
}

/** Sign in; with `deviceId` the server binds the token to this device (a copy used elsewhere is refused). */
export async function loginAccount(
  serverUrl: string,
  username: string,
  password: string,
  deviceId?: string,
  /** What the account's device list shows for this device. */
  deviceName?: string
): Promise<LoginResult> {
  const { status, body } = await postJson(serverUrl, '/app/chat/user/login', {
    userAccount: username,
    userPassword: password,
    ...(deviceId ? { deviceId } : {}),
    ...(deviceName ? { deviceName } : {})
  })
  if (status === 401 || status === 404) {
    throw new AppError('INVALID_CREDENTIALS', 'The username or password is incorrect.')
  }
  if (status === 429) throw rateLimitedError(body)
  if (status === 400) throw invalidInputError(body)
  if (status !== 200) throw unexpectedStatus(status, body)
  const { accessToken, chatUserName, expireTimestamp } = body
  if (typeof accessToken !== 'string' || typeof chatUserName !== 'string') {
    throw new AppError('SERVER_ERROR', 'The server sent an unexpected sign-in answer.')
  }
  return { user: chatUserName, token: accessToken, expiresAt: Number(expireTimestamp) || 0 }
}
