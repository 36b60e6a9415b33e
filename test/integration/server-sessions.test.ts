// Covers device sessions behind access tokens: binding to a device, rotation on renew (a reused old token revokes
// the session and ends its sockets), sign-out of one device or all, and the end of a session left idle too long.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode, ErrorCode } from '../../src/shared/proto/codec'
import { FrameClient, login, postJson, registerAndLogin } from '../bench/lib/frame-client'
import { LOGIN_PATH } from '../../src/server/api/app-server'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

/** Auth on a fresh socket; the answer frame and how the socket ended (or null while it stays open). */
async function tryAuth(baseUrl: string, token: string, deviceId: string): Promise<{ client: FrameClient; code: number | null; error: number | null }> {
  const client = await FrameClient.connect(baseUrl)
  const answer = await client.request({ auth: { token, deviceId, platform: 'test' } })
  if (answer.body === 'authOk') return { client, code: null, error: null }
  const closed = await client.waitForClose()
  return { client, code: closed.code, error: answer.error?.code ?? null }
}

describe('device sessions', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
    await registerAndLogin(t.server.url, 'alice', 'password-1')
    await registerAndLogin(t.server.url, 'bob', 'password-1')
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('binds a token to the device named at login, and otherwise to the first device that uses it', async () => {
    const named = await login(t.server.url, 'alice', 'password-1', 'laptop')
    const elsewhere = await tryAuth(t.server.url, named.token, 'phone')
    expect(elsewhere.error).toBe(ErrorCode.ERROR_UNAUTHENTICATED)
    expect(elsewhere.code).toBe(CloseCode.CLOSE_AUTH_FAILED)
    const onLaptop = await tryAuth(t.server.url, named.token, 'laptop')
    expect(onLaptop.code).toBeNull()
    await onLaptop.client.close()

    const unnamed = await login(t.server.url, 'alice', 'password-1')
    const first = await tryAuth(t.server.url, unnamed.token, 'tablet')
    expect(first.code).toBeNull()
    await first.client.close()
    expect((await tryAuth(t.server.url, unnamed.token, 'desktop')).error).toBe(ErrorCode.ERROR_UNAUTHENTICATED)
    const again = await tryAuth(t.server.url, unnamed.token, 'tablet')
    expect(again.code).toBeNull()
    await again.client.close()
  })

  it('keeps the seed login shapes: a deviceId is optional and must be a short string', async () => {
    const plain = await postJson(t.server.url, LOGIN_PATH, { userAccount: 'alice', userPassword: 'password-1' })
    expect(plain.status).toBe(200)
    // The seed's fields, plus the gateway list cluster mode adds (this node's own address by default).
    expect(Object.keys(plain.body).sort()).toEqual(['accessToken', 'chatUserName', 'code', 'expireTimestamp', 'gateways'])
    expect(plain.body.gateways).toEqual([`${t.server.url.replace(/^http/, 'ws')}/ws`])
    const tooLong = await postJson(t.server.url, LOGIN_PATH, { userAccount: 'alice', userPassword: 'password-1', deviceId: 'x'.repeat(200) })
    expect(tooLong.status).toBe(400)
    expect(tooLong.body.code).toBe('INVALID_DEVICE_ID')
  })

  it('rotates on renew: the new token works, the old one stops, and reusing it ends the session on every socket', async () => {
    const start = await login(t.server.url, 'alice', 'password-1', 'a-main')
    const device = await FrameClient.authenticated(t.server.url, start.token, 'a-main')
    const renewed = await device.request({ renew: { token: '' } })
    const rotated = String(renewed.renewOk?.token)
    expect(rotated).not.toBe(start.token)
    expect(rotated.length).toBeGreaterThan(0)

    const rotatedAgain = await device.request({ renew: { token: '' } })
    const newest = String(rotatedAgain.renewOk?.token)
    expect(newest).not.toBe(rotated)
    expect(device.isOpen).toBe(true)

    // A copy of the first token, presented after its successor was used (renewed again): a thief, refused as revoked ...
    const thief = await tryAuth(t.server.url, start.token, 'a-main')
    expect(thief.error).toBe(ErrorCode.ERROR_TOKEN_REVOKED)
    expect(thief.code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    // ... and the legitimate socket of that session is ended too, told why.
    expect((await device.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    expect(device.received.some((f) => f.id === 0 && f.error?.code === ErrorCode.ERROR_TOKEN_REVOKED)).toBe(true)
    // The newest token of the session is dead as well: the device must sign in again.
    expect((await tryAuth(t.server.url, newest, 'a-main')).error).toBe(ErrorCode.ERROR_TOKEN_REVOKED)
    // Other sessions of the account are untouched.
    const other = await login(t.server.url, 'alice', 'password-1', 'a-other')
    const otherDevice = await tryAuth(t.server.url, other.token, 'a-other')
    expect(otherDevice.code).toBeNull()
    await otherDevice.client.close()
  })

  it('accepts a renew with an app-server token only for the same user and device', async () => {
    const start = await login(t.server.url, 'bob', 'password-1', 'b-main')
    const device = await FrameClient.authenticated(t.server.url, start.token, 'b-main')
    const forOtherDevice = await login(t.server.url, 'bob', 'password-1', 'b-other')
    expect((await device.request({ renew: { token: forOtherDevice.token } })).error?.code).toBe(ErrorCode.ERROR_UNAUTHENTICATED)
    const forThisDevice = await login(t.server.url, 'bob', 'password-1', 'b-main')
    const adopted = await device.request({ renew: { token: forThisDevice.token } })
    expect(adopted.renewOk?.token).toBe(forThisDevice.token)
    // The adopted token is now the connection's: an empty renew rotates it.
    const rotated = await device.request({ renew: { token: '' } })
    expect(rotated.body).toBe('renewOk')
    expect((await tryAuth(t.server.url, String(rotated.renewOk?.token), 'b-main')).code).toBeNull()
    await device.close()
  })

  it('signs out one device on the server: its token stops working, the account’s other devices stay', async () => {
    const laptopLogin = await login(t.server.url, 'alice', 'password-1', 'so-laptop')
    const phoneLogin = await login(t.server.url, 'alice', 'password-1', 'so-phone')
    const laptop = await FrameClient.authenticated(t.server.url, laptopLogin.token, 'so-laptop')
    const phone = await FrameClient.authenticated(t.server.url, phoneLogin.token, 'so-phone')
    const answer = await laptop.request({ signOut: { allDevices: false } })
    expect(answer.body).toBe('signOutOk')
    expect((await laptop.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    const reuse = await tryAuth(t.server.url, laptopLogin.token, 'so-laptop')
    expect(reuse.error).toBe(ErrorCode.ERROR_TOKEN_REVOKED)
    expect(reuse.code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    expect(phone.isOpen).toBe(true)
    expect((await phone.request({ sync: {} })).body).toBe('syncBatch')
    await phone.close()
  })

  it('signs out every device: all sockets of the account close and every token stops working', async () => {
    await registerAndLogin(t.server.url, 'carol', 'password-1')
    const logins = await Promise.all(['c1', 'c2', 'c3'].map((device) => login(t.server.url, 'carol', 'password-1', device)))
    const devices = await Promise.all(logins.map((l, i) => FrameClient.authenticated(t.server.url, l.token, `c${i + 1}`)))
    const bobLogin = await login(t.server.url, 'bob', 'password-1', 'b-watch')
    const bobDevice = await FrameClient.authenticated(t.server.url, bobLogin.token, 'b-watch')
    expect((await devices[0]!.request({ signOut: { allDevices: true } })).body).toBe('signOutOk')
    for (const device of devices) expect((await device.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    for (const [i, l] of logins.entries()) {
      expect((await tryAuth(t.server.url, l.token, `c${i + 1}`)).error).toBe(ErrorCode.ERROR_TOKEN_REVOKED)
    }
    expect(bobDevice.isOpen).toBe(true)
    await bobDevice.close()
    // Signing in again works.
    const fresh = await login(t.server.url, 'carol', 'password-1', 'c1')
    const back = await tryAuth(t.server.url, fresh.token, 'c1')
    expect(back.code).toBeNull()
    await back.client.close()
  })
})

describe('idle device sessions', () => {
  /** Four seconds, as days: the session must be renewed within that time. */
  const IDLE_DAYS = 4 / 86_400
  /** Each wait is well under the idle time, both together well over it (slack for a loaded machine). */
  const WAIT_MS = 2_500
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer({ sessionIdleDays: IDLE_DAYS })
    await registerAndLogin(t.server.url, 'dora', 'password-1')
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('ends a session not renewed within the idle time, though its token has not expired', async () => {
    const idle = await login(t.server.url, 'dora', 'password-1', 'd-idle')
    const renewing = await login(t.server.url, 'dora', 'password-1', 'd-renew')
    const renewingDevice = await FrameClient.authenticated(t.server.url, renewing.token, 'd-renew')
    await new Promise((resolve) => setTimeout(resolve, WAIT_MS))
    const rotated = await renewingDevice.request({ renew: { token: '' } })
    expect(rotated.body).toBe('renewOk')
    await renewingDevice.close()
    await new Promise((resolve) => setTimeout(resolve, WAIT_MS))
    expect(idle.expiresAt).toBeGreaterThan(Date.now())
    const refused = await tryAuth(t.server.url, idle.token, 'd-idle')
    expect(refused.error).toBe(ErrorCode.ERROR_TOKEN_REVOKED)
    expect(refused.code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    // Renewed one wait ago: still within its idle time.
    const kept = await tryAuth(t.server.url, String(rotated.renewOk?.token), 'd-renew')
    expect(kept.code).toBeNull()
    await kept.client.close()
  })
})
