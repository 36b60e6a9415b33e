// Covers the WebSocket gateway's framing and auth rules: malformed and oversized frames, requests before auth,
// bad tokens, empty bodies, and replacement of a device that signs in twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { CloseCode, ErrorCode, MAX_FRAME_BYTES, type DecodedFrame } from '../../src/shared/proto/codec'
import { FrameClient, registerAndLogin, wsUrl, type Login } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

/** WebSocket close code for "message too big" (RFC 6455). */
const WS_CLOSE_MESSAGE_TOO_BIG = 1009

describe('ws gateway', () => {
  let t: TestServer
  let alice: Login
  beforeAll(async () => {
    t = await startTestServer()
    alice = await registerAndLogin(t.server.url, 'alice')
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('answers malformed bytes with ERROR_MALFORMED_FRAME and keeps serving (that socket and a fresh one)', async () => {
    const client = await FrameClient.connect(t.server.url)
    client.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xff]))
    const error = await client.waitFor((f) => f.body === 'error')
    expect(error.error?.code).toBe(ErrorCode.ERROR_MALFORMED_FRAME)
    client.sendRaw('a text frame is not a protobuf frame')
    await client.waitFor((f) => f.body === 'error' && f !== error)
    expect(client.received.filter((f) => f.error?.code === ErrorCode.ERROR_MALFORMED_FRAME)).toHaveLength(2)
    expect(client.isOpen).toBe(true)
    const auth = await client.request({ auth: { token: alice.token, deviceId: 'malformed-1' } })
    expect(auth.body).toBe('authOk')
    await client.close()

    const fresh = await FrameClient.onDevice(t.server.url, alice, 'fresh-1')
    const sync = await fresh.request({ sync: { afterSeq: 0 } })
    expect(sync.body).toBe('syncBatch')
    await fresh.close()
  })

  it('closes a socket that sends an oversized frame with 1009 and stays up', async () => {
    const client = await FrameClient.onDevice(t.server.url, alice, 'big-1')
    client.sendRaw(new Uint8Array(MAX_FRAME_BYTES + 1))
    const closed = await client.waitForClose()
    expect(closed.code).toBe(WS_CLOSE_MESSAGE_TOO_BIG)
    const health = await fetch(t.server.url + '/healthz')
    expect(health.status).toBe(200)
    const next = await FrameClient.onDevice(t.server.url, alice, 'big-2')
    expect((await next.request({ sync: {} })).body).toBe('syncBatch')
    await next.close()
  })

  it('answers requests before auth with ERROR_UNAUTHENTICATED', async () => {
    const client = await FrameClient.connect(t.server.url)
    const reply = await client.request({ sync: { afterSeq: 0 } })
    expect(reply.error?.code).toBe(ErrorCode.ERROR_UNAUTHENTICATED)
    const send = await client.request({ send: { clientId: new Uint8Array(16), to: 'alice', body: { text: { text: 'x' } } } })
    expect(send.error?.code).toBe(ErrorCode.ERROR_UNAUTHENTICATED)
    await client.close()
  })

  it('refuses a bad token with an error frame and CLOSE_AUTH_FAILED', async () => {
    for (const token of ['', 'garbage', alice.token.slice(0, -2) + (alice.token.endsWith('A') ? 'BB' : 'AA')]) {
      const client = await FrameClient.connect(t.server.url)
      const reply = await client.request({ auth: { token, deviceId: 'x' } })
      expect(reply.error?.code).toBe(ErrorCode.ERROR_UNAUTHENTICATED)
      expect((await client.waitForClose()).code).toBe(CloseCode.CLOSE_AUTH_FAILED)
    }
  })

  it('answers an empty or response-only body with ERROR_BAD_REQUEST and the request id', async () => {
    const client = await FrameClient.onDevice(t.server.url, alice, 'bad-req')
    const empty = await client.request({})
    expect(empty.error?.code).toBe(ErrorCode.ERROR_BAD_REQUEST)
    const serverOnly = await client.request({ sendAck: { seq: 1 } })
    expect(serverOnly.error?.code).toBe(ErrorCode.ERROR_BAD_REQUEST)
    const secondAuth = await client.request({ auth: { token: alice.token, deviceId: 'bad-req' } })
    expect(secondAuth.error?.code).toBe(ErrorCode.ERROR_BAD_REQUEST)
    expect(client.isOpen).toBe(true)
    await client.close()
  })

  it('answers a flood beyond the per-connection budget with ERROR_RATE_LIMITED and keeps the socket', async () => {
    const client = await FrameClient.onDevice(t.server.url, alice, 'flood')
    const FLOOD = 1_500
    const firstId = client.allocateId()
    for (let i = 0; i < FLOOD; i++) client.send({ id: firstId + 1 + i, sync: { afterSeq: 0, limit: 1 } })
    const isFloodReply = (f: DecodedFrame): boolean => (f.id ?? 0) > firstId && (f.id ?? 0) <= firstId + FLOOD
    // Replies may come in any order (refusals are immediate, answers go through the store): wait for all of them.
    await client.waitFor(() => client.received.filter(isFloodReply).length === FLOOD, 30_000, 'every flood reply')
    const limited = client.received.filter((f) => f.error?.code === ErrorCode.ERROR_RATE_LIMITED)
    const served = client.received.filter((f) => f.body === 'syncBatch')
    expect(limited.length).toBeGreaterThan(0)
    // Each refusal says when to try again: about one token's refill time (5 ms at 200 requests per second).
    for (const refusal of limited) expect(refusal.error?.retryAfterMs).toBeGreaterThan(0)
    expect(served.length).toBeGreaterThanOrEqual(1_000)
    expect(limited.length + served.length).toBe(FLOOD)
    expect(client.isOpen).toBe(true)
    await client.close()
  })

  it('replaces the older connection of the same (user, device) with CLOSE_REPLACED', async () => {
    const first = await FrameClient.onDevice(t.server.url, alice, 'laptop')
    const other = await FrameClient.onDevice(t.server.url, alice, 'phone')
    const second = await FrameClient.onDevice(t.server.url, alice, 'laptop')
    expect((await first.waitForClose()).code).toBe(CloseCode.CLOSE_REPLACED)
    expect(second.isOpen).toBe(true)
    expect(other.isOpen).toBe(true)
    await second.close()
    await other.close()
  })

  it('refuses upgrades on other paths', async () => {
    const socket = new WebSocket(wsUrl(t.server.url).replace('/ws', '/other'))
    const outcome = await new Promise<string>((resolve) => {
      socket.once('open', () => resolve('open'))
      socket.once('error', () => resolve('error'))
    })
    expect(outcome).toBe('error')
    socket.terminate()
  })

  it('closes every socket with CLOSE_SERVER_RESTART on shutdown', async () => {
    const client = await FrameClient.onDevice(t.server.url, alice, 'restart-1')
    await t.restart()
    expect((await client.waitForClose()).code).toBe(CloseCode.CLOSE_SERVER_RESTART)
  })
})

describe('ws gateway auth timeout', () => {
  it('closes a socket that never authenticates with CLOSE_AUTH_TIMEOUT', { timeout: 20_000 }, async () => {
    const t = await startTestServer()
    try {
      const client = await FrameClient.connect(t.server.url)
      const closed = await client.waitForClose(15_000)
      expect(closed.code).toBe(CloseCode.CLOSE_AUTH_TIMEOUT)
    } finally {
      await t.dispose()
    }
  })
})

