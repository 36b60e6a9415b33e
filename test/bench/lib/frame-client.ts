// Owns a raw protocol client for tests and benchmarks: a `ws` socket that speaks Parley frames directly,
// plus the app-server HTTP calls (register / login). No client-core code, so the server is tested on its own.
import crypto from 'node:crypto'
import { WebSocket } from 'ws'
import { decodeFrame, encodeFrame, type DecodedFrame, type Frame } from '../../../src/shared/proto/codec'
import { LOGIN_PATH, REGISTER_PATH } from '../../../src/server/api/app-server'
import { WS_PATH } from '../../../src/server'

/** How long a test waits for an expected frame or close before failing. */
export const DEFAULT_WAIT_MS = 5_000

export interface HttpResult {
  status: number
  body: Record<string, unknown>
}

export async function postJson(baseUrl: string, path: string, body: unknown): Promise<HttpResult> {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  })
  const text = await response.text()
  let parsed: Record<string, unknown>
  try {
    parsed = JSON.parse(text) as Record<string, unknown>
  } catch {
    parsed = { raw: text }
  }
  return { status: response.status, body: parsed }
}

export interface Login {
  user: string
  token: string
  expiresAt: number
  /** Kept so a test can sign the same account in on another device (a token is bound to one device). */
  password: string
}

/** Logs in; with `deviceId` the session is bound to that device at once (else to the first device that uses it). */
export async function login(baseUrl: string, user: string, password: string, deviceId?: string): Promise<Login> {
  const result = await postJson(baseUrl, LOGIN_PATH, { userAccount: user, userPassword: password, deviceId })
  if (result.status !== 200) throw new Error(`login ${user} failed: ${result.status} ${JSON.stringify(result.body)}`)
  return {
    user: String(result.body.chatUserName),
    token: String(result.body.accessToken),
    expiresAt: Number(result.body.expireTimestamp),
    password
  }
}

export async function registerAndLogin(baseUrl: string, user: string, password = 'password-1'): Promise<Login> {
  const result = await postJson(baseUrl, REGISTER_PATH, { userAccount: user, userPassword: password })
  if (result.status !== 200) throw new Error(`register ${user} failed: ${result.status} ${JSON.stringify(result.body)}`)
  return login(baseUrl, user, password)
}

export function wsUrl(baseUrl: string): string {
  return baseUrl.replace(/^http/, 'ws') + WS_PATH
}

export function randomClientId(): Uint8Array {
  return new Uint8Array(crypto.randomBytes(16))
}

export interface CloseInfo {
  code: number
  reason: string
}

type Waiter = { match: (frame: DecodedFrame) => boolean; resolve: (frame: DecodedFrame) => void }

export class FrameClient {
  /** Every frame received, in order (including ones already handed to a waiter). */
  readonly received: DecodedFrame[] = []
  private waiters: Waiter[] = []
  private nextId = 1
  private closeInfo: CloseInfo | null = null
  private readonly closed: Promise<CloseInfo>

  private constructor(readonly socket: WebSocket) {
    socket.binaryType = 'nodebuffer'
    socket.on('message', (data: Buffer) => {
      const decoded = decodeFrame(data)
      // A frame that does not decode is left out: no waiter can match it, so the test times out naming what it awaited.
      if (!decoded.ok) return
      this.received.push(decoded.frame)
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(decoded.frame)) return true
        waiter.resolve(decoded.frame)
        return false
      })
    })
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() }
        resolve(this.closeInfo)
      })
    })
    socket.on('error', () => {
      /* surfaced through the close event */
    })
  }

  static async connect(baseUrl: string): Promise<FrameClient> {
    const socket = new WebSocket(wsUrl(baseUrl))
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return new FrameClient(socket)
  }

  /** Connects and authenticates; throws unless the server answers auth_ok. */
  static async authenticated(baseUrl: string, token: string, deviceId: string): Promise<FrameClient> {
    const client = await FrameClient.connect(baseUrl)
    const reply = await client.request({ auth: { token, deviceId, platform: 'test' } })
    if (reply.body !== 'authOk') throw new Error(`auth failed: ${JSON.stringify(reply)}`)
    return client
  }

  /** Signs `account` in on `deviceId` (a login of its own, as a real device does) and authenticates. */
  static async onDevice(baseUrl: string, account: Login, deviceId: string): Promise<FrameClient> {
    const session = await login(baseUrl, account.user, account.password, deviceId)
    return FrameClient.authenticated(baseUrl, session.token, deviceId)
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN
  }

  allocateId(): number {
    return this.nextId++
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.socket.send(bytes)
  }

  send(frame: Frame): void {
    this.socket.send(encodeFrame(frame))
  }

  /** Sends a frame with a fresh id and resolves with the response carrying that id. */
  request(frame: Omit<Frame, 'id'>, timeoutMs = DEFAULT_WAIT_MS): Promise<DecodedFrame> {
    const id = this.allocateId()
    const response = this.waitFor((f) => f.id === id, timeoutMs, `response to request ${id}`)
    this.send({ ...frame, id })
    return response
  }

  /** Resolves with the first frame (already received or future) that matches and was not consumed before. */
  waitFor(match: (frame: DecodedFrame) => boolean, timeoutMs = DEFAULT_WAIT_MS, what = 'frame'): Promise<DecodedFrame> {
    const existing = this.received.find(match)
    if (existing) return Promise.resolve(existing)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== entry)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
      }, timeoutMs)
      const entry: Waiter = {
        match,
        resolve: (frame) => {
          clearTimeout(timer)
          resolve(frame)
        }
      }
      this.waiters.push(entry)
    })
  }

  waitForClose(timeoutMs = DEFAULT_WAIT_MS): Promise<CloseInfo> {
    if (this.closeInfo) return Promise.resolve(this.closeInfo)
    return Promise.race([
      this.closed,
      new Promise<CloseInfo>((_, reject) =>
        setTimeout(() => reject(new Error(`socket not closed within ${timeoutMs} ms`)), timeoutMs)
      )
    ])
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return
    this.socket.close()
    await this.waitForClose().catch(() => this.socket.terminate())
  }
}
