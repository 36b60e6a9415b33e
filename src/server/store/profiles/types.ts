// Owns the profiles and account storage contract: profile columns of `users` (nickname, signature, status text,
// custom attributes, last seen), password changes, account deletion, and reclaiming a deleted name after its reserve.
import type { parley } from '../../../shared/proto/gen/parley.js'
import type { AppendedContactEvent } from '../contacts/types'

export type ProfileProps = parley.v1.Profile.$Properties

export interface ProfileRow {
  user: string
  /** False: no such user (every other field is empty). */
  exists: boolean
  deleted: boolean
  nickname: string
  signature: string
  statusText: string
  attributes: Record<string, string>
  /** ms since epoch: the last profile change (the account's creation before any). */
  updatedAt: number
  /** ms since epoch: when the user's last device went offline (0 = never seen). */
  lastSeenAt: number
}

/** Fields to change; an absent field keeps its value. `attributes` replaces them all. */
export interface ProfilePatch {
  nickname?: string
  signature?: string
  statusText?: string
  attributes?: Record<string, string>
}

export interface ProfileUpdateResult {
  profile: ProfileRow
  /** The ProfileChanged entry in the user's own log; 0 when nothing changed. */
  seq: number
}

export interface AccountDeletion {
  /** Contact events appended to the peers' logs (friends removed, requests cancelled, blocks lifted). */
  events: AppendedContactEvent[]
  /** Device sessions revoked in the same transaction (their live sockets end). */
  revokedSessions: string[]
}

export type ReclaimResult = { outcome: 'reclaimed' } | { outcome: 'taken' } | { outcome: 'reserved'; until: number }

export interface LastSeen {
  user: string
  /** ms since epoch */
  at: number
}

export interface ProfilesStore {
  profilesGet(users: readonly string[]): Promise<ProfileRow[]>
  /** Applies the patch and appends ProfileChanged to the user's log, in one transaction. */
  profileUpdate(user: string, patch: ProfilePatch, at: number): Promise<ProfileUpdateResult>
  /** Records when each user's last device went offline, in one transaction (a network blip drops many at once). */
  profileSetLastSeen(seen: readonly LastSeen[]): Promise<void>
  /** The time the account was deleted, or null (also null for an unknown user). */
  accountDeletedAt(user: string): Promise<number | null>
  accountSetPasswordHash(user: string, passwordHash: string): Promise<void>
  /**
   * Marks the account deleted, clears its profile, removes its friendships, requests and blocks (with events to the
   * peers), drops its own log and revokes every session: one transaction. The messages it exchanged stay for others.
   */
  accountDelete(user: string, at: number): Promise<AccountDeletion>
  /** A deleted account's name taken by a new registration once `reserveMs` has passed since the deletion. */
  accountReclaimName(user: string, passwordHash: string, now: number, reserveMs: number): Promise<ReclaimResult>
}
