// Owns room live state in cluster mode: presence in Redis (each node holds its members with an expiry it renews, so a
// dead node's members leave within the expiry) and the recent window in the store (one window for every node).
import { createHash, randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { pb } from '../../../shared/proto/codec'
import { createLogger } from '../../../shared/logger'
import type { RoomRecentStore } from '../../store/rooms/types'
import type { RoomAppended, RoomExpiredHandler, RoomJoined, RoomLeft, RoomLiveState, RoomLostHandler, RoomMessageProps, RoomPresence } from './live'
import { MemoryRoomLiveState, RoomsUnavailableError } from './live'
import {
  holdOf,
  JOIN_SCRIPT,
  LEAVE_SCRIPT,
  RELEASE_SCRIPT,
  RENEW_SCRIPT,
  roomKeys,
  SWEEP_SCRIPT,
  USER_ROOMS_PREFIX,
  userRoomsKey,
  definitionVersionKey,
  EPOCH_KEY
} from './presence-scripts'

const log = createLogger('server:rooms')

/** How long a Redis (re)connection attempt may take; commands fail at once while it is down (nothing queued). */
const CONNECT_TIMEOUT_MS = 3_000
const RECONNECT_MAX_MS = 2_000
/** A node renews its holds (and sweeps its rooms' expired ones) this many times per expiry. */
const RENEWALS_PER_TTL = 3
/** The room keys outlive the last hold by this factor of the expiry, then Redis drops them (no node left to sweep). */
const KEY_TTL_FACTOR = 2

interface Script {
  lua: string
  sha: string
}

const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') })
const SCRIPTS = {
  join: script(JOIN_SCRIPT),
  leave: script(LEAVE_SCRIPT),
  release: script(RELEASE_SCRIPT),
  renew: script(RENEW_SCRIPT),
  sweep: script(SWEEP_SCRIPT)
}

export interface RedisRoomLiveOptions {
  redisUrl: string
  /** This node's id (the bus's): its holds are named by it. */
  nodeId: string
  store: RoomRecentStore
  presenceTtlMs: number
}

export async function connectRedisRoomLiveState(options: RedisRoomLiveOptions): Promise<RoomLiveState> {
  const redis = new Redis(options.redisUrl, {
    connectTimeout: CONNECT_TIMEOUT_MS,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, RECONNECT_MAX_MS)
  })
  let closing = false
  redis.on('error', (err: Error) => {
    if (!closing) log.warn('room presence connection error', { error: err.message })
  })
  try {
    await redis.connect()
  } catch (err) {
    redis.disconnect()
    throw new RoomsUnavailableError(err instanceof Error ? err.message : String(err))
  }
  const state = new RedisRoomLiveState(redis, options)
  try {
    await state.checkEpoch()
  } catch (err) {
    redis.disconnect()
    throw new RoomsUnavailableError(err instanceof Error ? err.message : String(err))
  }
  // Back after an outage: renew at once (holds may be close to running out, or Redis may have lost them all).
  redis.on('ready', () => void state.renewAndSweep())
  const timer = setInterval(() => void state.renewAndSweep(), Math.max(50, options.presenceTtlMs / RENEWALS_PER_TTL))
  timer.unref()
  state.stop = () => {
    closing = true
    clearInterval(timer)
    redis.disconnect()
  }
  return state
}

class RedisRoomLiveState implements RoomLiveState {
  stop: () => void = () => {}
  /** The members this node holds (they have sockets here or are in their grace period here), by room. */
  private readonly held = new Map<string, Set<string>>()
  private readonly expiredHandlers: RoomExpiredHandler[] = []
  private readonly lostHandlers: RoomLostHandler[] = []
  private renewing = false
  /** The id of Redis's presence data as this node last saw it: a new one means Redis lost it (restarted empty). */
  private epoch = ''

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisRoomLiveOptions
  ) {}

  private get keyTtlMs(): number {
    return Math.ceil(this.options.presenceTtlMs * KEY_TTL_FACTOR)
  }

  private async run(which: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      try {
        return await this.redis.evalsha(which.sha, keys.length, ...keys, ...args)
      } catch (err) {
        if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err
        return await this.redis.eval(which.lua, keys.length, ...keys, ...args)
      }
    } catch (err) {
      throw new RoomsUnavailableError(err instanceof Error ? err.message : String(err))
    }
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (err) {
      if (err instanceof RoomsUnavailableError) throw err
      throw new RoomsUnavailableError(err instanceof Error ? err.message : String(err))
    }
  }

  private hold(room: string, user: string): void {
    let users = this.held.get(room)
    if (!users) this.held.set(room, (users = new Set()))
    users.add(user)
  }

  private unhold(room: string, user: string): void {
    const users = this.held.get(room)
    users?.delete(user)
    if (users?.size === 0) this.held.delete(room)
  }

  async join(room: string, user: string, at: number, maxMembers: number): Promise<RoomJoined> {
    const keys = roomKeys(room)
    const until = Date.now() + this.options.presenceTtlMs
    const [added, count] = (await this.run(
      SCRIPTS.join,
      [keys.members, keys.joined, keys.holds, userRoomsKey(user)],
      [user, at, maxMembers, holdOf(user, this.options.nodeId), until, room, this.keyTtlMs]
    )) as [number, number]
    if (added === -1) return { added: false, count, full: true }
    this.hold(room, user)
    return { added: added === 1, count, full: false }
  }

  async leave(room: string, user: string): Promise<RoomLeft> {
    const keys = roomKeys(room)
    // Unheld first: if Redis cannot be reached, this node's hold runs out and another node's sweep finishes the leave.
    this.unhold(room, user)
    const [removed, count] = (await this.run(SCRIPTS.leave, [keys.members, keys.joined, keys.holds], [user, room, USER_ROOMS_PREFIX])) as [number, number]
    return { removed: removed === 1, count }
  }

  async release(room: string, user: string): Promise<RoomLeft> {
    const keys = roomKeys(room)
    this.unhold(room, user)
    const [removed, count] = (await this.run(
      SCRIPTS.release,
      [keys.members, keys.joined, keys.holds],
      [user, room, USER_ROOMS_PREFIX, holdOf(user, this.options.nodeId)]
    )) as [number, number]
    return { removed: removed === 1, count }
  }

  forgetLocal(room: string, user: string): void {
    this.unhold(room, user)
  }

  async isPresent(room: string, user: string): Promise<boolean> {
    // A member this node holds is in the room (a removal elsewhere reaches this node by the bus or its next renewal).
    if (this.held.get(room)?.has(user)) return true
    return this.call(async () => (await this.redis.zscore(roomKeys(room).members, user)) !== null)
  }

  async roomsOf(user: string): Promise<string[]> {
    return this.call(() => this.redis.smembers(userRoomsKey(user)))
  }

  async memberCount(room: string): Promise<number> {
    return this.call(() => this.redis.zcard(roomKeys(room).members))
  }

  async members(room: string, afterUser: string, limit: number): Promise<{ members: RoomPresence[]; hasMore: boolean }> {
    const keys = roomKeys(room)
    return this.call(async () => {
      const from = afterUser === '' ? '-' : `(${afterUser}`
      const users = await this.redis.zrangebylex(keys.members, from, '+', 'LIMIT', 0, limit + 1)
      const page = users.slice(0, limit)
      const joined = page.length > 0 ? await this.redis.hmget(keys.joined, ...page) : []
      return {
        members: page.map((user, index) => ({ user, joinedAt: Number(joined[index] ?? 0) })),
        hasMore: users.length > limit
      }
    })
  }

  async append(room: string, message: RoomMessageProps, resendKey: string, window: number): Promise<RoomAppended> {
    const at = Number(message.timestamp)
    const encoded = pb.Message.encode({ ...message, serverId: 0 }).finish()
    const appended = await this.options.store.roomRecentAppend({ room, resendKey, at, message: encoded, window })
    message.serverId = appended.serverId
    return appended
  }

  async recent(room: string): Promise<RoomMessageProps[]> {
    const rows = await this.options.store.roomRecent(room)
    return rows.map((row) => {
      const message = pb.Message.decode(row.message)
      message.serverId = row.serverId
      return message
    })
  }

  async dropRoom(room: string): Promise<void> {
    this.held.delete(room)
    const keys = roomKeys(room)
    await this.options.store.roomRecentDrop(room)
    await this.call(() => this.redis.del(keys.members, keys.joined, keys.holds))
    await this.bumpDefinitionVersion(room)
  }

  async definitionVersion(room: string): Promise<number> {
    return this.call(async () => Number((await this.redis.get(definitionVersionKey(room))) ?? 0))
  }

  async bumpDefinitionVersion(room: string): Promise<number> {
    return this.call(() => this.redis.incr(definitionVersionKey(room)))
  }

  onExpired(handler: RoomExpiredHandler): void {
    this.expiredHandlers.push(handler)
  }

  onLost(handler: RoomLostHandler): void {
    this.lostHandlers.push(handler)
  }

  close(): void {
    this.stop()
  }

  /**
   * Reads the presence data's id (set by the first node to ask). False when it changed since this node last read it:
   * Redis restarted without its data, so what this node holds must be put back rather than taken as removed.
   */
  async checkEpoch(): Promise<boolean> {
    await this.redis.set(EPOCH_KEY, randomBytes(8).toString('hex'), 'NX')
    const epoch = (await this.redis.get(EPOCH_KEY)) ?? ''
    const same = this.epoch === '' || epoch === this.epoch
    this.epoch = epoch
    return same
  }

  /** Renews this node's hold on one member (puts it back when Redis lost its data); a member found gone is told. */
  private async renewOne(room: string, user: string, now: number, until: number, lostData: boolean): Promise<void> {
    const keys = roomKeys(room)
    const hold = holdOf(user, this.options.nodeId)
    if (lostData) {
      await this.run(SCRIPTS.join, [keys.members, keys.joined, keys.holds, userRoomsKey(user)], [user, now, Number.MAX_SAFE_INTEGER, hold, until, room, this.keyTtlMs])
      return
    }
    const renewed = await this.run(SCRIPTS.renew, [keys.members, keys.joined, keys.holds, userRoomsKey(user)], [user, hold, until, this.keyTtlMs])
    if (renewed === 0 && this.held.get(room)?.has(user)) {
      this.unhold(room, user)
      for (const handler of this.lostHandlers) handler(room, user)
    }
  }

  /** Renews this node's holds (telling of members found gone) and sweeps its rooms' expired holds (telling who left). */
  async renewAndSweep(): Promise<void> {
    if (this.renewing) return
    this.renewing = true
    try {
      const lostData = !(await this.checkEpoch())
      if (lostData) log.warn('room presence was lost by Redis; putting back the members this node holds')
      const now = Date.now()
      const until = now + this.options.presenceTtlMs
      for (const [room, users] of [...this.held]) {
        const keys = roomKeys(room)
        // One room's renewals go out together (ioredis writes them without waiting for each answer).
        await Promise.all([...users].map((user) => this.renewOne(room, user, now, until, lostData)))
        const swept = (await this.run(SCRIPTS.sweep, [keys.members, keys.joined, keys.holds], [now, room, USER_ROOMS_PREFIX])) as (number | string)[]
        const count = Number(swept[0] ?? 0)
        for (const user of swept.slice(1)) {
          log.info('room member left with its node (its hold ran out)', { room, user })
          for (const handler of this.expiredHandlers) handler(room, String(user), count)
        }
      }
    } catch (err) {
      // Redis is down: the holds run out unless it is back within the expiry; the next round tries again.
      log.warn('could not renew room presence', { error: err instanceof Error ? err.message : String(err) })
    } finally {
      this.renewing = false
    }
  }
}

/** The live state rooms use: Redis presence and the stored window in cluster mode (`redisUrl`), else this node's memory. */
export async function openRoomLiveState(redisUrl: string | undefined, options: Omit<RedisRoomLiveOptions, 'redisUrl'>): Promise<RoomLiveState> {
  if (!redisUrl) return new MemoryRoomLiveState()
  return connectRedisRoomLiveState({ ...options, redisUrl })
}
