// Owns the HTTP app-server endpoints (AgoraChat sample app-server paths and shapes): register, login, health.
// Reads bounded JSON bodies and maps account outcomes to status codes; never throws out of a request.
import type http from 'node:http'
import { createLogger } from '../../shared/logger'
import { MAX_HTTP_BODY_BYTES } from '../config'
import type { AccountFailureCode, AccountService } from '../services/accounts'

const log = createLogger('server:api')

export const REGISTER_PATH = '/app/chat/user/register'
export const LOGIN_PATH = '/app/chat/user/login'
export const HEALTH_PATH = '/healthz'

const STATUS_BY_FAILURE: Record<AccountFailureCode, number> = {
  INVALID_USERNAME: 400,
  INVALID_PASSWORD: 400,
  USER_EXISTS: 409,
  INVALID_CREDENTIALS: 401
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

function bodyTooLarge(): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', `The request body must be at most ${MAX_HTTP_BODY_BYTES} bytes.`)
}

function sendJson(res: http.ServerResponse, status: number, body: Record<string, unknown>): void {
  const payload = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) })
  res.end(payload)
}

function readJsonBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > MAX_HTTP_BODY_BYTES) {
      reject(bodyTooLarge())
      req.resume()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    req.on('data', (chunk: Buffer) => {
      if (failed) return
      size += chunk.length
      if (size > MAX_HTTP_BODY_BYTES) {
        failed = true
        reject(bodyTooLarge())
        return
      }
      chunks.push(chunk)
    })
    req.on('error', (err) => {
      failed = true
      reject(err)
    })
    req.on('end', () => {
      if (failed) return
      let parsed: unknown
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        reject(new HttpError(400, 'BAD_REQUEST', 'The request body is not valid JSON.'))
        return
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        reject(new HttpError(400, 'BAD_REQUEST', 'The request body must be a JSON object.'))
        return
      }
      resolve(parsed as Record<string, unknown>)
    })
  })
}

export function createAppServerHandler(accounts: AccountService): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname
    if (pathname === HEALTH_PATH) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'Use GET.')
      sendJson(res, 200, { status: 'ok' })
      return
    }
    if (pathname !== REGISTER_PATH && pathname !== LOGIN_PATH) {
      throw new HttpError(404, 'NOT_FOUND', `No route for ${pathname}.`)
    }
    if (req.method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'Use POST.')
    const body = await readJsonBody(req)
    if (pathname === REGISTER_PATH) {
      const result = await accounts.register(body.userAccount, body.userPassword)
      if (!result.ok) return sendJson(res, STATUS_BY_FAILURE[result.code], { code: result.code, message: result.message })
      log.info('user registered', { user: result.value.user })
      return sendJson(res, 200, { code: 'RES_OK' })
    }
    const result = await accounts.login(body.userAccount, body.userPassword)
    if (!result.ok) return sendJson(res, STATUS_BY_FAILURE[result.code], { code: result.code, message: result.message })
    sendJson(res, 200, {
      code: 'RES_OK',
      accessToken: result.value.token,
      chatUserName: result.value.user,
      expireTimestamp: result.value.expiresAt
    })
  }

  return (req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) return
      if (err instanceof HttpError) {
        if (err.status === 413) res.setHeader('connection', 'close')
        sendJson(res, err.status, { code: err.code, message: err.message })
        return
      }
      log.error('request failed', { url: req.url, error: err instanceof Error ? err.message : String(err) })
      sendJson(res, 500, { code: 'INTERNAL', message: 'The server could not complete the request.' })
    })
  }
}
