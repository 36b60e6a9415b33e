// Owns one WebSocket connection's lifecycle: the auth handshake and its timeout, token expiry timers,
// replacement, liveness flag, rate limiting, and writing frames; requests after auth go to the dispatcher.
import { WebSocket, type RawData } from 'ws'
import { CloseCode, ErrorCode, decodeFrame, encodeFrame, type DecodedFrame, type Frame } from '../../shared/proto/codec'
import { createLogger } from '../../shared/logger'
import type { TokenService } from '../auth/tokens'
import { AUTH_TIMEOUT_MS, MAX_DEVICE_ID_LENGTH, MAX_SOCKET_BUFFER_BYTES, MAX_TIMER_MS, type ResolvedConfig } from '../config'
import type { MessageService } from '../services/messages'
import type { SyncService } from '../services/sync'
import type { ServerStore } from '../store/types'
import { dispatchRequest } from './dispatch'
import type { OnlineRegistry, OnlineSession } from './online-registry'
import { TokenBucket } from './rate-limit'

const log = createLogger('server:session')

export interface SessionDeps {
  config: ResolvedConfig
  tokens: TokenService
  store: ServerStore
  registry: OnlineRegistry
  messages: MessageService
  sync: SyncService
}

type SessionState = 'awaiting-auth' | 'authenticating' | 'ready' | 'closed'

let anonymousDeviceCounter = 0

export class ClientSession implements OnlineSession {
  user = ''
  deviceId = ''
  /** Cleared when a ping goes out, set when the pong (or any frame) comes back. */
  alive = true
  private state: SessionState = 'awaiting-auth'
  private readonly framesDuringAuth: DecodedFrame[] = []
  private readonly budget = new TokenBucket()
  private authTimer: NodeJS.Timeout | null
  private willExpireTimer: NodeJS.Timeout | null = null
  private expiryTimer: NodeJS.Timeout | null = null

  constructor(
    readonly socket: WebSocket,
    readonly deps: SessionDeps
  ) {
    this.authTimer = setTimeout(() => {
      if (this.state === 'awaiting-auth') this.close(CloseCode.CLOSE_AUTH_TIMEOUT, 'No auth frame in time.')
    }, AUTH_TIMEOUT_MS)
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary))
    socket.on('pong', () => (this.alive = true))
    socket.on('close', () => this.onClosed())
    // The ws library reports protocol violations (e.g. an oversized frame) here and then closes the socket itself.
    socket.on('error', (err) => log.warn('socket error', { user: this.user, error: err.message }))
  }

  sendBytes(bytes: Uint8Array): void {
    if (this.socket.readyState !== WebSocket.OPEN) return
    if (this.socket.bufferedAmount > MAX_SOCKET_BUFFER_BYTES) {
      // A peer that stopped reading would make us buffer without bound; it catches up with sync after reconnecting.
      log.warn('dropping a connection that is not reading its frames', { user: this.user, deviceId: this.deviceId })
      this.terminate()
      return
    }
    this.socket.send(bytes)
  }

  sendFrame(frame: Frame): void {
    this.sendBytes(encodeFrame(frame))
  }

  sendError(id: number, code: ErrorCode, message: string): void {
    this.sendFrame({ id, error: { code, message } })
  }

  close(code: CloseCode, reason: string): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.clearTimers()
    this.deps.registry.remove(this)
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, reason)
    }
  }

  /** Drops the connection without a close handshake (dead peer, or the test hook's simulated cut). */
  terminate(): void {
    this.onClosed()
    this.socket.terminate()
  }

  /** (Re)arms the token-will-expire push and the expiry close for a token expiring at `expiresAt`. */
  scheduleTokenTimers(expiresAt: number): void {
    this.clearTokenTimers()
    const now = Date.now()
    const warnAt = expiresAt - this.deps.config.tokenWarnBeforeSec * 1000
    this.willExpireTimer = setTimeout(() => {
      this.sendFrame({ id: 0, tokenWillExpire: { expiresAt } })
    }, Math.min(MAX_TIMER_MS, Math.max(0, warnAt - now)))
    this.expiryTimer = setTimeout(() => {
      log.info('token expired on an open connection', { user: this.user, deviceId: this.deviceId })
      this.sendError(0, ErrorCode.ERROR_TOKEN_EXPIRED, 'Your session token has expired; sign in again.')
      this.close(CloseCode.CLOSE_TOKEN_EXPIRED, 'Token expired.')
    }, Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - now)))
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.alive = true
    if (this.state === 'closed') return
    if (!isBinary) {
      this.sendError(0, ErrorCode.ERROR_MALFORMED_FRAME, 'Frames must be binary protobuf messages.')
      return
    }
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data
    const decoded = decodeFrame(bytes)
    if (!decoded.ok) {
      this.sendError(0, ErrorCode.ERROR_MALFORMED_FRAME, `The frame could not be decoded: ${decoded.reason}`)
      return
    }
    this.onFrame(decoded.frame)
  }

  private onFrame(frame: DecodedFrame): void {
    const id = frame.id ?? 0
    switch (this.state) {
      case 'awaiting-auth':
        if (frame.body === 'auth' && frame.auth) void this.authenticate(id, frame.auth)
        else this.sendError(id, ErrorCode.ERROR_UNAUTHENTICATED, 'Authenticate first: the first frame must be auth.')
        return
      case 'authenticating':
        // A pipelining client may send requests right behind its auth frame; answer them once auth settles.
        this.framesDuringAuth.push(frame)
        return
      case 'ready':
        if (!this.budget.take()) {
          this.sendError(id, ErrorCode.ERROR_RATE_LIMITED, 'Too many requests; slow down.')
          return
        }
        dispatchRequest(this, frame).catch((err: unknown) => {
          log.error('request failed', { user: this.user, body: frame.body, error: err instanceof Error ? err.message : String(err) })
          this.sendError(id, ErrorCode.ERROR_INTERNAL, 'The server could not complete the request.')
        })
        return
      case 'closed':
        return
    }
  }

  private async authenticate(id: number, auth: NonNullable<DecodedFrame['auth']>): Promise<void> {
    this.state = 'authenticating'
    const check = this.deps.tokens.verify(auth.token ?? '')
    if (!check.ok) {
      if (check.reason === 'expired') {
        this.sendError(id, ErrorCode.ERROR_TOKEN_EXPIRED, 'The token has expired; sign in again.')
        this.close(CloseCode.CLOSE_TOKEN_EXPIRED, 'Token expired.')
      } else {
        this.sendError(id, ErrorCode.ERROR_UNAUTHENTICATED, 'The token is not valid.')
        this.close(CloseCode.CLOSE_AUTH_FAILED, 'Invalid token.')
      }
      return
    }
    const deviceId = auth.deviceId ?? ''
    if (deviceId.length > MAX_DEVICE_ID_LENGTH) {
      this.sendError(id, ErrorCode.ERROR_BAD_REQUEST, `The device id must be at most ${MAX_DEVICE_ID_LENGTH} characters.`)
      this.close(CloseCode.CLOSE_AUTH_FAILED, 'Device id too long.')
      return
    }
    const user = await this.deps.store.getUser(check.claims.sub)
    if (this.state !== 'authenticating') return
    if (!user) {
      this.sendError(id, ErrorCode.ERROR_UNAUTHENTICATED, 'The account for this token no longer exists.')
      this.close(CloseCode.CLOSE_AUTH_FAILED, 'Unknown user.')
      return
    }
    this.user = user.name
    // Without a device id there is nothing to replace: give the connection a unique one.
    this.deviceId = deviceId || `anonymous-${++anonymousDeviceCounter}`
    if (this.authTimer) clearTimeout(this.authTimer)
    this.authTimer = null
    this.state = 'ready'
    const replaced = this.deps.registry.add(this)
    if (replaced instanceof ClientSession) {
      log.info('device signed in again; replacing the old connection', { user: this.user, deviceId: this.deviceId })
      replaced.close(CloseCode.CLOSE_REPLACED, 'Signed in again on the same device.')
    }
    this.scheduleTokenTimers(check.claims.exp)
    this.sendFrame({
      id,
      authOk: { user: user.name, headSeq: user.headSeq, serverTime: Date.now(), tokenExpiresAt: check.claims.exp }
    })
    log.debug('authenticated', { user: this.user, deviceId: this.deviceId, platform: auth.platform })
    const queued = this.framesDuringAuth.splice(0)
    for (const frame of queued) this.onFrame(frame)
  }

  private onClosed(): void {
    if (this.state !== 'closed') {
      this.state = 'closed'
      this.deps.registry.remove(this)
    }
    this.clearTimers()
  }

  private clearTokenTimers(): void {
    if (this.willExpireTimer) clearTimeout(this.willExpireTimer)
    if (this.expiryTimer) clearTimeout(this.expiryTimer)
    this.willExpireTimer = null
    this.expiryTimer = null
  }

  private clearTimers(): void {
    if (this.authTimer) clearTimeout(this.authTimer)
    this.authTimer = null
    this.clearTokenTimers()
  }
}
