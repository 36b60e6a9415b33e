// Owns the SQLite side of profiles and accounts: profile columns of `users` with a ProfileChanged entry per change,
// last seen, password changes, account deletion (relations, own log, sessions in one transaction) and name reclaim.
import { pb } from '../../../shared/proto/codec'
import { appendContactEvent } from '../contacts/sqlite'
import type { AppendedContactEvent } from '../contacts/types'
import type { DomainContext } from '../domain-context'
import type { Synchronous } from '../records'
import type { ProfileProps, ProfileRow, ProfilesStore } from './types'

const Kind = pb.ContactEvent.Kind

interface ProfileColumns {
  name: string
  nickname: string
  signature: string
  status_text: string
  attributes: string
  profile_updated_at: number
  created_at: number
  last_seen_at: number
  deleted_at: number | null
}

function parseAttributes(json: string): Record<string, string> {
  try {
    const parsed = JSON.parse(json) as unknown
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {}
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
  } catch {
    // Only this server writes the column; damage shows as no attributes rather than failing every profile read.
    return {}
  }
}

function missingProfile(user: string): ProfileRow {
  return { user, exists: false, deleted: false, nickname: '', signature: '', statusText: '', attributes: {}, updatedAt: 0, lastSeenAt: 0 }
}

function toProfile(row: ProfileColumns): ProfileRow {
  return {
    user: row.name,
    exists: true,
    deleted: row.deleted_at !== null,
    nickname: row.nickname,
    signature: row.signature,
    statusText: row.status_text,
    attributes: parseAttributes(row.attributes),
    updatedAt: row.deleted_at ?? (row.profile_updated_at || row.created_at),
    lastSeenAt: row.last_seen_at
  }
}

/** The wire Profile of a row (ProfileChanged payloads and pushes). */
export function profileToProps(row: ProfileRow): ProfileProps {
  return {
    user: row.user,
    nickname: row.nickname,
    signature: row.signature,
    statusText: row.statusText,
    attributes: row.attributes,
    deleted: row.deleted,
    updatedAt: row.updatedAt,
    exists: row.exists
  }
}

export function openProfilesSqlite(context: DomainContext): Synchronous<ProfilesStore> {
  const { db } = context
  const selectProfile = db.prepare<[string], ProfileColumns>(
    `SELECT name, nickname, signature, status_text, attributes, profile_updated_at, created_at, last_seen_at, deleted_at
     FROM users WHERE name = ?`
  )
  const updateProfile = db.prepare<[string, string, string, string, number, string]>(
    'UPDATE users SET nickname = ?, signature = ?, status_text = ?, attributes = ?, profile_updated_at = ? WHERE name = ?'
  )
  const updateLastSeen = db.prepare<[number, string]>('UPDATE users SET last_seen_at = ? WHERE name = ?')
  const updatePassword = db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE name = ?')
  const markDeleted = db.prepare<[number, string]>(
    `UPDATE users SET deleted_at = ?, nickname = '', signature = '', status_text = '', attributes = '{}' WHERE name = ?`
  )
  const reclaim = db.prepare<[string, number, string]>(
    `UPDATE users SET password_hash = ?, created_at = ?, deleted_at = NULL, nickname = '', signature = '', status_text = '',
       attributes = '{}', profile_updated_at = 0, last_seen_at = 0 WHERE name = ?`
  )
  const friendsOf = db.prepare<[string], { contact: string }>('SELECT contact FROM contacts WHERE user = ?')
  const deleteFriendships = db.prepare<[string, string]>('DELETE FROM contacts WHERE user = ? OR contact = ?')
  const requestsOf = db.prepare<[string, string], { sender: string; recipient: string }>(
    'SELECT sender, recipient FROM contact_requests WHERE sender = ? UNION SELECT sender, recipient FROM contact_requests WHERE recipient = ?'
  )
  const deleteRequests = db.prepare<[string, string]>('DELETE FROM contact_requests WHERE sender = ? OR recipient = ?')
  const blockersOf = db.prepare<[string], { user: string }>('SELECT user FROM blocks WHERE blocked = ?')
  const deleteBlocks = db.prepare<[string, string]>('DELETE FROM blocks WHERE user = ? OR blocked = ?')
  const liveSessions = db.prepare<[string], { session_id: string }>(
    'SELECT session_id FROM device_sessions WHERE user = ? AND revoked_at IS NULL'
  )
  const revokeSessions = db.prepare<[number, string]>('UPDATE device_sessions SET revoked_at = ? WHERE user = ? AND revoked_at IS NULL')
  // The account's own log goes with it (a later owner of the name must not read it); others' logs keep their copies
  // of the messages exchanged. A message only this account's log referred to (a note to self) goes too.
  const deleteOwnLog = db.prepare<[string]>('DELETE FROM user_log WHERE user = ?')
  const deleteOwnConversations = db.prepare<[string]>('DELETE FROM conversations WHERE user = ?')
  const deleteOwnTrimMark = db.prepare<[string]>('DELETE FROM log_trims WHERE user = ?')
  const deleteNotesToSelf = db.prepare<[string, string]>('DELETE FROM messages WHERE sender = ? AND recipient = ?')

  const read = (user: string): ProfileRow => {
    const row = selectProfile.get(user)
    return row ? toProfile(row) : missingProfile(user)
  }

  return {
    profilesGet(users) {
      return users.map(read)
    },
    profileUpdate(user, patch, at) {
      return context.inTransaction(() => {
        const current = read(user)
        if (!current.exists || current.deleted) throw new Error(`The account "${user}" cannot change its profile.`)
        const next: ProfileRow = {
          ...current,
          nickname: patch.nickname ?? current.nickname,
          signature: patch.signature ?? current.signature,
          statusText: patch.statusText ?? current.statusText,
          attributes: patch.attributes ?? current.attributes
        }
        const unchanged =
          next.nickname === current.nickname &&
          next.signature === current.signature &&
          next.statusText === current.statusText &&
          JSON.stringify(next.attributes) === JSON.stringify(current.attributes)
        if (unchanged) return { profile: current, seq: 0 }
        // updated_at only moves forward, so a client keeping the newest profile never takes an older one.
        next.updatedAt = Math.max(at, current.updatedAt + 1)
        updateProfile.run(next.nickname, next.signature, next.statusText, JSON.stringify(next.attributes), next.updatedAt, user)
        const payload = pb.ProfileChanged.encode({ profile: profileToProps(next) }).finish()
        const seq = context.appendUserEvent(user, { kind: 'profile', conversation: '', chatType: 0, payload }, at)
        return { profile: next, seq }
      })
    },
    profileSetLastSeen(seen) {
      context.inTransaction(() => {
        for (const { user, at } of seen) updateLastSeen.run(at, user)
      })
    },
    accountDeletedAt(user) {
      return selectProfile.get(user)?.deleted_at ?? null
    },
    accountSetPasswordHash(user, passwordHash) {
      updatePassword.run(passwordHash, user)
    },
    accountDelete(user, at) {
      return context.inTransaction(() => {
        const row = selectProfile.get(user)
        if (!row || row.deleted_at !== null) return { events: [], revokedSessions: [] }
        const events: AppendedContactEvent[] = []
        for (const { contact } of friendsOf.all(user)) {
          events.push(appendContactEvent(context, contact, { kind: Kind.KIND_FRIEND_REMOVED, peer: user }, at))
        }
        for (const { sender, recipient } of requestsOf.all(user, user)) {
          const peer = sender === user ? recipient : sender
          events.push(appendContactEvent(context, peer, { kind: Kind.KIND_REQUEST_CANCELLED, peer: user }, at))
        }
        for (const { user: blocker } of blockersOf.all(user)) {
          events.push(appendContactEvent(context, blocker, { kind: Kind.KIND_UNBLOCKED, peer: user }, at))
        }
        deleteFriendships.run(user, user)
        deleteRequests.run(user, user)
        deleteBlocks.run(user, user)
        const revokedSessions = liveSessions.all(user).map((session) => session.session_id)
        revokeSessions.run(at, user)
        deleteOwnLog.run(user)
        deleteOwnConversations.run(user)
        deleteOwnTrimMark.run(user)
        deleteNotesToSelf.run(user, user)
        markDeleted.run(at, user)
        return { events, revokedSessions }
      })
    },
    accountReclaimName(user, passwordHash, now, reserveMs) {
      return context.inTransaction(() => {
        const row = selectProfile.get(user)
        if (!row || row.deleted_at === null) return { outcome: 'taken' as const }
        const until = row.deleted_at + reserveMs
        if (now < until) return { outcome: 'reserved' as const, until }
        reclaim.run(passwordHash, now, user)
        return { outcome: 'reclaimed' as const }
      })
    }
  }
}
