// Owns the devices store contract: the account's live device sessions as the device list shows them, what is
// recorded of each (name, platform, last seen), and the device limit's choice of whom to sign out.

export interface DeviceRow {
  sessionId: string
  deviceId: string | null
  name: string
  platform: string
  signedInAt: number
  /** The last auth or disconnect of the device (0 = it never connected). */
  lastSeenAt: number
}

export interface DevicesStore {
  /** Live device sessions of the user (not revoked, holding a current unexpired token), oldest sign-in first. */
  devicesOf(user: string, now: number): Promise<DeviceRow[]>
  /** Records the device's name (given at login; '' = none). */
  deviceSetName(sessionId: string, name: string): Promise<void>
  /** The device connected or went away now; `platform` is recorded when given. */
  deviceSeen(sessionId: string, platform: string | null, at: number): Promise<void>
  /**
   * The device limit: while the user has more than `limit` live sessions, revokes the least recently seen one other
   * than `keep` (`online` sessions are seen now; never seen = its sign-in time; ties: the oldest sign-in). Returns
   * the sessions revoked, in one transaction.
   */
  devicesEnforceLimit(user: string, keep: string, limit: number, now: number, online: readonly string[]): Promise<string[]>
}
