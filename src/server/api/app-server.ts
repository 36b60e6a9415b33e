// Owns the HTTP app server on fastify: the AgoraChat sample app-server routes (register, login; same paths and
// shapes as the seed, plus the gateway list) with a JSON schema each, their CORS answers, health, and one error shape.
import fastifyCors from '@fastify/cors'
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify'
import { createLogger } from '../../shared/logger'
import { CORS_MAX_AGE_SEC, MAX_DEVICE_ID_LENGTH, MAX_HTTP_BODY_BYTES, type ResolvedConfig } from '../config'
import type { AccountFailure, AccountFailureCode, AccountService } from '../services/accounts'
import { PLATFORM_PREFIX, platformApi, type PlatformApiDeps } from './platform/routes'
import { ATTACHMENTS_PREFIX, attachmentRoutes, type AttachmentRoutesDeps } from './attachments'
import { opsRoutes, type AppOpsDeps } from './ops-routes'

const log = createLogger('server:api')

export const APP_SERVER_PREFIX = '/app/chat/user'
export const REGISTER_PATH = `${APP_SERVER_PREFIX}/register`
export const LOGIN_PATH = `${APP_SERVER_PREFIX}/login`
export const HEALTH_PATH = '/healthz'

const STATUS_BY_FAILURE: Record<AccountFailureCode, number> = {
  INVALID_USERNAME: 400,
  INVALID_PASSWORD: 400,
  INVALID_DEVICE_ID: 400,
  USER_EXISTS: 409,
  INVALID_CREDENTIALS: 401,
  RATE_LIMITED: 429,
  ACCOUNT_DELETED: 403,
  ACCOUNT_BANNED: 403
}

/** Methods answered with 405 (and an Allow header) on a known path; OPTIONS is CORS's on the app-server routes. */
const OTHER_METHODS = ['GET', 'PUT', 'DELETE', 'PATCH'] as const

// The schemas say what each route takes and gives. Field types are left to the account rules on purpose: a
// username of the wrong type must still answer INVALID_USERNAME (400), a password of the wrong type on login
// INVALID_CREDENTIALS (401), exactly as the seed did, not a generic validation error.
const credentialsBody = {
  type: 'object',
  properties: {
    userAccount: { description: 'username, 1-64 ASCII letters, digits, "_", "." or "-"; case-insensitive' },
    userPassword: { description: 'password, 6-256 characters' }
  }
} as const

const registerSchema = {
  body: credentialsBody,
  response: { 200: { type: 'object', properties: { code: { const: 'RES_OK' } }, required: ['code'] } }
} as const

const loginSchema = {
  body: {
    ...credentialsBody,
    properties: {
      ...credentialsBody.properties,
      deviceId: { description: `optional: binds the session to this device (at most ${MAX_DEVICE_ID_LENGTH} characters)` },
      deviceName: { description: 'optional: the name the account\'s device list shows for this device' }
    }
  },
  response: {
    200: {
      type: 'object',
      properties: {
        code: { const: 'RES_OK' },
        accessToken: { type: 'string' },
        chatUserName: { type: 'string' },
        expireTimestamp: { type: 'number' },
        // Added to the seed's shape (cluster mode): the WebSocket addresses to use, in order (PARLEY_GATEWAYS).
        gateways: { type: 'array', items: { type: 'string' } }
      },
      required: ['code', 'accessToken', 'chatUserName', 'expireTimestamp']
    }
  }
} as const

/** Liveness: the process serves HTTP (readiness is /readyz, api/ops-routes.ts). */
const healthSchema = {
  response: { 200: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] } }
} as const

const errorSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' }, retryAfterMs: { type: 'number' } },
  required: ['code', 'message']
} as const

interface CredentialsBody {
  userAccount?: unknown
  userPassword?: unknown
  deviceId?: unknown
  deviceName?: unknown
}

function sendFailure(reply: FastifyReply, failure: AccountFailure): FastifyReply {
  if (failure.retryAfterMs !== undefined) {
    reply.header('retry-after', String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000))))
    return reply.code(STATUS_BY_FAILURE[failure.code]).send({ code: failure.code, message: failure.message, retryAfterMs: failure.retryAfterMs })
  }
  return reply.code(STATUS_BY_FAILURE[failure.code]).send({ code: failure.code, message: failure.message })
}

/**
 * fastify's own errors (body limit, bad JSON, validation) in the seed's {code, message} shape. `bodyLimit` is the
 * route's own (the platform API's is larger than the app server's), so a 413 names the limit that refused it.
 */
function describeError(err: FastifyError, bodyLimit: number): { status: number; code: string; message: string } {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
    return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `The request body must be at most ${bodyLimit} bytes.` }
  }
  if (err.validation) return { status: 400, code: 'BAD_REQUEST', message: 'The request body must be a JSON object.' }
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError) {
    return { status: 400, code: 'BAD_REQUEST', message: 'The request body is not valid JSON.' }
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, code: 'BAD_REQUEST', message: err.message }
  }
  return { status: 500, code: 'INTERNAL', message: 'The server could not complete the request.' }
}

function methodNotAllowed(reply: FastifyReply, allowed: string): FastifyReply {
  return reply.code(405).header('allow', allowed).send({ code: 'METHOD_NOT_ALLOWED', message: `Use ${allowed}.` })
}

/** Builds (does not start) the HTTP app server; index.ts listens on it and hands its http.Server to the gateway. */
/** `platform`: the platform API (api/platform/) is served under /api/platform when given. */
/** `attachments`: the attachment upload/download routes (api/attachments.ts) under /attachments when given. */
/** `ops`: /readyz and /metrics (api/ops-routes.ts), the drain's 503s, and the gateway list of the login answer. */
export function createAppServer(
  accounts: AccountService,
  config: Pick<ResolvedConfig, 'corsOrigins'>,
  platform?: PlatformApiDeps,
  attachments?: AttachmentRoutesDeps,
  ops?: AppOpsDeps
): FastifyInstance {
  const app = Fastify({ bodyLimit: MAX_HTTP_BODY_BYTES, logger: false, return503OnClosing: true })

  // The seed parsed every body as JSON whatever its content type (a page may post text/plain to avoid a preflight).
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string))
    } catch (err) {
      done(err as Error, undefined)
    }
  })

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const described = describeError(err, request.routeOptions.bodyLimit ?? MAX_HTTP_BODY_BYTES)
    if (described.status === 500) log.error('request failed', { url: request.url, error: err.message })
    if (described.status === 413) reply.header('connection', 'close')
    return reply.code(described.status).send({ code: described.code, message: described.message })
  })

  app.setNotFoundHandler((request, reply) => {
    const pathname = new URL(request.url, 'http://localhost').pathname
    return reply.code(404).send({ code: 'NOT_FOUND', message: `No route for ${pathname}.` })
  })

  if (ops) opsRoutes(app, ops)
  app.get(HEALTH_PATH, { schema: healthSchema }, async () => ({ status: 'ok' }))
  app.route({ method: ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], url: HEALTH_PATH, handler: (_request, reply) => methodNotAllowed(reply, 'GET') })

  // The app-server routes answer CORS (any origin by default, no credentials: tokens travel in bodies, not cookies).
  // Registered under their prefix so the preflight route and CORS headers cover these routes only.
  void app.register(
    async (scope) => {
      await scope.register(fastifyCors, {
        origin: config.corsOrigins.includes('*') ? '*' : [...config.corsOrigins],
        methods: ['POST'],
        allowedHeaders: ['content-type'],
        credentials: false,
        maxAge: CORS_MAX_AGE_SEC,
        optionsSuccessStatus: 204
      })

      scope.post<{ Body: CredentialsBody }>('/register', { schema: { ...registerSchema, response: { ...registerSchema.response, '4xx': errorSchema } } }, async (request, reply) => {
        const body = request.body
        const result = await accounts.register(body.userAccount, body.userPassword, { address: request.ip })
        if (!result.ok) return sendFailure(reply, result)
        log.info('user registered', { user: result.value.user })
        return { code: 'RES_OK' }
      })

      scope.post<{ Body: CredentialsBody }>('/login', { schema: { ...loginSchema, response: { ...loginSchema.response, '4xx': errorSchema } } }, async (request, reply) => {
        const body = request.body
        const result = await accounts.login(body.userAccount, body.userPassword, body.deviceId, { address: request.ip }, body.deviceName)
        if (!result.ok) return sendFailure(reply, result)
        return {
          code: 'RES_OK',
          accessToken: result.value.token,
          chatUserName: result.value.user,
          expireTimestamp: result.value.expiresAt,
          ...(ops ? { gateways: ops.gatewaysFor(request.headers, request.protocol === 'https') } : {})
        }
      })

      for (const path of ['/register', '/login']) {
        scope.route({ method: [...OTHER_METHODS], url: path, handler: (_request, reply) => methodNotAllowed(reply, 'POST') })
      }
    },
    { prefix: APP_SERVER_PREFIX }
  )

  if (platform) void app.register(async (scope) => platformApi(scope, platform), { prefix: PLATFORM_PREFIX })
  if (attachments) void app.register(async (scope) => attachmentRoutes(scope, attachments), { prefix: ATTACHMENTS_PREFIX })

  return app
}
