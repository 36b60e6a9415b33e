// Covers profiles, presence and account changes on the real server: a profile change reaching the user's other
// device and a friend, presence pushes on the first device in / last device out (with last seen and status text),
// change password ending the other devices' sessions, and account deletion (peers told, sign-in refused, the name
// reserved for the configured period and free after it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode, ErrorCode, pb, type DecodedFrame } from '../../src/shared/proto/codec'
import { LOGIN_PATH, REGISTER_PATH } from '../../src/server/api/app-server'
import { FrameClient, login, postJson, randomClientId, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

const Kind = pb.ContactEvent.Kind
type ProfileOp = NonNullable<Parameters<FrameClient['request']>[0]['profile']>

async function profileOp(client: FrameClient, op: ProfileOp): Promise<DecodedFrame> {
  return client.request({ profile: op })
}

async function befriend(one: FrameClient, other: FrameClient, otherUser: string, oneUser: string): Promise<void> {
  const asked = await one.request({ contacts: { request: { to: otherUser } } })
  expect(asked.body).toBe('contactsOk')
  const accepted = await other.request({ contacts: { decide: { from: oneUser, accept: true } } })
  expect(accepted.body).toBe('contactsOk')
}

function presencePush(client: FrameClient, user: string, online: boolean, after = 0): Promise<DecodedFrame> {
  return client.waitFor(
    (frame) =>
      client.received.indexOf(frame) >= after &&
      frame.contactUpdate?.presence?.user === user &&
      (frame.contactUpdate.presence.online ?? false) === online,
    5_000,
    `presence of ${user} online=${online}`
  )
}

describe('profiles and presence', () => {
  let t: TestServer
  let alice: Login
  let bob: Login
  let bobDevice: FrameClient
  beforeAll(async () => {
    t = await startTestServer()
    alice = await registerAndLogin(t.server.url, 'alice')
    bob = await registerAndLogin(t.server.url, 'bob')
    await registerAndLogin(t.server.url, 'carol')
    bobDevice = await FrameClient.onDevice(t.server.url, bob, 'b1')
    const aliceSetup = await FrameClient.onDevice(t.server.url, alice, 'setup')
    await befriend(aliceSetup, bobDevice, 'bob', 'alice')
    await aliceSetup.close()
    await presencePush(bobDevice, 'alice', false)
  })
  afterAll(async () => {
    await bobDevice?.close()
    await t.dispose()
  })

  it('pushes online when the first device connects and offline (with last seen) when the last one goes', async () => {
    const mark = bobDevice.received.length
    const a1 = await FrameClient.onDevice(t.server.url, alice, 'a1')
    await presencePush(bobDevice, 'alice', true, mark)
    const a2 = await FrameClient.onDevice(t.server.url, alice, 'a2')
    await a1.close()
    // Still online on a2: asking answers online, and no offline push came.
    const asked = await profileOp(bobDevice, { presence: { users: ['alice', 'ALICE', 'nobody'] } })
    const presence = asked.profileOk?.presence?.presence ?? []
    expect(presence.map((p) => [p.user, p.online ?? false])).toEqual([
      ['alice', true],
      ['nobody', false]
    ])
    expect(bobDevice.received.slice(mark).some((f) => f.contactUpdate?.presence?.online === false)).toBe(false)

    const before = Date.now()
    await a2.close()
    const offline = await presencePush(bobDevice, 'alice', false, mark)
    expect(Number(offline.contactUpdate?.presence?.lastSeen)).toBeGreaterThanOrEqual(before)
    const later = await profileOp(bobDevice, { presence: { users: ['alice'] } })
    expect(later.profileOk?.presence?.presence?.[0]).toMatchObject({ user: 'alice', lastSeen: offline.contactUpdate?.presence?.lastSeen })
    expect(later.profileOk?.presence?.presence?.[0]?.online ?? false).toBe(false)
  })

  it('sends a profile change to the user’s other device (ProfileChanged in the log) and to friends (ContactUpdate)', async () => {
    const a1 = await FrameClient.onDevice(t.server.url, alice, 'a1')
    const a2 = await FrameClient.onDevice(t.server.url, alice, 'a2')
    const carol = await FrameClient.onDevice(t.server.url, { ...alice, user: 'carol' }, 'c1')
    const mark = bobDevice.received.length
    const nickname = 'Алиса 愛麗絲 🌸'
    const answer = await profileOp(a1, {
      update: { nickname, signature: 'hello', statusText: 'at lunch', attributes: { city: 'Paris' }, setAttributes: true }
    })
    const eventSeq = Number(answer.profileOk?.done?.eventSeq)
    expect(eventSeq).toBeGreaterThan(0)

    const onOtherDevice = await a2.waitFor((f) => f.event?.profile != null)
    expect(Number(onOtherDevice.event?.seq)).toBe(eventSeq)
    expect(onOtherDevice.event?.profile?.profile).toMatchObject({ user: 'alice', nickname, signature: 'hello', statusText: 'at lunch' })
    expect(a1.received.some((f) => f.event?.profile != null)).toBe(false)
    const logged = await a2.request({ sync: { afterSeq: eventSeq - 1 } })
    expect(logged.syncBatch?.events?.[0]?.profile?.profile?.nickname).toBe(nickname)

    const toFriend = await bobDevice.waitFor((f) => bobDevice.received.indexOf(f) >= mark && f.contactUpdate?.profile != null)
    expect(toFriend.contactUpdate?.profile).toMatchObject({ user: 'alice', nickname, attributes: { city: 'Paris' } })
    const status = await bobDevice.waitFor((f) => bobDevice.received.indexOf(f) >= mark && f.contactUpdate?.presence?.statusText === 'at lunch')
    expect(status.contactUpdate?.presence).toMatchObject({ user: 'alice', online: true })
    expect(carol.received.some((f) => f.contactUpdate != null)).toBe(false)

    const profiles = await profileOp(bobDevice, { get: { users: ['Alice', 'nobody'] } })
    const [found, missing] = profiles.profileOk?.profiles?.profiles ?? []
    expect(found).toMatchObject({ user: 'alice', nickname, exists: true, attributes: { city: 'Paris' } })
    expect(Number(found?.updatedAt)).toBeGreaterThan(0)
    expect(missing?.exists ?? false).toBe(false)

    // Unset fields keep their values; limits answer specific codes and change nothing.
    expect(Number((await profileOp(a2, { update: { signature: 'bye' } })).profileOk?.done?.eventSeq)).toBeGreaterThan(eventSeq)
    expect((await profileOp(a1, { update: { nickname: 'x'.repeat(65) } })).error?.code).toBe(ErrorCode.ERROR_TEXT_TOO_LONG)
    const tooBig = await profileOp(a1, { update: { attributes: { blob: 'x'.repeat(2048) }, setAttributes: true } })
    expect(tooBig.error?.code).toBe(ErrorCode.ERROR_LIMIT_EXCEEDED)
    const many = await profileOp(a1, { get: { users: Array.from({ length: 101 }, (_, i) => `u${i}`) } })
    expect(many.error?.code).toBe(ErrorCode.ERROR_LIMIT_EXCEEDED)
    const after = (await profileOp(a1, { get: { users: ['alice'] } })).profileOk?.profiles?.profiles?.[0]
    expect(after).toMatchObject({ nickname, signature: 'bye', statusText: 'at lunch', attributes: { city: 'Paris' } })
    for (const client of [a1, a2, carol]) await client.close()
  })
})

describe('account: change password and delete', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('changing the password ends the other devices’ sessions and keeps this one', async () => {
    const dan = await registerAndLogin(t.server.url, 'dan', 'old-password')
    const here = await FrameClient.onDevice(t.server.url, dan, 'here')
    const there = await FrameClient.onDevice(t.server.url, dan, 'there')
    const wrong = await profileOp(here, { changePassword: { currentPassword: 'nope-nope', newPassword: 'new-password' } })
    expect(wrong.error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)
    expect(there.isOpen).toBe(true)
    const short = await profileOp(here, { changePassword: { currentPassword: 'old-password', newPassword: 'x' } })
    expect(short.error?.code).toBe(ErrorCode.ERROR_BAD_REQUEST)

    const changed = await profileOp(here, { changePassword: { currentPassword: 'old-password', newPassword: 'new-password' } })
    expect(changed.body).toBe('profileOk')
    const revoked = await there.waitFor((f) => f.error?.code === ErrorCode.ERROR_TOKEN_REVOKED)
    expect(revoked.error?.message).toMatch(/password/)
    expect((await there.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    // This device carries on; the old password is refused and the new one works.
    expect((await here.request({ contacts: { list: {} } })).body).toBe('contactsOk')
    // Its session is still live on the server: a token rotation (which checks the session) goes through.
    expect((await here.request({ renew: { token: '' } })).body).toBe('renewOk')
    expect((await postJson(t.server.url, LOGIN_PATH, { userAccount: 'dan', userPassword: 'old-password' })).status).toBe(401)
    await login(t.server.url, 'dan', 'new-password')
    await here.close()
  })

  it('deleting an account tells its friends, refuses its sign-in and messages to it, and reserves its name', async () => {
    const eve = await registerAndLogin(t.server.url, 'eve')
    const fay = await registerAndLogin(t.server.url, 'fay')
    const eveDevice = await FrameClient.onDevice(t.server.url, eve, 'e1')
    const eveOther = await FrameClient.onDevice(t.server.url, eve, 'e2')
    const fayDevice = await FrameClient.onDevice(t.server.url, fay, 'f1')
    await befriend(eveDevice, fayDevice, 'fay', 'eve')
    const sent = await eveDevice.request({ send: { clientId: randomClientId(), to: 'fay', body: { text: { text: 'bye' } } } })
    expect(sent.body).toBe('sendAck')

    expect((await profileOp(eveDevice, { deleteAccount: { password: 'wrong-one' } })).error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)
    const deleted = await profileOp(eveDevice, { deleteAccount: { password: 'password-1' } })
    expect(deleted.body).toBe('profileOk')
    expect((await eveDevice.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    expect((await eveOther.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)

    const removed = await fayDevice.waitFor((f) => f.event?.contact?.kind === Kind.KIND_FRIEND_REMOVED)
    expect(removed.event?.contact?.peer).toBe('eve')
    expect((await fayDevice.request({ contacts: { list: {} } })).contactsOk?.list?.friends ?? []).toEqual([])
    const profile = (await profileOp(fayDevice, { get: { users: ['eve'] } })).profileOk?.profiles?.profiles?.[0]
    expect(profile).toMatchObject({ user: 'eve', exists: true, deleted: true })
    // Eve's message stays in fay's history; a message to eve is refused.
    const history = await fayDevice.request({ history: { conversation: 'eve' } })
    expect(history.historyPage?.events?.map((e) => e.message?.body?.text?.text)).toEqual(['bye'])
    const toDeleted = await fayDevice.request({ send: { clientId: randomClientId(), to: 'eve', body: { text: { text: '?' } } } })
    expect(toDeleted.error?.code).toBe(ErrorCode.ERROR_USER_NOT_FOUND)
    expect(toDeleted.error?.message).toMatch(/deleted/)
    expect((await fayDevice.request({ contacts: { request: { to: 'eve' } } })).error?.code).toBe(ErrorCode.ERROR_USER_NOT_FOUND)
    expect((await fayDevice.request({ lookupUser: { user: 'eve' } })).lookupUserOk?.exists ?? false).toBe(false)

    const signIn = await postJson(t.server.url, LOGIN_PATH, { userAccount: 'eve', userPassword: 'password-1' })
    expect(signIn.status).toBe(403)
    expect(String(signIn.body.message)).toMatch(/deleted/)
    const again = await postJson(t.server.url, REGISTER_PATH, { userAccount: 'eve', userPassword: 'password-2' })
    expect(again.status).toBe(409)
    expect(String(again.body.message)).toMatch(/deleted account/)
    await fayDevice.close()
  })
})

describe('a deleted name after its reserve (PARLEY_DELETED_NAME_RESERVE_DAYS=0)', () => {
  let t: TestServer
  beforeAll(async () => {
    process.env.PARLEY_DELETED_NAME_RESERVE_DAYS = '0'
    try {
      t = await startTestServer()
    } finally {
      delete process.env.PARLEY_DELETED_NAME_RESERVE_DAYS
    }
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('can be registered again, as a new account that sees nothing of the old one', async () => {
    const gus = await registerAndLogin(t.server.url, 'gus')
    const hal = await registerAndLogin(t.server.url, 'hal')
    const gusDevice = await FrameClient.onDevice(t.server.url, gus, 'g1')
    const halDevice = await FrameClient.onDevice(t.server.url, hal, 'h1')
    expect((await gusDevice.request({ send: { clientId: randomClientId(), to: 'hal', body: { text: { text: 'old gus' } } } })).body).toBe('sendAck')
    await profileOp(gusDevice, { update: { nickname: 'Old Gus' } })
    expect((await profileOp(gusDevice, { deleteAccount: { password: 'password-1' } })).body).toBe('profileOk')
    // A message to the deleted account is refused, even right after one went through.
    expect((await halDevice.request({ send: { clientId: randomClientId(), to: 'gus', body: { text: { text: 'x' } } } })).error?.code).toBe(
      ErrorCode.ERROR_USER_NOT_FOUND
    )

    const reborn = await registerAndLogin(t.server.url, 'gus', 'password-new')
    const newDevice = await FrameClient.onDevice(t.server.url, reborn, 'g2')
    const log = await newDevice.request({ sync: { afterSeq: 0, limit: 500 } })
    expect(log.syncBatch?.events ?? []).toEqual([])
    const profile = (await profileOp(halDevice, { get: { users: ['gus'] } })).profileOk?.profiles?.profiles?.[0]
    expect(profile?.deleted ?? false).toBe(false)
    expect(profile?.nickname ?? '').toBe('')
    expect((await halDevice.request({ send: { clientId: randomClientId(), to: 'gus', body: { text: { text: 'new gus?' } } } })).body).toBe('sendAck')
    for (const client of [newDevice, halDevice]) await client.close()
  })
})

describe('password checks over the socket', () => {
  let t: TestServer
  beforeAll(async () => {
    // Two free attempts, then a minute's wait: the sign-in policy, made small so the test reaches it.
    t = await startTestServer({ attemptLimits: { account: { freeAttempts: 2, baseDelayMs: 60_000 } } })
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('are limited like sign-ins: after the free attempts even the right password must wait', async () => {
    const ivy = await registerAndLogin(t.server.url, 'ivy')
    const device = await FrameClient.onDevice(t.server.url, ivy, 'i1')
    for (let attempt = 0; attempt < 2; attempt++) {
      const wrong = await profileOp(device, { deleteAccount: { password: 'guess-' + attempt } })
      expect(wrong.error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)
    }
    const limited = await profileOp(device, { changePassword: { currentPassword: 'password-1', newPassword: 'password-2' } })
    expect(limited.error?.code).toBe(ErrorCode.ERROR_RATE_LIMITED)
    expect(limited.error?.message).toMatch(/wait \d+ seconds/)
    await login(t.server.url, 'ivy', 'password-1')
    await device.close()
  })
})

describe('presence at shutdown', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('records last seen for users still online when the server shuts down', async () => {
    const jon = await registerAndLogin(t.server.url, 'jon')
    const device = await FrameClient.onDevice(t.server.url, jon, 'j1')
    const before = Date.now()
    await t.restart()
    await device.waitForClose()
    const kim = await FrameClient.onDevice(t.server.url, await registerAndLogin(t.server.url, 'kim'), 'k1')
    const presence = (await profileOp(kim, { presence: { users: ['jon'] } })).profileOk?.presence?.presence?.[0]
    expect(presence?.online ?? false).toBe(false)
    expect(Number(presence?.lastSeen)).toBeGreaterThanOrEqual(before)
    await kim.close()
  })
})
