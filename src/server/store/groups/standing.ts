// Owns where a user stands in a group and what the authorisation table says about it: the standing, the
// refusals (answered, or thrown as Refused to roll a change back) and the part of the group's log they may read.
import { pb } from '../../../shared/proto/codec'
import {
  decideGroupOperation,
  decideTargetOperation,
  effectiveState,
  type GroupDecision,
  type GroupOperation,
  type GroupRoleName,
  type GroupTargetOperation
} from './authorization'
import { ROLE_NAME, type GroupColumns, type MemberColumns } from './statements'
import type { GroupsShared } from './shared'
import type { GroupRefusal } from './types'

function refusal(decision: GroupDecision): GroupRefusal | null {
  return decision.allowed ? null : { refusal: { code: decision.code, message: decision.message } }
}

export function refused(code: number, message: string): GroupRefusal {
  return { refusal: { code, message } }
}

/** Thrown inside a change's transaction to roll it back and answer the refusal (only before anything is written). */
export class Refused extends Error {
  constructor(readonly answer: GroupRefusal) {
    super(answer.refusal.message)
  }
}

export interface Standing {
  group: GroupColumns
  member: MemberColumns | undefined
  role: GroupRoleName
}

export function notFound(groupId: string): GroupRefusal {
  return refused(pb.ErrorCode.ERROR_NOT_FOUND, `There is no group "${groupId}".`)
}

/** What a user may read of a group's log: (fromSeq, toSeq]; `member` = still a member (else a departure). */
export interface ReadableRange {
  fromSeq: number
  toSeq: number
  member: boolean
}

export interface GroupStandings {
  standingOf(user: string, groupId: string): Standing | null
  /** The table's answer to `user` doing `operation` from `standing`: null = allowed. */
  decide(operation: GroupOperation, user: string, standing: Standing, now: number): GroupRefusal | null
  /** The standing of `user` in `groupId` after the table allowed `operation`; throws Refused otherwise. */
  authorize(operation: GroupOperation, user: string, groupId: string, now: number): Standing
  /** The target's membership after the table allowed `actor` to do `operation` to them; throws Refused otherwise. */
  authorizeTarget(operation: GroupTargetOperation, actor: Standing, actorName: string, target: string): MemberColumns | undefined
  /** What `user` may read of the group's log; null = nothing (never a member, or dissolved). */
  readableRange(user: string, groupId: string): ReadableRange | null
}

export function createGroupStandings({ sql, heads }: GroupsShared): GroupStandings {
  const { selectGroup, selectMember, selectBan, selectDeparture } = sql

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

  const readableRange = (user: string, groupId: string): ReadableRange | null => {
    const group = selectGroup.get(groupId)
    if (!group || group.dissolved_at !== null) return null
    const member = selectMember.get(groupId, user)
    if (member) return { fromSeq: member.from_seq, toSeq: heads.headOf(groupId), member: true }
    const departure = selectDeparture.get(groupId, user)
    return departure ? { fromSeq: departure.from_seq, toSeq: departure.to_seq, member: false } : null
  }

  return { standingOf, decide, authorize, authorizeTarget, readableRange }
}
