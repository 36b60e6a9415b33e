// Owns who is online on this node: user -> device id -> live session. Implements the services' EventFanout, decides
// replacement when the same (user, device) signs in twice, and ends the live sockets of revoked device sessions.
import type { ConnectionRef, EventFanout } from '../services/fanout'

/** What the registry needs from a live connection. */
export interface OnlineSession {
  readonly user: string
  readonly deviceId: string
  /** The device session (token family) the connection is authenticated with. */
  readonly sessionId: string
  sendBytes(bytes: Uint8Array): void
  /** The session was revoked (sign-out, reuse of a rotated token): tell the device and close for good. */
  endRevoked(message: string): void
}

/** Told when a user's first device comes online (true) and when their last one goes (false). */
export type PresenceListener = (user: string, online: boolean) => void

export class OnlineRegistry implements EventFanout {
  private readonly byUser = new Map<string, Map<string, OnlineSession>>()
  private presenceListener: PresenceListener | null = null

  /** Presence hook (services/profiles): called synchronously at each transition, so it must not throw or block. */
  onPresence(listener: PresenceListener): void {
    this.presenceListener = listener
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
    if (cameOnline) this.presenceListener?.(session.user, true)
    return previous === session ? undefined : previous
  }

  /** Removes the session only if it is still the registered one (a replaced session must not evict its successor). */
  remove(session: OnlineSession): void {
    for (const listener of this.removalListeners) listener(session)
    const devices = this.byUser.get(session.user)
    if (!devices || devices.get(session.deviceId) !== session) return
    devices.delete(session.deviceId)
    if (devices.size === 0) {
      this.byUser.delete(session.user)
      this.presenceListener?.(session.user, false)
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
   * except `except`. A cluster adds a cross-node notice here; the store already refuses the revoked tokens everywhere.
   */
  endSessions(user: string, sessionIds: readonly string[] | 'all', message: string, except?: ConnectionRef): void {
    const devices = this.byUser.get(user)
    if (!devices) return
    for (const session of [...devices.values()]) {
      if (session === except) continue
      if (sessionIds === 'all' || sessionIds.includes(session.sessionId)) session.endRevoked(message)
    }
  }
}
