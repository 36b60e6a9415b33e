// Owns cluster-wide presence in Redis: per user, the nodes with a device of theirs online and the device sessions
// connected on each node, every claim with an expiry the node refreshes. Loss is allowed (refilled within a refresh).
import { Redis } from 'ioredis'
import { createLogger } from '../../shared/logger'
import { CHANNEL_PREFIX } from './bus'
import { DEFAULT_PRESENCE_TTL_SEC } from '../config'

const log = createLogger('server:presence')

/**
 * How long a node's claim that a user is online lasts without a refresh (a dead node's claims go after this);
 * PARLEY_PRESENCE_TTL_SEC sets it (tests shorten it).
 */
export const PRESENCE_TTL_MS = DEFAULT_PRESENCE_TTL_SEC * 1000
/** A node renews its claims, and sweeps expired ones, this many times per TTL (one missed refresh changes nothing). */
const REFRESHES_PER_TTL = 3
/** Users a sweep looks at per round (the rest wait for the next round). */
const SWEEP_BATCH = 500
/** A presence command waits at most this long; past it the caller answers from this node's devices. */
const PRESENCE_COMMAND_TIMEOUT_MS = 1_000
const CONNECT_TIMEOUT_MS = 3_000
const RECONNECT_MAX_MS = 2_000

const PRESENCE_PREFIX = `${CHANNEL_PREFIX}online:`
const presenceKey = (user: string): string => `${PRESENCE_PREFIX}${user}`
/** Per user, `node\0session` for each device session connected to a node, scored by that claim's expiry. */
const SESSIONS_PREFIX = `${CHANNEL_PREFIX}online-sessions:`
const sessionsKey = (user: string): string => `${SESSIONS_PREFIX}${user}`
const sessionMember = (node: string, sessionId: string): string => `${node}\0${sessionId}`
/** Every listed user with the latest expiry among their nodes' claims: where a sweep finds the claims of dead nodes. */
const DUE_KEY = `${CHANNEL_PREFIX}online-due`

/** Redis's clock in ms, so nodes' clocks never disagree about an expiry. */
const NOW_MS = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)"

/** Adds (or renews) this node; returns how many OTHER nodes still list the user. */
const CLAIM = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local others = redis.call('ZCARD', KEYS[1])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then others = others - 1 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
redis.call('ZADD', KEYS[2], 'GT', now + tonumber(ARGV[2]), ARGV[3])
return others`

/** Removes this node; returns how many nodes still list the user. */
const RELEASE = `${NOW_MS}
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local left = redis.call('ZCARD', KEYS[1])
if left == 0 then redis.call('ZREM', KEYS[2], ARGV[2]) end
return left`

/**
 * The users whose every claim expired (their nodes died without releasing them): each is taken off the due list by
 * exactly one sweeping node, which announces them offline. A user with a claim left gets its latest expiry as due.
 * (It reads the users' keys by name: fine on one Redis, not on a Redis Cluster.)
 */
const SWEEP = `${NOW_MS}
local users = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local gone = {}
for _, user in ipairs(users) do
  local key = ARGV[2] .. user
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  local latest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if latest[2] then
    redis.call('ZADD', KEYS[1], tonumber(latest[2]), user)
  else
    redis.call('ZREM', KEYS[1], user)
    table.insert(gone, user)
  end
end
return gone`

/** Adds (or renews) a node's claim that a device session is connected to it. */
const SESSION_CLAIM = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1`

/** The unexpired `node\0session` claims of a user (a dead node's are past their expiry: not returned). */
const SESSIONS = `${NOW_MS}
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')`

/** For each key, how many unexpired nodes list the user. */
const COUNT = `${NOW_MS}
local counts = {}
for i, key in ipairs(KEYS) do counts[i] = redis.call('ZCOUNT', key, '(' .. now, '+inf') end
return counts`

export interface ClusterPresence {
  /** This node has the user's first device: true when no other node had one (null: Redis could not say). */
  claim(user: string): Promise<boolean | null>
  /** This node's last device of the user went: true when no node has one any more (null: Redis could not say). */
  release(user: string): Promise<boolean | null>
  /** Which of `users` have a device on any node; null when Redis could not say. */
  onlineAmong(users: readonly string[]): Promise<Set<string> | null>
  /** A device session of the user is connected to this node now (false: Redis could not record it). */
  claimSession(user: string, sessionId: string): Promise<boolean>
  /** This node's last connection of that device session went. */
  releaseSession(user: string, sessionId: string): Promise<boolean>
  /** The user's device sessions connected to any node (unexpired claims); null when Redis could not say. */
  sessionsOf(user: string): Promise<Set<string> | null>
  /**
   * Starts renewing the claims of `localUsers()` and `localSessions()` a few times per TTL, and sweeping the claims
   * of nodes that died: `onGone` hears the users no node lists any more (each from one node only). A dead node's
   * session claims need no sweep: they are past their expiry, which every read skips, and their key expires.
   */
  startRefresh(localUsers: () => Iterable<string>, onGone?: (users: string[]) => void, localSessions?: () => Iterable<LocalSession>): void
  close(): void
}

/** A device session connected to this node, and its user. */
export interface LocalSession {
  user: string
  sessionId: string
}

type ScriptRedis = Redis & {
  parleySessionClaim(key: string, member: string, ttl: number): Promise<number>
  parleySessions(key: string): Promise<string[]>
  parleyClaim(key: string, due: string, node: string, ttl: number, user: string): Promise<number>
  parleyRelease(key: string, due: string, node: string, user: string): Promise<number>
  parleySweep(due: string, limit: number, prefix: string): Promise<string[]>
  parleyCount(count: number, ...keys: string[]): Promise<number[]>
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Connects lazily: a Redis that is down now is retried in the background, and every call answers null meanwhile. */
export function createClusterPresence(url: string, nodeId: string, ttlMs: number = PRESENCE_TTL_MS): ClusterPresence {
  const refreshMs = Math.max(1, Math.floor(ttlMs / REFRESHES_PER_TTL))
  const redis = new Redis(url, {
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: PRESENCE_COMMAND_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, RECONNECT_MAX_MS)
  }) as ScriptRedis
  let closing = false
  redis.on('error', (err: Error) => {
    if (!closing) log.debug('presence connection error', { error: err.message })
  })
  redis.defineCommand('parleyClaim', { numberOfKeys: 2, lua: CLAIM })
  redis.defineCommand('parleyRelease', { numberOfKeys: 2, lua: RELEASE })
  redis.defineCommand('parleySweep', { numberOfKeys: 1, lua: SWEEP })
  redis.defineCommand('parleyCount', { lua: COUNT })
  redis.defineCommand('parleySessionClaim', { numberOfKeys: 1, lua: SESSION_CLAIM })
  redis.defineCommand('parleySessions', { numberOfKeys: 1, lua: SESSIONS })
  let refreshTimer: NodeJS.Timeout | null = null

  const refresh = (users: Iterable<string>, sessions: Iterable<LocalSession>): void => {
    if (redis.status !== 'ready') return
    const pipeline = redis.pipeline()
    let any = false
    for (const user of users) {
      any = true
      ;(pipeline as unknown as ScriptRedis).parleyClaim(presenceKey(user), DUE_KEY, nodeId, ttlMs, user)
    }
    for (const { user, sessionId } of sessions) {
      any = true
      ;(pipeline as unknown as ScriptRedis).parleySessionClaim(sessionsKey(user), sessionMember(nodeId, sessionId), ttlMs)
    }
    if (any) pipeline.exec().catch((err: unknown) => log.warn('presence refresh failed', { error: errorText(err) }))
  }

  return {
    async claim(user) {
      try {
        return (await redis.parleyClaim(presenceKey(user), DUE_KEY, nodeId, ttlMs, user)) === 0
      } catch (err) {
        log.debug('presence claim failed', { user, error: errorText(err) })
        return null
      }
    },
    async release(user) {
      try {
        return (await redis.parleyRelease(presenceKey(user), DUE_KEY, nodeId, user)) === 0
      } catch (err) {
        log.debug('presence release failed', { user, error: errorText(err) })
        return null
      }
    },
    async onlineAmong(users) {
      if (users.length === 0) return new Set()
      try {
        const counts = await redis.parleyCount(users.length, ...users.map(presenceKey))
        return new Set(users.filter((_, i) => (counts[i] ?? 0) > 0))
      } catch (err) {
        log.debug('presence count failed', { error: errorText(err) })
        return null
      }
    },
    async claimSession(user, sessionId) {
      try {
        await redis.parleySessionClaim(sessionsKey(user), sessionMember(nodeId, sessionId), ttlMs)
        return true
      } catch (err) {
        log.debug('session claim failed', { user, error: errorText(err) })
        return false
      }
    },
    async releaseSession(user, sessionId) {
      try {
        await redis.zrem(sessionsKey(user), sessionMember(nodeId, sessionId))
        return true
      } catch (err) {
        log.debug('session release failed', { user, error: errorText(err) })
        return false
      }
    },
    async sessionsOf(user) {
      try {
        const members = await redis.parleySessions(sessionsKey(user))
        return new Set(members.map((member) => member.slice(member.indexOf('\0') + 1)))
      } catch (err) {
        log.debug('session presence read failed', { user, error: errorText(err) })
        return null
      }
    },
    startRefresh(localUsers, onGone, localSessions = () => []) {
      // After a Redis restart (claims lost) the first ready connection renews at once.
      redis.on('ready', () => refresh(localUsers(), localSessions()))
      refreshTimer = setInterval(() => {
        refresh(localUsers(), localSessions())
        if (onGone && redis.status === 'ready') {
          redis.parleySweep(DUE_KEY, SWEEP_BATCH, PRESENCE_PREFIX).then(
            (gone) => {
              if (gone.length > 0) onGone(gone)
            },
            (err: unknown) => log.warn('presence sweep failed', { error: errorText(err) })
          )
        }
      }, refreshMs)
      refreshTimer.unref()
    },
    close() {
      closing = true
      if (refreshTimer) clearInterval(refreshTimer)
      redis.disconnect()
    }
  }
}
