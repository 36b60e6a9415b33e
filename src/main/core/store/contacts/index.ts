// The contacts store domain on the device: applies the user log's contact and profile events (inside the sync
// batch's transaction), takes a full contacts list for a new device, and caches users' profiles (migration 005).
import type {
  ContactFriend,
  ContactRelation,
  ContactRequest,
  ContactsState,
  UserProfile
} from '../../../../shared/model/contacts'
import { displayNameOf } from '../../../../shared/model/contacts'
import type { Conversation } from '../../../../shared/model'
import { pb } from '../../../../shared/proto/codec'
import type { parley } from '../../../../shared/proto/gen/parley'
import { canonicalUserId } from '../../../../shared/user-id'
import type { StoreDomain, StoreDomainContext, UserEventRecord } from '../domain-types'
import { StoreError } from '../errors'

const LIST_SEQ_KEY = 'list_seq'
/** The title of a single chat with an account that was deleted. */
export const DELETED_USER_TITLE = 'Deleted user'
const Kind = pb.ContactEvent.Kind

/** What a contact event did, as reported by the applier (ChatClient 'userEvent' change). */
export interface ContactEventChange {
  domain: 'contacts'
  peer: string
  kind: ContactEventKindName
}
export type ContactEventKindName =
  | 'requestSent'
  | 'requestReceived'
  | 'requestCancelled'
  | 'requestDeclined'
  | 'friendAdded'
  | 'friendRemoved'
  | 'remarkChanged'
  | 'blocked'
  | 'unblocked'

/** What a ProfileChanged event did (my own profile, edited on one of my devices). */
export interface ProfileEventChange {
  domain: 'profile'
  profile: UserProfile
}

export interface ContactsStoreApi {
  /** The whole contacts state, each list ordered for display. */
  state(): ContactsState
  /** The log position of the last full list loaded here; null when none was (a new device, or after a resync). */
  listSeq(): number | null
  /**
   * Replaces the contacts with a full list current at `headSeq`. 'stale' (nothing written) when this device has
   * already applied log entries past `headSeq`: those could be lost, so the caller asks for a newer list.
   */
  replaceList(list: ContactsState, headSeq: number): 'applied' | 'stale'
  /** The next start loads the full list again (the log was restarted from the conversation list). */
  forgetList(): void
  relationOf(user: string, me: string): ContactRelation
  profiles(users: readonly string[]): UserProfile[]
  /** Stores the profiles newer than the cached ones; returns those that changed. */
  putProfiles(profiles: readonly UserProfile[]): UserProfile[]
  /** The name a single chat with `user` shows: my remark, else their nickname, else null. */
  titleOf(user: string): string | null
  /** Every user in my contacts (friends, requests both ways, blocked). */
  knownUsers(): string[]
}

interface FriendRow {
  user: string
  remark: string
  since: number
}
interface RequestRow {
  peer: string
  direction: 'in' | 'out'
  message: string
  at: number
}
interface ProfileRow {
  user: string
  nickname: string
  signature: string
  status_text: string
  attributes: string
  deleted: number
  present: number
  updated_at: number
}

function bad(message: string): StoreError {
  return new StoreError('STORE_BAD_ARGUMENT', message)
}

function rowToProfile(row: ProfileRow): UserProfile {
  let attributes: Record<string, string> = {}
  try {
    const parsed: unknown = JSON.parse(row.attributes)
    if (parsed && typeof parsed === 'object') attributes = parsed as Record<string, string>
  } catch {
    // a damaged cache entry: shown without attributes until the next refresh replaces it
  }
  return {
    user: row.user,
    nickname: row.nickname,
    signature: row.signature,
    statusText: row.status_text,
    attributes,
    deleted: row.deleted === 1,
    exists: row.present === 1,
    updatedAt: row.updated_at
  }
}

/** A wire Profile in the model's form; null when it names no valid user. */
export function profileFromWire(wire: parley.v1.IProfile | null | undefined): UserProfile | null {
  const user = canonicalUserId(wire?.user)
  if (!wire || !user) return null
  const attributes: Record<string, string> = {}
  for (const [key, value] of Object.entries(wire.attributes ?? {})) attributes[key] = String(value)
  return {
    user,
    nickname: wire.nickname ?? '',
    signature: wire.signature ?? '',
    statusText: wire.statusText ?? '',
    attributes,
    deleted: wire.deleted === true,
    exists: wire.exists !== false,
    updatedAt: Number(wire.updatedAt ?? 0)
  }
}

const KIND_NAMES: Partial<Record<number, ContactEventKindName>> = {
  [Kind.KIND_REQUEST_SENT]: 'requestSent',
  [Kind.KIND_REQUEST_RECEIVED]: 'requestReceived',
  [Kind.KIND_REQUEST_CANCELLED]: 'requestCancelled',
  [Kind.KIND_REQUEST_DECLINED]: 'requestDeclined',
  [Kind.KIND_FRIEND_ADDED]: 'friendAdded',
  [Kind.KIND_FRIEND_REMOVED]: 'friendRemoved',
  [Kind.KIND_REMARK_CHANGED]: 'remarkChanged',
  [Kind.KIND_BLOCKED]: 'blocked',
  [Kind.KIND_UNBLOCKED]: 'unblocked'
}

export function openContactsStore(context: StoreDomainContext): StoreDomain<ContactsStoreApi> {
  const { db } = context
  const s = {
    getState: db.prepare<[string], { value: number }>(`SELECT value FROM contacts_state WHERE key = ?`),
    setState: db.prepare<[string, number]>(
      `INSERT INTO contacts_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`
    ),
    deleteState: db.prepare<[string]>(`DELETE FROM contacts_state WHERE key = ?`),
    cursor: db.prepare<[], { value: number }>(`SELECT value FROM sync_state WHERE key = 'cursor'`),
    friends: db.prepare<[], FriendRow>(`SELECT user, remark, since FROM contact_friends ORDER BY user`),
    requests: db.prepare<[], RequestRow>(`SELECT peer, direction, message, at FROM contact_requests ORDER BY at DESC, peer`),
    blocked: db.prepare<[], { user: string }>(`SELECT user FROM contact_blocks ORDER BY user`),
    isFriend: db.prepare<[string], { remark: string }>(`SELECT remark FROM contact_friends WHERE user = ?`),
    requestOf: db.prepare<[string, string], { peer: string }>(`SELECT peer FROM contact_requests WHERE peer = ? AND direction = ?`),
    isBlocked: db.prepare<[string], { user: string }>(`SELECT user FROM contact_blocks WHERE user = ?`),
    putFriend: db.prepare<[string, number, number]>(
      `INSERT INTO contact_friends (user, remark, since, seq) VALUES (?, '', ?, ?)
       ON CONFLICT (user) DO UPDATE SET seq = excluded.seq`
    ),
    putFriendFull: db.prepare<[string, string, number, number]>(`INSERT INTO contact_friends (user, remark, since, seq) VALUES (?, ?, ?, ?)`),
    setRemark: db.prepare<[string, number, string]>(`UPDATE contact_friends SET remark = ?, seq = ? WHERE user = ?`),
    deleteFriend: db.prepare<[string]>(`DELETE FROM contact_friends WHERE user = ?`),
    putRequest: db.prepare<[string, string, string, number, number]>(
      `INSERT INTO contact_requests (peer, direction, message, at, seq) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (peer, direction) DO UPDATE SET message = excluded.message, at = excluded.at, seq = excluded.seq`
    ),
    deleteRequests: db.prepare<[string]>(`DELETE FROM contact_requests WHERE peer = ?`),
    putBlock: db.prepare<[string, number]>(`INSERT INTO contact_blocks (user, seq) VALUES (?, ?) ON CONFLICT (user) DO NOTHING`),
    deleteBlock: db.prepare<[string]>(`DELETE FROM contact_blocks WHERE user = ?`),
    clearFriends: db.prepare(`DELETE FROM contact_friends`),
    clearRequests: db.prepare(`DELETE FROM contact_requests`),
    clearBlocks: db.prepare(`DELETE FROM contact_blocks`),
    profile: db.prepare<[string], ProfileRow>(`SELECT * FROM profiles WHERE user = ?`),
    putProfile: db.prepare<[string, string, string, string, string, number, number, number]>(
      `INSERT INTO profiles (user, nickname, signature, status_text, attributes, deleted, present, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (user) DO UPDATE SET nickname = excluded.nickname, signature = excluded.signature,
         status_text = excluded.status_text, attributes = excluded.attributes, deleted = excluded.deleted,
         present = excluded.present, updated_at = excluded.updated_at`
    ),
    title: db.prepare<[string, string, string], { remark: string | null; nickname: string | null; deleted: number | null }>(
      `SELECT (SELECT remark FROM contact_friends WHERE user = ?) AS remark, (SELECT nickname FROM profiles WHERE user = ?) AS nickname,
              (SELECT deleted FROM profiles WHERE user = ?) AS deleted`
    )
  }

  const listSeq = (): number | null => s.getState.get(LIST_SEQ_KEY)?.value ?? null

  const state = (): ContactsState => {
    const friends: ContactFriend[] = s.friends.all().map((row) => ({ user: row.user, remark: row.remark, since: row.since }))
    const incoming: ContactRequest[] = []
    const outgoing: ContactRequest[] = []
    for (const row of s.requests.all()) {
      const request = { peer: row.peer, message: row.message, at: row.at }
      if (row.direction === 'in') incoming.push(request)
      else outgoing.push(request)
    }
    return { friends, incoming, outgoing, blocked: s.blocked.all().map((row) => row.user) }
  }

  const putProfiles = (profiles: readonly UserProfile[]): UserProfile[] =>
    context.write(() => {
      const changed: UserProfile[] = []
      for (const profile of profiles) {
        const user = canonicalUserId(profile.user)
        if (!user) continue
        const current = s.profile.get(user)
        // Newest wins; an equal timestamp replaces too (a deletion or "no such user" carries no newer time).
        if (current && current.updated_at > profile.updatedAt) continue
        const next = { ...profile, user }
        if (current && JSON.stringify(rowToProfile(current)) === JSON.stringify(next)) continue
        s.putProfile.run(
          user,
          next.nickname,
          next.signature,
          next.statusText,
          JSON.stringify(next.attributes),
          next.deleted ? 1 : 0,
          next.exists ? 1 : 0,
          next.updatedAt
        )
        changed.push(next)
      }
      return changed
    })

  /** One ContactEvent from my log, in the batch's transaction. Entries already in the loaded list are skipped. */
  const applyContact = (event: UserEventRecord): ContactEventChange | undefined => {
    const decoded = pb.Event.decode(event.raw).contact
    if (!decoded) throw bad('The contact event carries no change.')
    const loadedAt = listSeq()
    if (loadedAt !== null && event.seq <= loadedAt) return undefined
    const peer = canonicalUserId(decoded.peer)
    if (!peer) throw bad('The contact event names no valid user.')
    const kind = KIND_NAMES[decoded.kind ?? 0]
    if (!kind) throw bad(`The contact event has a kind this version does not know (${String(decoded.kind)}).`)
    const at = Number(decoded.at ?? 0)
    const seq = event.seq
    switch (kind) {
      case 'requestSent':
        s.putRequest.run(peer, 'out', decoded.message ?? '', at, seq)
        break
      case 'requestReceived':
        s.putRequest.run(peer, 'in', decoded.message ?? '', at, seq)
        break
      case 'requestCancelled':
      case 'requestDeclined':
        s.deleteRequests.run(peer)
        break
      case 'friendAdded':
        s.deleteRequests.run(peer)
        s.putFriend.run(peer, at, seq)
        break
      case 'friendRemoved':
        s.deleteFriend.run(peer)
        break
      case 'remarkChanged':
        s.setRemark.run((decoded.remark ?? '').trim(), seq, peer)
        break
      case 'blocked':
        s.putBlock.run(peer, seq)
        break
      case 'unblocked':
        s.deleteBlock.run(peer)
        break
    }
    return { domain: 'contacts', peer, kind }
  }

  const applyProfile = (event: UserEventRecord): ProfileEventChange | undefined => {
    const profile = profileFromWire(pb.Event.decode(event.raw).profile?.profile)
    if (!profile) throw bad('The profile event carries no valid profile.')
    const [changed] = putProfiles([profile])
    return changed ? { domain: 'profile', profile: changed } : undefined
  }

  const api: ContactsStoreApi = {
    state,
    listSeq,
    replaceList(list, headSeq) {
      return context.write(() => {
        const cursor = s.cursor.get()?.value ?? 0
        if (cursor > headSeq) return 'stale'
        s.clearFriends.run()
        s.clearRequests.run()
        s.clearBlocks.run()
        for (const friend of list.friends) {
          const user = canonicalUserId(friend.user)
          if (user) s.putFriendFull.run(user, friend.remark, friend.since, headSeq)
        }
        for (const [direction, requests] of [['in', list.incoming], ['out', list.outgoing]] as const) {
          for (const request of requests) {
            const peer = canonicalUserId(request.peer)
            if (peer) s.putRequest.run(peer, direction, request.message, request.at, headSeq)
          }
        }
        for (const blocked of list.blocked) {
          const user = canonicalUserId(blocked)
          if (user) s.putBlock.run(user, headSeq)
        }
        s.setState.run(LIST_SEQ_KEY, headSeq)
        return 'applied'
      })
    },
    forgetList() {
      context.write(() => s.deleteState.run(LIST_SEQ_KEY))
    },
    relationOf(user, me) {
      const id = canonicalUserId(user)
      if (!id) return 'none'
      if (id === canonicalUserId(me)) return 'self'
      if (s.isBlocked.get(id)) return 'blocked'
      if (s.isFriend.get(id)) return 'friend'
      if (s.requestOf.get(id, 'in')) return 'incoming'
      if (s.requestOf.get(id, 'out')) return 'outgoing'
      return 'none'
    },
    profiles(users) {
      const found: UserProfile[] = []
      for (const user of users) {
        const id = canonicalUserId(user)
        const row = id ? s.profile.get(id) : undefined
        if (row) found.push(rowToProfile(row))
      }
      return found
    },
    putProfiles,
    titleOf(user) {
      const row = s.title.get(user, user, user)
      // A deleted account's messages stay, shown as from a deleted user.
      if (row?.deleted === 1) return DELETED_USER_TITLE
      return displayNameOf(row?.remark, row?.nickname)
    },
    knownUsers() {
      const current = state()
      return [
        ...new Set([
          ...current.friends.map((f) => f.user),
          ...current.incoming.map((r) => r.peer),
          ...current.outgoing.map((r) => r.peer),
          ...current.blocked
        ])
      ]
    }
  }

  // A single chat's title: my remark for the peer, else their nickname (null = the id shows).
  const describe = (conversation: Conversation): Conversation =>
    conversation.chatType === 'single' && conversation.title === null ? { ...conversation, title: api.titleOf(conversation.id) } : conversation

  return { appliers: { contact: applyContact, profile: applyProfile }, api, describe }
}
