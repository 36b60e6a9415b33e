// Owns the server's tunables: named defaults and limits, and turning ServerOptions into one resolved config.
// Every duration and limit the server uses lives here so it can be found and changed in one place.
import type { ServerOptions } from './index'

export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_PORT = 3210
export const DEFAULT_TOKEN_TTL_SEC = 86_400
/** The token-will-expire push comes at most this long before expiry (and at most half the TTL before). */
export const MAX_TOKEN_WARN_BEFORE_SEC = 300

/** A new socket must authenticate within this time. */
export const AUTH_TIMEOUT_MS = 10_000
/** The server pings every socket this often; a socket that has not answered the previous ping is terminated. */
export const PING_INTERVAL_MS = 30_000
/** On shutdown, sockets that have not finished their close handshake by then are terminated. */
export const CLOSE_GRACE_MS = 1_000

/** A socket with more unsent bytes than this is not reading: it is dropped (and catches up with sync later). */
export const MAX_SOCKET_BUFFER_BYTES = 8 * 1024 * 1024

/** HTTP request bodies above this are refused with 413. */
export const MAX_HTTP_BODY_BYTES = 16 * 1024
export const MIN_PASSWORD_LENGTH = 6
export const MAX_PASSWORD_LENGTH = 256
/** Device ids are client-chosen labels; keep them short. */
export const MAX_DEVICE_ID_LENGTH = 128

export const SYNC_DEFAULT_LIMIT = 100
export const SYNC_MAX_LIMIT = 500
export const HISTORY_DEFAULT_LIMIT = 50
export const HISTORY_MAX_LIMIT = 200

/** Per-connection token bucket: generous enough never to touch a real client or the benchmark's load. */
export const RATE_LIMIT_PER_SEC = 200
export const RATE_LIMIT_BURST = 1_000

/** setTimeout cannot wait longer than this (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1

export interface ResolvedConfig {
  host: string
  port: number
  dataDir: string
  tokenTtlSec: number
  tokenWarnBeforeSec: number
  tokenSecret: string | undefined
  testHooks: NonNullable<ServerOptions['testHooks']>
}

export function resolveConfig(options: ServerOptions): ResolvedConfig {
  if (!options.dataDir) throw new Error('ServerOptions.dataDir is required.')
  const tokenTtlSec = options.tokenTtlSec ?? DEFAULT_TOKEN_TTL_SEC
  if (!(tokenTtlSec > 0)) throw new Error(`tokenTtlSec must be positive (got ${tokenTtlSec}).`)
  const tokenWarnBeforeSec = options.tokenWarnBeforeSec ?? Math.min(MAX_TOKEN_WARN_BEFORE_SEC, tokenTtlSec / 2)
  return {
    host: options.host ?? DEFAULT_HOST,
    port: options.port ?? DEFAULT_PORT,
    dataDir: options.dataDir,
    tokenTtlSec,
    tokenWarnBeforeSec: Math.max(0, tokenWarnBeforeSec),
    tokenSecret: options.tokenSecret,
    testHooks: options.testHooks ?? {}
  }
}

/** PARLEY_LOG_RETENTION_DAYS: log entries older than this are trimmed; 0 (the default) keeps every entry forever. */
export const DEFAULT_LOG_RETENTION_DAYS = 0
/**
 * The retention job runs this often while retention is on: hourly keeps each run to an hour's worth of entries
 * (short write transactions between sends) and trimmed data is never more than an hour past its retention.
 */
export const LOG_TRIM_INTERVAL_MS = 60 * 60_000

/** Storage settings read from the environment, for every way of running the server (CLI, browser host, app). */
export interface StorageConfig {
  /** 0 = keep forever. */
  logRetentionDays: number
  /** PARLEY_SQLITE_SYNCHRONOUS: FULL (default, fsync before every ack) or NORMAL (opt-out, see store/sqlite.ts). */
  sqliteSynchronous: 'NORMAL' | 'FULL'
}

export function storageConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StorageConfig {
  const retentionRaw = env.PARLEY_LOG_RETENTION_DAYS?.trim()
  const logRetentionDays = retentionRaw ? Number(retentionRaw) : DEFAULT_LOG_RETENTION_DAYS
  if (!(logRetentionDays >= 0)) {
    throw new Error(`PARLEY_LOG_RETENTION_DAYS must be a number of days, 0 or more (got "${retentionRaw}").`)
  }
  const synchronousRaw = env.PARLEY_SQLITE_SYNCHRONOUS?.trim().toUpperCase()
  if (synchronousRaw && synchronousRaw !== 'FULL' && synchronousRaw !== 'NORMAL') {
    throw new Error(`PARLEY_SQLITE_SYNCHRONOUS must be FULL or NORMAL (got "${env.PARLEY_SQLITE_SYNCHRONOUS}").`)
  }
  return { logRetentionDays, sqliteSynchronous: synchronousRaw === 'NORMAL' ? 'NORMAL' : 'FULL' }
}

export function retentionCutoff(logRetentionDays: number, now: number): number {
  return now - logRetentionDays * 86_400_000
}
