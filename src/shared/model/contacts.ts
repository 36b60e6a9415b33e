// Domain types of contacts, profiles and presence as the core keeps them and the renderer shows them (plain data,
// they cross IPC). The wire forms are in src/shared/proto/contacts.proto; the core maps between the two.

/** A friend, with my alias for them ('' = none). */
export interface ContactFriend {
  user: string
  remark: string
  /** ms since epoch: when we became friends. */
  since: number
}

/** A pending friend request: `peer` is the other person (the sender of an incoming one, the addressee of mine). */
export interface ContactRequest {
  peer: string
  message: string
  /** ms since epoch */
  at: number
}

/** The account's contacts as this device holds them (the same on every device once synced). */
export interface ContactsState {
  friends: ContactFriend[]
  incoming: ContactRequest[]
  outgoing: ContactRequest[]
  blocked: string[]
}

export interface UserProfile {
  user: string
  nickname: string
  signature: string
  statusText: string
  /** Custom attributes (at most 2 KB of keys and values in total). */
  attributes: Record<string, string>
  /** The account was deleted: show "Deleted user". */
  deleted: boolean
  /** false: there is no such user. */
  exists: boolean
  /** ms since epoch; a newer profile replaces an older one, never the other way round. */
  updatedAt: number
}

export interface UserPresence {
  user: string
  online: boolean
  statusText: string
  /** ms since epoch of the last time the user was online; 0 when online or never seen. */
  lastSeen: number
}

/** How I stand with another user (what the contacts search shows and which actions it offers). */
export type ContactRelation = 'self' | 'friend' | 'incoming' | 'outgoing' | 'blocked' | 'none'

/** A user found by the contacts search. */
export interface UserSearchResult {
  user: string
  profile: UserProfile
  relation: ContactRelation
}

/** My own profile's editable fields (unset = unchanged). */
export interface ProfilePatch {
  nickname?: string
  signature?: string
  statusText?: string
  attributes?: Record<string, string>
}

/** The name to show for a user: my remark, else their nickname, else null (show the id). */
export function displayNameOf(remark: string | null | undefined, nickname: string | null | undefined): string | null {
  const alias = remark?.trim()
  if (alias) return alias
  const nick = nickname?.trim()
  return nick ? nick : null
}

/** The server's limits (src/server/services/contacts, profiles), checked early on this side for a clear sentence. */
export const CONTACT_LIMITS = {
  /** Characters of a friend request's message. */
  requestMessageChars: 256,
  /** Characters of a remark (my alias for a friend). */
  remarkChars: 64,
  nicknameChars: 64,
  signatureChars: 256,
  statusTextChars: 64,
  /** UTF-8 bytes of all custom attributes' keys and values together. */
  attributesBytes: 2_048
} as const
