// Covers token lifetime on the socket: the will-expire push, renewal without reconnecting (rotated and given tokens),
// the expiry close of an un-renewed socket, and refusal of an expired token on a new connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode, ErrorCode } from '../../src/shared/proto/codec'
import { FrameClient, login, registerAndLogin } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

const TOKEN_TTL_SEC = 3
const TOKEN_WARN_BEFORE_SEC = 2
/** Slack for timers firing on a busy machine. */
const TIMER_SLACK_MS = 2_000

describe('token lifetime over the socket', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer({ tokenTtlSec: TOKEN_TTL_SEC, tokenWarnBeforeSec: TOKEN_WARN_BEFORE_SEC })
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('warns before expiry, renews in place, and closes un-renewed sockets at expiry', async () => {
    const alice = await registerAndLogin(t.server.url, 'alice', 'password-1')
    expect(alice.expiresAt - Date.now()).toBeLessThanOrEqual(TOKEN_TTL_SEC * 1000)
    const renewing = await FrameClient.authenticated(t.server.url, alice.token, 'renews')
    // A token is bound to one device: the second device signs in on its own.
    const idleLogin = await login(t.server.url, 'alice', 'password-1', 'idle')
    const idle = await FrameClient.authenticated(t.server.url, idleLogin.token, 'idle')

    const warnDeadline = (TOKEN_TTL_SEC - TOKEN_WARN_BEFORE_SEC) * 1000 + TIMER_SLACK_MS
    const [warnRenewing, warnIdle] = await Promise.all([
      renewing.waitFor((f) => f.body === 'tokenWillExpire', warnDeadline),
      idle.waitFor((f) => f.body === 'tokenWillExpire', warnDeadline)
    ])
    expect(Number(warnRenewing.tokenWillExpire?.expiresAt)).toBe(alice.expiresAt)
    expect(warnIdle.id ?? 0).toBe(0)
    expect(Date.now()).toBeLessThan(alice.expiresAt)

    const renewed = await renewing.request({ renew: { token: '' } })
    expect(renewed.body).toBe('renewOk')
    const newToken = String(renewed.renewOk?.token)
    expect(newToken).not.toBe(alice.token)
    expect(Number(renewed.renewOk?.expiresAt)).toBeGreaterThan(alice.expiresAt)

    // The un-renewed socket is closed at expiry; the renewed one stays open past the old expiry.
    const idleClosed = await idle.waitForClose(TOKEN_TTL_SEC * 1000 + TIMER_SLACK_MS)
    expect(idleClosed.code).toBe(CloseCode.CLOSE_TOKEN_EXPIRED)
    expect(idle.received.some((f) => f.error?.code === ErrorCode.ERROR_TOKEN_EXPIRED)).toBe(true)
    expect(Date.now()).toBeGreaterThanOrEqual(alice.expiresAt)
    expect(renewing.isOpen).toBe(true)
    expect((await renewing.request({ sync: {} })).body).toBe('syncBatch')

    // After expiry, the un-renewed token is refused on a new connection of its device.
    const late = await FrameClient.connect(t.server.url)
    const refused = await late.request({ auth: { token: idleLogin.token, deviceId: 'idle' } })
    expect(refused.error?.code).toBe(ErrorCode.ERROR_TOKEN_EXPIRED)
    expect((await late.waitForClose()).code).toBe(CloseCode.CLOSE_TOKEN_EXPIRED)
    await renewing.close()

    // The renewed token opens a new connection of its device, past the old token's expiry.
    const withNewToken = await FrameClient.authenticated(t.server.url, newToken, 'renews')
    await withNewToken.close()
  })

  it('accepts a renew with a fresh app-server token of the same user and refuses another user’s', async () => {
    await registerAndLogin(t.server.url, 'bob', 'password-1')
    const bob = await login(t.server.url, 'bob', 'password-1')
    const carol = await registerAndLogin(t.server.url, 'carol', 'password-1')
    const device = await FrameClient.authenticated(t.server.url, bob.token, 'b1')
    const fresh = await login(t.server.url, 'bob', 'password-1')
    const ok = await device.request({ renew: { token: fresh.token } })
    expect(ok.renewOk?.token).toBe(fresh.token)
    expect(Number(ok.renewOk?.expiresAt)).toBe(fresh.expiresAt)
    const foreign = await device.request({ renew: { token: carol.token } })
    expect(foreign.error?.code).toBe(ErrorCode.ERROR_UNAUTHENTICATED)
    const garbage = await device.request({ renew: { token: 'not.a-token' } })
    expect(garbage.error?.code).toBe(ErrorCode.ERROR_UNAUTHENTICATED)
    expect(device.isOpen).toBe(true)
    await device.close()
  })
})
