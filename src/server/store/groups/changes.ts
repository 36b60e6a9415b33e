// Owns the group changes themselves (create, update, dissolve, transfer, admins, invite, remove, join, the
// decisions on requests and invitations, mute, ban, pin, leave): what each one checks, writes and announces.
import crypto from 'node:crypto'
import { pb } from '../../../shared/proto/codec'
import type { GroupRoleName } from './authorization'
import { done, MembershipKind, newChangeLog, NoticeKind, roleProto, type ChangeLog, type ChangeWriter } from './change-log'
import { GROUP_ID_ATTEMPTS, GROUP_ID_RANDOM_CHARS, GROUP_MAX_PINS } from './limits'
import { Refused, refused, type GroupStandings } from './standing'
import { ROLE_NUMBER, settingsOf, type GroupColumns, type MemberColumns } from './statements'
import type { GroupsShared } from './shared'
import type { Synchronous } from '../records'
import type { GroupChange, GroupChangeDone, GroupsStore } from './types'

/** Group ids: a letter, then random lowercase letters and digits (no look-alikes needed: they are not typed). */
const GROUP_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'

function newGroupId(): string {
  const bytes = crypto.randomBytes(GROUP_ID_RANDOM_CHARS)
  let id = 'g'
  for (const byte of bytes) id += GROUP_ID_ALPHABET[byte % GROUP_ID_ALPHABET.length]
  return id
}

export function createGroupChanges(
  { sql, heads }: GroupsShared,
  { authorize, authorizeTarget }: GroupStandings,
  writer: ChangeWriter
): Pick<Synchronous<GroupsStore>, 'changeGroup'> {
  const {
    selectGroup, insertGroup, updateGroupInfo, setOwner, setMutedAll, setDissolved, selectMember, setRole, setMutedUntil,
    allMembers, selectBan, insertBan, deleteBan, selectJoinRequest, upsertJoinRequest, selectInvitation, upsertInvitation,
    inviteesOf, countPins, insertPin, deletePin, groupMessageExists, userExists
  } = sql
  const { changeTransaction, appendNotice, appendMembership, tellDeciders, closeJoinRequest, closeInvitation, addMember, endMembership } = writer

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
    const fromSeq = heads.headOf(group.group_id)
    for (const user of fresh) addMember(log, group, user, 'member', now)
    appendNotice(log, group.group_id, actor, { kind: NoticeKind.KIND_ADDED, users: fresh }, now)
    for (const user of fresh) {
      appendMembership(log, user, group.group_id, { kind: MembershipKind.KIND_JOINED, groupName: group.name, fromSeq, role: roleProto('member'), actor }, now)
    }
    return false
  }

  const reload = (groupId: string): GroupColumns => selectGroup.get(groupId) as GroupColumns

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

  return {
    changeGroup(actor, change, now) {
      return changeTransaction(() => applyChange(actor, change, now))
    }
  }
}
