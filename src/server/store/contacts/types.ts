// Owns the contacts storage contract: friendships (with my remark), pending friend requests, blocklists, and the
// contact events each change appends to the user logs of the people concerned (in the same transaction).
import type { parley } from '../../../shared/proto/gen/parley.js'

export type ContactEventProps = parley.v1.ContactEvent.$Properties

/** One change to my contacts, decided and applied by the store in ONE transaction (checks and writes together). */
export type ContactChange =
  | { op: 'request'; peer: string; message: string }
  | { op: 'decide'; peer: string; accept: boolean }
  | { op: 'cancel'; peer: string }
  | { op: 'remove'; peer: string }
  | { op: 'remark'; peer: string; remark: string }
  | { op: 'block'; peer: string; blocked: boolean }

/** Why a change was refused (nothing was written); the service turns each into a wire error and a sentence. */
export type ContactRefusal =
  | 'self'
  | 'no-user'
  | 'deleted-user'
  | 'blocked-by-peer'
  | 'blocking-peer'
  | 'already-friends'
  | 'already-requested'
  | 'no-request'
  | 'not-friends'

/** A contact event as appended: whose log, where, and what (the decoded ContactEvent, to push live). */
export interface AppendedContactEvent {
  user: string
  seq: number
  event: ContactEventProps
}

/** `events` is empty when the change was already in force (blocking someone blocked): nothing was written. */
export type ContactChangeResult = { ok: true; events: AppendedContactEvent[] } | { ok: false; refusal: ContactRefusal }

export interface ContactRow {
  user: string
  remark: string
  since: number
}

export interface FriendRequestRow {
  from: string
  to: string
  message: string
  at: number
}

export interface ContactListRow {
  friends: ContactRow[]
  incoming: FriendRequestRow[]
  outgoing: FriendRequestRow[]
  blocked: string[]
  /** The user-log position the list is current at (read in the same snapshot). */
  headSeq: number
}

/** What the message service needs to decide a one-to-one send (read together, in one call). */
export interface MessagingFacts {
  recipient: 'ok' | 'missing' | 'deleted'
  /** The recipient blocked the sender: the send is refused (AgoraChat's rule: only messages FROM the blocked). */
  blockedByRecipient: boolean
  friends: boolean
}

export interface ContactsStore {
  contactsList(user: string): Promise<ContactListRow>
  contactsChange(user: string, change: ContactChange, at: number): Promise<ContactChangeResult>
  /** The user's friends (presence and profile changes go to their online devices). */
  contactsFriendsOf(user: string): Promise<string[]>
  contactsMessagingFacts(sender: string, recipient: string): Promise<MessagingFacts>
}
