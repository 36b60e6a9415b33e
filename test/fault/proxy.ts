// Owns the fault harness's loopback proxy between clients and the server: HTTP passes through, WebSocket frames
// are relayed one by one and, on a plan derived from a seed and counted in frames (never clock time), cut, delayed,
// duplicated, or followed / preceded by a close. It counts the faults it injected by kind.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import { decodeFrame, encodeFrame } from '../../src/shared/proto/codec'
import { seededRandom } from '../support/seeded-random'

export const FAULT_KINDS = ['cut', 'delay', 'duplicate', 'closeAfterRequest', 'closeBeforeResponse'] as const
export type FaultKind = (typeof FAULT_KINDS)[number]
export type FaultCounts = Record<FaultKind, number>

/**
 * Deliberate breakage for the harness's own self-test (never used in a real run): 'fake-ack' answers every
 * `sabotageEvery`-th send itself and never forwards it (an ack for a message the server never stored: lost);
 * 'resend-new-id' forwards those sends a second time under a new client id (the server stores two copies).
 */
export type Sabotage = 'fake-ack' | 'resend-new-id'

export interface FaultProxyOptions {
  seed: number
  /** Average frames between two faults; the gap is uniform in [1, 2 × mean]. */
  meanFramesBetweenFaults?: number
  /** A delayed frame (and every later frame of that direction on its link, which queue behind it) waits up to this. */
  maxDelayMs?: number
  /**
   * Some delays are stalls instead: the link stays up (the proxy answers pings) but frames wait this long, past the
   * client's request timeout, so requests time out on a healthy link and must be retried there. 0 = no stalls.
   */
  stallMs?: number
  sabotage?: Sabotage
  sabotageEvery?: number
  /**
   * Loopback address the proxy connects to the server FROM (the target is always 127.0.0.1). A run's devices then
   * look like machines of their own, and the server's per-address sign-in limit (which counts every attempt) is
   * not spent by hundreds of consecutive runs from one address.
   */
  sourceAddress?: string
}

/** A run of 200 messages relays 550-1100 frames: a fault every ~16 frames gives 33-65, above the 20. */
const DEFAULT_MEAN_FRAMES_BETWEEN_FAULTS = 16
/** Long enough to push a frame past the next few requests, short enough not to trip a 1 s pong timeout often. */
const DEFAULT_MAX_DELAY_MS = 150
const MIN_DELAY_MS = 5
/** Share of delays that are stalls (when stallMs is set). */
const STALL_SHARE = 0.25
const DEFAULT_SABOTAGE_EVERY = 10
/** WebSocket close codes that may be sent in a close frame (1005/1006/1015 are reserved for "none"/"abnormal"). */
function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)
}

type Direction = 'up' | 'down' // up = client → server, down = server → client

interface Link {
  client: WebSocket
  server: WebSocket
  /** Frames from the client that arrived before the upstream socket opened. */
  early: Array<{ data: Buffer; binary: boolean }>
  /** Per direction: the tail of the delivery chain (a delayed frame holds back every later one). */
  chain: Record<Direction, Promise<void>>
  pendingDelays: Record<Direction, number>
  /** No more frames are relayed or faulted on this link. */
  dead: boolean
  /** Per direction: its target socket is gone, so frames still queued for it are dropped (a reset loses data in
   *  flight, but TCP never reorders it: after a close-after-request, frames queued before the request still go). */
  gone: Record<Direction, boolean>
}

export class FaultProxy {
  readonly faults: FaultCounts = { cut: 0, delay: 0, duplicate: 0, closeAfterRequest: 0, closeBeforeResponse: 0 }
  /** Frames relayed (both directions), counted only while faults are enabled: the clock of the fault plan. */
  framesSeen = 0
  sabotaged = 0
  private readonly random: () => number
  private readonly meanGap: number
  private readonly maxDelayMs: number
  private nextFaultAt: number
  private pendingKind: FaultKind
  private faulting = false
  private upstreamPort = 0
  private sendsSeen = 0
  private readonly links = new Set<Link>()
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })

  private constructor(
    private readonly httpServer: http.Server,
    private readonly options: FaultProxyOptions
  ) {
    this.random = seededRandom(options.seed)
    this.meanGap = options.meanFramesBetweenFaults ?? DEFAULT_MEAN_FRAMES_BETWEEN_FAULTS
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS
    this.nextFaultAt = this.drawGap()
    this.pendingKind = this.drawKind()
    httpServer.on('request', (req, res) => this.forwardHttp(req, res))
    httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      this.wss.handleUpgrade(req, socket, head, (client) => this.openLink(client, req.url ?? '/'))
    })
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const httpServer = http.createServer()
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject)
      httpServer.listen(0, '127.0.0.1', () => resolve())
    })
    return new FaultProxy(httpServer, options)
  }

  get url(): string {
    return `http://127.0.0.1:${(this.httpServer.address() as AddressInfo).port}`
  }

  get totalFaults(): number {
    return FAULT_KINDS.reduce((sum, kind) => sum + this.faults[kind], 0)
  }

  /** Where the server listens (it may restart on the same port; set before the first client connects). */
  setUpstreamPort(port: number): void {
    this.upstreamPort = port
  }

  /** Faults are injected only while enabled (the settle phase runs on a clean link). */
  setFaulting(enabled: boolean): void {
    this.faulting = enabled
  }

  /** Drops every relayed connection abruptly (both sides), as a network partition would. */
  cutAll(): void {
    for (const link of this.links) this.kill(link)
  }

  async close(): Promise<void> {
    this.cutAll()
    this.wss.close()
    this.httpServer.closeAllConnections()
    await new Promise<void>((resolve) => this.httpServer.close(() => resolve()))
  }

  private drawGap(): number {
    return 1 + Math.floor(this.random() * 2 * this.meanGap)
  }

  private drawDelay(): number {
    const stallMs = this.options.stallMs ?? 0
    const stall = this.random() < STALL_SHARE
    const delay = MIN_DELAY_MS + Math.floor(this.random() * this.maxDelayMs)
    return stall && stallMs > 0 ? stallMs + delay : delay
  }

  private drawKind(): FaultKind {
    return FAULT_KINDS[Math.floor(this.random() * FAULT_KINDS.length)]!
  }

  private forwardHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: this.upstreamPort,
        localAddress: this.options.sourceAddress,
        method: req.method,
        path: req.url,
        headers: req.headers
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'The server is not reachable.' }))
    })
    req.pipe(upstream)
  }

  private openLink(client: WebSocket, path: string): void {
    const server = new WebSocket(`ws://127.0.0.1:${this.upstreamPort}${path}`, {
      perMessageDeflate: false,
      localAddress: this.options.sourceAddress
    })
    const link: Link = {
      client,
      server,
      early: [],
      chain: { up: Promise.resolve(), down: Promise.resolve() },
      pendingDelays: { up: 0, down: 0 },
      dead: false,
      gone: { up: false, down: false }
    }
    this.links.add(link)
    client.on('message', (data: RawData, binary: boolean) => this.onFrame(link, 'up', toBuffer(data), binary))
    server.on('message', (data: RawData, binary: boolean) => this.onFrame(link, 'down', toBuffer(data), binary))
    server.on('open', () => {
      for (const frame of link.early.splice(0)) this.relay(link, 'up', frame.data, frame.binary)
    })
    // A close on one side closes the other the same way (a named close code passes through; an abrupt end stays
    // abrupt). A link the proxy killed itself (link.dead) is already handled.
    const closeOther = (to: WebSocket) => (code: number, reason: Buffer) => {
      if (link.dead) return
      this.markDead(link)
      if (to.readyState === WebSocket.CLOSED || to.readyState === WebSocket.CLOSING) return
      if (to.readyState === WebSocket.OPEN && isSendableCloseCode(code)) to.close(code, reason)
      else to.terminate()
    }
    client.on('close', closeOther(server))
    server.on('close', closeOther(client))
    // Errors surface as close events (an upstream that is down closes the client side abruptly).
    client.on('error', () => undefined)
    server.on('error', () => undefined)
  }

  private onFrame(link: Link, direction: Direction, data: Buffer, binary: boolean): void {
    if (link.dead) return
    if (direction === 'up' && this.options.sabotage && this.trySabotage(link, data)) return
    if (direction === 'up' && link.server.readyState === WebSocket.CONNECTING) {
      link.early.push({ data, binary })
      return
    }
    if (!this.faulting) {
      this.relay(link, direction, data, binary)
      return
    }
    this.framesSeen += 1
    if (this.framesSeen < this.nextFaultAt || !this.applies(this.pendingKind, direction, data)) {
      this.relay(link, direction, data, binary)
      return
    }
    const kind = this.pendingKind
    this.faults[kind] += 1
    this.nextFaultAt = this.framesSeen + this.drawGap()
    this.pendingKind = this.drawKind()
    switch (kind) {
      case 'cut':
        this.kill(link)
        return
      case 'delay':
        this.relay(link, direction, data, binary, this.drawDelay())
        return
      case 'duplicate':
        this.relay(link, direction, data, binary)
        this.relay(link, direction, data, binary)
        return
      case 'closeAfterRequest':
        // The request reaches the server; its answer finds the link gone (the client must resend, the server de-duplicate).
        this.dropAfterRequest(link, data, binary)
        return
      case 'closeBeforeResponse':
        this.kill(link)
        return
    }
  }

  /** A due fault waits for a frame it can apply to: a request (client → server) or a response (server → client, id ≠ 0). */
  private applies(kind: FaultKind, direction: Direction, data: Buffer): boolean {
    if (kind === 'closeAfterRequest') return direction === 'up'
    if (kind === 'closeBeforeResponse') return direction === 'down' && frameId(data) !== 0
    return true
  }

  private relay(link: Link, direction: Direction, data: Buffer, binary: boolean, delayMs = 0): void {
    const target = direction === 'up' ? link.server : link.client
    const send = (): void => {
      if (!link.gone[direction] && target.readyState === WebSocket.OPEN) target.send(data, { binary })
    }
    if (delayMs === 0 && link.pendingDelays[direction] === 0) {
      send()
      return
    }
    link.pendingDelays[direction] += 1
    link.chain[direction] = link.chain[direction]
      .then(() => (delayMs > 0 ? new Promise<void>((resolve) => setTimeout(resolve, delayMs)) : undefined))
      .then(() => {
        link.pendingDelays[direction] -= 1
        send()
      })
  }

  /** The client side goes at once; the request still reaches the server (after any frames queued before it). */
  private dropAfterRequest(link: Link, data: Buffer, binary: boolean): void {
    link.dead = true
    link.gone.down = true
    this.links.delete(link)
    link.client.terminate()
    void link.chain.up.then(() => {
      if (link.server.readyState === WebSocket.OPEN) link.server.send(data, { binary }, () => link.server.close(1000))
      else link.server.terminate()
    })
  }

  private markDead(link: Link): void {
    link.dead = true
    link.gone.up = true
    link.gone.down = true
    this.links.delete(link)
  }

  private kill(link: Link): void {
    this.markDead(link)
    link.client.terminate()
    link.server.terminate()
  }

  /** The self-test's deliberate breakage (see Sabotage). Returns true when the frame was consumed. */
  private trySabotage(link: Link, data: Buffer): boolean {
    const decoded = decodeFrame(data)
    if (!decoded.ok || decoded.frame.body !== 'send' || !decoded.frame.send) return false
    this.sendsSeen += 1
    if (this.sendsSeen % (this.options.sabotageEvery ?? DEFAULT_SABOTAGE_EVERY) !== 0) return false
    const send = decoded.frame.send
    this.sabotaged += 1
    if (this.options.sabotage === 'fake-ack') {
      // Answer as the server would, without the server: the client believes the message is stored.
      const fakeServerId = 9_000_000_000_000 + this.sabotaged
      const ack = encodeFrame({ id: decoded.frame.id, sendAck: { clientId: send.clientId, serverId: fakeServerId, timestamp: Date.now(), seq: 0 } })
      if (link.client.readyState === WebSocket.OPEN) link.client.send(ack, { binary: true })
      return true
    }
    const copyId = Uint8Array.from(send.clientId ?? new Uint8Array(16))
    copyId[15] = (copyId[15]! + 1) & 0xff
    const copy = encodeFrame({ id: 0x7fff_0000 + this.sabotaged, send: { ...send, clientId: copyId } })
    if (link.server.readyState === WebSocket.OPEN) {
      link.server.send(data, { binary: true })
      link.server.send(copy, { binary: true })
      return true
    }
    return false
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}

function frameId(data: Buffer): number {
  const decoded = decodeFrame(data)
  return decoded.ok ? decoded.frame.id : 0
}
