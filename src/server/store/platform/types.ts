// Owns the platform API's storage contract: the account columns the platform needs (banned), listing users for
// operators, the app credential's secret replacement, reserved system names, and a read-only look at attempt counts.
import type { AttemptCount } from '../records'

export interface PlatformUserRow {
  user: string
  createdAt: number
  /** ms since epoch; null = not deleted. */
  deletedAt: number | null
  /** ms since epoch; null = not banned. */
  bannedAt: number | null
}

export interface PlatformStore {
  /** Users whose name starts with `prefix` (canonical, lowercase), by name after `after`, at most `limit`. */
  platformUsers(prefix: string, after: string, limit: number): Promise<PlatformUserRow[]>
  /** When the account was banned, or null (also null for an unknown user). */
  accountBannedAt(user: string): Promise<number | null>
  /** Bans (`at` = time) or unbans (`at` = null) the account; false when there is no such user. */
  accountSetBanned(user: string, at: number | null): Promise<boolean>
  /**
   * Creates the user row for a name no one may register or sign in as (the system sender): a password hash that no
   * password matches. 'exists' when the name is taken already (reserved earlier, or a real account).
   */
  platformReserveName(user: string, at: number): Promise<'created' | 'exists'>
  /** Replaces (or creates) a named secret: the app credential's rotation. */
  secretReplace(name: string, value: Uint8Array): Promise<void>
  /** Attempts under `key` inside the window and the newest one's time, WITHOUT counting one (see auth/app-credential). */
  attemptsPeek(key: string, now: number, windowMs: number): Promise<AttemptCount>
  /** The owner of a group (dissolved or not), or null when there is no such group. */
  platformGroupOwner(group: string): Promise<string | null>
}
