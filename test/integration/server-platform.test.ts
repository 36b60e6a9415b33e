// The platform API against the real server on port 0: the app credential (missing, wrong, rotated, rate-limited),
// users created and signing in through the normal login, sends as a user and as the system reaching the recipient's
// device, groups created and dissolved, rooms, bans ending live connections, the OpenAPI document, and 400 sentences.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode, pb, type DecodedFrame } from '../../src/shared/proto/codec'
import { FrameClient, login, postJson } from '../bench/lib/frame-client'
import { LOGIN_PATH, REGISTER_PATH } from '../../src/server/api/app-server'
import { PLATFORM_MAX_BODY_BYTES } from '../../src/server/api/platform/schemas'
import { MAX_TEXT_BYTES } from '../../src/shared/limits'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

const V1 = '/api/platform/v1'
const MembershipKind = pb.MembershipEvent.Kind

interface ApiAnswer {
  status: number
  body: Record<string, unknown>
  headers: Headers
}

async function api(t: TestServer, method: string, path: string, options: { credential?: string | null; body?: unknown; rawBody?: string } = {}): Promise<ApiAnswer> {
  const headers: Record<string, string> = {}
  if (options.credential) headers.authorization = `Bearer ${options.credential}`
  let body: string | undefined
  if (options.rawBody !== undefined) body = options.rawBody
  else if (options.body !== undefined) body = JSON.stringify(options.body)
  if (body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(t.server.url + path, { method, headers, body })
  const text = await response.text()
  let parsed: Record<string, unknown>
  try {
    parsed = JSON.parse(text) as Record<string, unknown>
  } catch {
    parsed = { raw: text }
  }
  return { status: response.status, body: parsed, headers: response.headers }
}

const messageFrom = (from: string, text: string) => (frame: DecodedFrame): boolean =>
  frame.event?.message?.from === from && frame.event.message.body?.text?.text === text

describe('platform API', () => {
  let t: TestServer
  let credential: string
  const clients: FrameClient[] = []
  const call = (method: string, path: string, body?: unknown): Promise<ApiAnswer> => api(t, method, path, { credential, body })

  beforeAll(async () => {
    t = await startTestServer()
    expect(t.server.createdPlatformCredential).toMatch(/^parley_app_/)
    credential = t.server.createdPlatformCredential as string
  })

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()))
    await t.dispose()
  })

  async function device(user: string, password: string, deviceId: string): Promise<FrameClient> {
    const client = await FrameClient.onDevice(t.server.url, { user, password, token: '', expiresAt: 0 }, deviceId)
    clients.push(client)
    // One round trip after auth: the device's group subscriptions are loaded before the test acts.
    await client.request({ groups: { mine: {} } })
    return client
  }

  async function createUser(name: string, password = 'password-1'): Promise<void> {
    const created = await call('POST', `${V1}/users`, { name, password })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
  }

  it('answers 401 {code, message} without a credential and with a wrong one', async () => {
    const missing = await api(t, 'GET', `${V1}/users`)
    expect(missing.status).toBe(401)
    expect(missing.body.code).toBe('UNAUTHORIZED')
    expect(String(missing.body.message)).toMatch(/Authorization: Bearer/)
    const wrong = await api(t, 'GET', `${V1}/users`, { credential: `${credential}x` })
    expect(wrong.status).toBe(401)
    expect(typeof wrong.body.message).toBe('string')
    const notBearer = await fetch(t.server.url + `${V1}/users`, { headers: { authorization: credential } })
    expect(notBearer.status).toBe(401)
    // A wrong credential is refused before the body is looked at: nothing was created.
    const sneaky = await api(t, 'POST', `${V1}/users`, { credential: 'guess', body: { name: 'sneaky', password: 'password-1' } })
    expect(sneaky.status).toBe(401)
    const list = await call('GET', `${V1}/users?prefix=sneaky`)
    expect(list.body.users).toEqual([])
  })

  it('creates a user who signs in through the normal login; lists users by prefix, paged', async () => {
    await createUser('Pam.One', 'pam-password')
    const session = await login(t.server.url, 'pam.one', 'pam-password')
    expect(session.user).toBe('pam.one')
    const again = await call('POST', `${V1}/users`, { name: 'pam.one', password: 'password-2' })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('USER_EXISTS')

    await createUser('pam.two')
    await createUser('pam.three')
    const first = await call('GET', `${V1}/users?prefix=PAM&limit=2`)
    expect(first.status).toBe(200)
    expect((first.body.users as { user: string }[]).map((row) => row.user)).toEqual(['pam.one', 'pam.three'])
    expect(first.body.next).toBe('pam.three')
    const second = await call('GET', `${V1}/users?prefix=pam&limit=2&after=${String(first.body.next)}`)
    expect((second.body.users as { user: string }[]).map((row) => row.user)).toEqual(['pam.two'])
    expect(second.body.next).toBe('')
    // The reserved system sender is no account: never listed.
    const system = await call('GET', `${V1}/users?prefix=system`)
    expect(system.body.users).toEqual([])
  })

  it('sends as a user: the recipient\'s device gets it, stored in both logs like a socket send', async () => {
    await createUser('sue')
    await createUser('ray')
    const rayPhone = await device('ray', 'password-1', 'ray-phone')
    const sent = await call('POST', `${V1}/messages`, { from: 'SUE', to: 'ray', text: 'hello from the platform' })
    expect(sent.status, JSON.stringify(sent.body)).toBe(200)
    expect(sent.body.serverId).toBeGreaterThan(0)
    expect(sent.body.clientId).toMatch(/^[0-9a-f]{32}$/)
    const pushed = await rayPhone.waitFor(messageFrom('sue', 'hello from the platform'))
    expect(pushed.event?.message?.to).toBe('ray')
    // Durable: a device of sue's that syncs from zero finds it in her own log.
    const sueLaptop = await device('sue', 'password-1', 'sue-laptop')
    const synced = await sueLaptop.request({ sync: { afterSeq: 0, limit: 100 } })
    const texts = (synced.syncBatch?.events ?? []).map((event) => event.message?.body?.text?.text)
    expect(texts).toContain('hello from the platform')
    // The same clientId again is a resend: the original answer, nothing stored twice.
    const resent = await call('POST', `${V1}/messages`, { from: 'sue', to: 'ray', text: 'hello from the platform', clientId: sent.body.clientId })
    expect(resent.body.serverId).toBe(sent.body.serverId)
    const unknown = await call('POST', `${V1}/messages`, { from: 'sue', to: 'nobody-here', text: 'hi' })
    expect(unknown.status).toBe(404)
    expect(unknown.body.code).toBe('USER_NOT_FOUND')
  })

  it('sends as the system, a sender no one can register or sign in as', async () => {
    await createUser('tom')
    const tomPhone = await device('tom', 'password-1', 'tom-phone')
    const sent = await call('POST', `${V1}/messages/system`, { to: 'tom', text: 'maintenance at noon' })
    expect(sent.status, JSON.stringify(sent.body)).toBe(200)
    await tomPhone.waitFor(messageFrom('system', 'maintenance at noon'))
    const register = await postJson(t.server.url, REGISTER_PATH, { userAccount: 'System', userPassword: 'password-1' })
    expect(register.status).toBe(409)
    const signIn = await postJson(t.server.url, LOGIN_PATH, { userAccount: 'system', userPassword: '!reserved' })
    expect(signIn.status).toBe(401)
    const viaPlatform = await call('POST', `${V1}/users`, { name: 'system', password: 'password-1' })
    expect(viaPlatform.status).toBe(409)
  })

  it('creates a group with members, lists, adds and removes them, and dissolves it (members get DISSOLVED)', async () => {
    await createUser('gina')
    await createUser('hal')
    await createUser('ivy')
    const halPhone = await device('hal', 'password-1', 'hal-phone')
    const created = await call('POST', `${V1}/groups`, { owner: 'gina', name: 'Ops', members: ['hal'] })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const group = String(created.body.group)
    await halPhone.waitFor((frame) => frame.event?.membership?.group === group && frame.event.membership.kind === MembershipKind.KIND_JOINED)

    const added = await call('POST', `${V1}/groups/${group}/members`, { users: ['ivy'] })
    expect(added.status, JSON.stringify(added.body)).toBe(200)
    expect(added.body.pending).toBe(false)
    const members = await call('GET', `${V1}/groups/${group}/members`)
    expect(members.status).toBe(200)
    expect(members.body.members).toEqual([
      expect.objectContaining({ user: 'gina', role: 'owner' }),
      expect.objectContaining({ user: 'hal', role: 'member' }),
      expect.objectContaining({ user: 'ivy', role: 'member' })
    ])
    const removed = await call('DELETE', `${V1}/groups/${group}/members/ivy`)
    expect(removed.status).toBe(200)
    const ownerOut = await call('DELETE', `${V1}/groups/${group}/members/gina`)
    expect(ownerOut.status).toBeGreaterThanOrEqual(400)

    // A group message sent as a member reaches the other member's device.
    const sent = await call('POST', `${V1}/messages`, { from: 'gina', to: group, chatType: 'group', text: 'welcome' })
    expect(sent.status, JSON.stringify(sent.body)).toBe(200)
    await halPhone.waitFor((frame) => frame.groupEntry?.group === group && frame.groupEntry.message?.body?.text?.text === 'welcome')

    const dissolved = await call('DELETE', `${V1}/groups/${group}`)
    expect(dissolved.status, JSON.stringify(dissolved.body)).toBe(200)
    await halPhone.waitFor((frame) => frame.event?.membership?.group === group && frame.event.membership.kind === MembershipKind.KIND_DISSOLVED)
    const gone = await call('GET', `${V1}/groups/${group}/members`)
    expect(gone.status).toBeGreaterThanOrEqual(400)
    const missing = await call('DELETE', `${V1}/groups/gnosuchgroup`)
    expect(missing.status).toBe(404)
  })

  it('creates, lists, shows the members of and deletes a room', async () => {
    await createUser('rita')
    await createUser('sam')
    const created = await call('POST', `${V1}/rooms`, { owner: 'rita', name: 'Town square' })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const room = String(created.body.room)
    const samPhone = await device('sam', 'password-1', 'sam-phone')
    const joined = await samPhone.request({ rooms: { join: { room } } })
    expect(joined.roomsOk, JSON.stringify(joined.error)).toBeTruthy()

    const listed = await call('GET', `${V1}/rooms?query=town`)
    expect(listed.status).toBe(200)
    expect(listed.body.rooms).toEqual([expect.objectContaining({ room, name: 'Town square', owner: 'rita', memberCount: 1 })])
    const members = await call('GET', `${V1}/rooms/${room}/members`)
    expect(members.status).toBe(200)
    expect(members.body.members).toEqual([expect.objectContaining({ user: 'sam', role: 'member' })])

    const deleted = await call('DELETE', `${V1}/rooms/${room}`)
    expect(deleted.status).toBe(200)
    await samPhone.waitFor((frame) => frame.roomEvent?.deleted?.room === room)
    const after = await call('GET', `${V1}/rooms?query=town`)
    expect(after.body.rooms).toEqual([])
    const again = await call('DELETE', `${V1}/rooms/${room}`)
    expect(again.status).toBe(404)
  })

  it('bans a user: the live connection ends, sign-in is refused; unban lets them back; delete ends the account', async () => {
    await createUser('mallory')
    const phone = await device('mallory', 'password-1', 'mallory-phone')
    const banned = await call('POST', `${V1}/users/mallory/ban`)
    expect(banned.status, JSON.stringify(banned.body)).toBe(200)
    expect(banned.body.banned).toBe(true)
    const closed = await phone.waitForClose()
    expect(closed.code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    const signIn = await postJson(t.server.url, LOGIN_PATH, { userAccount: 'mallory', userPassword: 'password-1' })
    expect(signIn.status).toBe(403)
    expect(signIn.body.code).toBe('ACCOUNT_BANNED')
    expect(String(signIn.body.message)).toMatch(/banned/)
    const listed = await call('GET', `${V1}/users?prefix=mallory`)
    expect(listed.body.users).toEqual([expect.objectContaining({ user: 'mallory', banned: true })])
    const sendAsBanned = await call('POST', `${V1}/messages`, { from: 'mallory', to: 'ray', text: 'hi' })
    expect(sendAsBanned.status).toBe(403)

    const unbanned = await call('POST', `${V1}/users/mallory/unban`)
    expect(unbanned.status).toBe(200)
    const back = await device('mallory', 'password-1', 'mallory-phone-2')
    const deleted = await call('DELETE', `${V1}/users/mallory`)
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200)
    expect((await back.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    const afterDelete = await postJson(t.server.url, LOGIN_PATH, { userAccount: 'mallory', userPassword: 'password-1' })
    expect(afterDelete.body.code).toBe('ACCOUNT_DELETED')
    expect((await call('DELETE', `${V1}/users/mallory`)).status).toBe(410)
    expect((await call('POST', `${V1}/users/nobody-at-all/ban`)).status).toBe(404)
  })

  it('answers 400 with a sentence for malformed bodies', async () => {
    const notJson = await api(t, 'POST', `${V1}/users`, { credential, rawBody: '{"name": ' })
    expect(notJson.status).toBe(400)
    expect(notJson.body.message).toBe('The request body is not valid JSON.')
    const missing = await call('POST', `${V1}/users`, { name: 'nopass' })
    expect(missing.status).toBe(400)
    expect(missing.body).toEqual({ code: 'BAD_REQUEST', message: 'The request body needs the field "password".' })
    const wrongType = await call('POST', `${V1}/groups`, { owner: 'gina', name: 'x', members: { hal: true } })
    expect(wrongType.status).toBe(400)
    expect(wrongType.body.message).toBe('The field "members" in the request body must be a list (JSON array), not an object.')
    const notBoolean = await call('POST', `${V1}/groups`, { owner: 'gina', name: 'x', isPublic: 'maybe' })
    expect(notBoolean.body.message).toBe('The field "isPublic" in the request body must be true or false, not a string.')
    const badEnum = await call('POST', `${V1}/messages`, { from: 'sue', to: 'ray', text: 'x', chatType: 'room' })
    expect(badEnum.status).toBe(400)
    expect(badEnum.body.message).toBe('The field "chatType" in the request body must be one of "user", "group".')
    const badQuery = await call('GET', `${V1}/users?limit=0`)
    expect(badQuery.status).toBe(400)
    expect(badQuery.body.message).toBe('The query parameter "limit" must be at least 1.')
    const shortPassword = await call('POST', `${V1}/users`, { name: 'shorty', password: '123' })
    expect(shortPassword.status).toBe(400)
    expect(shortPassword.body.message).toBe('The field "password" in the request body must be at least 6 characters long.')
    const longId = await call('POST', `${V1}/users/${'u'.repeat(65)}/ban`)
    expect(longId.status).toBe(400)
    expect(longId.body.message).toBe('The path parameter "user" must be at most 64 characters long.')
    const booleanName = await call('POST', `${V1}/rooms`, { owner: true, name: 'x' })
    expect(booleanName.body.message).toBe('The field "owner" in the request body must be a string, not a boolean.')
    const badClientId = await call('POST', `${V1}/messages`, { from: 'sue', to: 'ray', text: 'x', clientId: 'abc' })
    expect(badClientId.body.message).toBe('The field "clientId" in the request body must match the pattern ^[0-9a-fA-F]{32}$.')
  })

  // Fastify's default Ajv coerces types and silently drops unknown properties; the platform API must do neither.
  it('refuses a number written as a string, a string for true, a scalar for a list: 400 naming the field, nothing written', async () => {
    await createUser('rhea')
    const stringNumber = await call('POST', `${V1}/rooms`, { owner: 'rhea', name: 'Strict numbers', maxMembers: '300' })
    expect(stringNumber.status, JSON.stringify(stringNumber.body)).toBe(400)
    expect(stringNumber.body).toEqual({
      code: 'BAD_REQUEST',
      message: 'The field "maxMembers" in the request body must be an integer, not a string.'
    })
    expect((await call('GET', `${V1}/rooms?query=strict`)).body.rooms).toEqual([])

    const stringBoolean = await call('POST', `${V1}/groups`, { owner: 'rhea', name: 'Strict flags', isPublic: 'true' })
    expect(stringBoolean.status).toBe(400)
    expect(stringBoolean.body.message).toBe('The field "isPublic" in the request body must be true or false, not a string.')

    const group = await call('POST', `${V1}/groups`, { owner: 'rhea', name: 'Strict lists' })
    expect(group.status, JSON.stringify(group.body)).toBe(201)
    await createUser('rhea.friend')
    const scalarForList = await call('POST', `${V1}/groups/${String(group.body.group)}/members`, { users: 'rhea.friend' })
    expect(scalarForList.status).toBe(400)
    expect(scalarForList.body.message).toBe('The field "users" in the request body must be a list (JSON array), not a string.')
    const members = await call('GET', `${V1}/groups/${String(group.body.group)}/members`)
    expect((members.body.members as { user: string }[]).map((row) => row.user)).toEqual(['rhea'])

    const nullText = await call('POST', `${V1}/rooms`, { owner: 'rhea', name: 'Strict nulls', description: null })
    expect(nullText.status).toBe(400)
    expect(nullText.body.message).toBe('The field "description" in the request body must be a string, not null.')
    expect((await call('GET', `${V1}/rooms?query=strict`)).body.rooms).toEqual([])
  })

  it('refuses an unknown property with a 400 naming it, and writes nothing', async () => {
    await createUser('uma')
    const extraRoom = await call('POST', `${V1}/rooms`, { owner: 'uma', name: 'Extra field room', colour: 'red' })
    expect(extraRoom.status, JSON.stringify(extraRoom.body)).toBe(400)
    expect(extraRoom.body).toEqual({
      code: 'BAD_REQUEST',
      message: 'The request body has an unknown field "colour" (this route takes owner, name, description, maxMembers).'
    })
    expect((await call('GET', `${V1}/rooms?query=extra`)).body.rooms).toEqual([])

    const extraUser = await call('POST', `${V1}/users`, { name: 'extra.user', password: 'password-1', admin: true })
    expect(extraUser.status).toBe(400)
    expect(String(extraUser.body.message)).toMatch(/unknown field "admin"/)
    expect((await call('GET', `${V1}/users?prefix=extra`)).body.users).toEqual([])

    // A route that takes no body refuses one rather than ignoring what the caller meant (here: a ban with a term).
    const banWithTerm = await call('POST', `${V1}/users/uma/ban`, { until: '2030-01-01' })
    expect(banWithTerm.status).toBe(400)
    expect(banWithTerm.body.message).toBe('This route takes no request body; send none.')
    expect((await call('GET', `${V1}/users?prefix=uma`)).body.users).toEqual([expect.objectContaining({ user: 'uma', banned: false })])
    // An empty object is no body (some clients always send one): the route runs (404: no such user).
    expect((await call('POST', `${V1}/users/nobody-at-all/ban`, {})).status).toBe(404)
  })

  it('refuses a user id of the wrong type (a number, a number in a list) and writes nothing', async () => {
    const numberName = await call('POST', `${V1}/users`, { name: 12345, password: 'password-1' })
    expect(numberName.status).toBe(400)
    expect(numberName.body.message).toBe('The field "name" in the request body must be a string, not a number.')
    expect((await call('GET', `${V1}/users?prefix=12345`)).body.users).toEqual([])

    await createUser('12345')
    const numberOwner = await call('POST', `${V1}/rooms`, { owner: 12345, name: 'Numbered room' })
    expect(numberOwner.status).toBe(400)
    expect(numberOwner.body.message).toBe('The field "owner" in the request body must be a string, not a number.')
    expect((await call('GET', `${V1}/rooms?query=numbered`)).body.rooms).toEqual([])

    const group = await call('POST', `${V1}/groups`, { owner: '12345', name: 'Numbered group' })
    expect(group.status, JSON.stringify(group.body)).toBe(201)
    await createUser('67890')
    const numberMember = await call('POST', `${V1}/groups/${String(group.body.group)}/members`, { users: [67890] })
    expect(numberMember.status).toBe(400)
    expect(numberMember.body.message).toBe('The field "users[0]" in the request body must be a string, not a number.')
    const members = await call('GET', `${V1}/groups/${String(group.body.group)}/members`)
    expect((members.body.members as { user: string }[]).map((row) => row.user)).toEqual(['12345'])

    const numberSender = await call('POST', `${V1}/messages`, { from: 12345, to: '67890', text: 'hi' })
    expect(numberSender.status).toBe(400)
    expect(String(numberSender.body.message)).toMatch(/"from"/)
  })

  it('reads numbers from the query string but refuses unknown or malformed query parameters', async () => {
    await createUser('quinn.one')
    await createUser('quinn.two')
    const paged = await call('GET', `${V1}/users?prefix=quinn&limit=1`)
    expect(paged.status).toBe(200)
    expect((paged.body.users as unknown[]).length).toBe(1)
    const typo = await call('GET', `${V1}/users?prefix=quinn&limt=1`)
    expect(typo.status).toBe(400)
    expect(typo.body.message).toBe('The query has an unknown parameter "limt" (this route takes prefix, after, limit).')
    const repeated = await call('GET', `${V1}/users?limit=1&limit=2`)
    expect(repeated.status).toBe(400)
    expect(repeated.body.message).toBe('The query parameter "limit" must be an integer.')
    const notNumber = await call('GET', `${V1}/users?limit=ten`)
    expect(notNumber.status).toBe(400)
    expect(notNumber.body.message).toBe('The query parameter "limit" must be an integer.')
  })

  it('refuses an oversized body with 413 naming the limit, and takes the largest legal body', async () => {
    const huge = await call('POST', `${V1}/users`, { name: 'huge', password: 'x'.repeat(PLATFORM_MAX_BODY_BYTES) })
    expect(huge.status).toBe(413)
    expect(huge.body).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: 'The request body must be at most 32768 bytes.' })
    expect((await call('GET', `${V1}/users?prefix=huge`)).body.users).toEqual([])
    // A send of the longest text (5 KB of 4-byte emoji) written \u-escaped, as Python's json.dumps does: ~15 KB.
    await createUser('lena')
    await createUser('lars')
    const escapedEmoji = '\\ud83d\\ude00'.repeat(MAX_TEXT_BYTES / 4)
    const rawBody = `{"from": "lena", "to": "lars", "text": "${escapedEmoji}"}`
    expect(rawBody.length).toBeGreaterThan(15 * 1024)
    const longest = await api(t, 'POST', `${V1}/messages`, { credential, rawBody })
    expect(longest.status, JSON.stringify(longest.body)).toBe(200)
  })

  it('answers 400 for a body that is JSON but not an object, and for none at all where one is needed', async () => {
    const list = await api(t, 'POST', `${V1}/users`, { credential, rawBody: '["name", "password"]' })
    expect(list.status).toBe(400)
    expect(list.body).toEqual({ code: 'BAD_REQUEST', message: 'The request body must be a JSON object.' })
    const none = await api(t, 'POST', `${V1}/users`, { credential })
    expect(none.status).toBe(400)
    expect(none.body).toEqual({ code: 'BAD_REQUEST', message: 'The request body must be a JSON object.' })
  })

  it('serves the OpenAPI document (no credential needed) listing every route with its schemas', async () => {
    const response = await fetch(`${t.server.url}/api/platform/openapi.json`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/application\/json/)
    const doc = JSON.parse(await response.text()) as {
      openapi: string
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[]; requestBody?: unknown }>>
      components: { securitySchemes: Record<string, { type: string; scheme: string }> }
    }
    expect(doc.openapi).toMatch(/^3\./)
    expect(doc.components.securitySchemes.appCredential).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }))
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
    expect(routes.sort()).toEqual(
      [
        `POST ${V1}/users`,
        `GET ${V1}/users`,
        `POST ${V1}/users/{user}/ban`,
        `POST ${V1}/users/{user}/unban`,
        `DELETE ${V1}/users/{user}`,
        `POST ${V1}/messages`,
        `POST ${V1}/messages/system`,
        `POST ${V1}/groups`,
        `GET ${V1}/groups/{group}/members`,
        `POST ${V1}/groups/{group}/members`,
        `DELETE ${V1}/groups/{group}/members/{user}`,
        `DELETE ${V1}/groups/{group}`,
        `POST ${V1}/rooms`,
        `GET ${V1}/rooms`,
        `GET ${V1}/rooms/{room}/members`,
        `DELETE ${V1}/rooms/{room}`,
        `POST ${V1}/credential/rotate`
      ].sort()
    )
    for (const methods of Object.values(doc.paths)) {
      for (const operation of Object.values(methods)) {
        expect(operation.security).toEqual([{ appCredential: [] }])
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['4XX']))
      }
    }
    expect(doc.paths[`${V1}/users`]?.post?.requestBody).toBeTruthy()
  })

  // Last: it replaces the credential every other case uses.
  it('rotates the credential: the new one is answered once, the old one is refused at once', async () => {
    const rotated = await call('POST', `${V1}/credential/rotate`)
    expect(rotated.status).toBe(200)
    const fresh = String(rotated.body.credential)
    expect(fresh).toMatch(/^parley_app_/)
    expect(fresh).not.toBe(credential)
    const old = await api(t, 'GET', `${V1}/users`, { credential })
    expect(old.status).toBe(401)
    const works = await api(t, 'GET', `${V1}/users`, { credential: fresh })
    expect(works.status).toBe(200)
    // A restart keeps the rotated credential and shows none (it exists already).
    await t.restart()
    expect(t.server.createdPlatformCredential).toBeNull()
    expect((await api(t, 'GET', `${V1}/users`, { credential: fresh })).status).toBe(200)
    expect((await api(t, 'GET', `${V1}/users`, { credential })).status).toBe(401)
    credential = fresh
  })
})

describe('platform API credential attempts', () => {
  let t: TestServer

  beforeAll(async () => {
    t = await startTestServer()
  })

  afterAll(async () => {
    await t.dispose()
  })

  it('refuses an address with 429 and Retry-After after 10 wrong credentials in a row, even with the right one', async () => {
    const credential = t.server.createdPlatformCredential as string
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await api(t, 'GET', `${V1}/users`, { credential: `wrong-${attempt}` })).status).toBe(401)
    }
    // The right credential is not slowed by its own successes before this point, but failures past the free ten are.
    const limited = await api(t, 'GET', `${V1}/users`, { credential })
    expect(limited.status).toBe(429)
    expect(limited.body.code).toBe('RATE_LIMITED')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(String(limited.body.message)).toMatch(/Wait \d+ seconds?/)
  })

  it('does not count requests with the right credential', async () => {
    const other = await startTestServer()
    try {
      const credential = other.server.createdPlatformCredential as string
      for (let attempt = 0; attempt < 15; attempt++) {
        expect((await api(other, 'GET', `${V1}/users`, { credential })).status).toBe(200)
      }
      expect((await api(other, 'GET', `${V1}/users`, { credential: 'wrong' })).status).toBe(401)
    } finally {
      await other.dispose()
    }
  })
})
