// Owns the fan-out contract between services and whatever holds the live connections: the gateway's registry on one
// node, cluster/delivery.ts (the registry plus the bus to the other nodes) in a cluster.
import type { ErrorCode } from '../../shared/proto/codec'
import type { SignedOutCloseReason } from '../../shared/errors'

/** Opaque identity of one live connection, used to skip the device that caused an event. */
export type ConnectionRef = object

export interface EventFanout {
  /**
   * Writes a frame to every online device of `user`, except the connection `except`. The frame is a thunk so it is
   * only encoded when someone is there to receive it (most senders have no other device online).
   */
  deliver(user: string, frame: () => Uint8Array, except?: ConnectionRef): void
}

/** Fan-out of a group's log entries to the online devices of its members (cost grows with online devices). */
export interface GroupFanout {
  /** Writes the frame (encoded once) to every online session subscribed to `group`, except `except`. */
  deliverGroup(group: string, frame: () => Uint8Array, except?: ConnectionRef): void
  joinGroup(user: string, group: string): void
  leaveGroup(user: string, group: string): void
  dropGroup(group: string): void
}

/** Ends live connections of revoked device sessions (sign-out, device limit, password change, deleted account). */
export interface SessionEnder {
  /** Ends the given device sessions of `user` ('all' = every one of theirs) except the connection `except`. */
  endSessions(
    user: string,
    sessionIds: readonly string[] | 'all',
    message: string,
    except?: ConnectionRef,
    code?: ErrorCode,
    why?: SignedOutCloseReason
  ): void
}

/** Everything the services and the dispatcher push through, on one node or across a cluster. */
export interface LiveConnections extends EventFanout, GroupFanout, SessionEnder {
  /** Which of `users` have at least one device online (on any node in a cluster). */
  onlineAmong(users: readonly string[]): Promise<Set<string>>
  /**
   * The device sessions of `user` connected now (to any node in a cluster; only this node's while Redis cannot
   * answer): the device list's "online", and "seen now" for the device limit.
   */
  onlineSessionIds(user: string): Promise<Set<string>>
  /** A user's first device came online anywhere (true) or their last one went (false). */
  onPresence(listener: (user: string, online: boolean) => void): void
}
