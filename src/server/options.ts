// Owns ServerOptions: what a caller (the CLI, the Electron shell, the browser host, tests) may set when starting
// the reference server. Lives apart from index.ts so config.ts and the modules below it never import the entry point.
import type { ServerStore } from './store/types'

/**
 * One sign-in attempt limit (see auth/attempt-limits.ts), counted in the store so every node sees the same counts.
 * After `freeAttempts` inside `windowMs`, each further attempt must come at least baseDelayMs * 2^k after the
 * previous one (k = attempts beyond the free ones), never more than maxDelayMs.
 */
export interface AttemptPolicy {
  windowMs: number
  freeAttempts: number
  baseDelayMs: number
  maxDelayMs: number
}

export interface ServerOptions {
  host?: string // default '127.0.0.1'
  port?: number // default 3210; 0 = any free port
  dataDir: string // SQLite files live here (created if missing)
  tokenTtlSec?: number // default 86_400
  tokenWarnBeforeSec?: number // push TokenWillExpire this long before expiry; default min(300, ttl/2)
  /**
   * How long a rotated-away token stays the device's own after a renew whose new token it never used (see
   * DEFAULT_TOKEN_ROTATION_GRACE_SEC); default PARLEY_TOKEN_ROTATION_GRACE_SEC or 600.
   */
  tokenRotationGraceSec?: number
  /** A device session not renewed (login or renew) for this many days ends; default 30. */
  sessionIdleDays?: number
  /** Origins allowed to call the app-server routes from a browser; default ['*'] (any origin, no credentials). */
  corsOrigins?: readonly string[]
  /** Overrides of the sign-in attempt limits (tests shorten the delays; a benchmark registering 1,000 users
   *  from one address lifts the per-address count). */
  attemptLimits?: { account?: Partial<AttemptPolicy>; address?: Partial<AttemptPolicy> }
  /** The largest attachment upload in MiB; default PARLEY_MAX_UPLOAD_MB or 100. */
  maxUploadMb?: number
  nativeBinding?: string // better-sqlite3 binary for another runtime (Electron embeds this server)
  /** postgres://... : keep the store in PostgreSQL (cluster mode) instead of SQLite in dataDir; else PARLEY_DATABASE_URL. */
  databaseUrl?: string
  /** redis://... : the cross-node bus (cluster mode) that wakes the other nodes; else PARLEY_REDIS_URL; none = one node. */
  redisUrl?: string
  /** WebSocket addresses the login answer lists for clients, in order (cluster mode); else PARLEY_GATEWAYS; none = this node's. */
  gateways?: readonly string[]
  /** How long a draining node keeps answering /readyz after its clients left; else PARLEY_DRAIN_LINGER_MS or 1000. */
  drainLingerMs?: number
  testHooks?: {
    /** Called after a send is stored durably and before its ack is written. Return 'drop' to terminate the
     *  socket instead of acking (simulates a connection cut between send and ack). */
    beforeSendAck?: (ctx: { user: string; clientId: string /* 32 hex */ }) => 'drop' | void
    /** Wraps the opened store, so a test can make one of its calls fail or stall (a store outage) on a real server. */
    wrapStore?: (store: ServerStore) => ServerStore
  }
}
