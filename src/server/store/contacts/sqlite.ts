// Owns the SQLite side of contacts: each change is checked and applied in ONE transaction together with the contact
// events it appends to the logs of both people concerned, so every device of both sees the same history.
import { ChatTypePb, pb } from '../../../shared/proto/codec'
import type { DomainContext } from '../domain-context'
import type { Synchronous } from '../records'
import type {
  AppendedContactEvent,
  ContactChange,
  ContactChangeResult,
  ContactEventProps,
  ContactRefusal,
  ContactsStore
} from './types'

const Kind = pb.ContactEvent.Kind

/** Appends a ContactEvent to `user`'s log inside the caller's transaction (the conversation is the peer). */
export function appendContactEvent(
  context: DomainContext,
  user: string,
  event: ContactEventProps,
  at: number
): AppendedContactEvent {
  const full: ContactEventProps = { ...event, at }
  const payload = pb.ContactEvent.encode(full).finish()
  const seq = context.appendUserEvent(user, { kind: 'contact', conversation: event.peer ?? '', chatType: ChatTypePb.CHAT_TYPE_SINGLE, payload }, at)
  return { user, seq, event: full }
}

class Refused extends Error {
  constructor(readonly refusal: ContactRefusal) {
    super(refusal)
  }
}

export function openContactsSqlite(context: DomainContext): Synchronous<ContactsStore> {
  const { db } = context
  const userState = db.prepare<[string], { deleted_at: number | null }>('SELECT deleted_at FROM users WHERE name = ?')
  const isFriend = db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM contacts WHERE user = ? AND contact = ?')
  const friendRemark = db.prepare<[string, string], { remark: string }>('SELECT remark FROM contacts WHERE user = ? AND contact = ?')
  const insertFriend = db.prepare<[string, string, number]>('INSERT OR IGNORE INTO contacts (user, contact, since) VALUES (?, ?, ?)')
  const deleteFriend = db.prepare<[string, string]>('DELETE FROM contacts WHERE user = ? AND contact = ?')
  const updateRemark = db.prepare<[string, string, string]>('UPDATE contacts SET remark = ? WHERE user = ? AND contact = ?')
  const selectRequest = db.prepare<[string, string], { message: string }>(
    'SELECT message FROM contact_requests WHERE sender = ? AND recipient = ?'
  )
  const insertRequest = db.prepare<[string, string, string, number]>(
    'INSERT INTO contact_requests (sender, recipient, message, at) VALUES (?, ?, ?, ?)'
  )
  const deleteRequest = db.prepare<[string, string]>('DELETE FROM contact_requests WHERE sender = ? AND recipient = ?')
  const isBlocked = db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM blocks WHERE user = ? AND blocked = ?')
  const insertBlock = db.prepare<[string, string, number]>('INSERT INTO blocks (user, blocked, at) VALUES (?, ?, ?)')
  const deleteBlock = db.prepare<[string, string]>('DELETE FROM blocks WHERE user = ? AND blocked = ?')
  const friendsOf = db.prepare<[string], { contact: string; remark: string; since: number }>(
    'SELECT contact, remark, since FROM contacts WHERE user = ? ORDER BY contact'
  )
  const incomingOf = db.prepare<[string], { sender: string; recipient: string; message: string; at: number }>(
    'SELECT sender, recipient, message, at FROM contact_requests WHERE recipient = ? ORDER BY at, sender'
  )
  const outgoingOf = db.prepare<[string], { sender: string; recipient: string; message: string; at: number }>(
    'SELECT sender, recipient, message, at FROM contact_requests WHERE sender = ? ORDER BY at, recipient'
  )
  const blockedBy = db.prepare<[string], { blocked: string }>('SELECT blocked FROM blocks WHERE user = ? ORDER BY blocked')

  const has = (statement: typeof isFriend, a: string, b: string): boolean => statement.get(a, b) !== undefined

  /** The peer must be a live account (a request or a block names someone real). */
  const requireLiveUser = (peer: string): void => {
    const row = userState.get(peer)
    if (!row) throw new Refused('no-user')
    if (row.deleted_at !== null) throw new Refused('deleted-user')
  }

  const befriend = (user: string, peer: string, at: number): AppendedContactEvent[] => {
    insertFriend.run(user, peer, at)
    insertFriend.run(peer, user, at)
    return [
      appendContactEvent(context, user, { kind: Kind.KIND_FRIEND_ADDED, peer }, at),
      appendContactEvent(context, peer, { kind: Kind.KIND_FRIEND_ADDED, peer: user }, at)
    ]
  }

  /** Drops the pending request from -> to (if any), with a REQUEST_CANCELLED event to both. */
  const cancelRequest = (from: string, to: string, at: number): AppendedContactEvent[] => {
    if (deleteRequest.run(from, to).changes === 0) return []
    return [
      appendContactEvent(context, from, { kind: Kind.KIND_REQUEST_CANCELLED, peer: to }, at),
      appendContactEvent(context, to, { kind: Kind.KIND_REQUEST_CANCELLED, peer: from }, at)
    ]
  }

  const apply = (user: string, change: ContactChange, at: number): AppendedContactEvent[] => {
    const { peer } = change
    if (peer === user) throw new Refused('self')
    switch (change.op) {
      case 'request': {
        requireLiveUser(peer)
        if (has(isBlocked, peer, user)) throw new Refused('blocked-by-peer')
        if (has(isBlocked, user, peer)) throw new Refused('blocking-peer')
        if (has(isFriend, user, peer)) throw new Refused('already-friends')
        if (selectRequest.get(user, peer)) throw new Refused('already-requested')
        // The other side already asked me: asking back is accepting.
        if (deleteRequest.run(peer, user).changes > 0) return befriend(user, peer, at)
        insertRequest.run(user, peer, change.message, at)
        return [
          appendContactEvent(context, user, { kind: Kind.KIND_REQUEST_SENT, peer, message: change.message }, at),
          appendContactEvent(context, peer, { kind: Kind.KIND_REQUEST_RECEIVED, peer: user, message: change.message }, at)
        ]
      }
      case 'decide': {
        if (deleteRequest.run(peer, user).changes === 0) throw new Refused('no-request')
        if (change.accept) return befriend(user, peer, at)
        return [
          appendContactEvent(context, user, { kind: Kind.KIND_REQUEST_DECLINED, peer }, at),
          appendContactEvent(context, peer, { kind: Kind.KIND_REQUEST_DECLINED, peer: user }, at)
        ]
      }
      case 'cancel': {
        const events = cancelRequest(user, peer, at)
        if (events.length === 0) throw new Refused('no-request')
        return events
      }
      case 'remove': {
        if (deleteFriend.run(user, peer).changes === 0) throw new Refused('not-friends')
        deleteFriend.run(peer, user)
        return [
          appendContactEvent(context, user, { kind: Kind.KIND_FRIEND_REMOVED, peer }, at),
          appendContactEvent(context, peer, { kind: Kind.KIND_FRIEND_REMOVED, peer: user }, at)
        ]
      }
      case 'remark': {
        const current = friendRemark.get(user, peer)
        if (!current) throw new Refused('not-friends')
        if (current.remark === change.remark) return []
        updateRemark.run(change.remark, user, peer)
        return [appendContactEvent(context, user, { kind: Kind.KIND_REMARK_CHANGED, peer, remark: change.remark }, at)]
      }
      case 'block': {
        const blocked = has(isBlocked, user, peer)
        if (!change.blocked) {
          if (!blocked) return []
          deleteBlock.run(user, peer)
          return [appendContactEvent(context, user, { kind: Kind.KIND_UNBLOCKED, peer }, at)]
        }
        if (blocked) return []
        requireLiveUser(peer)
        insertBlock.run(user, peer, at)
        // Blocking ends a pending request either way; a friendship stays (as in AgoraChat: the blocklist is apart).
        return [
          ...cancelRequest(user, peer, at),
          ...cancelRequest(peer, user, at),
          appendContactEvent(context, user, { kind: Kind.KIND_BLOCKED, peer }, at)
        ]
      }
    }
  }

  return {
    contactsList(user) {
      return context.inTransaction(() => ({
        friends: friendsOf.all(user).map((row) => ({ user: row.contact, remark: row.remark, since: row.since })),
        incoming: incomingOf.all(user).map((row) => ({ from: row.sender, to: row.recipient, message: row.message, at: row.at })),
        outgoing: outgoingOf.all(user).map((row) => ({ from: row.sender, to: row.recipient, message: row.message, at: row.at })),
        blocked: blockedBy.all(user).map((row) => row.blocked),
        headSeq: context.headOf(user)
      }))
    },
    contactsChange(user, change, at): ContactChangeResult {
      try {
        return { ok: true, events: context.inTransaction(() => apply(user, change, at)) }
      } catch (err) {
        // The transaction rolled back: a refusal changes nothing.
        if (err instanceof Refused) return { ok: false, refusal: err.refusal }
        throw err
      }
    },
    contactsFriendsOf(user) {
      return friendsOf.all(user).map((row) => row.contact)
    },
    contactsMessagingFacts(sender, recipient) {
      const row = userState.get(recipient)
      return {
        recipient: !row ? 'missing' : row.deleted_at !== null ? 'deleted' : 'ok',
        blockedByRecipient: has(isBlocked, recipient, sender),
        friends: has(isFriend, sender, recipient)
      }
    }
  }
}
