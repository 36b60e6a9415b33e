// Covers the gateway under store faults and shutdown: a user lookup that fails during auth (answered, closed with a
// code the client reconnects on), the bounded queue of frames sent behind a slow auth, and the going-away hint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode, ErrorCode } from '../../src/shared/proto/codec'
import { GOING_AWAY_WINDOW_MS, MAX_FRAMES_DURING_AUTH } from '../../src/server/config'
import { CLOSE_INTERNAL_ERROR } from '../../src/server/gateway/session'
import type { ServerStore } from '../../src/server/store/types'
import { FrameClient, login, registerAndLogin } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'silent'

/** What the test makes the store's getUser do: pass through, fail, or wait for a release. */
type GetUserMode = { kind: 'pass' } | { kind: 'fail' } | { kind: 'stall'; released: Promise<void> }

describe('auth under store faults', () => {
  let t: TestServer
  let mode: GetUserMode = { kind: 'pass' }
  beforeAll(async () => {
    t = await startTestServer({
      testHooks: {
        // The real store, with getUser failing or stalling on demand (a database outage, a slow disk).
        wrapStore: (store) =>
          new Proxy(store, {
            get(target, property, receiver) {
              if (property !== 'getUser') return Reflect.get(target, property, receiver) as unknown
              return async (name: string) => {
                const current = mode
                if (current.kind === 'fail') throw new Error('simulated store outage')
                if (current.kind === 'stall') await current.released
                return target.getUser(name)
              }
            }
          }) satisfies ServerStore
      }
    })
    await registerAndLogin(t.server.url, 'alice')
  })
  afterAll(async () => {
    mode = { kind: 'pass' }
    await t.dispose()
  })

  it('answers ERROR_INTERNAL and closes with a reconnectable code when the user lookup fails', async () => {
    const session = await login(t.server.url, 'alice', 'password-1', 'a1')
    const client = await FrameClient.connect(t.server.url)
    mode = { kind: 'fail' }
    try {
      const answer = await client.request({ auth: { token: session.token, deviceId: 'a1' } })
      expect(answer.error?.code).toBe(ErrorCode.ERROR_INTERNAL)
      const closed = await client.waitForClose()
      expect(closed.code).toBe(CLOSE_INTERNAL_ERROR)
      // None of the codes that tell a client to stop: it will come back.
      expect([CloseCode.CLOSE_AUTH_FAILED, CloseCode.CLOSE_TOKEN_EXPIRED, CloseCode.CLOSE_REPLACED, CloseCode.CLOSE_SIGNED_OUT]).not.toContain(closed.code)
    } finally {
      mode = { kind: 'pass' }
    }
    // Once the store is back, the same token signs in.
    const again = await FrameClient.authenticated(t.server.url, session.token, 'a1')
    expect((await again.request({ sync: {} })).body).toBe('syncBatch')
    await again.close()
  })

  it('answers the frames sent behind a slow auth once it settles, up to a bound', async () => {
    const session = await login(t.server.url, 'alice', 'password-1', 'a2')
    let release = (): void => {}
    mode = { kind: 'stall', released: new Promise<void>((resolve) => (release = resolve)) }
    const client = await FrameClient.connect(t.server.url)
    const authId = client.allocateId()
    client.send({ id: authId, auth: { token: session.token, deviceId: 'a2' } })
    const ids = Array.from({ length: 3 }, () => client.allocateId())
    for (const id of ids) client.send({ id, sync: {} })
    await new Promise((resolve) => setTimeout(resolve, 200))
    mode = { kind: 'pass' }
    release()
    await client.waitFor((f) => f.id === authId && f.body === 'authOk')
    for (const id of ids) expect((await client.waitFor((f) => f.id === id)).body).toBe('syncBatch')
    await client.close()
  })

  it('closes a connection that queues more than the bound behind its auth', async () => {
    const session = await login(t.server.url, 'alice', 'password-1', 'a3')
    let release = (): void => {}
    mode = { kind: 'stall', released: new Promise<void>((resolve) => (release = resolve)) }
    try {
      const client = await FrameClient.connect(t.server.url)
      client.send({ id: client.allocateId(), auth: { token: session.token, deviceId: 'a3' } })
      for (let i = 0; i < MAX_FRAMES_DURING_AUTH + 4; i++) client.send({ id: client.allocateId(), sync: {} })
      const closed = await client.waitForClose()
      expect(closed.code).toBe(CloseCode.CLOSE_PROTOCOL_ERROR)
      expect(client.received.some((f) => f.error?.code === ErrorCode.ERROR_RATE_LIMITED)).toBe(true)
    } finally {
      mode = { kind: 'pass' }
      release()
    }
  })
})

describe('shutdown', () => {
  it('tells every socket to spread its reconnect over the going-away window before closing it', async () => {
    const t = await startTestServer()
    try {
      const alice = await registerAndLogin(t.server.url, 'alice')
      const devices = [await FrameClient.onDevice(t.server.url, alice, 'g1'), await FrameClient.onDevice(t.server.url, alice, 'g2')]
      await t.stop()
      for (const device of devices) {
        expect((await device.waitForClose()).code).toBe(CloseCode.CLOSE_SERVER_RESTART)
        const hint = device.received.find((f) => f.body === 'goingAway')
        expect(hint?.id ?? 0).toBe(0)
        expect(hint?.goingAway?.retryAfterMs).toBe(GOING_AWAY_WINDOW_MS)
      }
    } finally {
      await t.dispose()
    }
  })
})
