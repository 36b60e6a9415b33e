// Owns the mechanics every group change writes with: its transaction (a Refused rolls it back and is answered),
// the ChangeLog it collects, and the rows it writes: notices, membership events, members joining and leaving.
import { pb } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import type { GroupRoleName } from './authorization'
import { Refused } from './standing'
import { GROUP_CHAT, ROLE_NUMBER, type GroupColumns, type MemberColumns } from './statements'
import type { GroupsShared } from './shared'
import type { AppendedUserEvent, GroupChangeDone, GroupChangeResult, GroupLogRow } from './types'

export type NoticeKind = parley.v1.GroupNotice.Kind
export const NoticeKind = pb.GroupNotice.Kind
export const MembershipKind = pb.MembershipEvent.Kind

/** What one change wrote, for the service to fan out after the commit. */
export interface ChangeLog {
  entries: GroupLogRow[]
  userEvents: AppendedUserEvent[]
  joined: string[]
  departed: string[]
}
export const newChangeLog = (): ChangeLog => ({ entries: [], userEvents: [], joined: [], departed: [] })

export function roleProto(role: GroupRoleName): number {
  return ROLE_NUMBER[role]
}

export const done = (groupId: string, log: ChangeLog, pending = false): GroupChangeDone => ({
  group: groupId,
  groupSeq: log.entries.at(-1)?.seq ?? 0,
  pending,
  entries: log.entries,
  userEvents: log.userEvents,
  joined: log.joined,
  departed: log.departed,
  dissolved: false
})

/** Writes a change's rows and collects them in its ChangeLog; changeTransaction gives the change its transaction. */
export type ChangeWriter = ReturnType<typeof createChangeWriter>

export function createChangeWriter({ context, sql, heads }: GroupsShared) {
  const {
    insertLogNotice, deciders, deleteJoinRequest, deleteInvitation, insertMember, addMemberCount, deleteDeparture,
    deleteMember, upsertDeparture
  } = sql

  /** Runs one change in its own transaction; a Refused thrown before any write rolls it back and is answered. */
  const changeTransaction = (work: () => GroupChangeDone): GroupChangeResult => {
    try {
      const result = context.inTransaction(work)
      heads.committed()
      return result
    } catch (err) {
      heads.rolledBack()
      if (err instanceof Refused) return err.answer
      throw err
    }
  }

  const appendNotice = (
    log: ChangeLog,
    groupId: string,
    actor: string,
    notice: Omit<parley.v1.IGroupNotice, 'actor' | 'at'> & { kind: NoticeKind },
    now: number
  ): number => {
    const seq = heads.headOf(groupId) + 1
    const payload = pb.GroupNotice.encode({ ...notice, actor, at: now }).finish()
    insertLogNotice.run(groupId, seq, actor, Buffer.from(payload), now)
    heads.handOut(groupId, seq)
    log.entries.push({ group: groupId, seq, notice: payload })
    return seq
  }

  const appendMembership = (log: ChangeLog, user: string, groupId: string, event: parley.v1.IMembershipEvent, now: number): void => {
    const payload = pb.MembershipEvent.encode({ ...event, group: groupId, at: now }).finish()
    const seq = context.appendUserEvent(user, { kind: 'membership', conversation: groupId, chatType: GROUP_CHAT, payload }, now)
    log.userEvents.push({ user, seq, payload })
  }

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
    const fromSeq = heads.headOf(group.group_id)
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

  return { changeTransaction, appendNotice, appendMembership, tellDeciders, closeJoinRequest, closeInvitation, addMember, endMembership }
}
