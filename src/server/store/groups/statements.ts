// Owns the SQL of the groups tables: the column shapes the statements read, how those rows become store rows,
// and every prepared statement the groups modules run (prepared once per writer connection).
import type { SqlConnection, SqlStatement } from '../sql-connection'
import { ChatTypePb } from '../../../shared/proto/codec'
import type { GroupRoleName } from './authorization'
import type { StoredMessage } from '../records'
import { messageChangeFields } from '../core/log-rows'
import type { GroupLogRow, GroupSettingsRow } from './types'

export const GROUP_CHAT = ChatTypePb.CHAT_TYPE_GROUP

/** group_log.kind: a message (its row is in messages) or a notice (its payload is an encoded GroupNotice). */
const LOG_MESSAGE = 1
const LOG_NOTICE = 2
export const ROLE_NUMBER: Readonly<Record<GroupRoleName, number>> = { none: 0, member: 1, admin: 2, owner: 3 }
export const ROLE_NAME: readonly GroupRoleName[] = ['none', 'member', 'admin', 'owner']

export interface GroupColumns {
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
export interface MemberColumns {
  user: string
  role: number
  from_seq: number
  joined_at: number
  muted_until: number
}
export interface LogColumns {
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
  recalled_by: string | null
  recalled_at: number | null
  edited_at: number | null
  expires_at: number | null
}

const LOG_SELECT = `SELECT g.group_id, g.seq, g.kind, g.payload, m.server_id, m.sender, m.client_id, m.recipient, m.chat_type,
  m.ts, m.body, m.sender_seq, m.recalled_by, m.recalled_at, m.edited_at, m.expires_at
  FROM group_log g LEFT JOIN messages m ON m.server_id = g.server_id`

export function toLogRow(row: LogColumns): GroupLogRow {
  if (row.kind === LOG_MESSAGE && row.server_id !== null) {
    const message: StoredMessage = {
      serverId: row.server_id,
      clientId: new Uint8Array(row.client_id ?? Buffer.alloc(0)),
      sender: row.sender ?? '',
      recipient: row.recipient ?? row.group_id,
      chatType: row.chat_type ?? GROUP_CHAT,
      timestamp: row.ts ?? 0,
      body: new Uint8Array(row.body ?? Buffer.alloc(0)),
      senderSeq: row.sender_seq ?? row.seq,
      ...messageChangeFields(row)
    }
    return { group: row.group_id, seq: row.seq, message }
  }
  return { group: row.group_id, seq: row.seq, notice: new Uint8Array(row.payload ?? Buffer.alloc(0)) }
}

export function settingsOf(row: GroupColumns): GroupSettingsRow {
  return {
    isPublic: row.is_public === 1,
    joinNeedsApproval: row.join_needs_approval === 1,
    inviteNeedsConsent: row.invite_needs_consent === 1,
    maxMembers: row.max_members
  }
}

/** What the groups modules do with a prepared statement. */
export type Statement<Params extends unknown[], Row> = SqlStatement<Params, Row>

/** The prepared statements of the groups tables, by what they do. */
export type GroupStatements = ReturnType<typeof prepareGroupStatements>

export function prepareGroupStatements(db: SqlConnection) {
  const prepare = <Params extends unknown[], Row = unknown>(source: string): Statement<Params, Row> => db.prepare<Params, Row>(source)

  const selectGroup = prepare<[string], GroupColumns>('SELECT * FROM groups WHERE group_id = ?')
  const insertGroup = prepare<[string, string, string, string, number, number, number, number, string, number]>(
    `INSERT INTO groups (group_id, name, name_lower, description, is_public, join_needs_approval, invite_needs_consent,
       max_members, owner, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  const updateGroupInfo = prepare<[string, string, string, string, number, number, number, number, string]>(
    `UPDATE groups SET name = ?, name_lower = ?, description = ?, announcement = ?, is_public = ?, join_needs_approval = ?,
       invite_needs_consent = ?, max_members = ? WHERE group_id = ?`
  )
  const setOwner = prepare<[string, string]>('UPDATE groups SET owner = ? WHERE group_id = ?')
  const setMutedAll = prepare<[number, string]>('UPDATE groups SET muted_all = ? WHERE group_id = ?')
  const setDissolved = prepare<[number, string]>('UPDATE groups SET dissolved_at = ?, member_count = 0 WHERE group_id = ?')
  const addMemberCount = prepare<[number, string]>('UPDATE groups SET member_count = member_count + ? WHERE group_id = ?')

  const selectMember = prepare<[string, string], MemberColumns>(
    'SELECT user, role, from_seq, joined_at, muted_until FROM group_members WHERE group_id = ? AND user = ?'
  )
  const insertMember = prepare<[string, string, number, number, number]>(
    'INSERT INTO group_members (group_id, user, role, from_seq, joined_at) VALUES (?, ?, ?, ?, ?)'
  )
  const deleteMember = prepare<[string, string]>('DELETE FROM group_members WHERE group_id = ? AND user = ?')
  const setRole = prepare<[number, string, string]>('UPDATE group_members SET role = ? WHERE group_id = ? AND user = ?')
  const setMutedUntil = prepare<[number, string, string]>(
    'UPDATE group_members SET muted_until = ? WHERE group_id = ? AND user = ?'
  )
  const allMembers = prepare<[string], MemberColumns>(
    'SELECT user, role, from_seq, joined_at, muted_until FROM group_members WHERE group_id = ?'
  )
  const membersPage = prepare<[string, number, number, string, number], MemberColumns>(
    `SELECT user, role, from_seq, joined_at, muted_until FROM group_members
     WHERE group_id = ? AND (role < ? OR (role = ? AND user > ?)) ORDER BY role DESC, user ASC LIMIT ?`
  )
  const groupsOfUser = prepare<[string], { group_id: string }>('SELECT group_id FROM group_members WHERE user = ?')
  const departuresOfUser = prepare<[string], { group_id: string }>('SELECT group_id FROM group_departures WHERE user = ?')

  const selectDeparture = prepare<[string, string], { from_seq: number; to_seq: number }>(
    'SELECT from_seq, to_seq FROM group_departures WHERE group_id = ? AND user = ?'
  )
  const upsertDeparture = prepare<[string, string, number, number, number]>(
    `INSERT INTO group_departures (group_id, user, from_seq, to_seq, at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (group_id, user) DO UPDATE SET from_seq = excluded.from_seq, to_seq = excluded.to_seq, at = excluded.at`
  )
  const deleteDeparture = prepare<[string, string]>('DELETE FROM group_departures WHERE group_id = ? AND user = ?')

  const selectBan = prepare<[string, string], { one: number }>('SELECT 1 AS one FROM group_bans WHERE group_id = ? AND user = ?')
  const insertBan = prepare<[string, string, string, number]>(
    'INSERT INTO group_bans (group_id, user, banned_by, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'
  )
  const deleteBan = prepare<[string, string]>('DELETE FROM group_bans WHERE group_id = ? AND user = ?')

  const selectJoinRequest = prepare<[string, string], { message: string }>(
    'SELECT message FROM group_join_requests WHERE group_id = ? AND user = ?'
  )
  const upsertJoinRequest = prepare<[string, string, string, number]>(
    `INSERT INTO group_join_requests (group_id, user, message, at) VALUES (?, ?, ?, ?)
     ON CONFLICT (group_id, user) DO UPDATE SET message = excluded.message, at = excluded.at`
  )
  const deleteJoinRequest = prepare<[string, string]>('DELETE FROM group_join_requests WHERE group_id = ? AND user = ?')
  /** Who decides join requests (owner and admins), read over the (group_id, role, user) index. */
  const deciders = prepare<[string, number], { user: string }>('SELECT user FROM group_members WHERE group_id = ? AND role >= ?')
  const joinRequestsOf = prepare<[string], { user: string; message: string; at: number }>(
    'SELECT user, message, at FROM group_join_requests WHERE group_id = ? ORDER BY at, user'
  )

  const selectInvitation = prepare<[string, string], { inviter: string; message: string }>(
    'SELECT inviter, message FROM group_invitations WHERE group_id = ? AND invitee = ?'
  )
  const upsertInvitation = prepare<[string, string, string, string, number]>(
    `INSERT INTO group_invitations (group_id, invitee, inviter, message, at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (group_id, invitee) DO UPDATE SET inviter = excluded.inviter, message = excluded.message, at = excluded.at`
  )
  const deleteInvitation = prepare<[string, string]>('DELETE FROM group_invitations WHERE group_id = ? AND invitee = ?')
  const inviteesOf = prepare<[string], { invitee: string }>('SELECT invitee FROM group_invitations WHERE group_id = ?')
  const invitationsOf = prepare<[string], { group_id: string; name: string; inviter: string; message: string; at: number }>(
    `SELECT i.group_id, g.name, i.inviter, i.message, i.at FROM group_invitations i JOIN groups g ON g.group_id = i.group_id
     WHERE i.invitee = ? AND g.dissolved_at IS NULL ORDER BY i.at DESC`
  )

  const pinsOf = prepare<[string], { server_id: number }>('SELECT server_id FROM group_pins WHERE group_id = ? ORDER BY at DESC, server_id DESC')
  const countPins = prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM group_pins WHERE group_id = ?')
  const insertPin = prepare<[string, number, number]>('INSERT INTO group_pins (group_id, server_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
  const deletePin = prepare<[string, number]>('DELETE FROM group_pins WHERE group_id = ? AND server_id = ?')
  const groupMessageExists = prepare<[number, string], { one: number }>(
    `SELECT 1 AS one FROM messages WHERE server_id = ? AND recipient = ? AND chat_type = ${GROUP_CHAT}`
  )

  const directoryPage = prepare<[string, string, string, string, string, number], GroupColumns>(
    `SELECT * FROM groups WHERE is_public = 1 AND dissolved_at IS NULL
       AND (? = '' OR instr(name_lower, ?) > 0 OR group_id = ?)
       AND (name_lower, group_id) > (?, ?)
     ORDER BY name_lower, group_id LIMIT ?`
  )

  const selectGroupHead = prepare<[string], { head: number | null }>('SELECT MAX(seq) AS head FROM group_log WHERE group_id = ?')
  const insertLogMessage = prepare<[string, number, number, string, number]>(
    `INSERT INTO group_log (group_id, seq, kind, server_id, sender, at) VALUES (?, ?, ${LOG_MESSAGE}, ?, ?, ?)`
  )
  const insertLogNotice = prepare<[string, number, string, Buffer, number]>(
    `INSERT INTO group_log (group_id, seq, kind, sender, payload, at) VALUES (?, ?, ${LOG_NOTICE}, ?, ?, ?)`
  )
  // The reading user's messages deleted for them (delete for me, store/message-ops) are left out of what they read,
  // and so are expired messages (their row is kept with an empty body and recalled_by '': store/message-ops sweep).
  const NOT_EXPIRED = `(m.recalled_by IS NULL OR m.recalled_by <> '')`
  const logAfter = prepare<[string, number, number, string, number], LogColumns>(
    `${LOG_SELECT} WHERE g.group_id = ? AND g.seq > ? AND g.seq <= ? AND NOT EXISTS (SELECT 1 FROM deleted_for_me d WHERE d.user = ? AND d.server_id = g.server_id)
       AND ${NOT_EXPIRED} ORDER BY g.seq ASC LIMIT ?`
  )
  const messagesBefore = prepare<[string, number, number, string, number], LogColumns>(
    `${LOG_SELECT} WHERE g.group_id = ? AND g.kind = ${LOG_MESSAGE} AND g.seq > ? AND g.seq < ?
       AND NOT EXISTS (SELECT 1 FROM deleted_for_me d WHERE d.user = ? AND d.server_id = g.server_id) AND ${NOT_EXPIRED}
       ORDER BY g.seq DESC LIMIT ?`
  )
  // History shows the notices ("Alice added Bob") between the messages, as the timeline does.
  const entriesBefore = prepare<[string, number, number, string, number], LogColumns>(
    `${LOG_SELECT} WHERE g.group_id = ? AND g.seq > ? AND g.seq < ? AND NOT EXISTS (SELECT 1 FROM deleted_for_me d WHERE d.user = ? AND d.server_id = g.server_id)
       AND ${NOT_EXPIRED} ORDER BY g.seq DESC LIMIT ?`
  )
  // Messages the reader deleted for themself are not unread for them (on any device, a new one's `recent` too).
  const countUnread = prepare<[string, number, number, string, string], { n: number }>(
    `SELECT COUNT(*) AS n FROM group_log g WHERE g.group_id = ? AND g.kind = ${LOG_MESSAGE} AND g.seq > ? AND g.seq <= ?
       AND g.sender <> ? AND NOT EXISTS (SELECT 1 FROM deleted_for_me d WHERE d.user = ? AND d.server_id = g.server_id)
       AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.server_id = g.server_id AND m.recalled_by = '')`
  )
  const readPointerOf = prepare<[string, string], { read_seq: number }>(
    `SELECT read_seq FROM conversations WHERE user = ? AND conversation = ? AND chat_type = ${GROUP_CHAT}`
  )

  const findMessage = prepare<[string, Buffer], { server_id: number; sender: string; client_id: Buffer; recipient: string; chat_type: number; ts: number; body: Buffer; sender_seq: number }>(
    'SELECT server_id, sender, client_id, recipient, chat_type, ts, body, sender_seq FROM messages WHERE sender = ? AND client_id = ?'
  )
  // expires_at: the group's disappearing timer; burn_sec: burn after reading, per member (store/message-ops).
  const insertMessage = prepare<[string, Buffer, string, number, Buffer, number, number | null, number | null]>(
    `INSERT INTO messages (sender, client_id, recipient, chat_type, ts, body, sender_seq, recipient_seq, expires_at, burn_sec)
     VALUES (?, ?, ?, ${GROUP_CHAT}, ?, ?, ?, NULL, ?, ?)`
  )
  // A deleted account cannot be added, invited or banned: it is no user any more (its name is only reserved).
  const userExists = prepare<[string], { one: number }>('SELECT 1 AS one FROM users WHERE name = ? AND deleted_at IS NULL')
  const accountDeleted = prepare<[string], { one: number }>('SELECT 1 AS one FROM users WHERE name = ? AND deleted_at IS NOT NULL')
  // ---- a deleted account's traces: memberships, requests, invitations (to or from it), bans, departures ----------
  const groupsTouchedBy = prepare<[string, string, string, string, string, string], { group_id: string }>(
    `SELECT group_id FROM group_members WHERE user = ?
     UNION SELECT group_id FROM group_join_requests WHERE user = ?
     UNION SELECT group_id FROM group_invitations WHERE invitee = ?
     UNION SELECT group_id FROM group_invitations WHERE inviter = ?
     UNION SELECT group_id FROM group_bans WHERE user = ?
     UNION SELECT group_id FROM group_departures WHERE user = ?
     ORDER BY group_id`
  )
  // Deleted accounts are few; the per-user indexes answer the first three, the small pending tables are read once.
  const deletedAccountsInGroups = prepare<[], { name: string }>(
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
  const successorOf = prepare<[string, string], MemberColumns>(
    `SELECT m.user, m.role, m.from_seq, m.joined_at, m.muted_until FROM group_members m
     WHERE m.group_id = ? AND m.user <> ? AND m.role IN (${ROLE_NUMBER.member}, ${ROLE_NUMBER.admin})
       AND NOT EXISTS (SELECT 1 FROM users u WHERE u.name = m.user AND u.deleted_at IS NOT NULL)
     ORDER BY m.role DESC, m.from_seq ASC, m.joined_at ASC, m.user ASC LIMIT 1`
  )
  const inviteesInvitedBy = prepare<[string, string], { invitee: string }>('SELECT invitee FROM group_invitations WHERE group_id = ? AND inviter = ?')
  const tableNames = prepare<[], { name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
  )

  return {
    selectGroup,
    insertGroup,
    updateGroupInfo,
    setOwner,
    setMutedAll,
    setDissolved,
    addMemberCount,
    selectMember,
    insertMember,
    deleteMember,
    setRole,
    setMutedUntil,
    allMembers,
    membersPage,
    groupsOfUser,
    departuresOfUser,
    selectDeparture,
    upsertDeparture,
    deleteDeparture,
    selectBan,
    insertBan,
    deleteBan,
    selectJoinRequest,
    upsertJoinRequest,
    deleteJoinRequest,
    deciders,
    joinRequestsOf,
    selectInvitation,
    upsertInvitation,
    deleteInvitation,
    inviteesOf,
    invitationsOf,
    pinsOf,
    countPins,
    insertPin,
    deletePin,
    groupMessageExists,
    directoryPage,
    selectGroupHead,
    insertLogMessage,
    insertLogNotice,
    logAfter,
    messagesBefore,
    entriesBefore,
    countUnread,
    readPointerOf,
    findMessage,
    insertMessage,
    userExists,
    accountDeleted,
    groupsTouchedBy,
    deletedAccountsInGroups,
    successorOf,
    inviteesInvitedBy,
    tableNames
  }
}
