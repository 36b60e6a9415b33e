// Covers token rotation when a renew answer is lost: the device comes back with its old token and keeps its session,
// while a replayed old token (its successor already used, another device, or too late) still revokes the session.
// A new token counts as used once the device presents it (auth, HTTP, or the renew that acknowledges it).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { CloseCode, ErrorCode } from '../../src/shared/proto/codec'
import { TOKEN_ROTATION_GRACE_MS, hashToken } from '../../src/server/auth/tokens'
import type { ServerStore } from '../../src/server/store/types'
import { FrameClient, login, registerAndLogin } from '../bench/lib/frame-client'
import { makeTempDir, removeDir, startTestServer, type TestServer } from '../support/test-server'
import { openTestStore } from '../support/test-database'

process.env.PARLEY_LOG ??= 'warn'

interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((settle) => (resolve = settle))
  return { promise, resolve }
}

/** Holds the next rotateToken call until released, so a test can cut the connection before the answer is written. */
interface RotationHold {
  entered: Deferred<void>
  release: Deferred<void>
  finished: Deferred<'rotated' | 'stale'>
}

/** Auth on a fresh socket; the answer frame and how the socket ended (or null while it stays open). */
async function tryAuth(baseUrl: string, token: string, deviceId: string): Promise<{ client: FrameClient; code: number | null; error: number | null }> {
  const client = await FrameClient.connect(baseUrl)
  const answer = await client.request({ auth: { token, deviceId, platform: 'test' } })
  if (answer.body === 'authOk') return { client, code: null, error: null }
  const closed = await client.waitForClose()
  return { client, code: closed.code, error: answer.error?.code ?? null }
}

describe('token rotation with a lost renew answer', () => {
  let t: TestServer
  let hold: RotationHold | null = null
  let serverStore: ServerStore | null = null

  beforeAll(async () => {
    t = await startTestServer({
      testHooks: {
        // The real store; the next rotation waits for the test (the moment between a renew and its answer).
        wrapStore: (store) =>
          (serverStore = new Proxy(store, {
            get(target, property, receiver) {
              if (property !== 'rotateToken') return Reflect.get(target, property, receiver) as unknown
              return async (...args: Parameters<ServerStore['rotateToken']>) => {
                const current = hold
                hold = null
                if (!current) return target.rotateToken(...args)
                current.entered.resolve()
                await current.release.promise
                const result = await target.rotateToken(...args)
                current.finished.resolve(result)
                return result
              }
            }
          })) satisfies ServerStore
      }
    })
    await registerAndLogin(t.server.url, 'erin')
  })
  afterAll(async () => {
    await t.dispose()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  /** Sends an empty renew and drops the connection after the server took the request, before its answer. */
  async function renewWithLostAnswer(device: FrameClient): Promise<void> {
    const current: RotationHold = { entered: deferred(), release: deferred(), finished: deferred() }
    hold = current
    device.send({ id: device.allocateId(), renew: { token: '' } })
    await current.entered.promise
    device.socket.terminate()
    await device.waitForClose()
    current.release.resolve()
    // The server rotated: the token the device holds is now the rotated-away one, and the answer went nowhere.
    expect(await current.finished.promise).toBe('rotated')
    expect(device.received.some((frame) => frame.body === 'renewOk')).toBe(false)
  }

  it('lets the device reconnect with its old token after the renew answer was lost, then renew normally', async () => {
    const start = await login(t.server.url, 'erin', 'password-1', 'e-laptop')
    const device = await FrameClient.authenticated(t.server.url, start.token, 'e-laptop')
    await renewWithLostAnswer(device)

    const back = await FrameClient.connect(t.server.url)
    const answer = await back.request({ auth: { token: start.token, deviceId: 'e-laptop', platform: 'test' } })
    expect(answer.error?.code).toBeUndefined()
    expect(answer.body).toBe('authOk')
    // It inherits the lifetime the lost token had been given, not the older one.
    expect(Number(answer.authOk?.tokenExpiresAt)).toBeGreaterThanOrEqual(start.expiresAt)
    expect((await back.request({ sync: {} })).body).toBe('syncBatch')

    const renewed = await back.request({ renew: { token: '' } })
    expect(renewed.body).toBe('renewOk')
    const next = String(renewed.renewOk?.token)
    expect(next).not.toBe(start.token)
    await back.close()
    const onNext = await tryAuth(t.server.url, next, 'e-laptop')
    expect(onNext.code).toBeNull()
    expect((await onNext.client.request({ sync: {} })).body).toBe('syncBatch')
    // The new token was used: the old one is a replay again and ends the session.
    const replay = await tryAuth(t.server.url, start.token, 'e-laptop')
    expect(replay.error).toBe(ErrorCode.ERROR_TOKEN_REVOKED)
    expect((await onNext.client.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)
  })

  it('tolerates the answer being lost twice in a row', async () => {
    const start = await login(t.server.url, 'erin', 'password-1', 'e-twice')
    await renewWithLostAnswer(await FrameClient.authenticated(t.server.url, start.token, 'e-twice'))
    await renewWithLostAnswer(await FrameClient.authenticated(t.server.url, start.token, 'e-twice'))
    const back = await tryAuth(t.server.url, start.token, 'e-twice')
    expect(back.code).toBeNull()
    expect((await back.client.request({ renew: { token: '' } })).body).toBe('renewOk')
    await back.client.close()
  })

  it('revokes the session for both when the old token comes back after the new one was used (a thief)', async () => {
    const start = await login(t.server.url, 'erin', 'password-1', 'e-desk')
    const first = await FrameClient.authenticated(t.server.url, start.token, 'e-desk')
    const renewed = String((await first.request({ renew: { token: '' } })).renewOk?.token)
    await first.close()
    // The legitimate device got the answer and reconnects with the new token: it has been used.
    const device = await FrameClient.authenticated(t.server.url, renewed, 'e-desk')

    const thief = await tryAuth(t.server.url, start.token, 'e-desk')
    expect(thief.error).toBe(ErrorCode.ERROR_TOKEN_REVOKED)
    expect(thief.code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    expect((await device.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    expect(device.received.some((f) => f.id === 0 && f.error?.code === ErrorCode.ERROR_TOKEN_REVOKED)).toBe(true)
    expect((await tryAuth(t.server.url, renewed, 'e-desk')).error).toBe(ErrorCode.ERROR_TOKEN_REVOKED)
  })

  it('revokes the session when the old token comes from another device, even with the new one unused', async () => {
    const start = await login(t.server.url, 'erin', 'password-1', 'e-phone')
    const device = await FrameClient.authenticated(t.server.url, start.token, 'e-phone')
    expect((await device.request({ renew: { token: '' } })).body).toBe('renewOk')

    const thief = await tryAuth(t.server.url, start.token, 'e-thief')
    expect(thief.error).toBe(ErrorCode.ERROR_TOKEN_REVOKED)
    expect(thief.code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    expect((await device.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)
  })

  it('keeps the old token usable while the device only received its renew answer, and ends both once it used the new one', async () => {
    const start = await login(t.server.url, 'erin', 'password-1', 'e-tablet')
    const device = await FrameClient.authenticated(t.server.url, start.token, 'e-tablet')
    expect((await device.request({ renew: { token: '' } })).body).toBe('renewOk')
    const renewed = String(device.received.find((f) => f.body === 'renewOk')?.renewOk?.token)
    const newTokenUsed = async (): Promise<boolean> => ((await serverStore?.findToken(hashToken(renewed)))?.token.firstUsedAt ?? null) !== null
    // The answer's bytes reached the device (its pongs came back), but an app may close before it keeps the token.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await newTokenUsed()).toBe(false)
    // The device saved it and acknowledges it (a renew carrying it): from now on the old one is a copy.
    const ack = await device.request({ renew: { token: renewed } })
    expect(ack.body).toBe('renewOk')
    expect(ack.renewOk?.token).toBe(renewed)
    expect(await newTokenUsed()).toBe(true)
    // So a copy of the old token with the device's id is a replay, not a lost answer: the session ends for both.
    const copy = await tryAuth(t.server.url, start.token, 'e-tablet')
    expect(copy.error).toBe(ErrorCode.ERROR_TOKEN_REVOKED)
    expect(copy.code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    expect((await device.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)
  })

  it('refuses the old token after the grace window, though the new one was never used', async () => {
    const start = await login(t.server.url, 'erin', 'password-1', 'e-late')
    await renewWithLostAnswer(await FrameClient.authenticated(t.server.url, start.token, 'e-late'))
    // The server runs in this process: move its clock past the window (timers stay real).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + TOKEN_ROTATION_GRACE_MS + 1_000 })
    const late = await tryAuth(t.server.url, start.token, 'e-late')
    expect(late.error).toBe(ErrorCode.ERROR_TOKEN_REVOKED)
    expect(late.code).toBe(CloseCode.CLOSE_SIGNED_OUT)
  })
})

describe('token reinstatement in the store', () => {
  let dir: string
  let store: ServerStore
  beforeAll(async () => {
    dir = makeTempDir()
    store = await openTestStore(dir)
  })
  afterAll(async () => {
    await store.close()
    removeDir(dir)
  })

  const session = (sessionId: string, now: number) => ({
    sessionId, user: 'erin', deviceId: 'laptop', createdAt: now, renewedAt: now, revokedAt: null
  })
  const token = (tokenHash: string, sessionId: string, expiresAt: number) => ({ tokenHash, sessionId, expiresAt, rotatedAt: null })

  it('reinstates a rotated token only while its successor is current and unused; the successor becomes a reuse', async () => {
    const now = Date.now()
    await store.createDeviceSession(session('s1', now), token('t1', 's1', now + 1_000))
    expect(await store.rotateToken('s1', 't1', token('t2', 's1', now + 5_000), now + 10)).toBe('rotated')
    expect((await store.findToken('t1'))?.token).toMatchObject({ rotatedAt: now + 10, successorHash: 't2', firstUsedAt: now + 10 })
    expect((await store.findToken('t2'))?.token).toMatchObject({ rotatedAt: null, successorHash: null, firstUsedAt: null })

    const reinstated = await store.reinstateToken('s1', 't1', now + 20)
    expect(reinstated).toMatchObject({ tokenHash: 't1', rotatedAt: null, successorHash: null, expiresAt: now + 5_000 })
    // The device presenting it twice at once: the second presentation finds it current, not a reuse.
    expect(await store.reinstateToken('s1', 't1', now + 25)).toMatchObject({ tokenHash: 't1', rotatedAt: null })
    expect((await store.findToken('t2'))?.token).toMatchObject({ rotatedAt: now + 20, successorHash: 't1', firstUsedAt: null })
    // The retired successor cannot be reinstated (t1 is used) nor marked used (it is no longer current).
    expect(await store.reinstateToken('s1', 't2', now + 30)).toBeNull()
    expect(await store.markTokenUsed('t2', now + 30)).toBe(false)
    expect(await store.markTokenUsed('t1', now + 30)).toBe(true)
  })

  it('refuses to reinstate when the successor was used, rotated on, or the session was revoked', async () => {
    const now = Date.now()
    await store.createDeviceSession(session('s2', now), token('u1', 's2', now + 1_000))
    await store.rotateToken('s2', 'u1', token('u2', 's2', now + 5_000), now + 10)
    expect(await store.markTokenUsed('u2', now + 20)).toBe(true)
    expect(await store.reinstateToken('s2', 'u1', now + 30)).toBeNull()

    await store.createDeviceSession(session('s3', now), token('v1', 's3', now + 1_000))
    await store.rotateToken('s3', 'v1', token('v2', 's3', now + 5_000), now + 10)
    await store.rotateToken('s3', 'v2', token('v3', 's3', now + 9_000), now + 20)
    expect(await store.reinstateToken('s3', 'v1', now + 30)).toBeNull()

    await store.createDeviceSession(session('s4', now), token('w1', 's4', now + 1_000))
    await store.rotateToken('s4', 'w1', token('w2', 's4', now + 5_000), now + 10)
    await store.revokeSession('s4', now + 20)
    expect(await store.reinstateToken('s4', 'w1', now + 30)).toBeNull()
    expect((await store.findToken('w1'))?.token.rotatedAt).toBe(now + 10)
  })
})
