// Owns who is online on this node: user -> device id -> live session. Implements the services' EventFanout, decides
// replacement when the same (user, device) signs in twice, and ends the live sockets of revoked device sessions.
import { createLogger } from '../../shared/logger'
import type { ErrorCode } from '../../shared/proto/codec'
import type { ConnectionRef, EventFanout, GroupFanout } from '../services/fanout'
import type { SignedOutCloseReason } from '../../shared/errors'

const log = createLogger('server:registry')

/** What the registry needs from a live connection. */
export interface OnlineSession {
  readonly user: string
  readonly deviceId: string
  /** The device id the device gave at auth; null for an anonymous connection (its registry id is made up). */
  readonly givenDeviceId: string | null
  /** The device session (token family) the connection is authenticated with. */
  readonly sessionId: string
  /** The platform the device named at auth, null when none. */
  readonly platform?: string | null
  /**
   * When the connection authenticated (ms, this node's clock): a replacement notice from another node closes it only
   * when the connection it announces authenticated later (cluster/delivery.ts), so a notice that arrives late cannot
   * close the device's newer connection here.
   */
  readonly authenticatedAt: number
  sendBytes(bytes: Uint8Array): void
  /** Writes a fan-out's frame in a coming slice, in order with everything else the connection is sent. */
  queueBytes(bytes: Uint8Array): void
  /** The session was revoked (sign-out, reuse of a rotated token): tell the device why (`code`, `why`) and close for good. */
  endRevoked(message: string, code?: ErrorCode, why?: SignedOutCloseReason): void
  /** The same device signed in again (on another node): close as replaced. */
  endReplaced(): void
}

/** Told when a user's first device comes online (true) and when their last one goes (false). */
export type PresenceListener = (user: string, online: boolean) => void

export class OnlineRegistry implements EventFanout, GroupFanout {
  private readonly byUser = new Map<string, Map<string, OnlineSession>>()
  private readonly presenceListeners: PresenceListener[] = []

  /** Presence hook (services/profiles, cluster/delivery): called synchronously at each transition; must not throw or block. */
  onPresence(listener: PresenceListener): void {
    this.presenceListeners.push(listener)
  }

  private presenceChanged(user: string, online: boolean): void {
    for (const listener of this.presenceListeners) listener(user, online)
  }

  /** The users with a device connected to this node. */
  onlineUsers(): IterableIterator<string> {
    return this.byUser.keys()
  }

  /** The live connections of `user` on this node. */
  sessionsOf(user: string): OnlineSession[] {
    return [...(this.byUser.get(user)?.values() ?? [])]
  }

  /** Online = at least one device of the user connected to this node. */
  isOnline(user: string): boolean {
    return this.byUser.has(user)
  }

  private readonly removalListeners: ((session: OnlineSession) => void)[] = []

  /** Runs `listener` for every connection that goes away, replaced ones included (rooms start their grace period). */
  onRemoved(listener: (session: OnlineSession) => void): void {
    this.removalListeners.push(listener)
  }

  /** Adds a session; returns the session it replaces (same user and device), if any. */
  add(session: OnlineSession): OnlineSession | undefined {
    let devices = this.byUser.get(session.user)
    const cameOnline = !devices
    if (!devices) {
      devices = new Map()
      this.byUser.set(session.user, devices)
    }
    const previous = devices.get(session.deviceId)
    devices.set(session.deviceId, session)
    if (previous && previous !== session) this.unsubscribeGroups(previous)
    this.subscribeGroups(session)
    if (cameOnline) this.presenceChanged(session.user, true)
    for (const listener of this.additionListeners) listener(session)
    return previous === session ? undefined : previous
  }

  /** Removes the session only if it is still the registered one (a replaced session must not evict its successor). */
  remove(session: OnlineSession): void {
    for (const listener of this.removalListeners) listener(session)
    const devices = this.byUser.get(session.user)
    if (!devices || devices.get(session.deviceId) !== session) return
    devices.delete(session.deviceId)
    this.unsubscribeGroups(session)
    if (devices.size === 0) {
      this.byUser.delete(session.user)
      this.groupsByUser.delete(session.user)
      this.presenceChanged(session.user, false)
    }
  }

  deliver(user: string, frame: () => Uint8Array, except?: ConnectionRef): void {
    const devices = this.byUser.get(user)
    if (!devices) return
    let bytes: Uint8Array | null = null
    for (const session of devices.values()) {
      if (session === except) continue
      bytes ??= frame()
      session.sendBytes(bytes)
    }
  }

  /**
   * Ends the live connections on this node of the given device sessions of `user` ('all' = every one of the user's),
   * except `except`. In a cluster, cluster/delivery.ts tells the other nodes too; the store refuses the tokens everywhere.
   */
  endSessions(
    user: string,
    sessionIds: readonly string[] | 'all',
    message: string,
    except?: ConnectionRef,
    code?: ErrorCode,
    why?: SignedOutCloseReason
  ): void {
    const devices = this.byUser.get(user)
    if (!devices) return
    for (const session of [...devices.values()]) {
      if (session === except) continue
      if (sessionIds === 'all' || sessionIds.includes(session.sessionId)) session.endRevoked(message, code, why)
    }
  }

  /** The device sessions of `user` connected to this node (the device list's "online"). */
  onlineSessionIds(user: string): Set<string> {
    return new Set([...(this.byUser.get(user)?.values() ?? [])].map((session) => session.sessionId))
  }

  private readonly additionListeners: ((session: OnlineSession) => void)[] = []

  /** Runs `listener` for every connection that authenticates (services/devices records when it was seen). */
  onAdded(listener: (session: OnlineSession) => void): void {
    this.additionListeners.push(listener)
  }

  // ---- group subscriptions: per group, the sessions of its online members (fan-out grows with online devices) ----

  private groupLoader: ((user: string) => Promise<string[]>) | null = null
  /** The groups of each online user whose list has been loaded. */
  private readonly groupsByUser = new Map<string, Set<string>>()
  /** Users whose group list is loading, with the membership changes that arrived meanwhile (true = joined). */
  private readonly loadingGroups = new Map<string, Map<string, boolean>>()
  private readonly sessionsByGroup = new Map<string, Set<OnlineSession>>()

  /** Where a user's groups come from when their first device comes online (the store). */
  useGroupLoader(loader: (user: string) => Promise<string[]>): void {
    this.groupLoader = loader
  }

  private readonly groupServedListeners: ((group: string, served: boolean) => void)[] = []

  /** Told when a group gets its first subscribed session on this node (true) and loses its last (false). */
  onGroupServed(listener: (group: string, served: boolean) => void): void {
    this.groupServedListeners.push(listener)
  }

  private groupSessions(group: string): Set<OnlineSession> {
    let sessions = this.sessionsByGroup.get(group)
    if (!sessions) {
      sessions = new Set()
      this.sessionsByGroup.set(group, sessions)
      for (const listener of this.groupServedListeners) listener(group, true)
    }
    return sessions
  }

  private releaseGroupIfEmpty(group: string): void {
    if (this.sessionsByGroup.get(group)?.size !== 0) return
    this.sessionsByGroup.delete(group)
    for (const listener of this.groupServedListeners) listener(group, false)
  }

  private subscribeGroups(session: OnlineSession): void {
    const groups = this.groupsByUser.get(session.user)
    if (groups) {
      for (const group of groups) this.groupSessions(group).add(session)
      return
    }
    this.loadGroups(session.user)
  }

  private unsubscribeGroups(session: OnlineSession): void {
    for (const group of this.groupsByUser.get(session.user) ?? []) {
      const sessions = this.sessionsByGroup.get(group)
      sessions?.delete(session)
      this.releaseGroupIfEmpty(group)
    }
  }

  /**
   * Loads the user's groups once (their other devices share the list). Entries committed while it loads are not
   * pushed to the new session: the device asks group_sync after every auth, so it misses nothing.
   */
  private loadGroups(user: string): void {
    if (!this.groupLoader || this.loadingGroups.has(user)) return
    const changes = new Map<string, boolean>()
    this.loadingGroups.set(user, changes)
    this.groupLoader(user).then(
      (ids) => {
        this.loadingGroups.delete(user)
        const devices = this.byUser.get(user)
        if (!devices) return
        const groups = new Set(ids)
        for (const [group, joined] of changes) {
          if (joined) groups.add(group)
          else groups.delete(group)
        }
        this.groupsByUser.set(user, groups)
        for (const session of devices.values()) this.subscribeGroups(session)
      },
      (err: unknown) => {
        this.loadingGroups.delete(user)
        log.warn('could not load the groups of a user who came online', { user, error: err instanceof Error ? err.message : String(err) })
      }
    )
  }

  /** The user became a member: their online devices receive the group's entries from now on. */
  joinGroup(user: string, group: string): void {
    const loading = this.loadingGroups.get(user)
    if (loading) {
      loading.set(group, true)
      return
    }
    const groups = this.groupsByUser.get(user)
    if (!groups || groups.has(group)) return
    groups.add(group)
    for (const session of this.byUser.get(user)?.values() ?? []) this.groupSessions(group).add(session)
  }

  /** The user stopped being a member: their devices stop receiving the group's entries. */
  leaveGroup(user: string, group: string): void {
    const loading = this.loadingGroups.get(user)
    if (loading) {
      loading.set(group, false)
      return
    }
    if (!this.groupsByUser.get(user)?.delete(group)) return
    const sessions = this.sessionsByGroup.get(group)
    for (const session of this.byUser.get(user)?.values() ?? []) sessions?.delete(session)
    this.releaseGroupIfEmpty(group)
  }

  /** The group is gone (dissolved): nobody is subscribed any more. */
  dropGroup(group: string): void {
    const sessions = this.sessionsByGroup.get(group)
    for (const session of sessions ?? []) this.groupsByUser.get(session.user)?.delete(group)
    sessions?.clear()
    this.releaseGroupIfEmpty(group)
    for (const changes of this.loadingGroups.values()) if (changes.has(group)) changes.set(group, false)
  }

  /**
   * Encodes the frame once and queues it for every online session of the group's members, except `except`: the
   * gateway writes the queues out in slices, so 2,000 members do not hold up the 1:1 traffic of everyone else.
   */
  deliverGroup(group: string, frame: () => Uint8Array, except?: ConnectionRef): void {
    const sessions = this.sessionsByGroup.get(group)
    if (!sessions) return
    let bytes: Uint8Array | null = null
    for (const session of sessions) {
      if (session === except) continue
      bytes ??= frame()
      session.queueBytes(bytes)
    }
  }

  /** A user with a session subscribed to the group on this node (who may read its log for a re-check). */
  groupMember(group: string): string | undefined {
    for (const session of this.sessionsByGroup.get(group) ?? []) return session.user
    return undefined
  }

  /**
   * Reads the user's groups again and applies the difference (membership changes this node was not told about,
   * e.g. published on the bus while it was down). Resolves once applied; a failed read changes nothing.
   */
  async reloadGroups(user: string): Promise<void> {
    if (!this.groupLoader || this.loadingGroups.has(user) || !this.groupsByUser.has(user)) return
    // Changes arriving while it reads are kept aside and applied on top, as for the first load.
    const changes = new Map<string, boolean>()
    this.loadingGroups.set(user, changes)
    let ids: string[]
    try {
      ids = await this.groupLoader(user)
    } finally {
      this.loadingGroups.delete(user)
    }
    const now = new Set(ids)
    for (const [group, joined] of changes) {
      if (joined) now.add(group)
      else now.delete(group)
    }
    const known = this.groupsByUser.get(user)
    if (!known) {
      // The user left and came back while it read: their new sessions' first load was skipped, do it now.
      this.loadGroups(user)
      return
    }
    for (const group of [...known]) if (!now.has(group)) this.leaveGroup(user, group)
    for (const group of now) this.joinGroup(user, group)
  }

  /** Sessions subscribed to a group on this node (tests, diagnostics). */
  groupSessionCount(group: string): number {
    return this.sessionsByGroup.get(group)?.size ?? 0
  }
}
