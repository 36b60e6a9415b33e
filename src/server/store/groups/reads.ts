// Owns the groups store's reads: a group as one user sees it, its members page, the public directory, a user's
// groups, requests and invitations, and the group log read for sync, history, read pointers and summaries.
import { pb } from '../../../shared/proto/codec'
import { GROUP_SUMMARY_MAX, GROUP_SYNC_MAX_GROUPS } from './limits'
import { notFound, refused, type GroupStandings } from './standing'
import { ROLE_NAME, ROLE_NUMBER, settingsOf, toLogRow, type GroupColumns } from './statements'
import type { GroupsShared } from './shared'
import type { Synchronous } from '../records'
import type { GroupRow, GroupsStore } from './types'

/** Stands in for "no upper bound" in keyset queries. */
const NEWEST_SEQ = Number.MAX_SAFE_INTEGER

type GroupReadMethods =
  | 'groupInfo' | 'groupMembers' | 'groupDirectory' | 'myGroups' | 'groupJoinRequests' | 'myGroupInvitations'
  | 'groupSync' | 'groupHistory' | 'groupReadAllowed' | 'groupIdsOf' | 'groupSummaries'

export function createGroupReads(
  { sql, heads }: GroupsShared,
  { standingOf, decide, readableRange }: GroupStandings
): Pick<Synchronous<GroupsStore>, GroupReadMethods> {
  const {
    selectGroup, selectMember, membersPage, directoryPage, groupsOfUser, departuresOfUser, joinRequestsOf, selectInvitation,
    invitationsOf, pinsOf, logAfter, entriesBefore, messagesBefore, readPointerOf, countUnread
  } = sql

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
      headSeq: heads.headOf(group.group_id),
      pinned: pinsOf.all(group.group_id).map((row) => row.server_id),
      myRole: ROLE_NAME[member?.role ?? 0] ?? 'none',
      myMutedUntil: member && member.muted_until > now ? member.muted_until : 0
    }
  }

  return {
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
        const head = heads.headOf(cursor.group)
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
        const rows = logAfter.all(cursor.group, start, range.toSeq, user, limit + 1)
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
      return entriesBefore.all(groupId, range.fromSeq, before, user, limit).map(toLogRow)
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
        const newest = messagesBefore.get(groupId, range.fromSeq, range.toSeq + 1, user, 1)
        const readSeq = readPointerOf.get(user, groupId)?.read_seq ?? 0
        summaries.push({
          group: groupId,
          last: newest ? toLogRow(newest) : null,
          readSeq,
          unread: countUnread.get(groupId, Math.max(readSeq, range.fromSeq), range.toSeq, user, user)?.n ?? 0
        })
      }
      return summaries
    },
  }
}
