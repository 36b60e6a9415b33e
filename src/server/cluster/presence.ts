// Owns cluster-wide presence in Redis: per user, the nodes with a device of theirs online, each with an expiry the
// node refreshes. Online = at least one node listed; loss is allowed (a restarted Redis is refilled within a refresh).
import { Redis } from 'ioredis'
import { createLogger } from '../../shared/logger'
import { CHANNEL_PREFIX } from './bus'

const log = createLogger('server:presence')

/** How long a node's claim that a user is online lasts without a refresh (a dead node's claims go after this). */
export const PRESENCE_TTL_MS = 30_000
/** How often a node renews its claims (well inside the TTL, so one missed refresh changes nothing). */
export const PRESENCE_REFRESH_MS = 10_000
/** A presence command waits at most this long; past it the caller answers from this node's devices. */
const PRESENCE_COMMAND_TIMEOUT_MS = 1_000
const CONNECT_TIMEOUT_MS = 3_000
const RECONNECT_MAX_MS = 2_000

const presenceKey = (user: string): string => `${CHANNEL_PREFIX}online:${user}`

/** Redis's clock in ms, so nodes' clocks never disagree about an expiry. */
const NOW_MS = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)"

/** Adds (or renews) this node; returns how many OTHER nodes still list the user. */
const CLAIM = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local others = redis.call('ZCARD', KEYS[1])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then others = others - 1 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return others`

/** Removes this node; returns how many nodes still list the user. */
const RELEASE = `${NOW_MS}
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])`

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
  /** Starts renewing the claims of `localUsers()` every PRESENCE_REFRESH_MS. */
  startRefresh(localUsers: () => Iterable<string>): void
  close(): void
}

type ScriptRedis = Redis & {
  parleyClaim(key: string, node: string, ttl: number): Promise<number>
  parleyRelease(key: string, node: string): Promise<number>
  parleyCount(count: number, ...keys: string[]): Promise<number[]>
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Connects lazily: a Redis that is down now is retried in the background, and every call answers null meanwhile. */
export function createClusterPresence(url: string, nodeId: string): ClusterPresence {
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
  redis.defineCommand('parleyClaim', { numberOfKeys: 1, lua: CLAIM })
  redis.defineCommand('parleyRelease', { numberOfKeys: 1, lua: RELEASE })
  redis.defineCommand('parleyCount', { lua: COUNT })
  let refreshTimer: NodeJS.Timeout | null = null

  const refresh = (users: Iterable<string>): void => {
    if (redis.status !== 'ready') return
    const pipeline = redis.pipeline()
    let any = false
    for (const user of users) {
      any = true
      ;(pipeline as unknown as ScriptRedis).parleyClaim(presenceKey(user), nodeId, PRESENCE_TTL_MS)
    }
    if (any) pipeline.exec().catch((err: unknown) => log.warn('presence refresh failed', { error: errorText(err) }))
  }

  return {
    async claim(user) {
      try {
        return (await redis.parleyClaim(presenceKey(user), nodeId, PRESENCE_TTL_MS)) === 0
      } catch (err) {
        log.debug('presence claim failed', { user, error: errorText(err) })
        return null
      }
    },
    async release(user) {
      try {
        return (await redis.parleyRelease(presenceKey(user), nodeId)) === 0
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
    startRefresh(localUsers) {
      // After a Redis restart (claims lost) the first ready connection renews at once.
      redis.on('ready', () => refresh(localUsers()))
      refreshTimer = setInterval(() => refresh(localUsers()), PRESENCE_REFRESH_MS)
      refreshTimer.unref()
    },
    close() {
      closing = true
      if (refreshTimer) clearInterval(refreshTimer)
      redis.disconnect()
    }
  }
}
