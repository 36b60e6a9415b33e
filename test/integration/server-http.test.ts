// Covers the app-server HTTP endpoints of the reference server: register, login, validation, limits, routing.
// Real server on port 0 with a temporary data folder; plain fetch as the client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FrameClient, postJson } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'
import { ErrorCode } from '../../src/shared/proto/codec'
import { HEALTH_PATH, LOGIN_PATH as LOGIN, REGISTER_PATH as REGISTER } from '../../src/server/api/app-server'

process.env.PARLEY_LOG ??= 'warn'

describe('app server HTTP', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('registers a new user with 200 RES_OK', async () => {
    const res = await postJson(t.server.url, REGISTER, { userAccount: 'Alice', userPassword: 'secret-1' })
    expect(res).toEqual({ status: 200, body: { code: 'RES_OK' } })
  })

  it('refuses a duplicate username (case-insensitive) with 409 USER_EXISTS', async () => {
    const res = await postJson(t.server.url, REGISTER, { userAccount: 'alice', userPassword: 'other-password' })
    expect(res.status).toBe(409)
    expect(res.body.code).toBe('USER_EXISTS')
    expect(typeof res.body.message).toBe('string')
  })

  it('refuses invalid usernames and passwords with 400 and a message', async () => {
    for (const userAccount of ['', 'has space', 'x'.repeat(65), 'émile', 42]) {
      const res = await postJson(t.server.url, REGISTER, { userAccount, userPassword: 'secret-1' })
      expect(res.status, `username ${JSON.stringify(userAccount)}`).toBe(400)
      expect(res.body.code).toBe('INVALID_USERNAME')
      expect(String(res.body.message).length).toBeGreaterThan(0)
    }
    const short = await postJson(t.server.url, REGISTER, { userAccount: 'carol', userPassword: '12345' })
    expect(short.status).toBe(400)
    expect(short.body.code).toBe('INVALID_PASSWORD')
    const missing = await postJson(t.server.url, REGISTER, { userAccount: 'carol' })
    expect(missing.status).toBe(400)
  })

  it('logs in with good credentials and returns a token that verifies for that user', async () => {
    const before = Date.now()
    const res = await postJson(t.server.url, LOGIN, { userAccount: 'ALICE', userPassword: 'secret-1' })
    expect(res.status).toBe(200)
    expect(res.body.code).toBe('RES_OK')
    expect(res.body.chatUserName).toBe('alice')
    expect(typeof res.body.accessToken).toBe('string')
    const expires = Number(res.body.expireTimestamp)
    expect(expires).toBeGreaterThan(before + 86_000_000)
    expect(expires).toBeLessThan(Date.now() + 86_400_001)
    // Tokens are opaque and checked against the server's sessions: this one opens a socket as alice, and the same
    // token with one character changed opens nothing.
    const token = String(res.body.accessToken)
    const socket = await FrameClient.authenticated(t.server.url, token, 'http-test')
    await socket.close()
    const forged = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')
    const refused = await FrameClient.connect(t.server.url)
    expect((await refused.request({ auth: { token: forged, deviceId: 'http-test' } })).error?.code).toBe(ErrorCode.ERROR_UNAUTHENTICATED)
    await refused.close()
  })

  it('refuses bad credentials with 401', async () => {
    const wrong = await postJson(t.server.url, LOGIN, { userAccount: 'alice', userPassword: 'not-the-password' })
    expect(wrong.status).toBe(401)
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS')
    expect(wrong.body.accessToken).toBeUndefined()
    const unknown = await postJson(t.server.url, LOGIN, { userAccount: 'nobody', userPassword: 'secret-1' })
    expect(unknown.status).toBe(401)
  })

  it('answers bad JSON with 400, oversized bodies with 413, unknown routes with 404, and health with 200', async () => {
    const badJson = await postJson(t.server.url, REGISTER, '{"userAccount": ')
    expect(badJson.status).toBe(400)
    const notObject = await postJson(t.server.url, REGISTER, '[1,2]')
    expect(notObject.status).toBe(400)
    const big = await postJson(t.server.url, REGISTER, { userAccount: 'dave', userPassword: 'x'.repeat(20_000) })
    expect(big.status).toBe(413)
    const unknown = await postJson(t.server.url, '/app/chat/nothing', {})
    expect(unknown.status).toBe(404)
    const wrongMethod = await fetch(t.server.url + LOGIN)
    expect(wrongMethod.status).toBe(405)
    const health = await fetch(t.server.url + HEALTH_PATH)
    expect(health.status).toBe(200)
  })
})
