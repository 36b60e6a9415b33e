// Owns the HTTP calls to the app server that issue accounts and tokens (register, login),
// turning every HTTP status and network failure into an AppError with a sentence for the user.
import { request as httpRequest, type Agent } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { AppError } from '../../shared/errors'
import { createLogger } from '../../shared/logger'
import { cleanGatewayAddresses } from './net/gateway-list'

const log = createLogger('core:app-server')
const HTTP_TIMEOUT_MS = 15_000

export interface LoginResult {
  user: string
  token: string
  /** ms since epoch */
  expiresAt: number
  /** The gateway addresses the answer listed (cluster mode), cleaned; empty: the one server at serverUrl. */
  gateways: string[]
}

interface JsonResponse {
  status: number
  body: Record<string, unknown>
}

function endpoint(serverUrl: string, path: string): string {
  return serverUrl.replace(/\/+$/, '') + path
}

/** One POST with a JSON body and a JSON answer, through the device's network route (`agent`: its proxy setting). */
function postJson(serverUrl: string, path: string, payload: unknown, agent?: Agent): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    let url: URL
    try {
      url = new URL(endpoint(serverUrl, path))
    } catch (err) {
      reject(new AppError('SERVER_UNREACHABLE', `Cannot reach the server at ${serverUrl}.`, { cause: err }))
      return
    }
    const body = Buffer.from(JSON.stringify(payload))
    const unreachable = (err: unknown): void => {
      log.warn('app server unreachable', { serverUrl, error: String(err) })
      reject(new AppError('SERVER_UNREACHABLE', `Cannot reach the server at ${serverUrl}.`, { cause: err }))
    }
    // node:http rather than fetch: fetch takes no http.Agent, and the proxy setting comes as one.
    const make = url.protocol === 'https:' ? httpsRequest : httpRequest
    const req = make(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length) }, ...(agent ? { agent } : {}) },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', unreachable)
        res.on('end', () => {
          let parsedBody: Record<string, unknown> = {}
          try {
            const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'))
            if (parsed && typeof parsed === 'object') parsedBody = parsed as Record<string, unknown>
          } catch {
            // A non-JSON body (proxy page, empty 500): the status alone decides below.
          }
          resolve({ status: res.statusCode ?? 0, body: parsedBody })
        })
      }
    )
    const deadline = setTimeout(() => req.destroy(new Error('no answer in time')), HTTP_TIMEOUT_MS)
    req.on('close', () => clearTimeout(deadline))
    req.on('error', unreachable)
    req.end(body)
  })
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

export async function registerAccount(serverUrl: string, username: string, password: string, agent?: Agent): Promise<void> {
  const { status, body } = await postJson(
    serverUrl,
    '/app/chat/user/register',
    {
      userAccount: username,
      userPassword: password
    },
    agent
  )
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
  deviceName?: string,
  /** The device's network route (its proxy setting). */
  agent?: Agent
): Promise<LoginResult> {
  const { status, body } = await postJson(
    serverUrl,
    '/app/chat/user/login',
    {
      userAccount: username,
      userPassword: password,
      ...(deviceId ? { deviceId } : {}),
      ...(deviceName ? { deviceName } : {})
    },
    agent
  )
  if (status === 401 || status === 404) {
    throw new AppError('INVALID_CREDENTIALS', 'The username or password is incorrect.')
  }
  if (status === 429) throw rateLimitedError(body)
  if (status === 400) throw invalidInputError(body)
  if (status !== 200) throw unexpectedStatus(status, body)
  const { accessToken, chatUserName, expireTimestamp, gateways } = body
  if (typeof accessToken !== 'string' || typeof chatUserName !== 'string') {
    throw new AppError('SERVER_ERROR', 'The server sent an unexpected sign-in answer.')
  }
  return { user: chatUserName, token: accessToken, expiresAt: Number(expireTimestamp) || 0, gateways: cleanGatewayAddresses(gateways) }
}
