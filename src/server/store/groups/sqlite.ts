// Owns the SQLite side of groups: every change decided by the authorisation table and written in one transaction,
// group messages appended inside the shared group commit (one messages row + one group_log row), and the reads.
import crypto from 'node:crypto'
import { ChatTypePb, pb } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import {
  GROUP_ID_ATTEMPTS,
  GROUP_ID_RANDOM_CHARS,
  GROUP_MAX_MENTIONS,
  GROUP_MAX_PINS,
  GROUP_SUMMARY_MAX,
  GROUP_SYNC_MAX_GROUPS
} from './limits'
import {
  decideGroupOperation,
  decideTargetOperation,
  effectiveState,
  type GroupDecision,
  type GroupOperation,
  type GroupRoleName,
  type GroupTargetOperation
} from './authorization'
import type { SqliteDomainContext } from '../domain-context'
import type { AppendResult, NewMessage, StoredMessage, Synchronous } from '../records'
import type {
  AppendedUserEvent,
  GroupChange,
  GroupChangeDone,
  GroupChangeResult,
  GroupLogRow,
  GroupRefusal,
  GroupRow,
  GroupsStore,
  GroupSettingsRow
} from './types'

type NoticeKind = parley.v1.GroupNotice.Kind
const NoticeKind = pb.GroupNotice.Kind
const MembershipKind = pb.MembershipEvent.Kind
const GROUP_CHAT = ChatTypePb.CHAT_TYPE_GROUP

const LOG_MESSAGE = 1
const LOG_NOTICE = 2
const ROLE_NUMBER: Readonly<Record<GroupRoleName, number>> = { none: 0, member: 1, admin: 2, owner: 3 }
const ROLE_NAME: readonly GroupRoleName[] = ['none', 'member', 'admin', 'owner']
/** Group ids: a letter, then random lowercase letters and digits (no look-alikes needed: they are not typed). */
const GROUP_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'
/** Stands in for "no upper bound" in keyset queries. */
const NEWEST_SEQ = Number.MAX_SAFE_INTEGER

interface GroupColumns {
  group_id: string
  name: string
  name_lower: string
  description: string
  announcement: string
  is_public: number
  join_needs_approval: number
  invite_needs_consent: number
  max_members: number
  owner: string
  member_count: number
  muted_all: number
  created_at: number
  dissolved_at: number | null
}
interface MemberColumns {
  user: string
  role: number
  from_seq: number
  joined_at: number
  muted_until: number
}
interface LogColumns {
  group_id: string
  seq: number
  kind: number
  payload: Buffer | null
  server_id: number | null
  sender: string | null
  client_id: Buffer | null
  recipient: string | null
  chat_type: number | null
  ts: number | null
  body: Buffer | null
  sender_seq: number | null
}

const LOG_SELECT = `SELECT g.group_id, g.seq, g.kind, g.payload, m.server_id, m.sender, m.client_id, m.recipient, m.chat_type,
  m.ts, m.body, m.sender_seq FROM group_log g LEFT JOIN messages m ON m.server_id = g.server_id`

function toLogRow(row: LogColumns): GroupLogRow {
  if (row.kind === LOG_MESSAGE && row.server_id !== null) {
    const message: StoredMessage = {
      serverId: row.server_id,
      clientId: new Uint8Array(row.client_id ?? Buffer.alloc(0)),
      sender: row.sender ?? '',
      recipient: row.recipient ?? row.group_id,
      chatType: row.chat_type ?? GROUP_CHAT,
      timestamp: row.ts ?? 0,
      body: new Uint8Array(row.body ?? Buffer.alloc(0)),
      senderSeq: row.sender_seq ?? row.seq
    }
    return { group: row.group_id, seq: row.seq, message }
  }
  return { group: row.group_id, seq: row.seq, notice: new Uint8Array(row.payload ?? Buffer.alloc(0)) }
}

function settingsOf(row: GroupColumns): GroupSettingsRow {
  return {
    isPublic: row.is_public === 1,
    joinNeedsApproval: row.join_needs_approval === 1,
    inviteNeedsConsent: row.invite_needs_consent === 1,
    maxMembers: row.max_members
  }
}

function refusal(decision: GroupDecision): GroupRefusal | null {
  return decision.allowed ? null : { refusal: { code: decision.code, message: decision.message } }
}

function refused(code: number, message: string): GroupRefusal {
  return { refusal: { code, message } }
}

/** Thrown inside a change's transaction to roll it back and answer the refusal (only before anything is written). */
class Refused extends Error {
  constructor(readonly answer: GroupRefusal) {
    super(answer.refusal.message)
  }
}

function newGroupId(): string {
  const bytes = crypto.randomBytes(GROUP_ID_RANDOM_CHARS)
  let id = 'g'
  for (const byte of bytes) id += GROUP_ID_ALPHABET[byte % GROUP_ID_ALPHABET.length]
  return id
}

export function openGroupsSqlite(context: SqliteDomainContext): Synchronous<GroupsStore> {
  const { db } = context

  const selectGroup = db.prepare<[string], GroupColumns>('SELECT * FROM groups WHERE group_id = ?')
  const insertGroup = db.prepare<[string, string, string, string, number, number, number, number, string, number]>(
    `INSERT INTO groups (group_id, name, name_lower, description, is_public, join_needs_approval, invite_needs_consent,
       max_members, owner, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  const updateGroupInfo = db.prepare<[string, string, string, string, number, number, number, number, string]>(
    `UPDATE groups SET name = ?, name_lower = ?, description = ?, announcement = ?, is_public = ?, join_needs_approval = ?,
       invite_needs_consent = ?, max_members = ? WHERE group_id = ?`
  )
  const setOwner = db.prepare<[string, string]>('UPDATE groups SET owner = ? WHERE group_id = ?')
  const setMutedAll = db.prepare<[number, string]>('UPDATE groups SET muted_all = ? WHERE group_id = ?')
  const setDissolved = db.prepare<[number, string]>('UPDATE groups SET dissolved_at = ?, member_count = 0 WHERE group_id = ?')
  const addMemberCount = db.prepare<[number, string]>('UPDATE groups SET member_count = member_count + ? WHERE group_id = ?')

  const selectMember = db.prepare<[string, string], MemberColumns>(
    'SELECT user, role, from_seq, joined_at, muted_until FROM group_members WHERE group_id = ? AND user = ?'
  )
  const insertMember = db.prepare<[string, string, number, number, number]>(
    'INSERT INTO group_members (group_id, user, role, from_seq, joined_at) VALUES (?, ?, ?, ?, ?)'
  )
  const deleteMember = db.prepare<[string, string]>('DELETE FROM group_members WHERE group_id = ? AND user = ?')
  const setRole = db.prepare<[number, string, string]>('UPDATE group_members SET role = ? WHERE group_id = ? AND user = ?')
  const setMutedUntil = db.prepare<[number, string, string]>(
    'UPDATE group_members SET muted_until = ? WHERE group_id = ? AND user = ?'
  )
  const allMembers = db.prepare<[string], MemberColumns>(
    'SELECT user, role, from_seq, joined_at, muted_until FROM group_members WHERE group_id = ?'
  )
  const membersPage = db.prepare<[string, number, number, string, number], MemberColumns>(
    `SELECT user, role, from_seq, joined_at, muted_until FROM group_members
     WHERE group_id = ? AND (role < ? OR (role = ? AND user > ?)) ORDER BY role DESC, user ASC LIMIT ?`
  )
  const groupsOfUser = db.prepare<[string], { group_id: string }>('SELECT group_id FROM group_members WHERE user = ?')
  const departuresOfUser = db.prepare<[string], { group_id: string }>('SELECT group_id FROM group_departures WHERE user = ?')

  const selectDeparture = db.prepare<[string, string], { from_seq: number; to_seq: number }>(
    'SELECT from_seq, to_seq FROM group_departures WHERE group_id = ? AND user = ?'
  )
  const upsertDeparture = db.prepare<[string, string, number, number, number]>(
    `INSERT INTO group_departures (group_id, user, from_seq, to_seq, at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (group_id, user) DO UPDATE SET from_seq = excluded.from_seq, to_seq = excluded.to_seq, at = excluded.at`
  )
  const deleteDeparture = db.prepare<[string, string]>('DELETE FROM group_departures WHERE group_id = ? AND user = ?')

  const selectBan = db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM group_bans WHERE group_id = ? AND user = ?')
  const insertBan = db.prepare<[string, string, string, number]>(
    'INSERT INTO group_bans (group_id, user, banned_by, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'
  )
  const deleteBan = db.prepare<[string, string]>('DELETE FROM group_bans WHERE group_id = ? AND user = ?')

  const selectJoinRequest = db.prepare<[string, string], { message: string }>(
    'SELECT message FROM group_join_requests WHERE group_id = ? AND user = ?'
  )
  const upsertJoinRequest = db.prepare<[string, string, string, number]>(
    `INSERT INTO group_join_requests (group_id, user, message, at) VALUES (?, ?, ?, ?)
     ON CONFLICT (group_id, user) DO UPDATE SET message = excluded.message, at = excluded.at`
  )
  const deleteJoinRequest = db.prepare<[string, string]>('DELETE FROM group_join_requests WHERE group_id = ? AND user = ?')
  /** Who decides join requests (owner and admins), read over the (group_id, role, user) index. */
  const deciders = db.prepare<[string, number], { user: string }>('SELECT user FROM group_members WHERE group_id = ? AND role >= ?')
  const joinRequestsOf = db.prepare<[string], { user: string; message: string; at: number }>(
    'SELECT user, message, at FROM group_join_requests WHERE group_id = ? ORDER BY at, user'
  )

  const selectInvitation = db.prepare<[string, string], { inviter: string; message: string }>(
    'SELECT inviter, message FROM group_invitations WHERE group_id = ? AND invitee = ?'
  )
  const upsertInvitation = db.prepare<[string, string, string, string, number]>(
    `INSERT INTO group_invitations (group_id, invitee, inviter, message, at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (group_id, invitee) DO UPDATE SET inviter = excluded.inviter, message = excluded.message, at = excluded.at`
  )
  const deleteInvitation = db.prepare<[string, string]>('DELETE FROM group_invitations WHERE group_id = ? AND invitee = ?')
  const inviteesOf = db.prepare<[string], { invitee: string }>('SELECT invitee FROM group_invitations WHERE group_id = ?')
  const invitationsOf = db.prepare<[string], { group_id: string; name: string; inviter: string; message: string; at: number }>(
    `SELECT i.group_id, g.name, i.inviter, i.message, i.at FROM group_invitations i JOIN groups g ON g.group_id = i.group_id
     WHERE i.invitee = ? AND g.dissolved_at IS NULL ORDER BY i.at DESC`
  )

  const pinsOf = db.prepare<[string], { server_id: number }>('SELECT server_id FROM group_pins WHERE group_id = ? ORDER BY at DESC, server_id DESC')
  const countPins = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM group_pins WHERE group_id = ?')
  const insertPin = db.prepare<[string, number, number]>('INSERT INTO group_pins (group_id, server_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
  const deletePin = db.prepare<[string, number]>('DELETE FROM group_pins WHERE group_id = ? AND server_id = ?')
  const groupMessageExists = db.prepare<[number, string], { one: number }>(
    `SELECT 1 AS one FROM messages WHERE server_id = ? AND recipient = ? AND chat_type = ${GROUP_CHAT}`
  )

  const directoryPage = db.prepare<[string, string, string, string, string, number], GroupColumns>(
    `SELECT * FROM groups WHERE is_public = 1 AND dissolved_at IS NULL
       AND (? = '' OR instr(name_lower, ?) > 0 OR group_id = ?)
       AND (name_lower, group_id) > (?, ?)
     ORDER BY name_lower, group_id LIMIT ?`
  )

  const selectGroupHead = db.prepare<[string], { head: number | null }>('SELECT MAX(seq) AS head FROM group_log WHERE group_id = ?')
  const insertLogMessage = db.prepare<[string, number, number, string, number]>(
    `INSERT INTO group_log (group_id, seq, kind, server_id, sender, at) VALUES (?, ?, ${LOG_MESSAGE}, ?, ?, ?)`
  )
  const insertLogNotice = db.prepare<[string, number, string, Buffer, number]>(
    `INSERT INTO group_log (group_id, seq, kind, sender, payload, at) VALUES (?, ?, ${LOG_NOTICE}, ?, ?, ?)`
  )
  const logAfter = db.prepare<[string, number, number, number], LogColumns>(
    `${LOG_SELECT} WHERE g.group_id = ? AND g.seq > ? AND g.seq <= ? ORDER BY g.seq ASC LIMIT ?`
  )
  const messagesBefore = db.prepare<[string, number, number, number], LogColumns>(
    `${LOG_SELECT} WHERE g.group_id = ? AND g.kind = ${LOG_MESSAGE} AND g.seq > ? AND g.seq < ? ORDER BY g.seq DESC LIMIT ?`
  )
  // History shows the notices ("Alice added Bob") between the messages, as the timeline does.
  const entriesBefore = db.prepare<[string, number, number, number], LogColumns>(
    `${LOG_SELECT} WHERE g.group_id = ? AND g.seq > ? AND g.seq < ? ORDER BY g.seq DESC LIMIT ?`
  )
  const countUnread = db.prepare<[string, number, number, string], { n: number }>(
    `SELECT COUNT(*) AS n FROM group_log WHERE group_id = ? AND kind = ${LOG_MESSAGE} AND seq > ? AND seq <= ? AND sender <> ?`
  )
  const readPointerOf = db.prepare<[string, string], { read_seq: number }>(
    `SELECT read_seq FROM conversations WHERE user = ? AND conversation = ? AND chat_type = ${GROUP_CHAT}`
  )

  const findMessage = db.prepare<[string, Buffer], { server_id: number; sender: string; client_id: Buffer; recipient: string; chat_type: number; ts: number; body: Buffer; sender_seq: number }>(
    'SELECT server_id, sender, client_id, recipient, chat_type, ts, body, sender_seq FROM messages WHERE sender = ? AND client_id = ?'
  )
  const insertMessage = db.prepare<[string, Buffer, string, number, Buffer, number]>(
    `INSERT INTO messages (sender, client_id, recipient, chat_type, ts, body, sender_seq, recipient_seq)
     VALUES (?, ?, ?, ${GROUP_CHAT}, ?, ?, ?, NULL)`
  )
  // A deleted account cannot be added, invited or banned: it is no user any more (its name is only reserved).
  const userExists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM users WHERE name = ? AND deleted_at IS NULL')
  const accountDeleted = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM users WHERE name = ? AND deleted_at IS NOT NULL')
  // ---- a deleted account's traces: memberships, requests, invitations (to or from it), bans, departures ----------
  const groupsTouchedBy = db.prepare<[string, string, string, string, string, string], { group_id: string }>(
    `SELECT group_id FROM group_members WHERE user = ?
     UNION SELECT group_id FROM group_join_requests WHERE user = ?
     UNION SELECT group_id FROM group_invitations WHERE invitee = ?
     UNION SELECT group_id FROM group_invitations WHERE inviter = ?
     UNION SELECT group_id FROM group_bans WHERE user = ?
     UNION SELECT group_id FROM group_departures WHERE user = ?
     ORDER BY group_id`
  )
  // Deleted accounts are few; the per-user indexes answer the first three, the small pending tables are read once.
  const deletedAccountsInGroups = db.prepare<[], { name: string }>(
    `SELECT u.name FROM users u WHERE u.deleted_at IS NOT NULL AND (
         EXISTS (SELECT 1 FROM group_members m WHERE m.user = u.name)
      OR EXISTS (SELECT 1 FROM group_departures d WHERE d.user = u.name)
      OR EXISTS (SELECT 1 FROM group_invitations i WHERE i.invitee = u.name))
     UNION SELECT r.user FROM group_join_requests r JOIN users u ON u.name = r.user WHERE u.deleted_at IS NOT NULL
     UNION SELECT i.inviter FROM group_invitations i JOIN users u ON u.name = i.inviter WHERE u.deleted_at IS NOT NULL
     UNION SELECT b.user FROM group_bans b JOIN users u ON u.name = b.user WHERE u.deleted_at IS NOT NULL
     ORDER BY 1`
  )
  // The owner's successor: the longest-standing admin, else the longest-standing member (join order is from_seq:
  // the group's head when they joined), never another deleted account still waiting to be taken out.
  const successorOf = db.prepare<[string, string], MemberColumns>(
    `SELECT m.user, m.role, m.from_seq, m.joined_at, m.muted_until FROM group_members m
     WHERE m.group_id = ? AND m.user <> ? AND m.role IN (${ROLE_NUMBER.member}, ${ROLE_NUMBER.admin})
       AND NOT EXISTS (SELECT 1 FROM users u WHERE u.name = m.user AND u.deleted_at IS NOT NULL)
     ORDER BY m.role DESC, m.from_seq ASC, m.joined_at ASC, m.user ASC LIMIT 1`
  )
  const inviteesInvitedBy = db.prepare<[string, string], { invitee: string }>('SELECT invitee FROM group_invitations WHERE group_id = ? AND inviter = ?')
  const tableNames = db.prepare<[], { name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
  )

  // ---- group heads: from the database, cached by the writer like the user heads ----------------------------------

  /** Committed heads; `pendingHeads` holds the ones handed out in the open transaction (dropped on rollback). */
  const committedHeads = new Map<string, number>()
  const pendingHeads = new Map<string, number>()
  const headOfGroup = (group: string): number => {
    const pending = pendingHeads.get(group)
    if (pending !== undefined) return pending
    const cached = committedHeads.get(group)
    if (cached !== undefined) return cached
    const head = selectGroupHead.get(group)?.head ?? 0
    committedHeads.set(group, head)
    return head
  }
  const transactionCommitted = (): void => {
    for (const [group, head] of pendingHeads) committedHeads.set(group, head)
    pendingHeads.clear()
  }
  const transactionRolledBack = (): void => pendingHeads.clear()

  /** Runs one change in its own transaction; a Refused thrown before any write rolls it back and is answered. */
  const changeTransaction = (work: () => GroupChangeDone): GroupChangeResult => {
    try {
      const done = context.inTransaction(work)
      transactionCommitted()
      return done
    } catch (err) {
      transactionRolledBack()
      if (err instanceof Refused) return err.answer
      throw err
    }
  }

  // ---- what the table decides on ---------------------------------------------------------------------------------

  interface Standing {
    group: GroupColumns
    member: MemberColumns | undefined
    role: GroupRoleName
  }

  const standingOf = (user: string, groupId: string): Standing | null => {
    const group = selectGroup.get(groupId)
    if (!group) return null
    const member = group.dissolved_at === null ? selectMember.get(groupId, user) : undefined
    return { group, member, role: ROLE_NAME[member?.role ?? 0] ?? 'none' }
  }

  const decide = (operation: GroupOperation, user: string, standing: Standing, now: number): GroupRefusal | null => {
    const { group, member } = standing
    const state = effectiveState(
      {
        dissolved: group.dissolved_at !== null,
        banned: member === undefined && selectBan.get(group.group_id, user) !== undefined,
        mutedUntil: member?.muted_until ?? 0,
        mutedAll: group.muted_all === 1
      },
      now
    )
    return refusal(decideGroupOperation(operation, standing.role, state))
  }

  const notFound = (groupId: string): GroupRefusal => refused(pb.ErrorCode.ERROR_NOT_FOUND, `There is no group "${groupId}".`)

  /** The standing of `user` in `groupId` after the table allowed `operation`; throws Refused otherwise. */
  const authorize = (operation: GroupOperation, user: string, groupId: string, now: number): Standing => {
    const standing = standingOf(user, groupId)
    if (!standing) throw new Refused(notFound(groupId))
    const answer = decide(operation, user, standing, now)
    if (answer) throw new Refused(answer)
    return standing
  }

  const authorizeTarget = (operation: GroupTargetOperation, actor: Standing, actorName: string, target: string): MemberColumns | undefined => {
    const member = selectMember.get(actor.group.group_id, target)
    const answer = refusal(decideTargetOperation(operation, actor.role, ROLE_NAME[member?.role ?? 0] ?? 'none', actorName === target))
    if (answer) throw new Refused(answer)
    return member
  }

  // ---- writing entries -------------------------------------------------------------------------------------------

  interface ChangeLog {
    entries: GroupLogRow[]
    userEvents: AppendedUserEvent[]
    joined: string[]
    departed: string[]
  }
  const newChangeLog = (): ChangeLog => ({ entries: [], userEvents: [], joined: [], departed: [] })

  const appendNotice = (
    log: ChangeLog,
    groupId: string,
    actor: string,
    notice: Omit<parley.v1.IGroupNotice, 'actor' | 'at'> & { kind: NoticeKind },
    now: number
  ): number => {
    const seq = headOfGroup(groupId) + 1
    const payload = pb.GroupNotice.encode({ ...notice, actor, at: now }).finish()
    insertLogNotice.run(groupId, seq, actor, Buffer.from(payload), now)
    pendingHeads.set(groupId, seq)
    log.entries.push({ group: groupId, seq, notice: payload })
    return seq
  }

  const appendMembership = (log: ChangeLog, user: string, groupId: string, event: parley.v1.IMembershipEvent, now: number): void => {
    const payload = pb.MembershipEvent.encode({ ...event, group: groupId, at: now }).finish()
    const seq = context.appendUserEvent(user, { kind: 'membership', conversation: groupId, chatType: GROUP_CHAT, payload }, now)
    log.userEvents.push({ user, seq, payload })
  }

  const roleProto = (role: GroupRoleName): number => ROLE_NUMBER[role]

  /**
   * Tells every owner and admin (their user logs, so all their devices and any that are off agree) that `user`'s
   * join request now waits, or no longer does: one entry per decider, none for plain members.
   */
  const tellDeciders = (log: ChangeLog, group: GroupColumns, event: parley.v1.IMembershipEvent, now: number): void => {
    for (const { user } of deciders.all(group.group_id, ROLE_NUMBER.admin)) {
      appendMembership(log, user, group.group_id, { ...event, groupName: group.name }, now)
    }
  }

  /** Drops `user`'s join request if one waits, and tells the deciders it is closed (`actor` decided; '' = nobody). */
  const closeJoinRequest = (log: ChangeLog, group: GroupColumns, user: string, actor: string, now: number): void => {
    if (deleteJoinRequest.run(group.group_id, user).changes === 0) return
    tellDeciders(log, group, { kind: MembershipKind.KIND_JOIN_REQUEST_CLOSED, user, actor }, now)
  }

  /** Drops the invitation waiting for `invitee` if any, and tells their devices it is closed. */
  const closeInvitation = (log: ChangeLog, group: GroupColumns, invitee: string, actor: string, now: number): void => {
    if (deleteInvitation.run(group.group_id, invitee).changes === 0) return
    appendMembership(log, invitee, group.group_id, { kind: MembershipKind.KIND_INVITATION_CLOSED, groupName: group.name, actor }, now)
  }

  /** Adds a member joining now: from_seq = the head before the notice that announces them. */
  const addMember = (log: ChangeLog, group: GroupColumns, user: string, role: GroupRoleName, now: number): number => {
    const fromSeq = headOfGroup(group.group_id)
    insertMember.run(group.group_id, user, ROLE_NUMBER[role], fromSeq, now)
    addMemberCount.run(1, group.group_id)
    deleteDeparture.run(group.group_id, user)
    closeJoinRequest(log, group, user, '', now)
    deleteInvitation.run(group.group_id, user)
    log.joined.push(user)
    return fromSeq
  }

  /** Ends a membership; the departure keeps (from_seq, to_seq] readable, and the user's devices learn it. */
  const endMembership = (
    log: ChangeLog,
    group: GroupColumns,
    member: MemberColumns,
    kind: parley.v1.MembershipEvent.Kind,
    actor: string,
    toSeq: number,
    now: number
  ): void => {
    deleteMember.run(group.group_id, member.user)
    addMemberCount.run(-1, group.group_id)
    upsertDeparture.run(group.group_id, member.user, member.from_seq, toSeq, now)
    appendMembership(log, member.user, group.group_id, { kind, groupName: group.name, toSeq, actor }, now)
    log.departed.push(member.user)
  }

  const done = (groupId: string, log: ChangeLog, pending = false): GroupChangeDone => ({
    group: groupId,
    groupSeq: log.entries.at(-1)?.seq ?? 0,
    pending,
    entries: log.entries,
    userEvents: log.userEvents,
    joined: log.joined,
    departed: log.departed,
    dissolved: false
  })

  const ensureRoom = (group: GroupColumns, adding: number): void => {
    if (group.member_count + adding > group.max_members) {
      throw new Refused(refused(pb.ErrorCode.ERROR_FULL, `The group is full (at most ${group.max_members} members).`))
    }
  }

  const joinNow = (log: ChangeLog, group: GroupColumns, user: string, actor: string, kind: NoticeKind, now: number): void => {
    const fromSeq = addMember(log, group, user, 'member', now)
    appendNotice(log, group.group_id, actor, { kind, users: [user] }, now)
    appendMembership(log, user, group.group_id, { kind: MembershipKind.KIND_JOINED, groupName: group.name, fromSeq, role: roleProto('member'), actor }, now)
  }

  /** Invites (or adds at once) each user; skips members; refuses the whole change for unknown or banned users. */
  const inviteUsers = (log: ChangeLog, group: GroupColumns, actor: string, users: readonly string[], message: string, now: number): boolean => {
    const fresh = [...new Set(users)].filter((user) => user !== actor && selectMember.get(group.group_id, user) === undefined)
    for (const user of fresh) {
      if (!userExists.get(user)) throw new Refused(refused(pb.ErrorCode.ERROR_USER_NOT_FOUND, `There is no user named "${user}".`))
      if (selectBan.get(group.group_id, user)) {
        throw new Refused(refused(pb.ErrorCode.ERROR_BANNED, `${user} is banned from this group; unban them first.`))
      }
    }
    if (fresh.length === 0) return false
    if (group.invite_needs_consent === 1) {
      for (const user of fresh) {
        upsertInvitation.run(group.group_id, user, actor, message, now)
        appendMembership(log, user, group.group_id, { kind: MembershipKind.KIND_INVITED, groupName: group.name, actor, text: message }, now)
      }
      return true
    }
    ensureRoom(group, fresh.length)
    const fromSeq = headOfGroup(group.group_id)
    for (const user of fresh) addMember(log, group, user, 'member', now)
    appendNotice(log, group.group_id, actor, { kind: NoticeKind.KIND_ADDED, users: fresh }, now)
    for (const user of fresh) {
      appendMembership(log, user, group.group_id, { kind: MembershipKind.KIND_JOINED, groupName: group.name, fromSeq, role: roleProto('member'), actor }, now)
    }
    return false
  }

  const reload = (groupId: string): GroupColumns => selectGroup.get(groupId) as GroupColumns

  // ---- the changes -----------------------------------------------------------------------------------------------

  const applyChange = (actor: string, change: GroupChange, now: number): GroupChangeDone => {
    const log = newChangeLog()
    switch (change.op) {
      case 'create': {
        let groupId = newGroupId()
        for (let attempt = 1; selectGroup.get(groupId); attempt++) {
          if (attempt >= GROUP_ID_ATTEMPTS) throw new Error('Could not find a free group id.')
          groupId = newGroupId()
        }
        const { settings } = change
        insertGroup.run(
          groupId, change.name, change.name.toLowerCase(), change.description, Number(settings.isPublic),
          Number(settings.joinNeedsApproval), Number(settings.inviteNeedsConsent), settings.maxMembers, actor, now
        )
        const group = reload(groupId)
        addMember(log, group, actor, 'owner', now)
        appendNotice(log, groupId, actor, { kind: NoticeKind.KIND_CREATED, text: change.name }, now)
        appendMembership(log, actor, groupId, { kind: MembershipKind.KIND_JOINED, groupName: change.name, fromSeq: 0, role: roleProto('owner'), actor }, now)
        const pending = inviteUsers(log, reload(groupId), actor, change.members, '', now)
        return done(groupId, log, pending)
      }
      case 'update': {
        const { group } = authorize('update', actor, change.group, now)
        const settings = change.settings ?? settingsOf(group)
        if (settings.maxMembers < group.member_count) {
          throw new Refused(refused(pb.ErrorCode.ERROR_LIMIT_EXCEEDED, `The group already has ${group.member_count} members.`))
        }
        const name = change.name ?? group.name
        const changed: string[] = []
        if (change.name !== undefined && change.name !== group.name) changed.push('name')
        if (change.description !== undefined && change.description !== group.description) changed.push('description')
        if (change.settings) changed.push('settings')
        updateGroupInfo.run(
          name, name.toLowerCase(), change.description ?? group.description, change.announcement ?? group.announcement,
          Number(settings.isPublic), Number(settings.joinNeedsApproval), Number(settings.inviteNeedsConsent), settings.maxMembers, group.group_id
        )
        if (changed.length > 0) appendNotice(log, group.group_id, actor, { kind: NoticeKind.KIND_INFO_CHANGED, text: changed.join(',') }, now)
        if (change.announcement !== undefined && change.announcement !== group.announcement) {
          appendNotice(log, group.group_id, actor, { kind: NoticeKind.KIND_ANNOUNCEMENT, text: change.announcement }, now)
        }
        return done(group.group_id, log)
      }
      case 'dissolve': {
        const { group } = authorize('dissolve', actor, change.group, now)
        const toSeq = appendNotice(log, group.group_id, actor, { kind: NoticeKind.KIND_DISSOLVED }, now)
        for (const { invitee } of inviteesOf.all(group.group_id)) closeInvitation(log, group, invitee, actor, now)
        for (const member of allMembers.all(group.group_id)) {
          endMembership(log, group, member, MembershipKind.KIND_DISSOLVED, actor, toSeq, now)
        }
        setDissolved.run(now, group.group_id)
        return { ...done(group.group_id, log), dissolved: true }
      }
      case 'transfer': {
        const standing = authorize('transfer', actor, change.group, now)
        authorizeTarget('transfer', standing, actor, change.user)
        const { group } = standing
        setRole.run(ROLE_NUMBER.owner, group.group_id, change.user)
        setRole.run(ROLE_NUMBER.admin, group.group_id, actor)
        setOwner.run(change.user, group.group_id)
        appendNotice(log, group.group_id, actor, { kind: NoticeKind.KIND_OWNER_CHANGED, users: [change.user] }, now)
        appendMembership(log, change.user, group.group_id, { kind: MembershipKind.KIND_ROLE_CHANGED, groupName: group.name, role: roleProto('owner'), actor }, now)
        appendMembership(log, actor, group.group_id, { kind: MembershipKind.KIND_ROLE_CHANGED, groupName: group.name, role: roleProto('admin'), actor }, now)
        return done(group.group_id, log)
      }
      case 'setAdmin': {
        const standing = authorize('setAdmin', actor, change.group, now)
        const target = authorizeTarget('setAdmin', standing, actor, change.user) as MemberColumns
        const role: GroupRoleName = change.admin ? 'admin' : 'member'
        if (target.role === ROLE_NUMBER[role]) {
          throw new Refused(refused(pb.ErrorCode.ERROR_CONFLICT, `${change.user} is already ${change.admin ? 'an admin' : 'a plain member'}.`))
        }
        const { group } = standing
        setRole.run(ROLE_NUMBER[role], group.group_id, change.user)
        appendNotice(log, group.group_id, actor, { kind: change.admin ? NoticeKind.KIND_ADMIN_ADDED : NoticeKind.KIND_ADMIN_REMOVED, users: [change.user] }, now)
        appendMembership(log, change.user, group.group_id, { kind: MembershipKind.KIND_ROLE_CHANGED, groupName: group.name, role: roleProto(role), actor }, now)
        return done(group.group_id, log)
      }
      case 'invite': {
        const { group } = authorize('invite', actor, change.group, now)
        const pending = inviteUsers(log, group, actor, change.users, change.message, now)
        return done(group.group_id, log, pending)
      }
      case 'remove': {
        const standing = authorize('remove', actor, change.group, now)
        const target = authorizeTarget('remove', standing, actor, change.user) as MemberColumns
        const toSeq = appendNotice(log, standing.group.group_id, actor, { kind: NoticeKind.KIND_REMOVED, users: [change.user] }, now)
        endMembership(log, standing.group, target, MembershipKind.KIND_REMOVED, actor, toSeq, now)
        return done(standing.group.group_id, log)
      }
      case 'join': {
        const { group } = authorize('join', actor, change.group, now)
        const invitation = selectInvitation.get(group.group_id, actor)
        if (group.is_public !== 1 && !invitation) {
          throw new Refused(refused(pb.ErrorCode.ERROR_FORBIDDEN, 'This group is private; join it by invitation.'))
        }
        if (group.join_needs_approval === 1 && !invitation) {
          if (selectJoinRequest.get(group.group_id, actor)) {
            throw new Refused(refused(pb.ErrorCode.ERROR_CONFLICT, 'Your request to join is already waiting.'))
          }
          ensureRoom(group, 1)
          upsertJoinRequest.run(group.group_id, actor, change.message, now)
          tellDeciders(log, group, { kind: MembershipKind.KIND_JOIN_REQUESTED, user: actor, actor, text: change.message }, now)
          return done(group.group_id, log, true)
        }
        ensureRoom(group, 1)
        joinNow(log, group, actor, actor, NoticeKind.KIND_JOINED, now)
        return done(group.group_id, log)
      }
      case 'decideJoin': {
        const { group } = authorize('decideJoin', actor, change.group, now)
        if (!selectJoinRequest.get(group.group_id, change.user)) {
          throw new Refused(refused(pb.ErrorCode.ERROR_NOT_FOUND, `${change.user} has no request to join waiting.`))
        }
        if (!change.accept) {
          closeJoinRequest(log, group, change.user, actor, now)
          appendMembership(log, change.user, group.group_id, { kind: MembershipKind.KIND_JOIN_DECLINED, groupName: group.name, actor, text: change.reason }, now)
          return done(group.group_id, log)
        }
        if (selectBan.get(group.group_id, change.user)) {
          throw new Refused(refused(pb.ErrorCode.ERROR_BANNED, `${change.user} is banned from this group.`))
        }
        ensureRoom(group, 1)
        closeJoinRequest(log, group, change.user, actor, now)
        joinNow(log, group, change.user, actor, NoticeKind.KIND_ADDED, now)
        return done(group.group_id, log)
      }
      case 'decideInvitation': {
        const { group } = authorize('decideInvitation', actor, change.group, now)
        const invitation = selectInvitation.get(group.group_id, actor)
        if (!invitation) throw new Refused(refused(pb.ErrorCode.ERROR_NOT_FOUND, 'There is no invitation to this group waiting for you.'))
        if (!change.accept) {
          closeInvitation(log, group, actor, actor, now)
          return done(group.group_id, log)
        }
        ensureRoom(group, 1)
        joinNow(log, group, actor, actor, NoticeKind.KIND_JOINED, now)
        return done(group.group_id, log)
      }
      case 'mute': {
        const standing = authorize('mute', actor, change.group, now)
        authorizeTarget('mute', standing, actor, change.user)
        const until = change.until > now ? change.until : 0
        setMutedUntil.run(until, standing.group.group_id, change.user)
        appendNotice(log, standing.group.group_id, actor, {
          kind: until > 0 ? NoticeKind.KIND_MUTED : NoticeKind.KIND_UNMUTED, users: [change.user], until
        }, now)
        return done(standing.group.group_id, log)
      }
      case 'muteAll': {
        const { group } = authorize('muteAll', actor, change.group, now)
        if ((group.muted_all === 1) === change.muted) return done(group.group_id, log)
        setMutedAll.run(Number(change.muted), group.group_id)
        appendNotice(log, group.group_id, actor, { kind: change.muted ? NoticeKind.KIND_MUTED_ALL : NoticeKind.KIND_UNMUTED_ALL }, now)
        return done(group.group_id, log)
      }
      case 'ban': {
        const standing = authorize('ban', actor, change.group, now)
        const target = authorizeTarget('ban', standing, actor, change.user)
        const { group } = standing
        if (!change.banned) {
          if (deleteBan.run(group.group_id, change.user).changes === 0) return done(group.group_id, log)
          appendNotice(log, group.group_id, actor, { kind: NoticeKind.KIND_UNBANNED, users: [change.user] }, now)
          return done(group.group_id, log)
        }
        if (!userExists.get(change.user)) throw new Refused(refused(pb.ErrorCode.ERROR_USER_NOT_FOUND, `There is no user named "${change.user}".`))
        insertBan.run(group.group_id, change.user, actor, now)
        closeJoinRequest(log, group, change.user, actor, now)
        closeInvitation(log, group, change.user, actor, now)
        const toSeq = appendNotice(log, group.group_id, actor, { kind: NoticeKind.KIND_BANNED, users: [change.user] }, now)
        if (target) endMembership(log, group, target, MembershipKind.KIND_REMOVED, actor, toSeq, now)
        return done(group.group_id, log)
      }
      case 'pin': {
        const { group } = authorize('pin', actor, change.group, now)
        if (change.pinned) {
          if (!groupMessageExists.get(change.serverId, group.group_id)) {
            throw new Refused(refused(pb.ErrorCode.ERROR_NOT_FOUND, 'There is no such message in this group.'))
          }
          if ((countPins.get(group.group_id)?.n ?? 0) >= GROUP_MAX_PINS) {
            throw new Refused(refused(pb.ErrorCode.ERROR_LIMIT_EXCEEDED, `A group keeps at most ${GROUP_MAX_PINS} pinned messages.`))
          }
          if (insertPin.run(group.group_id, change.serverId, now).changes === 0) return done(group.group_id, log)
        } else if (deletePin.run(group.group_id, change.serverId).changes === 0) {
          return done(group.group_id, log)
        }
        appendNotice(log, group.group_id, actor, {
          kind: change.pinned ? NoticeKind.KIND_PINNED : NoticeKind.KIND_UNPINNED, serverId: change.serverId
        }, now)
        return done(group.group_id, log)
      }
      case 'leave': {
        const { group, member } = authorize('leave', actor, change.group, now)
        const toSeq = appendNotice(log, group.group_id, actor, { kind: NoticeKind.KIND_LEFT }, now)
        endMembership(log, group, member as MemberColumns, MembershipKind.KIND_LEFT, actor, toSeq, now)
        return done(group.group_id, log)
      }
    }
  }

  /**
   * A deleted account taken out of one group: as its own leave (the LEFT notice the members see, the count down),
   * after handing an owned group to its successor (OWNER_CHANGED, their ROLE_CHANGED) or dissolving a group left
   * with nobody. Its requests, invitations (to it and from it), ban and departure go too, so whoever registers the
   * name later inherits none of them. The account's own log was dropped with it: it gets no membership event.
   * Running it again changes nothing (each step checks what is still there).
   */
  const dropDeletedAccount = (user: string, groupId: string, now: number): GroupChangeDone => {
    if (!accountDeleted.get(user)) {
      throw new Refused(refused(pb.ErrorCode.ERROR_FORBIDDEN, `The account "${user}" is not deleted.`))
    }
    const log = newChangeLog()
    const group = selectGroup.get(groupId)
    if (!group) return done(groupId, log)
    let dissolved = false
    const member = group.dissolved_at === null ? selectMember.get(groupId, user) : undefined
    if (member) {
      const dropSilently = (gone: MemberColumns): void => {
        deleteMember.run(groupId, gone.user)
        addMemberCount.run(-1, groupId)
        log.departed.push(gone.user)
      }
      const successor = member.role === ROLE_NUMBER.owner ? successorOf.get(groupId, user) : undefined
      if (member.role === ROLE_NUMBER.owner && !successor) {
        const toSeq = appendNotice(log, groupId, user, { kind: NoticeKind.KIND_DISSOLVED }, now)
        for (const { invitee } of inviteesOf.all(groupId)) closeInvitation(log, group, invitee, user, now)
        for (const other of allMembers.all(groupId)) {
          if (other.user === user || accountDeleted.get(other.user)) dropSilently(other)
          else endMembership(log, group, other, MembershipKind.KIND_DISSOLVED, user, toSeq, now)
        }
        setDissolved.run(now, groupId)
        dissolved = true
      } else {
        if (successor) {
          setRole.run(ROLE_NUMBER.owner, groupId, successor.user)
          setOwner.run(successor.user, groupId)
          appendNotice(log, groupId, user, { kind: NoticeKind.KIND_OWNER_CHANGED, users: [successor.user] }, now)
          appendMembership(log, successor.user, groupId, { kind: MembershipKind.KIND_ROLE_CHANGED, groupName: group.name, role: roleProto('owner'), actor: user }, now)
        }
        appendNotice(log, groupId, user, { kind: NoticeKind.KIND_LEFT }, now)
        dropSilently(member)
      }
    }
    // The deciders' devices and the invitees' devices are told, so no badge waits for a request that is gone.
    closeJoinRequest(log, group, user, '', now)
    deleteInvitation.run(groupId, user)
    for (const { invitee } of inviteesInvitedBy.all(groupId, user)) closeInvitation(log, group, invitee, user, now)
    deleteBan.run(groupId, user)
    deleteDeparture.run(groupId, user)
    return { ...done(groupId, log), dissolved }
  }

  const toGroupRow = (group: GroupColumns, user: string, now: number): GroupRow => {
    const member = group.dissolved_at === null ? selectMember.get(group.group_id, user) : undefined
    return {
      group: group.group_id,
      name: group.name,
      description: group.description,
      announcement: group.announcement,
      settings: settingsOf(group),
      owner: group.owner,
      memberCount: group.member_count,
      mutedAll: group.muted_all === 1,
      dissolved: group.dissolved_at !== null,
      createdAt: group.created_at,
      headSeq: headOfGroup(group.group_id),
      pinned: pinsOf.all(group.group_id).map((row) => row.server_id),
      myRole: ROLE_NAME[member?.role ?? 0] ?? 'none',
      myMutedUntil: member && member.muted_until > now ? member.muted_until : 0
    }
  }

  /** What `user` may read of the group's log: (fromSeq, toSeq]; null = nothing (never a member, or dissolved). */
  const readableRange = (user: string, groupId: string): { fromSeq: number; toSeq: number; member: boolean } | null => {
    const group = selectGroup.get(groupId)
    if (!group || group.dissolved_at !== null) return null
    const member = selectMember.get(groupId, user)
    if (member) return { fromSeq: member.from_seq, toSeq: headOfGroup(groupId), member: true }
    const departure = selectDeparture.get(groupId, user)
    return departure ? { fromSeq: departure.from_seq, toSeq: departure.to_seq, member: false } : null
  }

  // ---- the group message inside the shared group commit ---------------------------------------------------------

  /**
   * A group message inside commitGroups' transaction: de-duplicated on (sender, client id) first (a resend of an
   * accepted message gets its original ack even if the sender was muted since), then decided by the table with the
   * state read in this same transaction (the writer is the only connection that writes, so nothing changes between
   * this check and the insert), then stored once: one messages row and one group_log row.
   */
  const appendGroupMessage = (input: NewMessage): AppendResult => {
    const clientId = Buffer.from(input.clientId.buffer, input.clientId.byteOffset, input.clientId.byteLength)
    const existing = findMessage.get(input.sender, clientId)
    if (existing) {
      return {
        message: {
          serverId: existing.server_id,
          clientId: new Uint8Array(existing.client_id),
          sender: existing.sender,
          recipient: existing.recipient,
          chatType: existing.chat_type,
          timestamp: existing.ts,
          body: new Uint8Array(existing.body),
          senderSeq: existing.sender_seq
        },
        duplicate: true,
        recipientSeq: null
      }
    }
    const refuse = (answer: GroupRefusal): AppendResult => ({
      message: { ...input, serverId: 0, senderSeq: 0 },
      duplicate: false,
      recipientSeq: null,
      refusal: answer.refusal
    })
    const standing = standingOf(input.sender, input.recipient)
    if (!standing) return refuse(notFound(input.recipient))
    const denied = decide('send', input.sender, standing, input.timestamp)
    if (denied) return refuse(denied)
    let body = input.body
    let text: parley.v1.ITextBody | null
    try {
      text = pb.Body.decode(input.body).text ?? null
    } catch {
      // The service encoded this body a moment ago; undecodable means no mentions to check.
      text = null
    }
    const mentions = text?.mentions ?? []
    if (text && (text.mentionAll || mentions.length > 0)) {
      if (text.mentionAll) {
        const deniedAll = decide('mentionAll', input.sender, standing, input.timestamp)
        if (deniedAll) return refuse(deniedAll)
      }
      // Only members can be mentioned: the others are dropped (and at most GROUP_MAX_MENTIONS are kept).
      const kept = [...new Set(mentions)]
        .filter((user) => selectMember.get(input.recipient, user) !== undefined)
        .slice(0, GROUP_MAX_MENTIONS)
      if (kept.length !== mentions.length) {
        body = pb.Body.encode({ text: { text: text.text, mentions: kept, mentionAll: text.mentionAll } }).finish()
      }
    }
    const seq = headOfGroup(input.recipient) + 1
    const inserted = insertMessage.run(input.sender, clientId, input.recipient, input.timestamp, Buffer.from(body), seq)
    const serverId = Number(inserted.lastInsertRowid)
    insertLogMessage.run(input.recipient, seq, serverId, input.sender, input.timestamp)
    pendingHeads.set(input.recipient, seq)
    return {
      message: { ...input, body, serverId, senderSeq: seq },
      duplicate: false,
      recipientSeq: seq
    }
  }

  const countGroupUnread = (user: string, groupId: string, afterSeq: number): number => {
    const range = readableRange(user, groupId)
    if (!range) return 0
    return countUnread.get(groupId, Math.max(afterSeq, range.fromSeq), range.toSeq, user)?.n ?? 0
  }

  context.hooks.appendGroupMessage = appendGroupMessage
  context.hooks.transactionCommitted = transactionCommitted
  context.hooks.transactionRolledBack = transactionRolledBack
  context.hooks.groupHead = headOfGroup
  context.hooks.countGroupUnread = countGroupUnread

  // ---- the store's methods ---------------------------------------------------------------------------------------

  return {
    changeGroup(actor, change, now) {
      return changeTransaction(() => applyChange(actor, change, now))
    },
    groupInfo(user, groupId, now) {
      const standing = standingOf(user, groupId)
      if (!standing) return notFound(groupId)
      const denied = decide('info', user, standing, now)
      if (denied) return denied
      if (standing.role === 'none' && standing.group.is_public !== 1 && !selectInvitation.get(groupId, user)) {
        return refused(pb.ErrorCode.ERROR_NOT_MEMBER, 'This group is private.')
      }
      return toGroupRow(standing.group, user, now)
    },
    groupMembers(user, groupId, afterUser, limit, now) {
      const standing = standingOf(user, groupId)
      if (!standing) return notFound(groupId)
      const denied = decide('members', user, standing, now)
      if (denied) return denied
      const after = afterUser ? selectMember.get(groupId, afterUser) : undefined
      // From the top: above the owner's rank. After a user: below their rank, or the same rank and a later name.
      const rank = after ? after.role : ROLE_NUMBER.owner + 1
      const rows = membersPage.all(groupId, rank, rank, after ? after.user : '', limit + 1)
      return {
        members: rows.slice(0, limit).map((row) => ({
          user: row.user,
          role: ROLE_NAME[row.role] ?? 'member',
          joinedAt: row.joined_at,
          mutedUntil: row.muted_until > now ? row.muted_until : 0
        })),
        hasMore: rows.length > limit,
        memberCount: standing.group.member_count
      }
    },
    groupDirectory(user, query, after, limit) {
      const needle = query.trim().toLowerCase()
      let afterName = ''
      let afterId = ''
      if (after) {
        const split = after.indexOf('\u0000')
        afterName = split >= 0 ? after.slice(0, split) : after
        afterId = split >= 0 ? after.slice(split + 1) : ''
      }
      const rows = directoryPage.all(needle, needle, needle, afterName, afterId, limit + 1)
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      const now = Date.now()
      return {
        groups: page.map((row) => toGroupRow(row, user, now)),
        next: rows.length > limit && last ? `${last.name_lower}\u0000${last.group_id}` : ''
      }
    },
    myGroups(user) {
      const now = Date.now()
      return groupsOfUser.all(user).flatMap(({ group_id: groupId }) => {
        const group = selectGroup.get(groupId)
        return group ? [toGroupRow(group, user, now)] : []
      })
    },
    groupJoinRequests(user, groupId, now) {
      const standing = standingOf(user, groupId)
      if (!standing) return notFound(groupId)
      const denied = decide('pending', user, standing, now)
      if (denied) return denied
      return joinRequestsOf.all(groupId).map((row) => ({ group: groupId, user: row.user, message: row.message, at: row.at }))
    },
    myGroupInvitations(user) {
      return invitationsOf.all(user).map((row) => ({
        group: row.group_id, groupName: row.name, inviter: row.inviter, message: row.message, at: row.at
      }))
    },
    groupSync(user, cursors, limit) {
      const batches = []
      for (const cursor of cursors.slice(0, GROUP_SYNC_MAX_GROUPS)) {
        const head = headOfGroup(cursor.group)
        const range = readableRange(user, cursor.group)
        if (!range) {
          batches.push({ group: cursor.group, entries: [], headSeq: head, hasMore: false, notMember: true })
          continue
        }
        const start = Math.max(cursor.afterSeq, range.fromSeq)
        // The head is in the writer's memory: a group that did not move costs no read of its log.
        if (start >= range.toSeq) {
          if (!range.member) batches.push({ group: cursor.group, entries: [], headSeq: range.toSeq, hasMore: false, notMember: true })
          continue
        }
        const rows = logAfter.all(cursor.group, start, range.toSeq, limit + 1)
        const entries = rows.slice(0, limit).map(toLogRow)
        const hasMore = rows.length > limit
        batches.push({
          group: cursor.group,
          entries,
          headSeq: range.member ? head : range.toSeq,
          hasMore,
          notMember: !range.member && !hasMore
        })
      }
      return batches
    },
    groupHistory(user, groupId, beforeSeq, limit, now) {
      const standing = standingOf(user, groupId)
      if (!standing) return notFound(groupId)
      const range = readableRange(user, groupId)
      if (!range) return decide('history', user, standing, now) ?? notFound(groupId)
      const before = Math.min(beforeSeq > 0 ? beforeSeq : NEWEST_SEQ, range.toSeq + 1)
      return entriesBefore.all(groupId, range.fromSeq, before, limit).map(toLogRow)
    },
    groupReadAllowed(user, groupId, now) {
      const standing = standingOf(user, groupId)
      if (!standing) return notFound(groupId)
      if (readableRange(user, groupId)) return null
      return decide('markRead', user, standing, now) ?? notFound(groupId)
    },
    groupIdsOf(user) {
      return groupsOfUser.all(user).map((row) => row.group_id)
    },
    groupSummaries(user, limit) {
      const ids = [...groupsOfUser.all(user), ...departuresOfUser.all(user)].map((row) => row.group_id)
      const summaries = []
      for (const groupId of ids.slice(0, Math.min(limit, GROUP_SUMMARY_MAX))) {
        const range = readableRange(user, groupId)
        if (!range) continue
        const newest = messagesBefore.get(groupId, range.fromSeq, range.toSeq + 1, 1)
        const readSeq = readPointerOf.get(user, groupId)?.read_seq ?? 0
        summaries.push({
          group: groupId,
          last: newest ? toLogRow(newest) : null,
          readSeq,
          unread: countUnread.get(groupId, Math.max(readSeq, range.fromSeq), range.toSeq, user)?.n ?? 0
        })
      }
      return summaries
    },
    groupsOfDeletedAccount(user) {
      return groupsTouchedBy.all(user, user, user, user, user, user).map((row) => row.group_id)
    },
    groupsDeletedAccountsPending() {
      return deletedAccountsInGroups.all().map((row) => row.name)
    },
    groupDropDeletedAccount(user, groupId, now) {
      return changeTransaction(() => dropDeletedAccount(user, groupId, now))
    },
    tableRowCounts() {
      const counts: Record<string, number> = {}
      for (const { name } of tableNames.all()) {
        // Names come from sqlite_master itself, quoted as identifiers.
        const row = db.prepare(`SELECT COUNT(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as { n: number }
        counts[name] = row.n
      }
      return counts
    }
  }
}
