// Owns one WebSocket connection's lifecycle: the auth handshake and its timeout, token expiry timers, replacement,
// revocation, liveness flag, rate limiting, and writing frames; requests after auth go to the injected dispatcher.
import { WebSocket, type RawData } from 'ws'
import { CloseCode, ErrorCode, decodeFrame, encodeFrame, type DecodedFrame, type Frame } from '../../shared/proto/codec'
import { createLogger } from '../../shared/logger'
import type { TokenGrant, TokenRefusal } from '../auth/tokens'
import { AUTH_TIMEOUT_MS, MAX_DEVICE_ID_LENGTH, MAX_FRAMES_DURING_AUTH, MAX_SOCKET_BUFFER_BYTES } from '../config'
import type { GatewayServices, RequestContext, RequestDispatcher } from './request-context'
import type { OnlineSession } from './online-registry'
import { OutboundQueue, type OutboundScheduler } from './outbound-queue'
import { TokenBucket } from './rate-limit'
import { TokenTimers } from './token-timers'
import { TransportCork, type CorkableTransport } from './transport-cork'
import type { SignedOutCloseReason } from '../../shared/errors'

const log = createLogger('server:session')


export interface SessionDeps extends GatewayServices {
  dispatch: RequestDispatcher
  /** Paces the frames fan-outs defer (one per gateway, shared by its sessions). */
  outbound: OutboundScheduler
}

/**
 * WebSocket's standard "internal error" close: the server could not finish the handshake (a store failure), the
 * client should reconnect after its backoff. Not one of the protocol's 4xxx codes, which all carry a decision.
 */
export const CLOSE_INTERNAL_ERROR = 1011

type SessionState = 'awaiting-auth' | 'authenticating' | 'ready' | 'closed'

let anonymousDeviceCounter = 0

/** How each kind of refused token is answered: error code, close code, sentence. */
const REFUSALS: Record<TokenRefusal['reason'], { error: ErrorCode; close: CloseCode; message: string }> = {
  invalid: { error: ErrorCode.ERROR_UNAUTHENTICATED, close: CloseCode.CLOSE_AUTH_FAILED, message: 'The token is not valid.' },
  'wrong-device': {
    error: ErrorCode.ERROR_UNAUTHENTICATED,
    close: CloseCode.CLOSE_AUTH_FAILED,
    message: 'This token belongs to another device; sign in on this device.'
  },
  expired: { error: ErrorCode.ERROR_TOKEN_EXPIRED, close: CloseCode.CLOSE_TOKEN_EXPIRED, message: 'The token has expired; sign in again.' },
  revoked: {
    error: ErrorCode.ERROR_TOKEN_REVOKED,
    close: CloseCode.CLOSE_SIGNED_OUT,
    message: 'This session has ended (signed out, or its token was used twice); sign in again.'
  }
}

export class ClientSession implements OnlineSession, RequestContext {
  user = ''
  deviceId = ''
  givenDeviceId: string | null = null
  /** When auth completed (ms): which of two connections of one device is the newer (OnlineSession). */
  authenticatedAt = 0
  /** Cleared when a ping goes out, set when the pong (or any frame) comes back. */
  alive = true
  private currentGrant: TokenGrant | null = null
  private state: SessionState = 'awaiting-auth'
  private readonly framesDuringAuth: DecodedFrame[] = []
  private readonly budget = new TokenBucket()
  private authTimer: NodeJS.Timeout | null
  private readonly tokenTimers: TokenTimers
  private readonly cork: TransportCork
  /** Frames a fan-out deferred; while it holds any, every other frame for this connection queues behind them. */
  private readonly outbound: OutboundQueue

  constructor(
    readonly socket: WebSocket,
    readonly deps: SessionDeps,
    /** The TCP stream under the WebSocket: frames written in one tick leave in one write (see writeNow). */
    transport?: CorkableTransport
  ) {
    this.cork = new TransportCork(transport)
    this.authTimer = setTimeout(() => {
      if (this.state === 'awaiting-auth') this.close(CloseCode.CLOSE_AUTH_TIMEOUT, 'No auth frame in time.')
    }, AUTH_TIMEOUT_MS)
    this.outbound = new OutboundQueue(deps.outbound, (bytes) => this.writeNow(bytes), (write) => this.cork.batch(write))
    this.tokenTimers = new TokenTimers(deps.config.tokenWarnBeforeSec * 1000, {
      willExpire: (expiresAt) => this.sendFrame({ id: 0, tokenWillExpire: { expiresAt } }),
      expired: () => {
        log.info('token expired on an open connection', { user: this.user, deviceId: this.deviceId })
        this.sendError(0, ErrorCode.ERROR_TOKEN_EXPIRED, 'Your session token has expired; sign in again.')
        this.close(CloseCode.CLOSE_TOKEN_EXPIRED, 'Token expired.')
      }
    })
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary))
    socket.on('pong', () => this.onPong())
    socket.on('close', () => this.onClosed())
    // The ws library reports protocol violations (e.g. an oversized frame) here and then closes the socket itself.
    socket.on('error', (err) => log.warn('socket error', { user: this.user, error: err.message }))
  }

  private onPong(): void {
    this.alive = true
  }

  /** The platform the device named at auth ("desktop", "web"), for the device list. */
  platform: string | null = null

  get sessionId(): string {
    return this.currentGrant?.sessionId ?? ''
  }

  get grant(): TokenGrant {
    if (!this.currentGrant) throw new Error('The connection is not authenticated.')
    return this.currentGrant
  }

  get isOpen(): boolean {
    return this.state !== 'closed'
  }

  /** Bytes deferred or queued on the socket and not yet taken by the kernel (room fan-out bounds room traffic with it). */
  get unsentBytes(): number {
    return this.socket.bufferedAmount + this.outbound.deferredBytes
  }

  /** Writes the frame now, or behind the frames a fan-out deferred for this connection. */
  sendBytes(bytes: Uint8Array): void {
    this.outbound.sendInOrder(bytes)
  }

  /** A fan-out's frame: written in a coming slice of the gateway's scheduler, in order with everything else. */
  queueBytes(bytes: Uint8Array): void {
    if (this.socket.readyState !== WebSocket.OPEN) return
    this.outbound.defer(bytes)
  }

  private writeNow(bytes: Uint8Array): void {
    if (this.socket.readyState !== WebSocket.OPEN) return
    if (this.socket.bufferedAmount > MAX_SOCKET_BUFFER_BYTES) {
      // A peer that stopped reading would make us buffer without bound; it catches up with sync after reconnecting.
      log.warn('dropping a connection that is not reading its frames', { user: this.user, deviceId: this.deviceId })
      this.terminate()
      return
    }
    this.cork.holdUntilTickEnds()
    this.socket.send(bytes)
  }

  sendFrame(frame: Frame): void {
    this.sendBytes(encodeFrame(frame))
  }

  sendError(id: number, code: ErrorCode, message: string, retryAfterMs?: number): void {
    this.sendFrame({ id, error: { code, message, retryAfterMs } })
  }

  close(code: CloseCode | typeof CLOSE_INTERNAL_ERROR, reason: string): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.clearTimers()
    this.deps.registry.remove(this)
    this.framesDuringAuth.length = 0
    // A deliberate close says why (an error frame may be deferred behind a fan-out): what is owed goes out first.
    this.outbound.flushDeferred()
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, reason)
    }
  }

  /** A liveness ping (the sweep clears `alive` first; the pong sets it again). */
  ping(): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.ping()
  }

  /** Drops the connection without a close handshake (dead peer, or the test hook's simulated cut). */
  terminate(): void {
    this.onClosed()
    this.socket.terminate()
  }

  endRevoked(message: string, code: ErrorCode = ErrorCode.ERROR_TOKEN_REVOKED, why: SignedOutCloseReason = 'session-revoked'): void {
    this.sendError(0, code, message)
    // The close reason is a code the client words (shared/errors.ts SIGNED_OUT_CLOSE_REASONS), not a sentence.
    this.close(CloseCode.CLOSE_SIGNED_OUT, why)
  }

  endReplaced(): void {
    this.close(CloseCode.CLOSE_REPLACED, 'Signed in again on the same device.')
  }

  adoptGrant(grant: TokenGrant): void {
    this.currentGrant = grant
    this.tokenTimers.schedule(grant.expiresAt)
  }

  /** Tells the client to reconnect after a random delay in [0, windowMs) before a deliberate close (shutdown). */
  sendGoingAway(windowMs: number): void {
    this.sendFrame({ id: 0, goingAway: { retryAfterMs: windowMs } })
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
        // A pipelining client may send requests right behind its auth frame; answer them once auth settles. The
        // queue is bounded: a peer that keeps writing while its auth is pending is not waiting for answers.
        if (this.framesDuringAuth.length >= MAX_FRAMES_DURING_AUTH) {
          log.warn('too many frames before auth completed', { deviceId: this.givenDeviceId })
          this.sendError(id, ErrorCode.ERROR_RATE_LIMITED, `At most ${MAX_FRAMES_DURING_AUTH} requests may wait for auth.`)
          this.close(CloseCode.CLOSE_PROTOCOL_ERROR, 'Too many frames before auth.')
          return
        }
        this.framesDuringAuth.push(frame)
        return
      case 'ready':
        if (!this.budget.take()) {
          this.sendError(id, ErrorCode.ERROR_RATE_LIMITED, 'Too many requests; slow down.', this.budget.msUntilNext())
          return
        }
        this.deps.dispatch(this, frame).catch((err: unknown) => {
          log.error('request failed', { user: this.user, body: frame.body, error: err instanceof Error ? err.message : String(err) })
          this.sendError(id, ErrorCode.ERROR_INTERNAL, 'The server could not complete the request.')
        })
        return
      case 'closed':
        return
    }
  }

  private refuse(id: number, refusal: TokenRefusal): void {
    const answer = REFUSALS[refusal.reason]
    this.sendError(id, answer.error, answer.message)
    this.close(answer.close, answer.message)
    if (refusal.reason === 'revoked') {
      // The check revoked (or found revoked) the session: its other live sockets end too, so a stolen copy and the
      // legitimate device both have to sign in again.
      this.deps.live.endSessions(refusal.user, [refusal.sessionId], answer.message)
    }
  }

  private async authenticate(id: number, auth: NonNullable<DecodedFrame['auth']>): Promise<void> {
    this.state = 'authenticating'
    const deviceId = auth.deviceId ?? ''
    if (deviceId.length > MAX_DEVICE_ID_LENGTH) {
      this.sendError(id, ErrorCode.ERROR_BAD_REQUEST, `The device id must be at most ${MAX_DEVICE_ID_LENGTH} characters.`)
      this.close(CloseCode.CLOSE_AUTH_FAILED, 'Device id too long.')
      return
    }
    const { tokens, store } = this.deps
    let grant: TokenGrant
    let user: Awaited<ReturnType<typeof store.getUser>>
    let oldestSeq: number
    try {
      const check = await tokens.check(auth.token ?? '', { deviceId: deviceId || null })
      if (this.state !== 'authenticating') return
      if (!check.ok) {
        this.refuse(id, check)
        return
      }
      grant = check.grant
      user = await store.getUser(grant.user)
      oldestSeq = user ? await store.oldestSeq(user.name) : 0
    } catch (err) {
      // A store outage must not leave the connection half-authenticated with its queue growing: answer, close with
      // a code the client reconnects on, and drop what was queued.
      log.error('auth could not be completed', { deviceId, error: err instanceof Error ? err.message : String(err) })
      this.sendError(id, ErrorCode.ERROR_INTERNAL, 'The server could not check the sign-in; try again shortly.')
      this.close(CLOSE_INTERNAL_ERROR, 'Auth could not be completed.')
      return
    }
    if (this.state !== 'authenticating') return
    if (!user) {
      this.sendError(id, ErrorCode.ERROR_UNAUTHENTICATED, 'The account for this token no longer exists.')
      this.close(CloseCode.CLOSE_AUTH_FAILED, 'Unknown user.')
      return
    }
    this.user = user.name
    this.givenDeviceId = deviceId || null
    // Without a device id there is nothing to replace: give the connection a unique one.
    this.deviceId = deviceId || `anonymous-${++anonymousDeviceCounter}`
    if (this.authTimer) clearTimeout(this.authTimer)
    this.authTimer = null
    this.state = 'ready'
    this.platform = auth.platform || null
    // The grant first: the registry's listeners (the device list's last seen) read the connection's session.
    this.adoptGrant(grant)
    this.authenticatedAt = Date.now()
    const replaced = this.deps.registry.add(this)
    if (replaced) {
      log.info('device signed in again; replacing the old connection', { user: this.user, deviceId: this.deviceId })
      replaced.endReplaced()
    }
    this.sendFrame({
      id,
      authOk: { user: user.name, headSeq: user.headSeq, serverTime: Date.now(), tokenExpiresAt: grant.expiresAt, oldestSeq }
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
    this.framesDuringAuth.length = 0
    this.outbound.clear()
    this.clearTimers()
  }

  private clearTimers(): void {
    if (this.authTimer) clearTimeout(this.authTimer)
    this.authTimer = null
    this.tokenTimers.cancel()
  }
}
