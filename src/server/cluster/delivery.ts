// Owns pushing to live devices across nodes: wraps this node's OnlineRegistry, publishes every push, membership
// change and kick on the bus for the nodes serving that user or group, and delivers what they publish here.
import { createLogger } from '../../shared/logger'
import type { ErrorCode } from '../../shared/proto/codec'
import type { SignedOutCloseReason } from '../../shared/errors'
import type { OnlineRegistry } from '../gateway/online-registry'
import type { ConnectionRef, LiveConnections } from '../services/fanout'
import type { ClusterBus } from './bus'
import type { ClusterPresence } from './presence'
import { LogTracker } from './log-tracker'
import { createLogRepair, type RepairStore } from './repair'
import { CONTACTS_CHANNEL, decodeNotice, encodeNotice, frameLogSeq, groupChannel, replacedBy, userChannel, type BusNotice } from './wire'

const log = createLogger('server:delivery')

/** How often owed "log moved" notices are retried while the bus is down. */
export const OWED_RETRY_MS = 500

/** One log this node serves (a local online user's, or a group with a local subscriber), and its channel. */
interface Served {
  tracker: LogTracker
  unsubscribe: () => void
}

export interface ClusterDeliveryOptions {
  bus: ClusterBus
  registry: OnlineRegistry
  store: RepairStore
  presence: ClusterPresence
}

export interface ClusterDelivery extends LiveConnections {
  /** This node dropped cached send verdicts (pair, or every pair of `a` when `b` is null): the others drop them too. */
  contactsForgot(a: string, b: string | null): void
  /** What to drop when another node tells (`a` null: everything, after a bus outage). */
  onContactsForget(handler: (a: string | null, b: string | null) => void): void
  /** Resolves once the presence changes so far are settled in Redis and passed on (shutdown, before the store goes). */
  settled(): Promise<void>
  /** Stops the timers (shutdown). */
  close(): void
}

/** One node: the registry as it is, nothing published (the single-node default). */
export function localDelivery(registry: OnlineRegistry): LiveConnections {
  return {
    deliver: (user, frame, except) => registry.deliver(user, frame, except),
    deliverGroup: (group, frame, except) => registry.deliverGroup(group, frame, except),
    joinGroup: (user, group) => registry.joinGroup(user, group),
    leaveGroup: (user, group) => registry.leaveGroup(user, group),
    dropGroup: (group) => registry.dropGroup(group),
    endSessions: (user, ids, message, except, code, why) => registry.endSessions(user, ids, message, except, code, why),
    onlineAmong: async (users) => new Set(users.filter((user) => registry.isOnline(user))),
    onlineSessionIds: async (user) => registry.onlineSessionIds(user),
    onPresence: (listener) => registry.onPresence(listener)
  }
}

function sessionIdOf(connection: ConnectionRef | undefined): string | null {
  if (!connection || !('sessionId' in connection)) return null
  const id = (connection as { sessionId: unknown }).sessionId
  return typeof id === 'string' && id ? id : null
}

export function createClusterDelivery({ bus, registry, store, presence }: ClusterDeliveryOptions): ClusterDelivery {
  const users = new Map<string, Served>()
  const groups = new Map<string, Served>()
  /** Channel -> highest seq whose push the bus dropped: published as "moved" once it is back. */
  const owed = new Map<string, number>()
  let owedTimer: NodeJS.Timeout | null = null
  const presenceListeners: ((user: string, online: boolean) => void)[] = []
  const presenceChains = new Map<string, Promise<void>>()
  const contactsHandlers: ((a: string | null, b: string | null) => void)[] = []
  /** The last frame's seq: one frame pushed to many users (a presence change to every friend) is read once. */
  let lastFrame: Uint8Array | null = null
  let lastFrameSeq = 0
  const seqOf = (bytes: Uint8Array): number => {
    if (bytes !== lastFrame) {
      lastFrame = bytes
      lastFrameSeq = frameLogSeq(bytes)
    }
    return lastFrameSeq
  }
  /** Pushes a log entry's frame unless a re-check already pushed that seq, and records it as pushed. */
  const pushOnce = (tracker: LogTracker | undefined, seq: number, push: () => void): void => {
    if (seq > 0 && tracker?.alreadyPushed(seq)) return
    push()
    if (seq > 0) tracker?.pushed(seq)
  }
  const repair = createLogRepair({ registry, store, users: (user) => users.get(user)?.tracker, groups: (group) => groups.get(group)?.tracker })

  const flushOwed = (): void => {
    if (!bus.connected) return
    for (const [channel, seq] of owed) bus.publish(channel, encodeNotice({ kind: 'moved', seq }))
    owed.clear()
    if (owedTimer) clearInterval(owedTimer)
    owedTimer = null
  }

  /** Publishes; a dropped log entry is owed as a "moved" notice (the receivers re-check from PostgreSQL). */
  const publish = (channel: string, notice: BusNotice, frame?: Uint8Array): void => {
    const seq = notice.kind === 'frame' ? notice.seq : 0
    if (!bus.connected && seq > 0) {
      owed.set(channel, Math.max(seq, owed.get(channel) ?? 0))
      owedTimer ??= setInterval(flushOwed, OWED_RETRY_MS)
      owedTimer.unref()
    }
    bus.publish(channel, encodeNotice(notice, frame))
  }

  // ---- receiving ----

  const kick = (user: string, notice: Extract<BusNotice, { kind: 'kick' }>): void => {
    for (const session of registry.sessionsOf(user)) {
      if (session.sessionId === notice.exceptSession) continue
      if (notice.sessionIds !== 'all' && !notice.sessionIds.includes(session.sessionId)) continue
      session.endRevoked(notice.message, (notice.code ?? undefined) as ErrorCode | undefined, (notice.why ?? undefined) as SignedOutCloseReason | undefined)
    }
  }

  const onUserNotice = (user: string, payload: Buffer): void => {
    const decoded = decodeNotice(payload)
    if (!decoded) return
    const { notice, frame } = decoded
    const served = users.get(user)
    switch (notice.kind) {
      case 'frame':
        pushOnce(served?.tracker, notice.seq, () => registry.deliver(user, () => frame))
        return
      case 'moved':
        if (served && served.tracker.floorKnown && notice.seq > served.tracker.safeFloor) repair.user(user)
        return
      case 'join':
        registry.joinGroup(user, notice.group)
        return
      case 'leave':
        registry.leaveGroup(user, notice.group)
        return
      case 'kick':
        kick(user, notice)
        return
      case 'device':
        // Only a connection older than the announced one: a notice that arrives after the device came back here
        // must not close its newer connection.
        for (const session of registry.sessionsOf(user)) {
          if (session.givenDeviceId === notice.deviceId && replacedBy(session.authenticatedAt, bus.nodeId, notice)) session.endReplaced()
        }
        return
      default:
        return
    }
  }

  const onGroupNotice = (group: string, payload: Buffer): void => {
    const decoded = decodeNotice(payload)
    if (!decoded) return
    const { notice, frame } = decoded
    const served = groups.get(group)
    switch (notice.kind) {
      case 'frame':
        pushOnce(served?.tracker, notice.seq, () => registry.deliverGroup(group, () => frame))
        return
      case 'moved':
        if (served && served.tracker.floorKnown && notice.seq > served.tracker.safeFloor) repair.group(group)
        return
      case 'drop':
        registry.dropGroup(group)
        return
      default:
        return
    }
  }

  // ---- which logs this node serves: subscribe while it has a user's device / a group's subscribed session ----

  const presenceOf = (user: string, online: boolean): void => {
    // Chained per user so a quick leave-and-return reaches Redis (and friends) in the order it happened.
    const previous = presenceChains.get(user) ?? Promise.resolve()
    const next = previous.then(async () => {
      const verdict = online ? await presence.claim(user) : await presence.release(user)
      // null: Redis could not say, this node's own transition stands (presence may be lost, never stuck).
      if (verdict === false) return
      for (const listener of presenceListeners) listener(user, online)
    }).catch((err: unknown) => log.warn('a presence change could not be passed on', { user, error: err instanceof Error ? err.message : String(err) }))
    presenceChains.set(user, next)
    void next.finally(() => {
      if (presenceChains.get(user) === next) presenceChains.delete(user)
    })
  }

  /** Per user, the device-session claims and releases in Redis, in the order they happened here. */
  const sessionChains = new Map<string, Promise<unknown>>()
  const sessionPresence = (user: string, sessionId: string, connected: boolean): void => {
    if (!user || !sessionId) return
    const next = (sessionChains.get(user) ?? Promise.resolve()).then(() =>
      connected ? presence.claimSession(user, sessionId) : presence.releaseSession(user, sessionId)
    )
    sessionChains.set(user, next)
    void next.finally(() => {
      if (sessionChains.get(user) === next) sessionChains.delete(user)
    })
  }

  registry.onPresence((user, online) => {
    if (online) {
      const tracker = new LogTracker()
      users.set(user, { tracker, unsubscribe: bus.subscribe(userChannel(user), (payload) => onUserNotice(user, payload)) })
      repair.startUser(user, tracker)
    } else {
      users.get(user)?.unsubscribe()
      users.delete(user)
    }
    presenceOf(user, online)
  })

  registry.onGroupServed((group, served) => {
    if (served) {
      const tracker = new LogTracker()
      groups.set(group, { tracker, unsubscribe: bus.subscribe(groupChannel(group), (payload) => onGroupNotice(group, payload)) })
      repair.startGroup(group, tracker)
    } else {
      groups.get(group)?.unsubscribe()
      groups.delete(group)
    }
  })

  // A device signing in again replaces its old connection on every node, not only on this one.
  registry.onAdded((session) => {
    if (session.givenDeviceId) {
      publish(userChannel(session.user), { kind: 'device', deviceId: session.givenDeviceId, at: session.authenticatedAt, node: bus.nodeId })
    }
    sessionPresence(session.user, session.sessionId, true)
  })
  registry.onRemoved((session) => {
    // Told before the registry lets it go: released when no other connection here has the same device session.
    const { user, sessionId } = session
    if (!registry.sessionsOf(user).some((other) => other !== session && other.sessionId === sessionId)) sessionPresence(user, sessionId, false)
  })

  const stopContacts = bus.subscribe(CONTACTS_CHANNEL, (payload) => {
    const notice = decodeNotice(payload)?.notice
    if (notice?.kind !== 'contacts') return
    for (const handler of contactsHandlers) handler(notice.a, notice.b)
  })

  const stopReconnect = bus.onReconnect(() => {
    // Whatever was published while this node was cut off is lost: re-check every log it serves, forget every
    // cached verdict, and publish what this node owes the others.
    for (const handler of contactsHandlers) handler(null, null)
    flushOwed()
    repair.everything(() => [...users.keys()], () => [...groups.keys()])
  })
  // A node that died released nothing: the sweep finds its users once their claims expire, and one node (this one,
  // for the users it is handed) tells their friends they went offline, as the dead node would have.
  presence.startRefresh(
    () => registry.onlineUsers(),
    (gone) => {
      for (const user of gone) {
        if (users.has(user)) continue
        for (const listener of presenceListeners) listener(user, false)
      }
    },
    function* localSessions() {
      for (const user of registry.onlineUsers()) for (const sessionId of registry.onlineSessionIds(user)) yield { user, sessionId }
    }
  )

  return {
    deliver(user, frame, except) {
      const bytes = frame()
      const seq = seqOf(bytes)
      pushOnce(users.get(user)?.tracker, seq, () => registry.deliver(user, () => bytes, except))
      publish(userChannel(user), { kind: 'frame', seq }, bytes)
    },
    deliverGroup(group, frame, except) {
      const bytes = frame()
      const seq = seqOf(bytes)
      pushOnce(groups.get(group)?.tracker, seq, () => registry.deliverGroup(group, () => bytes, except))
      publish(groupChannel(group), { kind: 'frame', seq }, bytes)
    },
    joinGroup(user, group) {
      registry.joinGroup(user, group)
      publish(userChannel(user), { kind: 'join', group })
    },
    leaveGroup(user, group) {
      registry.leaveGroup(user, group)
      publish(userChannel(user), { kind: 'leave', group })
    },
    dropGroup(group) {
      registry.dropGroup(group)
      publish(groupChannel(group), { kind: 'drop' })
    },
    endSessions(user, sessionIds, message, except, code, why) {
      registry.endSessions(user, sessionIds, message, except, code, why)
      publish(userChannel(user), {
        kind: 'kick',
        sessionIds: sessionIds === 'all' ? 'all' : [...sessionIds],
        exceptSession: sessionIdOf(except),
        message,
        code: code ?? null,
        why: why ?? null
      })
    },
    async onlineAmong(asked) {
      const here = asked.filter((user) => registry.isOnline(user))
      const elsewhere = asked.filter((user) => !registry.isOnline(user))
      const remote = await presence.onlineAmong(elsewhere)
      return new Set([...here, ...(remote ?? [])])
    },
    async onlineSessionIds(user) {
      const here = registry.onlineSessionIds(user)
      // Redis unreachable: this node's own devices, as on one node (the device list never fails for it).
      for (const id of (await presence.sessionsOf(user)) ?? []) here.add(id)
      return here
    },
    onPresence(listener) {
      presenceListeners.push(listener)
    },
    contactsForgot(a, b) {
      publish(CONTACTS_CHANNEL, { kind: 'contacts', a, b })
    },
    onContactsForget(handler) {
      contactsHandlers.push(handler)
    },
    async settled() {
      await Promise.all([...presenceChains.values(), ...sessionChains.values()])
    },
    close() {
      if (owedTimer) clearInterval(owedTimer)
      owedTimer = null
      stopContacts()
      stopReconnect()
      repair.close()
      presence.close()
      log.debug('cluster delivery stopped')
    }
  }
}
