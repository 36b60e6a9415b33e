// The connection against a scripted in-process WebSocket peer on 127.0.0.1: close codes, timeouts,
// heartbeat, malformed frames. (The real server is exercised by the integration tests.)
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket } from 'ws'
import { Connection, type ConnectionEnded } from '../../src/main/core/net/connection'
import type { ClientTimings } from '../../src/main/core/types'
import type { ConnectionState } from '../../src/shared/model'
import { CloseCode, decodeFrame, encodeFrame, ErrorCode, pb, type DecodedFrame } from '../../src/shared/proto/codec'
import { rawEventsOfResponse } from '../../src/main/core/protocol/log-entry'

const TIMINGS: ClientTimings = {
  heartbeatMinMs: 50,
  heartbeatMaxMs: 400,
  pongTimeoutMs: 150,
  backoffBaseMs: 10,
  backoffMaxMs: 50,
  requestTimeoutMs: 300,
  firstReconnectWindowMs: 20,
  maxServerReconnectWindowMs: 10_000,
  sendRetryMaxMs: 50
}

type FrameHandler = (socket: WebSocket, frame: DecodedFrame) => void

/** A scripted gateway: answers auth by default; tests override per-frame behaviour. */
class FakeGateway {
  readonly server: WebSocketServer
  connections = 0
  sockets: WebSocket[] = []
  onFrame: FrameHandler = () => undefined
  answerAuth = true
  /** Only used with autoPong off: the gateway answers pings by hand while this is true. */
  answerPings = true

  constructor(options: { autoPong?: boolean } = {}) {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws', autoPong: options.autoPong ?? true })
    this.server.on('connection', (socket) => {
      this.connections += 1
      this.sockets.push(socket)
      socket.on('ping', () => {
        if (!options.autoPong && this.answerPings) socket.pong()
      })
      socket.on('message', (data: Buffer) => {
        const decoded = decodeFrame(data)
        if (!decoded.ok) return
        const frame = decoded.frame
        if (frame.body === 'auth') {
          if (this.answerAuth) {
            socket.send(encodeFrame({ id: frame.id, authOk: { user: 'alice', headSeq: 0, serverTime: Date.now(), tokenExpiresAt: 0 } }))
          }
          return
        }
        this.onFrame(socket, frame)
      })
    })
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  get latest(): WebSocket {
    return this.sockets.at(-1)!
  }

  async close(): Promise<void> {
    for (const socket of this.server.clients) socket.terminate()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('connection', () => {
  let gateway: FakeGateway
  let connection: Connection

  async function connect(
    options: { autoPong?: boolean; random?: () => number } = {},
    timings: Partial<ClientTimings> = {}
  ): Promise<Connection> {
    gateway = new FakeGateway(options)
    await once(gateway.server, 'listening')
    connection = new Connection({
      serverUrl: gateway.url,
      deviceId: 'device-1',
      platform: 'desktop',
      token: 'token-1',
      timings: { ...TIMINGS, ...timings },
      ...(options.random ? { random: options.random } : {})
    })
    return connection
  }

  afterEach(async () => {
    await connection?.stop()
    await gateway?.close()
  })

  it('authenticates on open with the current token and goes online', async () => {
    const c = await connect()
    const tokens: string[] = []
    gateway.server.on('connection', (socket) =>
      socket.on('message', (data: Buffer) => {
        const decoded = decodeFrame(data)
        if (decoded.ok && decoded.frame.auth) tokens.push(decoded.frame.auth.token ?? '')
      })
    )
    const states: ConnectionState[] = []
    c.on('status', (s) => states.push(s.state))
    c.start()
    await waitFor(() => c.isOnline)
    expect(states).toEqual(['connecting', 'connected'])
    c.setToken('token-2')
    c.dropForTest()
    await waitFor(() => gateway.connections === 2 && c.isOnline)
    expect(tokens).toEqual(['token-1', 'token-2'])
  })

  it('pairs responses with requests by id, maps error frames, and times out', async () => {
    const c = await connect()
    gateway.onFrame = (socket, frame) => {
      if (frame.sync && frame.sync.afterSeq === 1) socket.send(encodeFrame({ id: frame.id, syncBatch: { events: [], hasMore: false, headSeq: 7 } }))
      if (frame.sync && frame.sync.afterSeq === 2) socket.send(encodeFrame({ id: frame.id, error: { code: ErrorCode.ERROR_USER_NOT_FOUND, message: 'nope' } }))
      // afterSeq 3: never answered
    }
    c.start()
    await waitFor(() => c.isOnline)
    const [ok, refused, late] = await Promise.allSettled([
      c.request({ sync: { afterSeq: 1, limit: 1 } }, 'syncBatch'),
      c.request({ sync: { afterSeq: 2, limit: 1 } }, 'syncBatch'),
      c.request({ sync: { afterSeq: 3, limit: 1 } }, 'syncBatch', 50)
    ])
    expect(ok).toMatchObject({ status: 'fulfilled', value: { headSeq: 7 } })
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: 'USER_NOT_FOUND', wireCode: ErrorCode.ERROR_USER_NOT_FOUND } })
    expect(late).toMatchObject({ status: 'rejected', reason: { code: 'TIMEOUT' } })
  })

  it('answers a sync request whose batch holds an entry that is not an Event: the entries are read from the bytes later', async () => {
    const c = await connect()
    const good = pb.Event.encode({ seq: 5 }).finish()
    const notAnEvent = Uint8Array.from([0x0f, 0xff, 0xff])
    // A SyncBatch on the wire: its entries (field 1) as raw bytes, then has_more and head_seq.
    const batch = Buffer.concat([pb.RawEventList.encode({ events: [good, notAnEvent] }).finish(), pb.SyncBatch.encode({ hasMore: true, headSeq: 9 }).finish()])
    gateway.onFrame = (socket, frame) => {
      if (frame.sync) socket.send(pb.RawEventFrame.encode({ id: frame.id, syncBatch: batch }).finish())
    }
    c.start()
    await waitFor(() => c.isOnline)
    // Decoding the whole frame on arrival failed on the bad entry, and the request timed out with nothing applied.
    const answer = await c.requestRaw({ sync: { afterSeq: 0, limit: 500 } }, 'syncBatch')
    expect(answer.body.hasMore).toBe(true)
    expect(Number(answer.body.headSeq)).toBe(9)
    const entries = rawEventsOfResponse(answer.frameBytes, 'syncBatch')
    expect(entries.map((entry) => entry.seq)).toEqual([5, 0])
    expect([...(entries[1]?.bytes ?? [])]).toEqual([...notAnEvent])
  })

  it('rejects in-flight requests with DISCONNECTED when the link drops, then reconnects', async () => {
    const c = await connect()
    c.start()
    await waitFor(() => c.isOnline)
    const pending = c.request({ sync: { afterSeq: 9, limit: 1 } }, 'syncBatch', 5_000)
    gateway.latest.terminate()
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' })
    await waitFor(() => gateway.connections === 2 && c.isOnline)
  })

  it('routes pushes (id 0) to listeners and ignores malformed frames', async () => {
    const c = await connect()
    const pushes: DecodedFrame[] = []
    c.on('push', ({ frame }) => pushes.push(frame))
    c.start()
    await waitFor(() => c.isOnline)
    gateway.latest.send(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))
    gateway.latest.send(encodeFrame({ id: 0, tokenWillExpire: { expiresAt: 123 } }))
    await waitFor(() => pushes.length === 1)
    expect(pushes[0]!.tokenWillExpire?.expiresAt).toBe(123)
    expect(c.isOnline).toBe(true)
  })

  it.each([
    [CloseCode.CLOSE_AUTH_FAILED, 'NOT_SIGNED_IN'],
    [CloseCode.CLOSE_TOKEN_EXPIRED, 'TOKEN_EXPIRED'],
    [CloseCode.CLOSE_REPLACED, 'NOT_SIGNED_IN'],
    [CloseCode.CLOSE_SIGNED_OUT, 'NOT_SIGNED_IN']
  ])('close code %i ends the connection without reconnecting', async (closeCode, appCode) => {
    const c = await connect()
    const ended: ConnectionEnded[] = []
    c.on('ended', (e) => ended.push(e))
    c.start()
    await waitFor(() => c.isOnline)
    gateway.latest.close(closeCode, 'bye')
    await waitFor(() => ended.length === 1)
    expect(ended[0]).toMatchObject({ code: appCode, closeCode })
    expect(ended[0]!.reason.length).toBeGreaterThan(10)
    expect(c.status.state).toBe('disconnected')
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(gateway.connections).toBe(1)
  })

  it.each([CloseCode.CLOSE_SERVER_RESTART, CloseCode.CLOSE_PROTOCOL_ERROR, CloseCode.CLOSE_AUTH_TIMEOUT])(
    'close code %i reconnects after a backoff',
    async (closeCode) => {
      const c = await connect()
      const states: ConnectionState[] = []
      c.on('status', (s) => states.push(s.state))
      c.start()
      await waitFor(() => c.isOnline)
      gateway.latest.close(closeCode, 'again')
      await waitFor(() => gateway.connections === 2 && c.isOnline)
      expect(states).toEqual(['connecting', 'connected', 'reconnecting', 'connecting', 'connected'])
    }
  )

  it('reports offline and online around a reconnect', async () => {
    const c = await connect()
    const seen: string[] = []
    c.on('online', () => seen.push('online'))
    c.on('offline', () => seen.push('offline'))
    c.start()
    await waitFor(() => c.isOnline)
    gateway.latest.terminate()
    await waitFor(() => seen.length === 3)
    expect(seen).toEqual(['online', 'offline', 'online'])
  })

  it('an auth that is never answered times out and retries', async () => {
    const c = await connect({}, { requestTimeoutMs: 100 })
    gateway.answerAuth = false
    c.start()
    await waitFor(() => gateway.connections >= 2)
    expect(c.isOnline).toBe(false)
    gateway.answerAuth = true
    await waitFor(() => c.isOnline)
  })

  it('keeps retrying while the server is unreachable, with the next attempt time shown', async () => {
    const c = await connect()
    const url = gateway.url
    await gateway.close()
    await c.stop()
    connection = new Connection({ serverUrl: url, deviceId: 'd', platform: 'desktop', token: 't', timings: TIMINGS })
    const retries: Array<number | null> = []
    connection.on('status', (s) => {
      if (s.state === 'reconnecting') retries.push(s.nextRetryAt)
    })
    connection.start()
    await waitFor(() => retries.length >= 3)
    expect(retries.every((at) => at !== null && at >= Date.now() - 1_000)).toBe(true)
    expect(connection.isOnline).toBe(false)
  })

  it('a missing pong declares the link dead, reconnects, and shortens the heartbeat', async () => {
    const c = await connect({ autoPong: false }, { heartbeatMinMs: 10, heartbeatMaxMs: 200, pongTimeoutMs: 80 })
    c.start()
    await waitFor(() => c.isOnline)
    await waitFor(() => c.heartbeatIntervalMs >= 100, 3_000)
    const grown = c.heartbeatIntervalMs
    gateway.answerPings = false
    const offline = new Promise<void>((resolve) => c.once('offline', () => resolve()))
    await offline
    expect(c.heartbeatIntervalMs).toBeLessThan(grown)
    expect(gateway.connections).toBe(1)
    gateway.answerPings = true
    await waitFor(() => gateway.connections === 2 && c.isOnline)
  })

  it('healthy pongs lengthen the heartbeat interval up to the maximum', async () => {
    const c = await connect({}, { heartbeatMinMs: 10, heartbeatMaxMs: 80, pongTimeoutMs: 500 })
    c.start()
    await waitFor(() => c.isOnline)
    expect(c.heartbeatIntervalMs).toBe(10)
    await waitFor(() => c.heartbeatIntervalMs === 80, 3_000)
    expect(gateway.connections).toBe(1)
    // A dropped link counts as a failure: the interval comes down again.
    c.dropForTest()
    await waitFor(() => c.heartbeatIntervalMs < 80)
  })

  /** The delay of the next reconnect as the status announces it (nextRetryAt is computed from the delay itself). */
  function nextReconnectDelay(c: Connection): Promise<number> {
    return new Promise((resolve) => {
      const off = c.on('status', (status) => {
        if (status.state !== 'reconnecting' || status.nextRetryAt === null) return
        off()
        resolve(status.nextRetryAt - Date.now())
      })
    })
  }

  it('the first reconnect after a working link drops is spread over the wide window, not the backoff base', async () => {
    const WINDOW_MS = 2_000
    // The largest jitter draw: with the old 0..base first delay this would be under 10 ms.
    const c = await connect({ random: () => 0.99 }, { backoffBaseMs: 10, firstReconnectWindowMs: WINDOW_MS })
    c.start()
    await waitFor(() => c.isOnline)
    const delay = nextReconnectDelay(c)
    gateway.latest.terminate()
    expect(await delay).toBeGreaterThan(WINDOW_MS * 0.9)
    expect(await delay).toBeLessThanOrEqual(WINDOW_MS)
  })

  it("a going_away push sets the next reconnect's window to the server's retry_after_ms", async () => {
    const SERVER_WINDOW_MS = 3_000
    const c = await connect({ random: () => 0.99 }, { firstReconnectWindowMs: 20 })
    c.start()
    await waitFor(() => c.isOnline)
    const delay = nextReconnectDelay(c)
    gateway.latest.send(encodeFrame({ id: 0, goingAway: { retryAfterMs: SERVER_WINDOW_MS } }))
    await new Promise((resolve) => setTimeout(resolve, 20))
    gateway.latest.close(CloseCode.CLOSE_SERVER_RESTART, 'restarting')
    expect(await delay).toBeGreaterThan(SERVER_WINDOW_MS * 0.9)
  })

  it('a revoked token at auth ends the session without reconnecting', async () => {
    const c = await connect()
    gateway.answerAuth = false
    gateway.server.on('connection', (socket) => {
      socket.on('message', (data: Buffer) => {
        const decoded = decodeFrame(data)
        if (decoded.ok && decoded.frame.body === 'auth') {
          socket.send(encodeFrame({ id: decoded.frame.id, error: { code: ErrorCode.ERROR_TOKEN_REVOKED, message: 'revoked' } }))
        }
      })
    })
    const ended: ConnectionEnded[] = []
    c.on('ended', (e) => ended.push(e))
    c.start()
    await waitFor(() => ended.length === 1)
    expect(ended[0]).toMatchObject({ code: 'NOT_SIGNED_IN', closeCode: CloseCode.CLOSE_SIGNED_OUT })
    expect(ended[0]!.reason).toMatch(/sign in again/)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(gateway.connections).toBe(1)
  })

  it("an error frame's retry_after_ms reaches the caller", async () => {
    const c = await connect()
    gateway.onFrame = (socket, frame) => {
      socket.send(encodeFrame({ id: frame.id, error: { code: ErrorCode.ERROR_RATE_LIMITED, message: 'slow', retryAfterMs: 1_234 } }))
    }
    c.start()
    await waitFor(() => c.isOnline)
    await expect(c.request({ sync: { afterSeq: 0, limit: 1 } }, 'syncBatch')).rejects.toMatchObject({ retryAfterMs: 1_234 })
  })
})
