// Owns the groups store contract: groups, members, join requests, invitations, bans, pins and each group's log,
// with every change decided and written in one transaction (see store/groups/authorization.ts).
import type { GroupRoleName } from './authorization'
import type { StoredMessage } from '../records'

export interface GroupSettingsRow {
  isPublic: boolean
  joinNeedsApproval: boolean
  inviteNeedsConsent: boolean
  maxMembers: number
}

/** A group as one user sees it (myRole / myMutedUntil are that user's). */
export interface GroupRow {
  group: string
  name: string
  description: string
  announcement: string
  settings: GroupSettingsRow
  owner: string
  memberCount: number
  mutedAll: boolean
  dissolved: boolean
  createdAt: number
  headSeq: number
  /** Server ids of pinned messages, newest pin first. */
  pinned: number[]
  myRole: GroupRoleName
  myMutedUntil: number
}

export interface GroupMemberRow {
  user: string
  role: GroupRoleName
  joinedAt: number
  mutedUntil: number
}

/** A refused operation: the wire ErrorCode and the sentence for people. Nothing was written. */
export interface GroupRefusal {
  refusal: { code: number; message: string }
}

export function isGroupRefusal(value: object): value is GroupRefusal {
  return 'refusal' in value
}

/** One change to a group, asked by `actor`; ids are canonical and limits checked by the service already. */
export type GroupChange =
  | { op: 'create'; name: string; description: string; settings: GroupSettingsRow; members: string[] }
  | { op: 'update'; group: string; name?: string; description?: string; announcement?: string; settings?: GroupSettingsRow }
  | { op: 'dissolve'; group: string }
  | { op: 'transfer'; group: string; user: string }
  | { op: 'setAdmin'; group: string; user: string; admin: boolean }
  | { op: 'invite'; group: string; users: string[]; message: string }
  | { op: 'remove'; group: string; user: string }
  | { op: 'join'; group: string; message: string }
  | { op: 'decideJoin'; group: string; user: string; accept: boolean; reason: string }
  | { op: 'decideInvitation'; group: string; accept: boolean }
  | { op: 'mute'; group: string; user: string; until: number }
  | { op: 'muteAll'; group: string; muted: boolean }
  | { op: 'ban'; group: string; user: string; banned: boolean }
  | { op: 'pin'; group: string; serverId: number; pinned: boolean }
  | { op: 'leave'; group: string }

/** One entry of a group's log: a message (stored once) or a notice (the encoded GroupNotice). */
export interface GroupLogRow {
  group: string
  seq: number
  message?: StoredMessage
  notice?: Uint8Array
}

/** A membership event the change appended to a user's log (the encoded MembershipEvent). */
export interface AppendedUserEvent {
  user: string
  seq: number
  payload: Uint8Array
}

export interface GroupChangeDone {
  group: string
  /** The last group-log entry the change appended (0 when none). */
  groupSeq: number
  /** The change waits for someone (approval, consent). */
  pending: boolean
  /** Entries appended to the group's log, ascending: pushed to the online members. */
  entries: GroupLogRow[]
  /** Membership events appended to user logs: pushed to those users' devices. */
  userEvents: AppendedUserEvent[]
  /** Users who became members (their online sessions start receiving the group's entries before they are pushed). */
  joined: string[]
  /** Users who stopped being members (their sessions stop receiving after the entries are pushed). */
  departed: string[]
  /** The group was dissolved: every subscription to it ends. */
  dissolved: boolean
}

export type GroupChangeResult = GroupChangeDone | GroupRefusal

export interface GroupCursorRow {
  group: string
  afterSeq: number
}

export interface GroupSyncBatchRow {
  group: string
  entries: GroupLogRow[]
  headSeq: number
  hasMore: boolean
  notMember: boolean
}

export interface GroupJoinRequestRow {
  group: string
  user: string
  message: string
  at: number
}

export interface GroupInvitationRow {
  group: string
  groupName: string
  inviter: string
  message: string
  at: number
}

/** A group as a conversation in the user's list (RecentConversations). */
export interface GroupSummaryRow {
  group: string
  /** The newest message entry the user may see (absent when the group has no message yet). */
  last: GroupLogRow | null
  readSeq: number
  unread: number
}

export interface GroupsStore {
  /** Decides (authorisation table) and applies one change in ONE transaction; a refusal writes nothing. */
  changeGroup(actor: string, change: GroupChange, now: number): Promise<GroupChangeResult>
  groupInfo(user: string, group: string, now: number): Promise<GroupRow | GroupRefusal>
  /** Members paged: owner, then admins, then members, by name within each. */
  groupMembers(
    user: string,
    group: string,
    afterUser: string,
    limit: number,
    now: number
  ): Promise<{ members: GroupMemberRow[]; hasMore: boolean; memberCount: number } | GroupRefusal>
  /** Public groups whose name contains `query` (any case) or whose id is `query`; paged by the opaque `after`. */
  groupDirectory(user: string, query: string, after: string, limit: number): Promise<{ groups: GroupRow[]; next: string }>
  myGroups(user: string): Promise<GroupRow[]>
  groupJoinRequests(user: string, group: string, now: number): Promise<GroupJoinRequestRow[] | GroupRefusal>
  myGroupInvitations(user: string): Promise<GroupInvitationRow[]>
  /** For each cursor: entries after it that the user may see, only for groups that moved; not_member when gone. */
  groupSync(user: string, cursors: readonly GroupCursorRow[], limit: number): Promise<GroupSyncBatchRow[]>
  /** Message entries below beforeSeq (0 = newest) and above the user's join point, newest first. */
  groupHistory(user: string, group: string, beforeSeq: number, limit: number, now: number): Promise<GroupLogRow[] | GroupRefusal>
  /** May the user move a read pointer in this group (a member, or one who left and reads what they saw)? */
  groupReadAllowed(user: string, group: string, now: number): Promise<GroupRefusal | null>
  /** Ids of the groups the user is a member of now (the online registry's subscriptions at auth). */
  groupIdsOf(user: string): Promise<string[]>
  /** The user's groups as conversations, with newest message, read pointer and unread count. */
  groupSummaries(user: string, limit: number): Promise<GroupSummaryRow[]>
  /**
   * Groups where the account has a membership, a join request, an invitation (to or from it), a ban or a departure:
   * what its deletion must clear (groupDropDeletedAccount, one group at a time).
   */
  groupsOfDeletedAccount(user: string): Promise<string[]>
  /** Deleted accounts that still have any of those (a deletion cut short by a crash): the start-up sweep's list. */
  groupsDeletedAccountsPending(): Promise<string[]>
  /**
   * Takes a deleted account out of one group in ONE transaction: an owned group passes to the longest-standing admin,
   * else the longest-standing member (or is dissolved when nobody else is in it), then the account leaves (a LEFT
   * notice), and its requests, invitations, ban and departure there are dropped. Repeating it changes nothing.
   * Refused (FORBIDDEN) when the account is not deleted.
   */
  groupDropDeletedAccount(user: string, group: string, now: number): Promise<GroupChangeResult>
  /** Rows in every table of the database, by table (diagnostics: rows written per group message). */
  tableRowCounts(): Promise<Record<string, number>>
}
