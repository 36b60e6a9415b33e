// Owns the one persistent WebSocket of a device: connect + auth, request/response by frame id with timeouts,
// routing of server pushes, ping/pong liveness (smart heartbeat), reconnect with backoff, and what close codes mean.
import WebSocket from 'ws'
import type { Agent } from 'node:http'
import { AppError, type AppErrorCode, type AppErrorParams } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import type { ConnectionStatus } from '../../../shared/model'
import {
  CloseCode,
  encodeFrame,
  ErrorCode,
  MAX_FRAME_BYTES,
  type DecodedFrame,
  type Frame
} from '../../../shared/proto/codec'
import { ProtocolError } from '../protocol/errors'
import { decodeServerFrame } from '../protocol/log-entry'
import { endedBecause, isFatalClose } from './session-end'
import type { ClientTimings } from '../types'
import { Backoff } from './backoff'
import { failoverAfterClose, GatewayList, gatewayUrl } from './gateway-list'
import { HeartbeatPolicy } from './heartbeat'
import { TypedEmitter } from '../../../shared/typed-emitter'

const log = createLogger('core:connection')
const MAX_FRAME_ID = 0xffff_fffe
const CLOSE_NORMAL = 1000
const CLOSE_ABNORMAL = 1006
const GRACEFUL_CLOSE_WAIT_MS = 1_000

export type ResponseKind =
  | 'authOk'
  | 'sendAck'
  | 'syncBatch'
  | 'historyPage'
  | 'renewOk'
  | 'signOutOk'
  | 'lookupUserOk'
  | 'markReadOk'
  | 'recentOk'
  | 'contactsOk'
  | 'profileOk'
  | 'roomsOk'
  | 'groupsOk'
  | 'groupSyncOk'
  | 'recallOk'
  | 'editOk'
  | 'conversationSettingsOk'
  | 'clearConversationOk'
  | 'reactOk'
  | 'reactionsOk'
  | 'groupReactionsSyncOk'
  | 'messagePinOk'
  | 'conversationStateOk'
  | 'devicesOk'
  | 'receiptsOk'
  | 'typingOk'
export type ResponseBody<K extends ResponseKind> = NonNullable<DecodedFrame[K]>
/** A response with the exact bytes of its frame (event-carrying frames are read again through the raw views). */
export interface RawResponse<K extends ResponseKind> {
  body: ResponseBody<K>
  frameBytes: Uint8Array
}
/** A server push (frame id 0) with the exact bytes of its frame. */
export interface PushFrame {
  frame: DecodedFrame
  frameBytes: Uint8Array
}
/** A request frame as callers build it: the connection assigns the id. */
export type RequestFrame = Omit<Frame, 'id'>

export interface AuthInfo {
  user: string
  headSeq: number
  serverTime: number
  tokenExpiresAt: number
}

export interface ConnectionEnded {
  code: AppErrorCode
  /** What the renderer words: `reason` (a FailureReasonName) or `wire` (the server's error that told why). */
  params: AppErrorParams
  /** The English sentence, for logs. */
  reason: string
  closeCode: number
}

export interface ConnectionEvents {
  status: ConnectionStatus
  /** Every successful auth, i.e. after the first connect and after every reconnect. */
  online: AuthInfo
  offline: { reason: string | null }
  /** A server push (frame id 0): event, token_will_expire (going_away is handled here). */
  push: PushFrame
  /** The connection stopped for good without being asked to (auth refused, token expired, replaced). */
  ended: ConnectionEnded
  /** Authenticated on another gateway address than the last good one (the session saves it). */
  gateway: string
}

export interface ConnectionOptions {
  /** App server base address (http/https); the socket goes to the same host at /ws. */
  serverUrl: string
  deviceId: string
  platform: string
  token: string
  timings: ClientTimings
  /** [0, 1) for reconnect jitter; Math.random by default (tests inject a fixed one). */
  random?: () => number
  /** The device's network route (its proxy setting); none: Node's default agent. */
  agent?: Agent
  /** The login answer's WebSocket addresses, in order (cluster mode); none or empty: the one at serverUrl. */
  gateways?: readonly string[]
  /** The address of the last authenticated connection, remembered from an earlier run: tried first. */
  lastGoodGateway?: string | null
}

interface PendingRequest {
  expect: ResponseKind
  resolve: (frame: DecodedFrame, frameBytes: Uint8Array) => void
  reject: (err: AppError) => void
  timer: ReturnType<typeof setTimeout>
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data)
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return data
}

export class Connection extends TypedEmitter<ConnectionEvents> {
  private ws: WebSocket | null = null
  private token: string
  private online = false
  private stopped = true
  private nextFrameId = 0
  private readonly pending = new Map<number, PendingRequest>()
  private readonly backoff: Backoff
  private readonly heartbeat: HeartbeatPolicy
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null
  private pingTimer: ReturnType<typeof setTimeout> | null = null
  private pongTimer: ReturnType<typeof setTimeout> | null = null
  private failureCounted = false
  /**
   * The jitter window of the next reconnect when an established link dropped: the configured first-reconnect
   * window, or what the server's going_away asked for. null = ordinary exponential backoff.
   */
  private reconnectWindowMs: number | null = null
  /** The window announced by the server's last going_away (applies to the drop that follows it). */
  private serverWindowMs: number | null = null
  private readonly random: () => number
  private currentStatus: ConnectionStatus = { state: 'disconnected', nextRetryAt: null, reason: null }
  /** The last connection-level error the server sent (it may say why the close that follows happens). */
  private lastNotice: { code: number; message: string } | null = null
  private readonly gateways: GatewayList

  constructor(private readonly options: ConnectionOptions) {
    super()
    this.token = options.token
    const listed = options.gateways?.length ? options.gateways : [gatewayUrl(options.serverUrl)]
    this.gateways = new GatewayList(listed, options.lastGoodGateway ?? null)
    this.random = options.random ?? Math.random
    this.backoff = new Backoff({
      baseMs: options.timings.backoffBaseMs,
      maxMs: options.timings.backoffMaxMs,
      random: this.random
    })
    this.heartbeat = new HeartbeatPolicy({
      minIntervalMs: options.timings.heartbeatMinMs,
      maxIntervalMs: options.timings.heartbeatMaxMs,
      pongTimeoutMs: options.timings.pongTimeoutMs
    })
  }

  get status(): ConnectionStatus {
    return this.currentStatus
  }

  get isOnline(): boolean {
    return this.online
  }

  /** The heartbeat interval currently in use (for diagnostics and tests). */
  get heartbeatIntervalMs(): number {
    return this.heartbeat.intervalMs
  }

  /** The gateway address in use now, or tried next. */
  get gatewayAddress(): string {
    return this.gateways.current
  }

  /** Later (re)connects authenticate with this token. */
  setToken(token: string): void {
    this.token = token
  }

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.backoff.reset()
    this.setStatus({ state: 'connecting', nextRetryAt: null, reason: null })
    this.open()
  }

  /** Close the socket and stay closed. Resolves once the socket is closed. */
  async stop(): Promise<void> {
    this.stopped = true
    this.clearReconnect()
    const ws = this.ws
    if (ws) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          ws.terminate()
          resolve()
        }, GRACEFUL_CLOSE_WAIT_MS)
        ws.once('close', () => {
          clearTimeout(force)
          resolve()
        })
        ws.close(CLOSE_NORMAL)
      })
      // The close handler may not have run for a socket that never opened.
      if (this.ws === ws) this.handleClose(ws, CLOSE_NORMAL, '')
    }
    this.setStatus({ state: 'disconnected', nextRetryAt: null, reason: null })
  }

  /** Tests: kill the link abruptly (like a network cut); the connection reconnects by itself. */
  dropForTest(): void {
    this.ws?.terminate()
  }

  /** Send a request and wait for its response (or an error frame, a timeout, a disconnect). */
  request<K extends ResponseKind>(frame: RequestFrame, expect: K, timeoutMs?: number): Promise<ResponseBody<K>> {
    return this.requestRaw(frame, expect, timeoutMs).then((response) => response.body)
  }

  /** As request(), and also hands back the response frame's exact bytes. */
  requestRaw<K extends ResponseKind>(frame: RequestFrame, expect: K, timeoutMs?: number): Promise<RawResponse<K>> {
    if (!this.online || !this.ws) {
      return Promise.reject(new AppError('DISCONNECTED', 'Not connected to the server.'))
    }
    return this.sendRequest(this.ws, frame, expect, timeoutMs ?? this.options.timings.requestTimeoutMs)
  }

  private sendRequest<K extends ResponseKind>(
    ws: WebSocket,
    frame: RequestFrame,
    expect: K,
    timeoutMs: number
  ): Promise<RawResponse<K>> {
    this.nextFrameId = (this.nextFrameId % MAX_FRAME_ID) + 1
    const id = this.nextFrameId
    const bytes = encodeFrame({ ...frame, id })
    if (bytes.byteLength > MAX_FRAME_BYTES) {
      return Promise.reject(new AppError('TEXT_TOO_LONG', 'This message is too large to send.'))
    }
    return new Promise<RawResponse<K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new AppError('TIMEOUT', 'The server did not answer in time.'))
      }, timeoutMs)
      this.pending.set(id, {
        expect,
        timer,
        reject,
        resolve: (response, frameBytes) => {
          const body = response[expect]
          if (body) resolve({ body: body as ResponseBody<K>, frameBytes })
          else reject(new AppError('SERVER_ERROR', 'The server sent an unexpected answer.'))
        }
      })
      const failed = (err: unknown): void => {
        const entry = this.pending.get(id)
        if (!entry) return
        this.pending.delete(id)
        clearTimeout(entry.timer)
        reject(new AppError('DISCONNECTED', 'The connection was lost.', { cause: err }))
      }
      try {
        ws.send(bytes, (err) => {
          if (err) failed(err)
        })
      } catch (err) {
        failed(err) // the socket is not open (any more)
      }
    })
  }

  private open(): void {
    this.reconnectTimer = null
    if (this.stopped) return
    const ws = new WebSocket(this.gateways.current, {
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: this.options.timings.requestTimeoutMs,
      ...(this.options.agent ? { agent: this.options.agent } : {})
    })
    this.ws = ws
    this.failureCounted = false
    ws.on('open', () => this.authenticate(ws))
    ws.on('message', (data) => {
      if (this.ws === ws) this.handleMessage(toBytes(data))
    })
    ws.on('pong', () => {
      if (this.ws === ws) this.handlePong()
    })
    ws.on('error', (err) => log.debug('socket error', { error: err.message }))
    ws.on('close', (code, reason) => this.handleClose(ws, code, reason.toString()))
  }

  private authenticate(ws: WebSocket): void {
    if (this.ws !== ws) return
    const auth = { token: this.token, deviceId: this.options.deviceId, platform: this.options.platform }
    this.sendRequest(ws, { auth }, 'authOk', this.options.timings.requestTimeoutMs).then(
      ({ body: ok }) => {
        if (this.ws !== ws || this.stopped) return
        const info: AuthInfo = {
          user: ok.user ?? '',
          headSeq: Number(ok.headSeq ?? 0),
          serverTime: Number(ok.serverTime ?? 0),
          tokenExpiresAt: Number(ok.tokenExpiresAt ?? 0)
        }
        this.online = true
        this.backoff.reset()
        const moved = this.gateways.succeeded()
        this.setStatus({ state: 'connected', nextRetryAt: null, reason: null })
        this.schedulePing()
        log.info('connected', { user: info.user, headSeq: info.headSeq, gateway: this.gateways.current })
        if (moved) this.emit('gateway', this.gateways.current)
        this.emit('online', info)
      },
      (err: AppError) => {
        if (this.ws !== ws || this.stopped) return
        if (err instanceof ProtocolError && err.wireCode === ErrorCode.ERROR_TOKEN_EXPIRED) {
          this.end(CloseCode.CLOSE_TOKEN_EXPIRED)
        } else if (err instanceof ProtocolError && err.wireCode === ErrorCode.ERROR_TOKEN_REVOKED) {
          this.end(CloseCode.CLOSE_SIGNED_OUT)
        } else if (err instanceof ProtocolError && err.wireCode === ErrorCode.ERROR_UNAUTHENTICATED) {
          this.end(CloseCode.CLOSE_AUTH_FAILED)
        } else {
          // Auth timeout or an odd answer: drop this socket; the close handler reconnects.
          log.warn('auth did not complete; reconnecting', { error: err.message })
          ws.terminate()
        }
      }
    )
  }

  private handleMessage(bytes: Uint8Array): void {
    const decoded = decodeServerFrame(bytes)
    if (!decoded.ok) {
      log.warn('ignoring a malformed frame from the server', { reason: decoded.reason })
      return
    }
    const frame = decoded.frame
    if (frame.id) {
      const entry = this.pending.get(frame.id)
      if (!entry) return // answered after its timeout
      this.pending.delete(frame.id)
      clearTimeout(entry.timer)
      if (frame.body === 'error') {
        entry.reject(
          new ProtocolError(frame.error?.code ?? ErrorCode.ERROR_UNKNOWN, frame.error?.message ?? '', frame.error?.retryAfterMs ?? null)
        )
      } else {
        entry.resolve(frame, bytes)
      }
      return
    }
    if (frame.body === 'error') {
      // Connection-level notices (e.g. token expired) are followed by a close frame that decides what happens.
      log.info('server reported an error', { code: frame.error?.code, message: frame.error?.message })
      this.lastNotice = { code: frame.error?.code ?? ErrorCode.ERROR_UNKNOWN, message: frame.error?.message ?? '' }
      return
    }
    if (frame.body === 'goingAway') {
      // The server is about to close every socket: spread this client's reconnect over the window it names.
      const window = Number(frame.goingAway?.retryAfterMs ?? 0)
      this.serverWindowMs = window > 0 ? Math.min(window, this.options.timings.maxServerReconnectWindowMs) : null
      log.info('the server is going away', { retryAfterMs: window })
      return
    }
    this.emit('push', { frame, frameBytes: bytes })
  }

  private schedulePing(): void {
    this.clearHeartbeat()
    this.pingTimer = setTimeout(() => this.sendPing(), this.heartbeat.intervalMs)
  }

  private sendPing(): void {
    const ws = this.ws
    if (!ws || !this.online) return
    this.pongTimer = setTimeout(() => {
      log.warn('no pong in time; the link is dead', { timeoutMs: this.heartbeat.pongTimeoutMs })
      this.heartbeat.onPongTimeout()
      this.failureCounted = true
      ws.terminate()
    }, this.heartbeat.pongTimeoutMs)
    try {
      ws.ping()
    } catch (err) {
      log.debug('ping failed', { error: String(err) })
    }
  }

  private handlePong(): void {
    if (!this.pongTimer) return
    this.heartbeat.onPong()
    this.schedulePing()
  }

  private handleClose(ws: WebSocket, code: number, reason: string): void {
    if (this.ws !== ws) return
    this.ws = null
    this.clearHeartbeat()
    const wasOnline = this.online
    this.online = false
    this.rejectAllPending()
    if (wasOnline) {
      // Every client of a restarted server drops at once: the first reconnect is spread over a wide window.
      this.reconnectWindowMs = this.serverWindowMs ?? this.options.timings.firstReconnectWindowMs
      this.serverWindowMs = null
      // Only an abnormal drop says the link (or a NAT on the way) died; app close codes are deliberate.
      if (!this.failureCounted && code === CLOSE_ABNORMAL) this.heartbeat.onFailure()
      this.emit('offline', { reason: reason || null })
    }
    if (this.stopped) return
    if (isFatalClose(code)) {
      this.end(code, reason)
      return
    }
    log.info('connection closed; reconnecting', { code, reason })
    const failover = failoverAfterClose(this.gateways, code, wasOnline)
    if (failover.moved) log.info('moving to the next gateway', { code, next: this.gateways.current, delayMs: failover.delayMs })
    this.scheduleReconnect(failover.delayMs)
  }

  private scheduleReconnect(delayOverride: number | null = null): void {
    const window = this.reconnectWindowMs
    this.reconnectWindowMs = null
    // After a drop of a working link: full jitter over the window (then ordinary backoff if that attempt fails);
    // a fail-over's own delay (a drain's move is at once) wins over both.
    const delay = delayOverride ?? (window !== null ? Math.floor(this.random() * window) : this.backoff.next())
    this.setStatus({
      state: 'reconnecting',
      nextRetryAt: Date.now() + delay,
      reason: 'The connection to the server was lost. Reconnecting…'
    })
    this.reconnectTimer = setTimeout(() => {
      if (this.stopped) return
      this.setStatus({ state: 'connecting', nextRetryAt: null, reason: null })
      this.open()
    }, delay)
  }

  /** Stop for good and report why (auth failed, token expired, replaced). */
  private end(closeCode: number, closeReason = ''): void {
    if (this.stopped) return
    const fatal = endedBecause(closeCode, closeReason, this.lastNotice)
    this.stopped = true
    this.clearReconnect()
    this.ws?.close(CLOSE_NORMAL)
    log.warn('connection ended', { closeCode, reason: fatal.reason })
    this.setStatus({ state: 'disconnected', nextRetryAt: null, reason: fatal.reason })
    this.emit('ended', { code: fatal.code, params: fatal.params, reason: fatal.reason, closeCode })
  }

  private rejectAllPending(): void {
    const lost = new AppError('DISCONNECTED', 'The connection was lost.')
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer)
      entry.reject(lost)
    }
    this.pending.clear()
  }

  private clearHeartbeat(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer)
    if (this.pongTimer) clearTimeout(this.pongTimer)
    this.pingTimer = null
    this.pongTimer = null
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer)
    this.reconnectTimer = null
  }

  private setStatus(status: ConnectionStatus): void {
    const same =
      status.state === this.currentStatus.state &&
      status.reason === this.currentStatus.reason &&
      status.nextRetryAt === this.currentStatus.nextRetryAt
    this.currentStatus = status
    if (!same) this.emit('status', status)
  }
}
