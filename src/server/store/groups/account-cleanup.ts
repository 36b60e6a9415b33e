// Owns taking a deleted account out of the groups: finding the groups it left traces in (and the deleted accounts
// still to clean up), and dropping each trace in one change — membership, ownership, requests, invitations, ban.
import { pb } from '../../../shared/proto/codec'
import { done, MembershipKind, newChangeLog, NoticeKind, roleProto, type ChangeWriter } from './change-log'
import { Refused, refused } from './standing'
import { ROLE_NUMBER, type MemberColumns } from './statements'
import type { GroupsShared } from './shared'
import type { Synchronous } from '../records'
import type { GroupChangeDone, GroupsStore } from './types'

type DeletedAccountMethods = 'groupsOfDeletedAccount' | 'groupsDeletedAccountsPending' | 'groupDropDeletedAccount'

export function createDeletedAccountCleanup({ sql }: GroupsShared, writer: ChangeWriter): Pick<Synchronous<GroupsStore>, DeletedAccountMethods> {
  const {
    accountDeleted, selectGroup, selectMember, deleteMember, addMemberCount, successorOf, inviteesOf, allMembers, setDissolved,
    setRole, setOwner, deleteInvitation, inviteesInvitedBy, deleteBan, deleteDeparture, groupsTouchedBy, deletedAccountsInGroups
  } = sql
  const { changeTransaction, appendNotice, appendMembership, closeJoinRequest, closeInvitation, endMembership } = writer

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

  return {
    groupsOfDeletedAccount(user) {
      return groupsTouchedBy.all(user, user, user, user, user, user).map((row) => row.group_id)
    },
    groupsDeletedAccountsPending() {
      return deletedAccountsInGroups.all().map((row) => row.name)
    },
    groupDropDeletedAccount(user, groupId, now) {
      return changeTransaction(() => dropDeletedAccount(user, groupId, now))
    }
  }
}
