// Owns the nodes' wake-up channel (cluster mode): publish a payload on a named channel, receive what other nodes
// publish on the channels this node subscribed to. Loss is allowed (clients catch up from their cursors), so the bus
// never buffers while down: it counts what it could not send and tells its users when it is back.
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { createLogger } from '../../shared/logger'

const log = createLogger('server:bus')

/** How long a Redis (re)connection attempt may take. */
const CONNECT_TIMEOUT_MS = 3_000
/** Reconnect backoff: first retry after this, growing to the cap. */
const RECONNECT_FIRST_MS = 100
const RECONNECT_MAX_MS = 2_000
/** Every channel name starts with this, so one Redis can serve other applications too. */
export const CHANNEL_PREFIX = 'parley:'

export type BusHandler = (payload: Buffer, fromNode: string) => void

export interface BusStats {
  published: number
  received: number
  /** Payloads not published because the bus was down (their receivers catch up another way). */
  droppedWhileDown: number
  /** Times the subscriber connection came back after being lost. */
  reconnects: number
}

export interface ClusterBus {
  /** This node's id (random per process start); other nodes see it as `fromNode`. */
  readonly nodeId: string
  /** Whether payloads can be published now. */
  readonly connected: boolean
  /** Sends `payload` to the other nodes subscribed to `channel`; dropped (and counted) while the bus is down. */
  publish(channel: string, payload: Uint8Array): void
  /** Receives other nodes' payloads on `channel` (never this node's own); returns the unsubscribe. */
  subscribe(channel: string, handler: BusHandler): () => void
  /** Called each time the bus is back after an outage: what may have been missed meanwhile must be re-checked. */
  onReconnect(handler: () => void): () => void
  stats(): BusStats
  close(): Promise<void>
}

function newNodeId(): string {
  return randomBytes(6).toString('hex')
}

/** One process, no other nodes: nothing is published anywhere (the single-node default). */
export function createLocalBus(): ClusterBus {
  const nodeId = newNodeId()
  return {
    nodeId,
    connected: true,
    publish: () => {},
    subscribe: () => () => {},
    onReconnect: () => () => {},
    stats: () => ({ published: 0, received: 0, droppedWhileDown: 0, reconnects: 0 }),
    close: async () => {}
  }
}

/** Redis's answers to a missing or wrong password (AUTH, or a command before it). */
const AUTH_REFUSED = /WRONGPASS|NOAUTH|invalid password|invalid username-password/i

export class BusUnavailableError extends Error {
  readonly code: 'BUS_UNAVAILABLE' | 'BUS_AUTH_FAILED'
  constructor(url: string, cause: string) {
    const authRefused = AUTH_REFUSED.test(cause)
    super(
      authRefused
        ? `The Redis bus at ${redactUrl(url)} refused the password (${cause}); check the password in PARLEY_REDIS_URL.`
        : `The Redis bus at ${redactUrl(url)} cannot be reached (${cause}); check PARLEY_REDIS_URL and that Redis is running.`
    )
    this.code = authRefused ? 'BUS_AUTH_FAILED' : 'BUS_UNAVAILABLE'
    this.name = 'BusUnavailableError'
  }
}

/** The address without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(an address that is not a URL)'
  }
}

/** Payload on the wire: [id length][node id][payload], so a node can ignore its own publications. */
function envelope(nodeId: string, payload: Uint8Array): Buffer {
  const id = Buffer.from(nodeId, 'latin1')
  return Buffer.concat([Buffer.from([id.length]), id, payload])
}

function openEnvelope(message: Buffer): { fromNode: string; payload: Buffer } | null {
  const length = message[0]
  if (length === undefined || message.length < 1 + length) return null
  return { fromNode: message.subarray(1, 1 + length).toString('latin1'), payload: message.subarray(1 + length) }
}

/** Connects to Redis (two connections: one publishes, one subscribes); rejects with BusUnavailableError. */
export async function connectRedisBus(url: string): Promise<ClusterBus> {
  const nodeId = newNodeId()
  const options = {
    connectTimeout: CONNECT_TIMEOUT_MS,
    lazyConnect: true,
    // Publications are not queued while down: a late wake-up is worth less than none (receivers re-check).
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt: number) => Math.min(RECONNECT_FIRST_MS * 2 ** attempt, RECONNECT_MAX_MS)
  }
  // A commit's pushes are published in one turn of the event loop (hundreds per batch in a busy node): auto-pipelining
  // sends them to Redis in one write, which cut Redis's CPU per publish about five times on this machine.
  const publisher = new Redis(url, { ...options, enableAutoPipelining: true })
  const subscriber = new Redis(url, { ...options, enableOfflineQueue: true })
  const handlers = new Map<string, Set<BusHandler>>()
  const reconnectHandlers = new Set<() => void>()
  const counts: BusStats = { published: 0, received: 0, droppedWhileDown: 0, reconnects: 0 }
  let everReady = false
  let closing = false

  // connect() rejects with "Connection is closed."; the error event before it says why (refused, WRONGPASS...).
  let lastError: string | null = null
  for (const connection of [publisher, subscriber]) {
    connection.on('error', (err: Error) => {
      lastError = err.message
      if (!closing && everReady) log.warn('bus connection error', { error: err.message })
    })
  }
  try {
    await Promise.all([publisher.connect(), subscriber.connect()])
  } catch (err) {
    closing = true
    publisher.disconnect()
    subscriber.disconnect()
    throw new BusUnavailableError(url, lastError ?? (err instanceof Error ? err.message : String(err)))
  }
  everReady = true

  // ioredis re-subscribes the channels itself after a reconnect; what was published meanwhile is lost.
  subscriber.on('ready', () => {
    if (!everReady || closing) return
    counts.reconnects++
    log.info('bus reconnected; re-checking what may have been missed')
    for (const handler of reconnectHandlers) handler()
  })
  subscriber.on('messageBuffer', (channelBuffer: Buffer, message: Buffer) => {
    const opened = openEnvelope(message)
    if (!opened || opened.fromNode === nodeId) return
    const channel = channelBuffer.toString()
    counts.received++
    for (const handler of handlers.get(channel) ?? []) handler(opened.payload, opened.fromNode)
  })

  return {
    nodeId,
    get connected() {
      return publisher.status === 'ready'
    },
    publish(channel, payload) {
      if (publisher.status !== 'ready') {
        counts.droppedWhileDown++
        return
      }
      counts.published++
      publisher.publish(CHANNEL_PREFIX + channel, envelope(nodeId, payload)).catch(() => {
        counts.droppedWhileDown++
      })
    },
    subscribe(channel, handler) {
      const full = CHANNEL_PREFIX + channel
      let set = handlers.get(full)
      if (!set) {
        set = new Set()
        handlers.set(full, set)
        subscriber.subscribe(full).catch((err: unknown) => log.warn('subscribe failed', { channel, error: String(err) }))
      }
      set.add(handler)
      return () => {
        const current = handlers.get(full)
        if (!current?.delete(handler) || current.size > 0) return
        handlers.delete(full)
        subscriber.unsubscribe(full).catch(() => {})
      }
    },
    onReconnect(handler) {
      reconnectHandlers.add(handler)
      return () => reconnectHandlers.delete(handler)
    },
    stats: () => ({ ...counts }),
    async close() {
      closing = true
      publisher.disconnect()
      subscriber.disconnect()
    }
  }
}
