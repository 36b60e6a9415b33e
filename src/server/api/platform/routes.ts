// Owns the platform API's HTTP surface under /api/platform: the credential check on every /v1 route, one route per
// operation with its JSON schema (schemas.ts) checked strictly (validation.ts), and the OpenAPI document built from them.
import fastifySwagger from '@fastify/swagger'
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import type { AppCredentials } from '../../auth/app-credential'
import * as schema from './schemas'
import { PLATFORM_MAX_BODY_BYTES } from './schemas'
import type { PlatformResult, PlatformService } from './service'
import { createPlatformValidatorCompiler, validationSentence } from './validation'

export const PLATFORM_PREFIX = '/api/platform'
export const PLATFORM_V1_PREFIX = `${PLATFORM_PREFIX}/v1`
export const OPENAPI_PATH = `${PLATFORM_PREFIX}/openapi.json`
/** The API's version in the document (v1 paths; the minor grows with additions that break no caller). */
export const PLATFORM_API_VERSION = '1.0.0'

export interface PlatformApiDeps {
  service: PlatformService
  credentials: AppCredentials
}

function answer<T>(reply: FastifyReply, result: PlatformResult<T>, status = 200): FastifyReply {
  if (!result.ok) return reply.code(result.status).send({ code: result.code, message: result.message })
  return reply.code(status).send(result.value)
}

/** A body on a route that takes none: absent, or an empty object (some clients always send `{}`). */
function isNoBody(body: unknown): boolean {
  if (body === undefined) return true
  return typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0
}

/** The /v1 routes; every one needs the app credential (checked before the body is even parsed). */
async function v1Routes(scope: FastifyInstance, deps: PlatformApiDeps): Promise<void> {
  const { service, credentials } = deps

  // Bodies are taken exactly as typed and unknown fields refused (validation.ts); the routes' larger body limit.
  scope.setValidatorCompiler(createPlatformValidatorCompiler())
  scope.addHook('onRoute', (route) => {
    route.bodyLimit ??= PLATFORM_MAX_BODY_BYTES
  })

  scope.addHook('onRequest', async (request, reply) => {
    const verdict = await credentials.authorize(request.headers.authorization, request.ip)
    if (verdict.ok) return
    if (verdict.status === 429) {
      reply.header('retry-after', String(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000))))
      return reply.code(429).send({ code: verdict.code, message: verdict.message, retryAfterMs: verdict.retryAfterMs })
    }
    reply.header('www-authenticate', 'Bearer realm="parley-platform"')
    return reply.code(401).send({ code: verdict.code, message: verdict.message })
  })

  // A route without a body schema takes no body: one sent (a ban "until", say) is refused rather than ignored.
  scope.addHook('preValidation', async (request, reply) => {
    if (request.routeOptions.schema?.body !== undefined || isNoBody(request.body)) return
    return reply.code(400).send({ code: 'BAD_REQUEST', message: 'This route takes no request body; send none.' })
  })

  // Schema failures answer 400 with a sentence naming the field; anything else (413, bad JSON) goes to the app
  // server's handler, which answers it in the same {code, message} shape.
  scope.setErrorHandler((err: FastifyError, _request, reply) => {
    if (err.validation) return reply.code(400).send({ code: 'BAD_REQUEST', message: validationSentence(err.validationContext, err.validation) })
    throw err
  })

  // ---- users ----
  scope.post<{ Body: schema.CreateUserBody }>('/users', { schema: schema.createUserSchema }, async (request, reply) =>
    answer(reply, await service.createUser(request.body.name, request.body.password), 201)
  )
  scope.get<{ Querystring: schema.ListUsersQuery }>('/users', { schema: schema.listUsersSchema }, async (request, reply) =>
    answer(reply, await service.listUsers(request.query.prefix, request.query.after, request.query.limit))
  )
  scope.post<{ Params: schema.UserParams }>('/users/:user/ban', { schema: schema.banUserSchema }, async (request, reply) =>
    answer(reply, await service.setBanned(request.params.user, true))
  )
  scope.post<{ Params: schema.UserParams }>('/users/:user/unban', { schema: schema.unbanUserSchema }, async (request, reply) =>
    answer(reply, await service.setBanned(request.params.user, false))
  )
  scope.delete<{ Params: schema.UserParams }>('/users/:user', { schema: schema.deleteUserSchema }, async (request, reply) =>
    answer(reply, await service.deleteUser(request.params.user))
  )

  // ---- messages ----
  scope.post<{ Body: schema.SendAsUserBody }>('/messages', { schema: schema.sendAsUserSchema }, async (request, reply) => {
    const { from, to, chatType, text, clientId } = request.body
    return answer(reply, await service.sendAsUser(from, chatType ?? 'user', { to, text, clientId }))
  })
  scope.post<{ Body: schema.SendAsSystemBody }>('/messages/system', { schema: schema.sendAsSystemSchema }, async (request, reply) =>
    answer(reply, await service.sendAsSystem(request.body))
  )

  // ---- groups ----
  scope.post<{ Body: schema.CreateGroupBody }>('/groups', { schema: schema.createGroupSchema }, async (request, reply) =>
    answer(reply, await service.createGroup(request.body), 201)
  )
  scope.get<{ Params: schema.GroupParams; Querystring: schema.PageQuery }>(
    '/groups/:group/members',
    { schema: schema.groupMembersSchema },
    async (request, reply) => answer(reply, await service.groupMembers(request.params.group, request.query.after, request.query.limit))
  )
  scope.post<{ Params: schema.GroupParams; Body: schema.AddMembersBody }>(
    '/groups/:group/members',
    { schema: schema.addGroupMembersSchema },
    async (request, reply) => answer(reply, await service.addGroupMembers(request.params.group, request.body.users))
  )
  scope.delete<{ Params: schema.GroupMemberParams }>(
    '/groups/:group/members/:user',
    { schema: schema.removeGroupMemberSchema },
    async (request, reply) => answer(reply, await service.removeGroupMember(request.params.group, request.params.user))
  )
  scope.delete<{ Params: schema.GroupParams }>('/groups/:group', { schema: schema.dissolveGroupSchema }, async (request, reply) =>
    answer(reply, await service.dissolveGroup(request.params.group))
  )

  // ---- rooms ----
  scope.post<{ Body: schema.CreateRoomBody }>('/rooms', { schema: schema.createRoomSchema }, async (request, reply) =>
    answer(reply, await service.createRoom(request.body), 201)
  )
  scope.get<{ Querystring: schema.ListRoomsQuery }>('/rooms', { schema: schema.listRoomsSchema }, async (request, reply) =>
    answer(reply, await service.listRooms(request.query.query, request.query.after, request.query.limit))
  )
  scope.get<{ Params: schema.RoomParams; Querystring: schema.PageQuery }>(
    '/rooms/:room/members',
    { schema: schema.roomMembersSchema },
    async (request, reply) => answer(reply, await service.roomMembers(request.params.room, request.query.after, request.query.limit))
  )
  scope.delete<{ Params: schema.RoomParams }>('/rooms/:room', { schema: schema.deleteRoomSchema }, async (request, reply) =>
    answer(reply, await service.deleteRoom(request.params.room))
  )

  // ---- credential ----
  scope.post('/credential/rotate', { schema: schema.rotateCredentialSchema }, async () => ({ credential: await credentials.rotate() }))
}

/**
 * Registers the platform API on the app server. @fastify/swagger is registered inside this scope, so the document
 * lists exactly the platform routes (its route hook sees only routes added below it).
 */
export async function platformApi(scope: FastifyInstance, deps: PlatformApiDeps): Promise<void> {
  await scope.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Parley platform API',
        version: PLATFORM_API_VERSION,
        description:
          'Administration of a Parley server for the developers who run it. Every /v1 route needs the app credential ' +
          '(printed once on the server\'s first start; rotate it with `rotate-credential`) as `Authorization: Bearer <credential>`. ' +
          'Errors answer {code, message}. Input is taken exactly as the schemas say: a body field of another type ' +
          '(a number written as a string, say) or a field or query parameter the route does not list answers 400 and changes nothing.'
      },
      components: { securitySchemes: { appCredential: { type: 'http', scheme: 'bearer', description: 'the app credential' } } },
      tags: [
        { name: 'users', description: 'accounts' },
        { name: 'messages', description: 'sending as a user or as the system' },
        { name: 'groups', description: 'groups, acted on as their owner' },
        { name: 'rooms', description: 'chat rooms, acted on as their owner' },
        { name: 'credential', description: 'the app credential' }
      ]
    }
  })

  await scope.register(async (v1) => v1Routes(v1, deps), { prefix: '/v1' })

  // The document itself needs no credential: it says what the API is, not what the server holds.
  scope.get('/openapi.json', { schema: { hide: true } }, async () => scope.swagger())
}
