// Owns the ONE authorisation table of groups: operation × role × state -> allowed, or the specific error code and
// sentence; plus the actor × target table of the operations aimed at another member. Pure: the store decides inside
// its write transaction with it, so nothing is written for a refused operation and no check can go stale.
import { ErrorCode } from '../../../shared/proto/codec'

/** The asking user's role in the group ('none' = not a member: the "not a member" state of the issue). */
export type GroupRoleName = 'none' | 'member' | 'admin' | 'owner'
export const GROUP_ROLES: readonly GroupRoleName[] = ['none', 'member', 'admin', 'owner']

/**
 * The group's state as it concerns the asking user, one value by precedence (see effectiveState): a dissolved group
 * is dissolved whatever else holds; a banned user is banned; a muted user is muted even when all are muted.
 */
export type GroupStateName = 'normal' | 'muted' | 'mutedAll' | 'banned' | 'dissolved'
export const GROUP_STATES: readonly GroupStateName[] = ['normal', 'muted', 'mutedAll', 'banned', 'dissolved']

export type GroupOperation =
  | 'create'
  | 'directory'
  | 'mine'
  | 'invitations'
  | 'info'
  | 'update'
  | 'dissolve'
  | 'transfer'
  | 'setAdmin'
  | 'invite'
  | 'remove'
  | 'join'
  | 'decideJoin'
  | 'decideInvitation'
  | 'mute'
  | 'muteAll'
  | 'ban'
  | 'pin'
  | 'leave'
  | 'members'
  | 'pending'
  | 'send'
  | 'mentionAll'
  | 'history'
  | 'markRead'
  | 'recallOwn'
  | 'recallOthers'
  | 'edit'
  | 'setDisappearTimer'

export type GroupDecision = { allowed: true } | { allowed: false; code: ErrorCode; message: string }

const ALLOWED: GroupDecision = { allowed: true }

function refuse(code: ErrorCode, message: string): GroupDecision {
  return { allowed: false, code, message }
}

const RANK: Readonly<Record<GroupRoleName, number>> = { none: 0, member: 1, admin: 2, owner: 3 }

/**
 * One row of the table, written as the rule it follows:
 * `groupless`: not about one group (create, directory, ...): every role and state may.
 * `minRole`: the lowest role that may (below it: NOT_MEMBER for non-members, FORBIDDEN for members).
 * `nonMembersOnly`: for joining; a member gets CONFLICT.
 * `bannedMay`: a banned user may still do it (reading public info); otherwise BANNED.
 * `ownerMayNot`: the owner is refused with this sentence (leave: transfer or dissolve first).
 * `speaks`: a send: refused when the user is muted (MUTED) or, for plain members, when all are muted (MUTED_ALL).
 * `pastMembersMay`: read operations a member who left may still do on what they saw (the store bounds them).
 */
interface OperationRule {
  groupless?: true
  minRole: GroupRoleName
  nonMembersOnly?: true
  bannedMay?: true
  ownerMayNot?: string
  speaks?: true
  /** What is asked, for the FORBIDDEN sentence: "Only the owner can <what>." */
  what: string
}

/** THE table. Every group operation, including sending a message, is decided by its row before anything is written. */
export const GROUP_RULES: Readonly<Record<GroupOperation, OperationRule>> = {
  create: { groupless: true, minRole: 'none', what: 'create a group' },
  directory: { groupless: true, minRole: 'none', what: 'browse the directory' },
  mine: { groupless: true, minRole: 'none', what: 'list your groups' },
  invitations: { groupless: true, minRole: 'none', what: 'list your invitations' },
  info: { minRole: 'none', bannedMay: true, what: 'see the group' },
  update: { minRole: 'admin', what: 'edit the group' },
  dissolve: { minRole: 'owner', what: 'dissolve the group' },
  transfer: { minRole: 'owner', what: 'transfer the ownership' },
  setAdmin: { minRole: 'owner', what: 'promote or demote admins' },
  invite: { minRole: 'admin', what: 'invite people' },
  remove: { minRole: 'admin', what: 'remove members' },
  join: { minRole: 'none', nonMembersOnly: true, what: 'join' },
  decideJoin: { minRole: 'admin', what: 'decide join requests' },
  decideInvitation: { minRole: 'none', nonMembersOnly: true, what: 'answer an invitation' },
  mute: { minRole: 'admin', what: 'mute members' },
  muteAll: { minRole: 'admin', what: 'mute everyone' },
  ban: { minRole: 'admin', what: 'ban people' },
  pin: { minRole: 'admin', what: 'pin messages' },
  leave: { minRole: 'member', ownerMayNot: 'The owner cannot leave; transfer the ownership or dissolve the group first.', what: 'leave' },
  members: { minRole: 'member', what: 'see the members' },
  pending: { minRole: 'admin', what: 'see join requests' },
  send: { minRole: 'member', speaks: true, what: 'send messages' },
  mentionAll: { minRole: 'admin', speaks: true, what: 'mention everyone (@all)' },
  history: { minRole: 'member', what: 'read the history' },
  markRead: { minRole: 'member', what: 'mark the group read' },
  // Recall and edit (store/message-ops): a member takes back or corrects their own words (inside the windows, which
  // the message-ops store checks), even while muted (recalling says nothing new); editing is speaking again, so a
  // muted member may not. Taking back someone else's message is moderation: owner and admins.
  recallOwn: { minRole: 'member', what: 'recall your messages' },
  recallOthers: { minRole: 'admin', what: "recall other members' messages" },
  edit: { minRole: 'member', speaks: true, what: 'edit your messages' },
  // The group's disappearing timer (store/message-ops) applies to everyone's new messages: a group setting like the
  // name, so owner and admins (a muted admin too: it says nothing in the chat).
  setDisappearTimer: { minRole: 'admin', what: 'set the disappearing timer' }
}

export const GROUP_OPERATIONS = Object.keys(GROUP_RULES) as GroupOperation[]

const WHO_MAY: Readonly<Record<GroupRoleName, string>> = {
  none: 'Anyone',
  member: 'Only members',
  admin: 'Only the owner and admins',
  owner: 'Only the owner'
}

/** The decision of one cell: may a user with `role` do `operation` while the group is in `state`? */
export function decideGroupOperation(operation: GroupOperation, role: GroupRoleName, state: GroupStateName): GroupDecision {
  const rule = GROUP_RULES[operation]
  if (rule.groupless) return ALLOWED
  if (state === 'dissolved') return refuse(ErrorCode.ERROR_DISSOLVED, 'This group was dissolved.')
  if (state === 'banned' && !rule.bannedMay) return refuse(ErrorCode.ERROR_BANNED, 'You are banned from this group.')
  if (rule.nonMembersOnly && role !== 'none') return refuse(ErrorCode.ERROR_CONFLICT, 'You are already a member of this group.')
  if (RANK[role] < RANK[rule.minRole]) {
    if (role === 'none') return refuse(ErrorCode.ERROR_NOT_MEMBER, 'You are not a member of this group.')
    return refuse(ErrorCode.ERROR_FORBIDDEN, `${WHO_MAY[rule.minRole]} can ${rule.what}.`)
  }
  if (rule.ownerMayNot && role === 'owner') return refuse(ErrorCode.ERROR_FORBIDDEN, rule.ownerMayNot)
  if (rule.speaks) {
    if (state === 'muted') return refuse(ErrorCode.ERROR_MUTED, 'You are muted in this group.')
    if (state === 'mutedAll' && role === 'member') {
      return refuse(ErrorCode.ERROR_MUTED_ALL, 'Only the owner and admins can write while the group is muted.')
    }
  }
  return ALLOWED
}

/** The facts the state is made of, as the store reads them inside its transaction. */
export interface GroupFacts {
  dissolved: boolean
  banned: boolean
  mutedUntil: number
  mutedAll: boolean
}

export function effectiveState(facts: GroupFacts, now: number): GroupStateName {
  if (facts.dissolved) return 'dissolved'
  if (facts.banned) return 'banned'
  if (facts.mutedUntil > now) return 'muted'
  if (facts.mutedAll) return 'mutedAll'
  return 'normal'
}

/** Operations aimed at another user: who may do them to whom (after the actor passed the main table). */
export type GroupTargetOperation = 'remove' | 'mute' | 'ban' | 'setAdmin' | 'transfer'
export const GROUP_TARGET_OPERATIONS: readonly GroupTargetOperation[] = ['remove', 'mute', 'ban', 'setAdmin', 'transfer']

/**
 * The actor must outrank the target (admins cannot touch admins or the owner); nobody aims these at themself;
 * `remove`, `mute`, `setAdmin` and `transfer` need a member as target, `ban` also takes a non-member (kept out).
 */
export function decideTargetOperation(
  operation: GroupTargetOperation,
  actor: GroupRoleName,
  target: GroupRoleName,
  self: boolean
): GroupDecision {
  if (self) return refuse(ErrorCode.ERROR_FORBIDDEN, 'You cannot do that to yourself.')
  if (target === 'none' && operation !== 'ban') return refuse(ErrorCode.ERROR_NOT_MEMBER, 'That user is not a member of this group.')
  if (RANK[actor] <= RANK[target]) {
    return refuse(
      ErrorCode.ERROR_FORBIDDEN,
      target === 'owner' ? 'Nobody can do that to the owner.' : 'Admins cannot do that to other admins; ask the owner.'
    )
  }
  return ALLOWED
}
