// Owns the server's tunables: named defaults and limits, and turning ServerOptions into one resolved config.
// Every duration and limit the server uses lives here so it can be found and changed in one place.
import type { AttemptPolicy, ServerOptions } from './options'
import { canonicalUserId } from '../shared/user-id'

export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_PORT = 3210
export const DEFAULT_TOKEN_TTL_SEC = 86_400
/** The token-will-expire push comes at most this long before expiry (and at most half the TTL before). */
export const MAX_TOKEN_WARN_BEFORE_SEC = 300
/**
 * PARLEY_TOKEN_ROTATION_GRACE_SEC: how long after a renew the token it replaced may still come back from its own
 * device while the new one was never used (the app lost or could not save the answer: it closed, crashed or lost its
 * link in between) and is taken again; and, once the new token was used, how long requests already under way with
 * the old one (an HTTP upload started before the renew) are refused without ending the session. 10 minutes covers
 * the client's reconnect backoff (its longest wait, told by a restarting server, is 5 minutes) and a quick restart of
 * the app, while a copied old token stays useless except in that short window and only with the device's id, before
 * the real device shows its new token. Longer (e.g. the token TTL) would let a copy taken just before a renew take
 * over a session for hours; shorter would sign out a laptop whose Wi-Fi drops for a few minutes right after a renew.
 */
export const DEFAULT_TOKEN_ROTATION_GRACE_SEC = 600
/** A device session not renewed (login or renew) for this long ends: a lost laptop's session does not live forever. */
export const DEFAULT_SESSION_IDLE_DAYS = 30
/** Random bytes per opaque access token: 256 bits, so guessing one is hopeless and a plain SHA-256 hash suffices. */
export const TOKEN_RANDOM_BYTES = 32

/** A new socket must authenticate within this time. */
export const AUTH_TIMEOUT_MS = 10_000
/**
 * Requests a client may pipeline behind its auth frame before auth settles. A real client sends at most a sync and
 * a few resends; more means a peer that does not wait for answers, and the queue must not grow without bound.
 */
export const MAX_FRAMES_DURING_AUTH = 16
/**
 * On shutdown the server tells every socket to reconnect after a random delay in [0, this): 10 s spreads the
 * reconnects (and their catch-up syncs) of thousands of clients instead of all arriving in the first 500 ms.
 */
export const GOING_AWAY_WINDOW_MS = 10_000
/** The server pings every socket this often; a socket that has not answered the previous ping is terminated. */
export const PING_INTERVAL_MS = 30_000
/** On shutdown, sockets that have not finished their close handshake by then are terminated. */
export const CLOSE_GRACE_MS = 1_000

/** A socket with more unsent bytes than this is not reading: it is dropped (and catches up with sync later). */
export const MAX_SOCKET_BUFFER_BYTES = 8 * 1024 * 1024
/**
 * A fan-out (a group message to its online members, a room message) is written in slices of at most this long, with
 * I/O served between them. Each 1:1 send waits for a few such turns (read, commit answer, ack), so shorter slices
 * keep it moving beside a busy group. The budget includes the slice's syscalls (gateway/transport-cork.ts): about 40
 * socket writes of 12 µs on loopback. The ping sweep uses the same slice length.
 */
export const OUTBOUND_SLICE_MS = 0.5

/** HTTP request bodies above this are refused with 413. */
export const MAX_HTTP_BODY_BYTES = 16 * 1024
/** Browsers may cache a CORS preflight answer this long (10 min: Chromium's own cap is 2 h, Firefox's 24 h). */
export const CORS_MAX_AGE_SEC = 600

/** Sign-in and registration attempts are limited per account and per remote address (see AttemptPolicy). */
export interface AttemptLimits {
  /** Per account name (login; register): 5 guesses per 15 min, as OWASP suggests; a success resets the count. */
  account: AttemptPolicy
  /**
   * Per remote address, every attempt counted (successes too, or an attacker with one account of their own could
   * reset it): generous because offices and carriers put many people behind one address.
   */
  address: AttemptPolicy
}
export const DEFAULT_ATTEMPT_LIMITS: AttemptLimits = {
  account: { windowMs: 15 * 60_000, freeAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000 },
  address: { windowMs: 15 * 60_000, freeAttempts: 100, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000 }
}
/**
 * Failed platform API credentials per remote address (auth/app-credential.ts): 10 free in 15 min, then 1 s doubling
 * up to 15 min, as sign-in. Only failures are counted, so an operator's scripts holding the right credential are
 * never slowed by their own traffic; a 256-bit credential cannot be guessed anyway, this only caps the noise.
 */
export const PLATFORM_CREDENTIAL_ATTEMPTS: AttemptPolicy = { windowMs: 15 * 60_000, freeAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000 }
/** Users per page of the platform API's user list (default, and the most one page may ask for). */
export const PLATFORM_USERS_PAGE_DEFAULT = 50
export const PLATFORM_USERS_PAGE_MAX = 500
/**
 * The sender id of system messages sent through the platform API. Reserved at start (a user row no password
 * matches), so nobody can register or sign in as it.
 */
export const SYSTEM_SENDER_ID = 'system'
export const MIN_PASSWORD_LENGTH = 6
export const MAX_PASSWORD_LENGTH = 256
/** Device ids are client-chosen labels; keep them short. */
export const MAX_DEVICE_ID_LENGTH = 128

export const SYNC_DEFAULT_LIMIT = 100
export const SYNC_MAX_LIMIT = 500
export const HISTORY_DEFAULT_LIMIT = 50
export const HISTORY_MAX_LIMIT = 200
export const RECENT_DEFAULT_LIMIT = 50
export const RECENT_MAX_LIMIT = 200

/** Per-connection token bucket: generous enough never to touch a real client or the benchmark's load. */
export const RATE_LIMIT_PER_SEC = 200
export const RATE_LIMIT_BURST = 1_000

const DAY_MS = 86_400_000

/** setTimeout cannot wait longer than this (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1

export interface ResolvedConfig {
  host: string
  port: number
  dataDir: string
  tokenTtlSec: number
  tokenWarnBeforeSec: number
  sessionIdleMs: number
  tokenRotationGraceMs: number
  /** ['*'] = any origin. */
  corsOrigins: readonly string[]
  attemptLimits: AttemptLimits
  testHooks: NonNullable<ServerOptions['testHooks']>
  rooms: RoomsConfig
}

// Read by resolveConfig itself (like storageConfigFromEnv below), so every way of running the server honours them.

/** PARLEY_SESSION_IDLE_DAYS: days without a renew after which a device session ends. */
function sessionIdleDaysFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.PARLEY_SESSION_IDLE_DAYS?.trim()
  if (!raw) return undefined
  const days = Number(raw)
  if (!(days > 0)) throw new Error(`PARLEY_SESSION_IDLE_DAYS must be a positive number of days (got "${raw}").`)
  return days
}

/** PARLEY_TOKEN_ROTATION_GRACE_SEC: seconds, 0 or more (0: an old token is never taken back). */
function rotationGraceSecFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.PARLEY_TOKEN_ROTATION_GRACE_SEC?.trim()
  if (!raw) return undefined
  const seconds = Number(raw)
  if (!(seconds >= 0)) throw new Error(`PARLEY_TOKEN_ROTATION_GRACE_SEC must be a number of seconds, 0 or more (got "${raw}").`)
  return seconds
}

/** PARLEY_CORS_ORIGINS: a comma list of origins (https://app.example.com) or "*"; unset = any origin. */
export function corsOriginsFromEnv(env: NodeJS.ProcessEnv): string[] | undefined {
  const origins = (env.PARLEY_CORS_ORIGINS ?? '').split(',').map((origin) => origin.trim()).filter((origin) => origin.length > 0)
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^\s/]+$/.test(origin)) {
      throw new Error(`PARLEY_CORS_ORIGINS: "${origin}" is not an origin like https://app.example.com (scheme and host, no path).`)
    }
  }
  return origins.length > 0 ? origins : undefined
}

export function resolveConfig(options: ServerOptions): ResolvedConfig {
  if (!options.dataDir) throw new Error('ServerOptions.dataDir is required.')
  const tokenTtlSec = options.tokenTtlSec ?? DEFAULT_TOKEN_TTL_SEC
  if (!(tokenTtlSec > 0)) throw new Error(`tokenTtlSec must be positive (got ${tokenTtlSec}).`)
  const sessionIdleDays = options.sessionIdleDays ?? sessionIdleDaysFromEnv(process.env) ?? DEFAULT_SESSION_IDLE_DAYS
  if (!(sessionIdleDays > 0)) throw new Error(`sessionIdleDays must be positive (got ${sessionIdleDays}).`)
  const rotationGraceSec = options.tokenRotationGraceSec ?? rotationGraceSecFromEnv(process.env) ?? DEFAULT_TOKEN_ROTATION_GRACE_SEC
  if (!(rotationGraceSec >= 0)) throw new Error(`tokenRotationGraceSec must be 0 or more (got ${rotationGraceSec}).`)
  const corsOrigins = options.corsOrigins ?? corsOriginsFromEnv(process.env) ?? []
  const tokenWarnBeforeSec = options.tokenWarnBeforeSec ?? Math.min(MAX_TOKEN_WARN_BEFORE_SEC, tokenTtlSec / 2)
  return {
    host: options.host ?? DEFAULT_HOST,
    port: options.port ?? DEFAULT_PORT,
    dataDir: options.dataDir,
    tokenTtlSec,
    tokenWarnBeforeSec: Math.max(0, tokenWarnBeforeSec),
    sessionIdleMs: sessionIdleDays * DAY_MS,
    tokenRotationGraceMs: rotationGraceSec * 1000,
    corsOrigins: corsOrigins.length > 0 ? corsOrigins : ['*'],
    attemptLimits: {
      account: { ...DEFAULT_ATTEMPT_LIMITS.account, ...options.attemptLimits?.account },
      address: { ...DEFAULT_ATTEMPT_LIMITS.address, ...options.attemptLimits?.address }
    },
    testHooks: options.testHooks ?? {},
    rooms: roomsConfigFromEnv(process.env)
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
  /** PARLEY_DATABASE_URL: postgres://user:password@host:port/database selects the PostgreSQL store (cluster mode). */
  databaseUrl: string | null
  /** PARLEY_REDIS_URL: redis://host:port selects the Redis bus between the nodes (cluster mode). */
  redisUrl: string | null
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
  const databaseUrl = env.PARLEY_DATABASE_URL?.trim() || null
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('PARLEY_DATABASE_URL must be a PostgreSQL address like postgres://parley:secret@127.0.0.1:5432/parley.')
  }
  const redisUrl = env.PARLEY_REDIS_URL?.trim() || null
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    throw new Error('PARLEY_REDIS_URL must be a Redis address like redis://127.0.0.1:6379.')
  }
  return { logRetentionDays, sqliteSynchronous: synchronousRaw === 'NORMAL' ? 'NORMAL' : 'FULL', databaseUrl, redisUrl }
}

export function retentionCutoff(logRetentionDays: number, now: number): number {
  return now - logRetentionDays * 86_400_000
}

// ---- Rooms (services/rooms): live fan-out, no log ----

/** PARLEY_ROOM_RECENT_WINDOW: messages a room keeps in memory and hands to a joining member (the N = 50). */
export const DEFAULT_ROOM_RECENT_WINDOW = 50
/** The window is memory per active room: 1,000 messages of at most 5 KB each bounds one room to about 5 MB. */
export const MAX_ROOM_RECENT_WINDOW = 1_000
/**
 * PARLEY_ROOM_GRACE_SEC: a member whose devices have all been gone this long leaves the room. Two minutes covers a
 * client's reconnect backoff after a network change without keeping ghosts in the member list for long.
 */
export const DEFAULT_ROOM_GRACE_SEC = 120
/** Members of a room when its creator asks for none (0); a room is live fan-out, so this may be large. */
export const DEFAULT_ROOM_MAX_MEMBERS = 10_000
/** Upper bound of a room's max members: each message is written to every member's sockets by one thread. */
export const MAX_ROOM_MAX_MEMBERS = 100_000
export const ROOM_NAME_MAX_CHARS = 128
export const ROOM_DESCRIPTION_MAX_CHARS = 512
export const ROOM_ANNOUNCEMENT_MAX_CHARS = 512
/** Room attributes (the limits): keys per room, characters per key, UTF-8 bytes per value. */
export const ROOM_MAX_ATTRIBUTES = 100
export const ROOM_ATTRIBUTE_KEY_MAX_CHARS = 128
export const ROOM_ATTRIBUTE_VALUE_MAX_BYTES = 4 * 1024
export const ROOM_DIRECTORY_DEFAULT_LIMIT = 20
export const ROOM_DIRECTORY_MAX_LIMIT = 100
export const ROOM_MEMBERS_DEFAULT_LIMIT = 50
export const ROOM_MEMBERS_MAX_LIMIT = 500
/**
 * A room member's socket with more unsent bytes than this gets no room frames (they are counted as dropped) until
 * it drains. 1 MiB is thousands of chat lines of backlog (a reader that is merely busy never meets it) and well
 * below MAX_SOCKET_BUFFER_BYTES (8 MiB), where the gateway gives up on the connection altogether.
 */
export const ROOM_SOCKET_BACKLOG_LIMIT_BYTES = 1024 * 1024
/**
 * A lagging socket counts as drained (its drop notice goes out and room frames resume) at or below this backlog:
 * low enough that the notice and the recent window it asks for do not land it straight back over the limit.
 */
export const ROOM_SOCKET_RESUME_BYTES = 64 * 1024
/** How often lagging sockets are checked for having drained (the notice needs no room frame to arrive first). */
export const ROOM_DRAIN_CHECK_INTERVAL_MS = 100
/**
 * Joins and leaves are announced to the room only while it has at most this many members. Each announcement goes
 * to every member, so a join storm into a big room costs members² frames (12.5 million for 5,000 joins) for news
 * nobody reads at that size; the count stays in RoomInfo and the member list. Kicks, bans, mutes and role changes
 * are always announced.
 */
export const ROOM_ANNOUNCE_JOINS_MAX_MEMBERS = 200

/**
 * PARLEY_ROOM_PRESENCE_TTL_SEC (cluster mode): a node's hold on a room member in Redis lasts this long unless the
 * node renews it (every third of it), so the members of a node that died leave the room within about this time.
 */
export const DEFAULT_ROOM_PRESENCE_TTL_SEC = 30

export interface RoomsConfig {
  recentWindow: number
  graceMs: number
  /** Cluster mode: how long a node's hold on a room member lasts in Redis without renewal. */
  presenceTtlMs: number
  /** 'all', or the users allowed to create rooms (canonical ids). */
  creators: 'all' | ReadonlySet<string>
}

/**
 * PARLEY_PRESENCE_TTL_SEC (cluster mode): a node's claim in Redis that a user is online lasts this long unless renewed
 * (a third of it); a node that dies has its users announced offline about this long after (default 30 s).
 */
export function clusterPresenceTtlMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return positiveNumberFromEnv(env, 'PARLEY_PRESENCE_TTL_SEC', DEFAULT_PRESENCE_TTL_SEC) * 1000
}
export const DEFAULT_PRESENCE_TTL_SEC = 30

function positiveNumberFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim()
  if (!raw) return fallback
  const value = Number(raw)
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`${name} must be a positive number (got "${raw}").`)
  return value
}

/** PARLEY_ROOM_RECENT_WINDOW, PARLEY_ROOM_GRACE_SEC and PARLEY_ROOM_PRESENCE_TTL_SEC (fractions allowed), PARLEY_ROOM_CREATORS ("all" or a comma list). */
export function roomsConfigFromEnv(env: NodeJS.ProcessEnv): RoomsConfig {
  const recentWindow = Math.floor(positiveNumberFromEnv(env, 'PARLEY_ROOM_RECENT_WINDOW', DEFAULT_ROOM_RECENT_WINDOW))
  if (recentWindow > MAX_ROOM_RECENT_WINDOW) {
    throw new Error(`PARLEY_ROOM_RECENT_WINDOW must be at most ${MAX_ROOM_RECENT_WINDOW} (got ${recentWindow}).`)
  }
  const graceMs = positiveNumberFromEnv(env, 'PARLEY_ROOM_GRACE_SEC', DEFAULT_ROOM_GRACE_SEC) * 1000
  const presenceTtlMs = positiveNumberFromEnv(env, 'PARLEY_ROOM_PRESENCE_TTL_SEC', DEFAULT_ROOM_PRESENCE_TTL_SEC) * 1000
  const creatorsRaw = env.PARLEY_ROOM_CREATORS?.trim() ?? ''
  const creators =
    creatorsRaw === '' || creatorsRaw.toLowerCase() === 'all'
      ? ('all' as const)
      : new Set(
          creatorsRaw
            .split(',')
            .map((name) => canonicalUserId(name))
            .filter((name): name is string => name !== null)
        )
  return { recentWindow, graceMs, presenceTtlMs, creators }
}

// ---- Groups (services/groups, store/groups): a log per group, members with cursors ----

// The limits the group store applies itself live beside it (store/groups/limits.ts), so the store needs no config.
export {
  GROUP_ID_ATTEMPTS,
  GROUP_ID_RANDOM_CHARS,
  GROUP_MAX_MENTIONS,
  GROUP_MAX_PINS,
  GROUP_SUMMARY_MAX,
  GROUP_SYNC_MAX_GROUPS
} from './store/groups/limits'

/** The limits on what a group says about itself (characters). */
export const GROUP_NAME_MAX_CHARS = 128
export const GROUP_DESCRIPTION_MAX_CHARS = 512
export const GROUP_ANNOUNCEMENT_MAX_CHARS = 512
/** A join request's or invitation's note, and a declined request's reason: a sentence or two. */
export const GROUP_NOTE_MAX_CHARS = 256
/** Members when the creator asks for none (0), and the most a group may have (the 200 and 3,000). */
export const GROUP_DEFAULT_MAX_MEMBERS = 200
export const GROUP_MAX_MEMBERS_LIMIT = 3_000
/** Users one invite (or a create) may name: a page of a contact picker; more is a script. */
export const GROUP_INVITE_MAX_USERS = 100
export const GROUP_MEMBERS_DEFAULT_LIMIT = 50
export const GROUP_MEMBERS_MAX_LIMIT = 500
export const GROUP_DIRECTORY_DEFAULT_LIMIT = 20
export const GROUP_DIRECTORY_MAX_LIMIT = 100
/** Entries per group per group_sync answer (the frame is cut to size as well). */
export const GROUP_SYNC_DEFAULT_LIMIT = 100
export const GROUP_SYNC_MAX_LIMIT = 500

// ---- Attachments (services/attachments, store/attachments): HTTP uploads and downloads ----

/**
 * PARLEY_MAX_UPLOAD_MB: the largest attachment, in MiB (the default 100 MB). A bigger upload is refused with
 * 413 TOO_LARGE when it is announced, and again should its bytes run past the announced size.
 */
export const DEFAULT_MAX_UPLOAD_MB = 100

/** The upload limit in bytes: ServerOptions.maxUploadMb, else PARLEY_MAX_UPLOAD_MB, else DEFAULT_MAX_UPLOAD_MB. */
export function maxUploadBytes(optionMb: number | undefined, env: NodeJS.ProcessEnv): number {
  const raw = env.PARLEY_MAX_UPLOAD_MB?.trim()
  const mb = optionMb ?? (raw ? Number(raw) : DEFAULT_MAX_UPLOAD_MB)
  if (!(mb > 0) || !Number.isFinite(mb)) throw new Error(`PARLEY_MAX_UPLOAD_MB must be a positive number of MiB (got "${raw ?? String(optionMb)}").`)
  return Math.floor(mb * 1024 * 1024)
}

// ---- receipts and typing (services/receipts) ----
/**
 * Groups up to this many members show "read by N" and the list of readers (computed from the members' read pointers
 * on request: at most this many primary-key lookups). Bigger groups show no read counts at all.
 */
export const RECEIPTS_GROUP_MAX_MEMBERS = 200
/**
 * The server relays at most one "typing" per user and conversation in this window (clients send one per
 * TYPING_SEND_INTERVAL_MS = 3 s while typing; 1 s leaves room for clock jitter and stops a flood), counted across
 * the user's devices. A "stopped" is relayed only after a relayed "typing".
 */
export const TYPING_RELAY_MIN_INTERVAL_MS = 1_000
/**
 * A group read pointer that jumps far (a member catching up) tells the senders of the last this-many entries only,
 * so one mark-read costs one bounded range read of the group's log.
 */
export const GROUP_READ_SENDERS_SCAN_MAX_ENTRIES = 5_000
/** Throttle entries kept before old ones are swept (one per user typing in a conversation in the last window). */
export const TYPING_THROTTLE_MAX_ENTRIES = 10_000
