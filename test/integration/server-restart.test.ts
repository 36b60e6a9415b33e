// Covers durability across a server restart on the same data folder: users, tokens, messages and sequences survive.
// The restart is a real close + startServer on the same SQLite file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode } from '../../src/shared/proto/codec'
import { FrameClient, login, randomClientId, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

describe('server restart', () => {
  let t: TestServer
  let alice: Login
  let bob: Login
  beforeAll(async () => {
    t = await startTestServer()
    alice = await registerAndLogin(t.server.url, 'alice', 'password-a')
    bob = await registerAndLogin(t.server.url, 'bob', 'password-b')
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('keeps users, tokens, messages and sequences', async () => {
    const aliceDevice = await FrameClient.authenticated(t.server.url, alice.token, 'a1')
    const ids = [randomClientId(), randomClientId(), randomClientId()]
    const acks = []
    for (const [i, clientId] of ids.entries()) {
      acks.push(await aliceDevice.request({ send: { clientId, to: 'bob', body: { text: { text: `before restart ${i}` } } } }))
    }
    expect(acks.map((a) => Number(a.sendAck?.seq))).toEqual([1, 2, 3])

    await t.restart()
    expect((await aliceDevice.waitForClose()).code).toBe(CloseCode.CLOSE_SERVER_RESTART)

    // Users survive (login works, duplicate registration is still refused) and old tokens still verify.
    const relogin = await login(t.server.url, 'bob', 'password-b')
    expect(relogin.user).toBe('bob')
    const bobDevice = await FrameClient.authenticated(t.server.url, bob.token, 'b1')
    const auth = bobDevice.received.find((f) => f.body === 'authOk')
    expect(Number(auth?.authOk?.headSeq)).toBe(3)
    const synced = await bobDevice.request({ sync: { afterSeq: 0 } })
    expect(synced.syncBatch?.events?.map((e) => e.message?.body?.text?.text)).toEqual([
      'before restart 0',
      'before restart 1',
      'before restart 2'
    ])

    // Sequences and server ids continue, and a resend from before the restart is still de-duplicated.
    const aliceAgain = await FrameClient.authenticated(t.server.url, alice.token, 'a1')
    const resend = await aliceAgain.request({ send: { clientId: ids[2], to: 'bob', body: { text: { text: 'before restart 2' } } } })
    expect(resend.sendAck).toEqual(acks[2]?.sendAck)
    const next = await aliceAgain.request({ send: { clientId: randomClientId(), to: 'bob', body: { text: { text: 'after' } } } })
    expect(Number(next.sendAck?.seq)).toBe(4)
    expect(Number(next.sendAck?.serverId)).toBeGreaterThan(Number(acks[2]?.sendAck?.serverId))
    const pushed = await bobDevice.waitFor((f) => f.body === 'event')
    expect(Number(pushed.event?.seq)).toBe(4)
    await Promise.all([bobDevice.close(), aliceAgain.close()])
  })
})
