// Token and session lifecycle: renewal before expiry over the socket, a non-renewing client cut off,
// old and garbage tokens refused, and a second sign-in on the same device replacing the first.
import { describe, expect, it } from 'vitest'
import { loginAccount } from '../../src/main/core/app-server'
import { Connection, type ConnectionEnded } from '../../src/main/core/net/connection'
import { FAST_TIMINGS, localHistory, registerUsers, TEST_PASSWORD, uniqueUser, waitFor, useServerAndDevices } from './helpers/env'

const TOKEN_TTL_SEC = 4
const TOKEN_WARN_BEFORE_SEC = 3

describe('token lifecycle', () => {
  const { server, devices } = useServerAndDevices({ tokenTtlSec: TOKEN_TTL_SEC, tokenWarnBeforeSec: TOKEN_WARN_BEFORE_SEC })

  it('renews before expiry and stays connected past the original expiry; a client that does not renew is ended', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const renewing = devices.create('renewing')
    const stale = devices.create('stale', {}, { autoRenewToken: false })
    const warned: number[] = []
    const renewed: number[] = []
    renewing.on('tokenWillExpire', ({ expiresAt }) => warned.push(expiresAt))
    renewing.on('tokenRenewed', ({ expiresAt }) => renewed.push(expiresAt))
    const staleWarned: number[] = []
    const ended: string[] = []
    stale.on('tokenWillExpire', ({ expiresAt }) => staleWarned.push(expiresAt))
    stale.on('sessionEnded', ({ reason }) => ended.push(reason))
    const renewingEnded: string[] = []
    renewing.on('sessionEnded', ({ reason }) => renewingEnded.push(reason))

    await renewing.login(alice, TEST_PASSWORD)
    // Read before the second sign-in: with a short TTL on a loaded machine the first renewal can come while it runs.
    const originalToken = renewing.token!
    const originalExpiry = renewing.tokenExpiresAt!
    await stale.login(bob, TEST_PASSWORD)
    expect(originalExpiry).toBeGreaterThan(Date.now())

    await waitFor('renewal', () => renewed.length > 0, 10_000)
    expect(warned[0]).toBe(originalExpiry)
    expect(renewed[0]!).toBeGreaterThan(originalExpiry)
    expect(renewing.token).not.toBe(originalToken)

    // Past the original expiry: still connected and able to talk.
    await waitFor('original expiry to pass', () => Date.now() > originalExpiry + 500, 10_000)
    expect(renewing.status.state).toBe('connected')
    expect(renewingEnded).toEqual([])

    // The client that ignored the warning was told, then cut off at expiry.
    await waitFor('stale session to end', () => ended.length > 0, 10_000)
    expect(staleWarned.length).toBeGreaterThan(0)
    expect(ended[0]).toBe('Your session has expired. Please sign in again.')
    expect(stale.session).toBeNull()
    expect(stale.status.state).toBe('disconnected')

    // A reconnect uses the newest token.
    renewing.dropConnectionForTest()
    await waitFor('reconnected with the renewed token', () => renewing.status.state === 'connected')
    const message = await renewing.sendText(bob, 'still here')
    await waitFor('acked', async () => (await localHistory(renewing, bob)).some((m) => m.id === message.id && m.status === 'sent'))
    expect(renewingEnded).toEqual([])

    // The original token was rotated away: presenting it again (a stolen copy) is refused and revokes the session,
    // so the device that renewed it is signed out too.
    const oldTokenConnection = new Connection({
      serverUrl: server.url,
      deviceId: 'replay',
      platform: 'desktop',
      token: originalToken,
      timings: FAST_TIMINGS
    })
    const refusal = new Promise<ConnectionEnded>((resolve) => oldTokenConnection.on('ended', resolve))
    oldTokenConnection.start()
    const refused = await refusal
    expect(refused.code).toBe('NOT_SIGNED_IN')
    expect(oldTokenConnection.isOnline).toBe(false)
    await oldTokenConnection.stop()
    await waitFor('the renewing device to be signed out', () => renewingEnded.length > 0)
    expect(renewing.session).toBeNull()
  })

  it('signing in again on the same device replaces the older session, which ends without reconnecting', async () => {
    const dave = uniqueUser('dave')
    await registerUsers(server, dave)
    const first = devices.create('first', {}, { deviceId: 'shared-device' })
    const second = devices.create('second', {}, { deviceId: 'shared-device' })
    const ended: string[] = []
    first.on('sessionEnded', ({ reason }) => ended.push(reason))
    await first.login(dave, TEST_PASSWORD)
    await second.login(dave, TEST_PASSWORD)
    await waitFor('the first session to end', () => ended.length === 1)
    expect(ended[0]).toBe('This device was signed in somewhere else, so this session ended.')
    expect(first.session).toBeNull()
    expect(first.status).toMatchObject({ state: 'disconnected', reason: ended[0] })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(second.status.state).toBe('connected')
  })

  it('a garbage token is refused without reconnect loops', async () => {
    const connection = new Connection({
      serverUrl: server.url,
      deviceId: 'garbage',
      platform: 'desktop',
      token: 'not-a-token',
      timings: FAST_TIMINGS
    })
    const ended = new Promise<ConnectionEnded>((resolve) => connection.on('ended', resolve))
    connection.start()
    expect((await ended).code).toBe('NOT_SIGNED_IN')
    expect(connection.status).toMatchObject({ state: 'disconnected' })
    await connection.stop()
  })

  it('a login token works for the socket right away', async () => {
    const carol = uniqueUser('carol')
    await registerUsers(server, carol)
    const { token, user } = await loginAccount(server.url, carol, TEST_PASSWORD)
    const connection = new Connection({ serverUrl: server.url, deviceId: 'raw', platform: 'desktop', token, timings: FAST_TIMINGS })
    const online = new Promise<string>((resolve) => connection.on('online', (info) => resolve(info.user)))
    connection.start()
    expect(await online).toBe(user)
    const batch = await connection.request({ sync: { afterSeq: 0, limit: 10 } }, 'syncBatch')
    expect(batch.events ?? []).toEqual([])
    await connection.stop()
    await expect(connection.request({ sync: { afterSeq: 0, limit: 10 } }, 'syncBatch')).rejects.toMatchObject({ code: 'DISCONNECTED' })
  })

  it('renew rotates the token: the client keeps the new one, and a copy of the old one presented elsewhere ends the session', async () => {
    const alice = uniqueUser('alice')
    await registerUsers(server, alice)
    const deviceId = `laptop-${alice}`
    const a = devices.create('a', {}, { deviceId })
    const ended: string[] = []
    a.on('sessionEnded', ({ reason }) => ended.push(reason))
    await a.login(alice, TEST_PASSWORD)
    const stolen = a.credentials!
    await waitFor('renewal', () => a.token !== stolen.token, 10_000)
    expect(a.status.state).toBe('connected')

    // Someone replays the rotated-away token (same device id): the server revokes the device's session,
    // the copy is refused and the real client is signed out with a sentence, not left reconnecting.
    const thief = devices.create('thief', {}, { deviceId })
    await expect(thief.resume(stolen)).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' })
    await waitFor('the session ends', () => ended.length === 1, 10_000)
    expect(ended[0]).toMatch(/sign in again/i)
    expect(a.session).toBeNull()
    expect(a.status.state).toBe('disconnected')
  })
})
