// Covers the account's devices on the real server: the device list (name, platform, last seen), signing out another
// device (its socket is told why and closed for good, its token refused after), and the device limit signing out the
// least recently seen device at the next sign-in (told why as well).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode, ErrorCode } from '../../src/shared/proto/codec'
import { LOGIN_PATH } from '../../src/server/api/app-server'
import { DEFAULT_DEVICE_LIMIT } from '../../src/server/services/devices'
import { FrameClient, postJson, registerAndLogin } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

/** Signs in on `deviceId` with a device name (a login of its own, as a real device does) and authenticates. */
async function deviceOf(url: string, user: string, deviceId: string, deviceName: string): Promise<{ client: FrameClient; token: string }> {
  const answer = await postJson(url, LOGIN_PATH, { userAccount: user, userPassword: 'password-1', deviceId, deviceName })
  if (answer.status !== 200) throw new Error(`login failed: ${JSON.stringify(answer.body)}`)
  const token = String(answer.body.accessToken)
  return { client: await FrameClient.authenticated(url, token, deviceId), token }
}

async function devices(client: FrameClient, signOutSession = ''): Promise<NonNullable<Awaited<ReturnType<FrameClient['request']>>['devicesOk']>> {
  const answer = await client.request({ devices: { signOutSession } })
  if (!answer.devicesOk) throw new Error(`devices failed: ${JSON.stringify(answer.error)}`)
  return answer.devicesOk
}

describe('devices', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('lists the devices and signs out another one, which is told why and cannot come back with its token', async () => {
    await registerAndLogin(t.server.url, 'dana')
    const laptop = await deviceOf(t.server.url, 'dana', 'laptop', 'Laptop')
    const phone = await deviceOf(t.server.url, 'dana', 'phone', 'Phone')
    try {
      const listed = await devices(laptop.client)
      expect(listed.limit).toBe(DEFAULT_DEVICE_LIMIT)
      const byName = new Map(listed.devices?.map((d) => [d.name, d]))
      expect(byName.get('Laptop')).toMatchObject({ current: true, online: true, platform: 'test', deviceId: 'laptop' })
      expect(byName.get('Phone')).toMatchObject({ current: false, online: true, platform: 'test' })
      expect(Number(byName.get('Phone')?.lastSeenAt)).toBeGreaterThan(0)

      const told = phone.client.waitFor((f) => f.id === 0 && f.body === 'error')
      const changed = await devices(laptop.client, byName.get('Phone')!.sessionId!)
      expect(changed.devices?.map((d) => d.name)).not.toContain('Phone')
      const notice = await told
      expect(notice.error?.code).toBe(ErrorCode.ERROR_DEVICE_SIGNED_OUT)
      expect(notice.error?.message).toMatch(/signed out from another device/)
      expect((await phone.client.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)

      const again = await FrameClient.connect(t.server.url)
      const refused = await again.request({ auth: { token: phone.token, deviceId: 'phone', platform: 'test' } })
      expect(refused.body).toBe('error')
      expect(refused.error?.code).toBe(ErrorCode.ERROR_TOKEN_REVOKED)
      expect((await again.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)
      // Its own session cannot be ended from the list, and a session of someone else is not found.
      const own = await laptop.client.request({ devices: { signOutSession: byName.get('Laptop')!.sessionId! } })
      expect(own.error?.code).toBe(ErrorCode.ERROR_BAD_REQUEST)
    } finally {
      await laptop.client.close()
      await phone.client.close()
    }
  })

  it('signs out the least recently seen device when a sign-in goes past the limit, and tells it why', async () => {
    await registerAndLogin(t.server.url, 'erin') // a session that never connects: gone first
    const first = await deviceOf(t.server.url, 'erin', 'd1', 'One')
    const second = await deviceOf(t.server.url, 'erin', 'd2', 'Two')
    const third = await deviceOf(t.server.url, 'erin', 'd3', 'Three')
    // The limit is 4: a fifth sign-in removes the session that never connected.
    const fourth = await deviceOf(t.server.url, 'erin', 'd4', 'Four')
    let names = (await devices(first.client)).devices?.map((d) => d.name).sort()
    expect(names).toEqual(['Four', 'One', 'Three', 'Two'])
    // "One" goes offline, so it is now the least recently seen; "Two" stays online though it signed in before.
    await first.client.close()
    const told = second.client.waitFor((f) => f.id === 0 && f.body === 'error', 1_000).then(
      () => 'told',
      () => 'not told'
    )
    const fifth = await deviceOf(t.server.url, 'erin', 'd5', 'Five')
    names = (await devices(fifth.client)).devices?.map((d) => d.name).sort()
    expect(names).toEqual(['Five', 'Four', 'Three', 'Two'])
    expect(await told).toBe('not told')
    // One more: the least recently seen now is among the online ones; it is told why and closed.
    const gone = [second, third, fourth].map((d) =>
      d.client.waitFor((f) => f.id === 0 && f.error?.code === ErrorCode.ERROR_DEVICE_LIMIT, 1_500).then(
        (f) => ({ d, message: f.error?.message ?? '' }),
        () => null
      )
    )
    const sixth = await deviceOf(t.server.url, 'erin', 'd6', 'Six')
    const toldLimit = (await Promise.all(gone)).filter((x) => x !== null)
    expect(toldLimit.length).toBe(1)
    expect(toldLimit[0]!.message).toMatch(/more devices than allowed/)
    expect((await toldLimit[0]!.d.client.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    expect((await devices(sixth.client)).devices?.length).toBe(DEFAULT_DEVICE_LIMIT)
    for (const d of [second, third, fourth, fifth, sixth]) await d.client.close()
  })
})
