// Owns the groups service: validates GroupsRequest ops against the limits, has the store decide and apply them in
// one transaction, pushes what changed (group entries, membership events, subscriptions); group sync, history, reads.
import { ErrorCode, MAX_FRAME_BYTES, encodeFrame, pb } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { createLogger } from '../../../shared/logger'
import { canonicalUserId } from '../../../shared/user-id'
import { canonicalGroupId } from '../../../shared/group-id'
import {
  GROUP_ANNOUNCEMENT_MAX_CHARS,
  GROUP_DEFAULT_MAX_MEMBERS,
  GROUP_DESCRIPTION_MAX_CHARS,
  GROUP_DIRECTORY_DEFAULT_LIMIT,
  GROUP_DIRECTORY_MAX_LIMIT,
  GROUP_INVITE_MAX_USERS,
  GROUP_MAX_MEMBERS_LIMIT,
  GROUP_MEMBERS_DEFAULT_LIMIT,
  GROUP_MEMBERS_MAX_LIMIT,
  GROUP_NAME_MAX_CHARS,
  GROUP_NOTE_MAX_CHARS,
  GROUP_SUMMARY_MAX,
  GROUP_SYNC_DEFAULT_LIMIT,
  GROUP_SYNC_MAX_LIMIT,
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT
} from '../../config'
import {
  isGroupRefusal,
  type AppendedUserEvent,
  type GroupChange,
  type GroupChangeDone,
  type GroupLogRow,
  type GroupRow,
  type GroupSettingsRow
} from '../../store/groups/types'
import type { ServerStore } from '../../store/types'
import { messageToProps, type EventProps } from '../events'
import type { ConnectionRef, EventFanout, GroupFanout } from '../fanout'
import type { GroupRoleName } from '../../store/groups/authorization'

const log = createLogger('server:groups')

export type GroupsRequestProps = parley.v1.GroupsRequest.$Properties
export type GroupsResponseProps = parley.v1.GroupsResponse.$Properties
export type GroupSyncRequestProps = parley.v1.GroupSyncRequest.$Properties
export type GroupSyncResponseProps = parley.v1.GroupSyncResponse.$Properties
export type GroupEntryProps = parley.v1.GroupEntry.$Properties
type GroupInfoProps = parley.v1.GroupInfo.$Properties
type SettingsProps = parley.v1.GroupSettings.$Properties

export type GroupsOutcome<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string }

const ROLE_PROTO: Readonly<Record<GroupRoleName, number>> = { none: 0, member: 1, admin: 2, owner: 3 }

function fail<T>(code: ErrorCode, message: string): GroupsOutcome<T> {
  return { ok: false, code, message }
}

function clamp(requested: number | null | undefined, fallback: number, max: number): number {
  if (!requested || requested <= 0) return fallback
  return Math.min(requested, max)
}

/** A stored group-log entry as the wire GroupEntry: a message, or its notice decoded. */
export function groupEntryProps(row: GroupLogRow): GroupEntryProps {
  if (row.message) return { group: row.group, seq: row.seq, message: messageToProps(row.message) }
  return { group: row.group, seq: row.seq, notice: decodeNotice(row.notice) }
}

function decodeNotice(bytes: Uint8Array | undefined): parley.v1.IGroupNotice {
  try {
    return pb.GroupNotice.decode(bytes ?? new Uint8Array(0))
  } catch {
    // Only this server writes notices: damage on disk yields an empty notice that keeps the seq.
    return {}
  }
}

function infoProps(row: GroupRow): GroupInfoProps {
  return {
    group: row.group,
    name: row.name,
    description: row.description,
    announcement: row.announcement,
    settings: {
      isPublic: row.settings.isPublic,
      joinNeedsApproval: row.settings.joinNeedsApproval,
      inviteNeedsConsent: row.settings.inviteNeedsConsent,
      maxMembers: row.settings.maxMembers
    },
    owner: row.owner,
    memberCount: row.memberCount,
    mutedAll: row.mutedAll,
    dissolved: row.dissolved,
    createdAt: row.createdAt,
    headSeq: row.headSeq,
    pinned: row.pinned,
    myRole: ROLE_PROTO[row.myRole],
    myMutedUntil: row.myMutedUntil
  }
}

type Checked<T> = { value: T } | { code: ErrorCode; message: string }

function checkText(raw: string | null | undefined, max: number, what: string, required: boolean): Checked<string> {
  const text = (raw ?? '').trim()
  if (required && text.length === 0) return { code: ErrorCode.ERROR_BAD_REQUEST, message: `The ${what} must not be empty.` }
  if ([...text].length > max) return { code: ErrorCode.ERROR_LIMIT_EXCEEDED, message: `The ${what} is longer than ${max} characters.` }
  return { value: text }
}

function checkSettings(raw: SettingsProps | null | undefined): Checked<GroupSettingsRow> {
  const maxMembers = raw?.maxMembers || GROUP_DEFAULT_MAX_MEMBERS
  if (maxMembers > GROUP_MAX_MEMBERS_LIMIT) {
    return { code: ErrorCode.ERROR_LIMIT_EXCEEDED, message: `A group may have at most ${GROUP_MAX_MEMBERS_LIMIT} members.` }
  }
  return {
    value: {
      isPublic: raw?.isPublic === true,
      joinNeedsApproval: raw?.joinNeedsApproval === true,
      inviteNeedsConsent: raw?.inviteNeedsConsent === true,
      maxMembers
    }
  }
}

function checkUsers(raw: readonly string[] | null | undefined): Checked<string[]> {
  const users: string[] = []
  for (const name of raw ?? []) {
    const user = canonicalUserId(name)
    if (!user) return { code: ErrorCode.ERROR_BAD_REQUEST, message: `"${name}" is not a user id.` }
    users.push(user)
  }
  if (users.length > GROUP_INVITE_MAX_USERS) {
    return { code: ErrorCode.ERROR_LIMIT_EXCEEDED, message: `At most ${GROUP_INVITE_MAX_USERS} people can be invited at once.` }
  }
  return { value: [...new Set(users)] }
}

export interface GroupsService {
  /** One GroupsRequest of `user`. */
  handle(user: string, request: GroupsRequestProps): Promise<GroupsOutcome<GroupsResponseProps>>
  /** Entries after each cursor, only for groups that moved, cut to one frame. */
  sync(user: string, request: GroupSyncRequestProps): Promise<GroupSyncResponseProps>
  /** HistoryRequest with chat_type GROUP: message entries above the user's join point, newest first. */
  history(
    user: string,
    group: string,
    beforeSeq: number,
    limit: number | null | undefined
  ): Promise<GroupsOutcome<{ events: EventProps[]; hasMore: boolean }>>
  /** MarkRead with chat_type GROUP: bound by the group's head; the user's other devices get the pointer entry. */
  markRead(user: string, group: string, seq: number, origin: ConnectionRef): Promise<GroupsOutcome<{ seq: number; eventSeq: number }>>
  /** The user's groups as ConversationSummary props (RecentConversations' first page). */
  summaries(user: string): Promise<parley.v1.ConversationSummary.$Properties[]>
  /**
   * A deleted account (already marked deleted) leaves every group it has a trace in, one transaction per group
   * (store.groupDropDeletedAccount), each pushed like a leave; returns how many groups changed. Safe to repeat.
   */
  removeDeletedAccount(user: string): Promise<number>
  /** Deleted accounts still found in groups (a deletion cut short): the start-up sweep finishes them. */
  deletedAccountsPending(): Promise<string[]>
}

/** Room kept for the frame envelope around a group_sync answer (request id, field headers). */
const FRAME_ENVELOPE_RESERVE_BYTES = 64
/** Per-item overhead of a repeated field: tag byte plus a length varint of up to 3 bytes. */
const REPEATED_FIELD_OVERHEAD_BYTES = 4
/** A batch's own fields (group id, head_seq, flags) besides its entries. */
const BATCH_OVERHEAD_BYTES = 96

export function createGroupsService(store: ServerStore, fanout: EventFanout & GroupFanout): GroupsService {
  const pushUserEvent = (event: AppendedUserEvent): void => {
    const membership = pb.MembershipEvent.decode(event.payload)
    fanout.deliver(event.user, () => encodeFrame({ id: 0, event: { seq: event.seq, membership } }))
  }

  /**
   * Pushes what a change did, in the order a device can apply it: a new member's devices are subscribed and get
   * their JOINED event (with from_seq) before the group entries that follow it; the entries go out while leaving
   * members are still subscribed (they see their own removal notice, up to their to_seq), then their events.
   */
  const publish = (done: GroupChangeDone): void => {
    try {
      const joined = new Set(done.joined)
      for (const user of done.joined) fanout.joinGroup(user, done.group)
      for (const event of done.userEvents) if (joined.has(event.user)) pushUserEvent(event)
      for (const entry of done.entries) {
        fanout.deliverGroup(done.group, () => encodeFrame({ id: 0, groupEntry: groupEntryProps(entry) }))
      }
      for (const event of done.userEvents) if (!joined.has(event.user)) pushUserEvent(event)
      for (const user of done.departed) fanout.leaveGroup(user, done.group)
      if (done.dissolved) fanout.dropGroup(done.group)
    } catch (err) {
      log.error('pushing a group change failed', { group: done.group, error: err instanceof Error ? err.message : String(err) })
    }
  }

  const change = async (user: string, groupChange: GroupChange): Promise<GroupsOutcome<GroupsResponseProps>> => {
    const result = await store.changeGroup(user, groupChange, Date.now())
    if (isGroupRefusal(result)) return fail(result.refusal.code, result.refusal.message)
    publish(result)
    return { ok: true, value: { done: { group: result.group, groupSeq: result.groupSeq, pending: result.pending } } }
  }

  /** Runs `work` with the canonical group id, or answers NOT_FOUND for an id that cannot be one. */
  const withGroup = async <T>(raw: string | null | undefined, work: (group: string) => Promise<GroupsOutcome<T>>): Promise<GroupsOutcome<T>> => {
    const group = canonicalGroupId(raw)
    if (!group) return fail(ErrorCode.ERROR_NOT_FOUND, `There is no group "${raw ?? ''}".`)
    return work(group)
  }

  const withTarget = async <T>(raw: string | null | undefined, work: (user: string) => Promise<GroupsOutcome<T>>): Promise<GroupsOutcome<T>> => {
    const user = canonicalUserId(raw)
    if (!user) return fail(ErrorCode.ERROR_BAD_REQUEST, `"${raw ?? ''}" is not a user id.`)
    return work(user)
  }

  const handle = async (user: string, request: GroupsRequestProps): Promise<GroupsOutcome<GroupsResponseProps>> => {
    const r = request
    if (r.create) {
      const name = checkText(r.create.name, GROUP_NAME_MAX_CHARS, 'group name', true)
      if (!('value' in name)) return fail(name.code, name.message)
      const description = checkText(r.create.description, GROUP_DESCRIPTION_MAX_CHARS, 'description', false)
      if (!('value' in description)) return fail(description.code, description.message)
      const settings = checkSettings(r.create.settings)
      if (!('value' in settings)) return fail(settings.code, settings.message)
      const members = checkUsers(r.create.members)
      if (!('value' in members)) return fail(members.code, members.message)
      return change(user, { op: 'create', name: name.value, description: description.value, settings: settings.value, members: members.value })
    }
    if (r.info) {
      return withGroup(r.info.group, async (group) => {
        const row = await store.groupInfo(user, group, Date.now())
        if (isGroupRefusal(row)) return fail(row.refusal.code, row.refusal.message)
        return { ok: true, value: { info: infoProps(row) } }
      })
    }
    if (r.update) {
      const update = r.update
      return withGroup(update.group, async (group) => {
        const groupChange: GroupChange & { op: 'update' } = { op: 'update', group }
        if (update.name !== undefined && update.name !== null) {
          const name = checkText(update.name, GROUP_NAME_MAX_CHARS, 'group name', true)
          if (!('value' in name)) return fail(name.code, name.message)
          groupChange.name = name.value
        }
        if (update.description !== undefined && update.description !== null) {
          const description = checkText(update.description, GROUP_DESCRIPTION_MAX_CHARS, 'description', false)
          if (!('value' in description)) return fail(description.code, description.message)
          groupChange.description = description.value
        }
        if (update.announcement !== undefined && update.announcement !== null) {
          const announcement = checkText(update.announcement, GROUP_ANNOUNCEMENT_MAX_CHARS, 'announcement', false)
          if (!('value' in announcement)) return fail(announcement.code, announcement.message)
          groupChange.announcement = announcement.value
        }
        if (update.setSettings) {
          const settings = checkSettings(update.settings)
          if (!('value' in settings)) return fail(settings.code, settings.message)
          groupChange.settings = settings.value
        }
        return change(user, groupChange)
      })
    }
    if (r.dissolve) return withGroup(r.dissolve.group, (group) => change(user, { op: 'dissolve', group }))
    if (r.transfer) {
      const { transfer } = r
      return withGroup(transfer.group, (group) => withTarget(transfer.user, (target) => change(user, { op: 'transfer', group, user: target })))
    }
    if (r.setAdmin) {
      const { setAdmin } = r
      return withGroup(setAdmin.group, (group) =>
        withTarget(setAdmin.user, (target) => change(user, { op: 'setAdmin', group, user: target, admin: setAdmin.admin === true }))
      )
    }
    if (r.invite) {
      const { invite } = r
      return withGroup(invite.group, async (group) => {
        const users = checkUsers(invite.users)
        if (!('value' in users)) return fail(users.code, users.message)
        if (users.value.length === 0) return fail(ErrorCode.ERROR_BAD_REQUEST, 'Name at least one person to invite.')
        const note = checkText(invite.message, GROUP_NOTE_MAX_CHARS, 'invitation message', false)
        if (!('value' in note)) return fail(note.code, note.message)
        return change(user, { op: 'invite', group, users: users.value, message: note.value })
      })
    }
    if (r.remove) {
      const { remove } = r
      return withGroup(remove.group, (group) => withTarget(remove.user, (target) => change(user, { op: 'remove', group, user: target })))
    }
    if (r.join) {
      const { join } = r
      return withGroup(join.group, async (group) => {
        const note = checkText(join.message, GROUP_NOTE_MAX_CHARS, 'join request message', false)
        if (!('value' in note)) return fail(note.code, note.message)
        return change(user, { op: 'join', group, message: note.value })
      })
    }
    if (r.decideJoin) {
      const { decideJoin } = r
      return withGroup(decideJoin.group, (group) =>
        withTarget(decideJoin.user, async (target) => {
          const reason = checkText(decideJoin.reason, GROUP_NOTE_MAX_CHARS, 'reason', false)
          if (!('value' in reason)) return fail(reason.code, reason.message)
          return change(user, { op: 'decideJoin', group, user: target, accept: decideJoin.accept === true, reason: reason.value })
        })
      )
    }
    if (r.decideInvitation) {
      const { decideInvitation } = r
      return withGroup(decideInvitation.group, (group) =>
        change(user, { op: 'decideInvitation', group, accept: decideInvitation.accept === true })
      )
    }
    if (r.mute) {
      const { mute } = r
      return withGroup(mute.group, (group) =>
        withTarget(mute.user, (target) => change(user, { op: 'mute', group, user: target, until: Number(mute.until ?? 0) }))
      )
    }
    if (r.muteAll) {
      const { muteAll } = r
      return withGroup(muteAll.group, (group) => change(user, { op: 'muteAll', group, muted: muteAll.muted === true }))
    }
    if (r.ban) {
      const { ban } = r
      return withGroup(ban.group, (group) =>
        withTarget(ban.user, (target) => change(user, { op: 'ban', group, user: target, banned: ban.banned === true }))
      )
    }
    if (r.pin) {
      const { pin } = r
      return withGroup(pin.group, async (group) => {
        const serverId = Number(pin.serverId ?? 0)
        if (!(serverId > 0)) return fail(ErrorCode.ERROR_BAD_REQUEST, 'Pinning needs a message id.')
        return change(user, { op: 'pin', group, serverId, pinned: pin.pinned === true })
      })
    }
    if (r.leave) return withGroup(r.leave.group, (group) => change(user, { op: 'leave', group }))
    if (r.members) {
      const { members } = r
      return withGroup(members.group, async (group) => {
        const limit = clamp(members.limit, GROUP_MEMBERS_DEFAULT_LIMIT, GROUP_MEMBERS_MAX_LIMIT)
        const page = await store.groupMembers(user, group, canonicalUserId(members.afterUser) ?? '', limit, Date.now())
        if (isGroupRefusal(page)) return fail(page.refusal.code, page.refusal.message)
        return {
          ok: true,
          value: {
            members: {
              members: page.members.map((member) => ({
                user: member.user, role: ROLE_PROTO[member.role], joinedAt: member.joinedAt, mutedUntil: member.mutedUntil
              })),
              hasMore: page.hasMore,
              memberCount: page.memberCount
            }
          }
        }
      })
    }
    if (r.directory) {
      const limit = clamp(r.directory.limit, GROUP_DIRECTORY_DEFAULT_LIMIT, GROUP_DIRECTORY_MAX_LIMIT)
      const query = (r.directory.query ?? '').slice(0, GROUP_NAME_MAX_CHARS)
      const page = await store.groupDirectory(user, query, r.directory.after ?? '', limit)
      return { ok: true, value: { directory: { groups: page.groups.map(infoProps), next: page.next } } }
    }
    if (r.mine) {
      const groups = await store.myGroups(user)
      return { ok: true, value: { groups: { groups: groups.map(infoProps) } } }
    }
    if (r.pending) {
      return withGroup(r.pending.group, async (group) => {
        const requests = await store.groupJoinRequests(user, group, Date.now())
        if (isGroupRefusal(requests)) return fail(requests.refusal.code, requests.refusal.message)
        return { ok: true, value: { joinRequests: { requests } } }
      })
    }
    if (r.invitations) {
      const invitations = await store.myGroupInvitations(user)
      return { ok: true, value: { invitations: { invitations } } }
    }
    return fail(ErrorCode.ERROR_BAD_REQUEST, 'The groups request names no operation.')
  }

  return {
    handle: (user, request) => handle(user, request),

    async sync(user, request) {
      const limit = clamp(request.limit, GROUP_SYNC_DEFAULT_LIMIT, GROUP_SYNC_MAX_LIMIT)
      const cursors = (request.cursors ?? []).flatMap((cursor) => {
        const group = canonicalGroupId(cursor.group)
        return group ? [{ group, afterSeq: Math.max(0, Number(cursor.afterSeq ?? 0)) }] : []
      })
      const batches = await store.groupSync(user, cursors, limit)
      // Cut to one frame: a group whose entries do not fit answers has_more (and no entries) so the device asks again.
      let budget = MAX_FRAME_BYTES - FRAME_ENVELOPE_RESERVE_BYTES
      const groups: parley.v1.GroupBatch.$Properties[] = []
      for (const batch of batches) {
        budget -= BATCH_OVERHEAD_BYTES
        const entries: GroupEntryProps[] = []
        let cut = false
        for (const row of batch.entries) {
          const entry = groupEntryProps(row)
          const size = pb.GroupEntry.encode(entry).len + REPEATED_FIELD_OVERHEAD_BYTES
          if (budget - size < 0 && !(groups.length === 0 && entries.length === 0)) {
            cut = true
            break
          }
          budget -= size
          entries.push(entry)
        }
        groups.push({
          group: batch.group,
          entries,
          headSeq: batch.headSeq,
          hasMore: batch.hasMore || cut,
          notMember: batch.notMember && !cut
        })
      }
      return { groups }
    },

    async history(user, raw, beforeSeq, limit) {
      const group = canonicalGroupId(raw)
      if (!group) return fail(ErrorCode.ERROR_NOT_FOUND, `There is no group "${raw}".`)
      const cap = clamp(limit, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT)
      const rows = await store.groupHistory(user, group, Math.max(0, beforeSeq), cap + 1, Date.now())
      if (isGroupRefusal(rows)) return fail(rows.refusal.code, rows.refusal.message)
      const events: EventProps[] = rows.slice(0, cap).flatMap((row): EventProps[] => {
        if (row.message) return [{ seq: row.seq, message: messageToProps(row.message) }]
        if (row.notice) return [{ seq: row.seq, groupNotice: decodeNotice(row.notice) }]
        return []
      })
      return { ok: true, value: { events, hasMore: rows.length > cap } }
    },

    async markRead(user, raw, seq, origin) {
      const group = canonicalGroupId(raw)
      if (!group) return fail(ErrorCode.ERROR_NOT_FOUND, `There is no group "${raw}".`)
      const denied = await store.groupReadAllowed(user, group, Date.now())
      if (denied) return fail(denied.refusal.code, denied.refusal.message)
      const chatType = pb.ChatType.CHAT_TYPE_GROUP
      const moved = await store.setReadPointer(user, { conversation: group, chatType, seq })
      if (moved.eventSeq > 0) {
        const event = { seq: moved.eventSeq, readPointer: { conversation: group, chatType, seq: moved.seq } }
        fanout.deliver(user, () => encodeFrame({ id: 0, event }), origin)
      }
      return { ok: true, value: moved }
    },

    async removeDeletedAccount(user) {
      let changed = 0
      for (const group of await store.groupsOfDeletedAccount(user)) {
        const result = await store.groupDropDeletedAccount(user, group, Date.now())
        if (isGroupRefusal(result)) {
          log.warn('a deleted account could not be taken out of a group', { user, group, reason: result.refusal.message })
          continue
        }
        publish(result)
        changed++
      }
      return changed
    },

    deletedAccountsPending: () => store.groupsDeletedAccountsPending(),

    async summaries(user) {
      const rows = await store.groupSummaries(user, GROUP_SUMMARY_MAX)
      return rows.map((row) => ({
        conversation: row.group,
        chatType: pb.ChatType.CHAT_TYPE_GROUP,
        last: row.last?.message ? { seq: row.last.seq, message: messageToProps(row.last.message) } : undefined,
        readSeq: row.readSeq,
        unread: row.unread
      }))
    }
  }
}
