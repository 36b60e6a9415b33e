// Owns the fan-out contract between services and whatever holds the live connections (the gateway's registry today,
// a cross-node router such as Redis or NATS in a cluster later).

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
