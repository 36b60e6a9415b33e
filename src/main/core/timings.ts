// Owns the client's default liveness and retry timings (heartbeat, pong timeout, backoff, request timeout).
// ChatClient merges per-client overrides (tests use much shorter ones) over these.
import { SEND_RETRY_MAX_MS } from './sync/outbox'
import type { ClientTimings } from './types'

const HEARTBEAT_MIN_MS = 5_000
const HEARTBEAT_MAX_MS = 60_000
const PONG_TIMEOUT_MS = 10_000
const BACKOFF_BASE_MS = 500
const BACKOFF_MAX_MS = 30_000
const REQUEST_TIMEOUT_MS = 15_000
/**
 * A restarted server sees every client drop at once. A 0-500 ms first delay brings them all back within half a
 * second; spread over 5 s, 10,000 clients arrive at ~2,000 auths/s, and a user waits 2.5 s on average, about what
 * a restart takes anyway. A server that says how long (going_away) overrides it.
 */
const FIRST_RECONNECT_WINDOW_MS = 5_000
/**
 * Longest reconnect window a server's going_away may ask for: a buggy or hostile value must not park a client
 * for hours; five minutes covers any planned restart.
 */
const MAX_SERVER_RECONNECT_WINDOW_MS = 5 * 60_000

export const DEFAULT_TIMINGS: Readonly<ClientTimings> = {
  heartbeatMinMs: HEARTBEAT_MIN_MS,
  heartbeatMaxMs: HEARTBEAT_MAX_MS,
  pongTimeoutMs: PONG_TIMEOUT_MS,
  backoffBaseMs: BACKOFF_BASE_MS,
  backoffMaxMs: BACKOFF_MAX_MS,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  firstReconnectWindowMs: FIRST_RECONNECT_WINDOW_MS,
  maxServerReconnectWindowMs: MAX_SERVER_RECONNECT_WINDOW_MS,
  sendRetryMaxMs: SEND_RETRY_MAX_MS
}
