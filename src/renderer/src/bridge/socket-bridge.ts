// ParleyBridge over the browser host's WebSocket (JSON HostClientMessage/HostServerMessage frames):
// numbered invokes, replies, pushed events, reconnect with backoff. No DOM globals, so it runs under Node tests.
import type {
  HostClientMessage,
  HostServerMessage,
  InvokeArgs,
  InvokeMethod,
  InvokeResult,
  ParleyBridge,
  PushEventName,
  PushEvents
} from '../../../shared/ipc/contract'
import type { AppErrorShape } from '../../../shared/errors'
import { HOST_CLOSE_REPLACED } from '../../../shared/ipc/contract'
import { stringifyWithBytes } from '../../../shared/ipc/binary-json'

/** The part of a WebSocket this bridge uses (adapted from the DOM WebSocket, or `ws` in tests). */
export interface BridgeSocket {
  readonly isOpen: boolean
  send(data: string): void
  close(code?: number, reason?: string): void
}

/** What the bridge wants to hear from its socket; onClose also follows every error. */
export interface BridgeSocketHandlers {
  onOpen(): void
  onMessage(data: unknown): void
  /** `code`: the WebSocket close code, when known. */
  onClose(code?: number): void
}

export interface SocketBridgeOptions {
  /** Address of the bridge socket; a function so each reconnect can read it afresh. */
  url: string | (() => string)
  createSocket: (url: string, handlers: BridgeSocketHandlers) => BridgeSocket
  /** Delays before successive reconnect attempts; the last one repeats. */
  reconnectDelaysMs?: readonly number[]
  /** How long an invoke made while the socket is down waits for it to come back. */
  queuedInvokeTimeoutMs?: number
  /** The first connect waits for this (e.g. the tab id claim); invokes queue meanwhile. */
  ready?: Promise<void>
  /**
   * The host closed the socket because a newer page connected with the same tab id while this one is still
   * alive (HOST_CLOSE_REPLACED): reconnecting would take the id back and the two would fight forever, so the
   * bridge stops and calls this instead. Without it the bridge reconnects as for any drop.
   */
  onReplaced?: () => void
  /**
   * Asked when a reconnect attempt fails before opening: false means the host no longer takes this page's token
   * (it was restarted with a new one), so the bridge stops and reports why instead of retrying forever.
   */
  isTokenCurrent?: () => Promise<boolean>
}

export interface SocketBridge extends ParleyBridge {
  /** Stop reconnecting, close the socket and reject everything pending. */
  close(): void
  /** Whether the bridge socket is open right now. */
  readonly connected: boolean
}

const DEFAULT_RECONNECT_DELAYS_MS = [250, 500, 1_000, 2_000, 4_000] as const
const DEFAULT_QUEUED_INVOKE_TIMEOUT_MS = 20_000
const HOST_LOST_REASON = 'Lost contact with the Parley host. Trying again…'
/** English like every connection reason (the banner shows it in the user's language: errors.reason.hostTokenStale). */
const HOST_TOKEN_STALE_REASON = "Parley was restarted, so this page's address no longer works. Open the new address printed by `npm run web`."

interface PendingInvoke {
  message: HostClientMessage
  resolve: (value: unknown) => void
  reject: (error: AppErrorShape) => void
  /** Set while the invoke waits for the socket to open. */
  queueTimer: ReturnType<typeof setTimeout> | null
  sent: boolean
}

type AnyListener = (payload: unknown) => void

function disconnectedError(): AppErrorShape {
  return { code: 'DISCONNECTED', message: 'The connection to the Parley host was lost. Please try again.' }
}

function isHostServerMessage(value: unknown): value is HostServerMessage {
  if (typeof value !== 'object' || value === null) return false
  const kind = (value as { kind?: unknown }).kind
  if (kind === 'reply') return typeof (value as { id?: unknown }).id === 'number'
  if (kind === 'event') return typeof (value as { event?: unknown }).event === 'string'
  return false
}

export function createSocketBridge(options: SocketBridgeOptions): SocketBridge {
  const reconnectDelays = options.reconnectDelaysMs ?? DEFAULT_RECONNECT_DELAYS_MS
  const queuedTimeoutMs = options.queuedInvokeTimeoutMs ?? DEFAULT_QUEUED_INVOKE_TIMEOUT_MS
  const pending = new Map<number, PendingInvoke>()
  const listeners = new Map<string, Set<AnyListener>>()
  let nextInvokeId = 1
  let socket: BridgeSocket | null = null
  let failedAttempts = 0
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null
  let closedByUser = false
  /** True once the socket has been open at least once, so a later drop is reported as a lost host. */
  let everOpened = false

  function dispatch(event: string, payload: unknown): void {
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        listener(payload)
      } catch (err) {
        console.error(`[renderer:bridge] listener for ${event} threw`, err)
      }
    }
  }

  function sendPending(entry: PendingInvoke): void {
    if (!socket || !socket.isOpen) return
    if (entry.queueTimer) clearTimeout(entry.queueTimer)
    entry.queueTimer = null
    entry.sent = true
    // Bytes (a staged file's chunks) travel as base64 objects; the host turns them back into Uint8Array.
    socket.send(stringifyWithBytes(entry.message))
  }

  function settle(id: number): PendingInvoke | undefined {
    const entry = pending.get(id)
    if (!entry) return undefined
    pending.delete(id)
    if (entry.queueTimer) clearTimeout(entry.queueTimer)
    return entry
  }

  function handleFrame(data: unknown): void {
    if (typeof data !== 'string') return
    let parsed: unknown
    try {
      parsed = JSON.parse(data)
    } catch {
      console.warn('[renderer:bridge] ignored a frame that is not JSON')
      return
    }
    if (!isHostServerMessage(parsed)) {
      console.warn('[renderer:bridge] ignored a frame of unknown shape')
      return
    }
    if (parsed.kind === 'event') {
      dispatch(parsed.event, parsed.payload)
      return
    }
    const entry = settle(parsed.id)
    if (!entry) return
    const reply = parsed.reply
    if (reply.ok) entry.resolve(reply.result)
    else {
      const { code, message, params } = reply.error
      entry.reject(params ? { code, message, params } : { code, message })
    }
  }

  async function refreshConnectionStatus(): Promise<void> {
    try {
      const status = await invokeRaw('connection.status', undefined)
      dispatch('connection.status', status)
    } catch {
      // The next drop or reconnect will report again.
    }
  }

  function scheduleReconnect(): void {
    if (closedByUser || reconnectTimer) return
    const delay = reconnectDelays[Math.min(failedAttempts, reconnectDelays.length - 1)] ?? 1_000
    failedAttempts += 1
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null
      connect()
    }, delay)
  }

  function handleDrop(): void {
    socket = null
    for (const [id, entry] of [...pending]) {
      if (!entry.sent) continue
      settle(id)
      entry.reject(disconnectedError())
    }
    if (everOpened && !closedByUser) {
      const status: PushEvents['connection.status'] = {
        state: 'reconnecting',
        nextRetryAt: null,
        reason: HOST_LOST_REASON
      }
      dispatch('connection.status', status)
    }
    scheduleReconnect()
  }

  function connect(): void {
    if (closedByUser) return
    const url = typeof options.url === 'function' ? options.url() : options.url
    // Handlers check identity so a late callback from a replaced socket changes nothing.
    let current: BridgeSocket | null = null
    let opened = false
    const handlers: BridgeSocketHandlers = {
      onOpen: () => {
        if (socket !== current) return
        opened = true
        const wasReconnect = everOpened
        everOpened = true
        failedAttempts = 0
        for (const entry of pending.values()) if (!entry.sent) sendPending(entry)
        if (wasReconnect) void refreshConnectionStatus()
      },
      onMessage: (data) => {
        if (socket === current) handleFrame(data)
      },
      onClose: (code) => {
        if (socket !== current || current === null) return
        if (code === HOST_CLOSE_REPLACED && options.onReplaced) {
          closeBridge()
          options.onReplaced()
          return
        }
        handleDrop()
        if (!opened) void stopIfTokenStale()
      }
    }
    try {
      current = options.createSocket(url, handlers)
    } catch (err) {
      console.warn('[renderer:bridge] could not open the bridge socket', err)
      scheduleReconnect()
      return
    }
    socket = current
  }

  function invokeRaw(method: InvokeMethod, args: unknown): Promise<unknown> {
    if (closedByUser) return Promise.reject(disconnectedError())
    const id = nextInvokeId++
    return new Promise<unknown>((resolve, reject) => {
      const entry: PendingInvoke = {
        message: { kind: 'invoke', id, method, args },
        resolve,
        reject,
        queueTimer: null,
        sent: false
      }
      pending.set(id, entry)
      if (socket && socket.isOpen) {
        sendPending(entry)
        return
      }
      entry.queueTimer = setTimeout(() => {
        if (settle(id)) reject(disconnectedError())
      }, queuedTimeoutMs)
    })
  }

  /** A reconnect was refused: when the host says the token is no longer its own, stop and say so. */
  async function stopIfTokenStale(): Promise<void> {
    if (!options.isTokenCurrent || (await options.isTokenCurrent()) || closedByUser) return
    closeBridge()
    const status: PushEvents['connection.status'] = { state: 'disconnected', nextRetryAt: null, reason: HOST_TOKEN_STALE_REASON }
    dispatch('connection.status', status)
  }

  function closeBridge(): void {
    closedByUser = true
    if (reconnectTimer) clearTimeout(reconnectTimer)
    reconnectTimer = null
    for (const [id, entry] of [...pending]) {
      settle(id)
      entry.reject(disconnectedError())
    }
    const current = socket
    socket = null
    current?.close(1000, 'bridge closed')
  }

  if (options.ready) {
    options.ready.then(connect, (err: unknown) => {
      console.warn('[renderer:bridge] could not get ready to connect', err)
      connect()
    })
  } else {
    connect()
  }

  return {
    get connected() {
      return socket !== null && socket.isOpen
    },
    invoke<M extends InvokeMethod>(
      method: M,
      ...args: InvokeArgs<M> extends void ? [] : [InvokeArgs<M>]
    ): Promise<InvokeResult<M>> {
      // The host validates args and answers with this method's result type (the contract in contract.ts).
      return invokeRaw(method, args[0]) as Promise<InvokeResult<M>>
    },
    on<E extends PushEventName>(event: E, listener: (payload: PushEvents[E]) => void): () => void {
      let set = listeners.get(event)
      if (!set) {
        set = new Set()
        listeners.set(event, set)
      }
      const anyListener = listener as AnyListener
      set.add(anyListener)
      return () => {
        listeners.get(event)?.delete(anyListener)
      }
    },
    close: closeBridge
  }
}
