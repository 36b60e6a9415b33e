// Walks every cell of the groups authorisation table (operation × role × state) and of the actor × target table
// against the rules written out here as grids, so a changed cell has to be changed in both places on purpose.
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/shared/proto/codec'
import {
  GROUP_OPERATIONS,
  GROUP_ROLES,
  GROUP_STATES,
  GROUP_TARGET_OPERATIONS,
  decideGroupOperation,
  decideTargetOperation,
  effectiveState,
  type GroupOperation,
  type GroupTargetOperation
} from '../../src/server/store/groups/authorization'

const CODES: Record<string, ErrorCode | null> = {
  ok: null,
  NM: ErrorCode.ERROR_NOT_MEMBER,
  FB: ErrorCode.ERROR_FORBIDDEN,
  CF: ErrorCode.ERROR_CONFLICT,
  MU: ErrorCode.ERROR_MUTED,
  MA: ErrorCode.ERROR_MUTED_ALL,
  BN: ErrorCode.ERROR_BANNED,
  DS: ErrorCode.ERROR_DISSOLVED
}

// Rows: none, member, admin, owner. Columns: normal, muted, mutedAll, banned, dissolved.
const EVERYONE = ['ok ok ok ok ok', 'ok ok ok ok ok', 'ok ok ok ok ok', 'ok ok ok ok ok']
const ADMINS = ['NM NM NM BN DS', 'FB FB FB BN DS', 'ok ok ok BN DS', 'ok ok ok BN DS']
const OWNER = ['NM NM NM BN DS', 'FB FB FB BN DS', 'FB FB FB BN DS', 'ok ok ok BN DS']
const MEMBERS = ['NM NM NM BN DS', 'ok ok ok BN DS', 'ok ok ok BN DS', 'ok ok ok BN DS']
const NON_MEMBERS = ['ok ok ok BN DS', 'CF CF CF BN DS', 'CF CF CF BN DS', 'CF CF CF BN DS']

const EXPECTED: Record<GroupOperation, string[]> = {
  create: EVERYONE,
  directory: EVERYONE,
  mine: EVERYONE,
  invitations: EVERYONE,
  info: ['ok ok ok ok DS', 'ok ok ok ok DS', 'ok ok ok ok DS', 'ok ok ok ok DS'],
  update: ADMINS,
  dissolve: OWNER,
  transfer: OWNER,
  setAdmin: OWNER,
  invite: ADMINS,
  remove: ADMINS,
  join: NON_MEMBERS,
  decideJoin: ADMINS,
  decideInvitation: NON_MEMBERS,
  mute: ADMINS,
  muteAll: ADMINS,
  ban: ADMINS,
  pin: ADMINS,
  leave: ['NM NM NM BN DS', 'ok ok ok BN DS', 'ok ok ok BN DS', 'FB FB FB BN DS'],
  members: MEMBERS,
  pending: ADMINS,
  send: ['NM NM NM BN DS', 'ok MU MA BN DS', 'ok MU ok BN DS', 'ok MU ok BN DS'],
  mentionAll: ['NM NM NM BN DS', 'FB FB FB BN DS', 'ok MU ok BN DS', 'ok MU ok BN DS'],
  history: MEMBERS,
  markRead: MEMBERS,
  recallOwn: MEMBERS,
  recallOthers: ADMINS,
  edit: ['NM NM NM BN DS', 'ok MU MA BN DS', 'ok MU ok BN DS', 'ok MU ok BN DS'],
  // The group's disappearing timer: owner and admins, muted or not (it says nothing in the chat).
  setDisappearTimer: ADMINS
}

// Rows: actor none, member, admin, owner. Columns: target none, member, admin, owner (not the actor themself).
const MEMBER_TARGET = ['NM FB FB FB', 'NM FB FB FB', 'NM ok FB FB', 'NM ok ok FB']
const TARGET_EXPECTED: Record<GroupTargetOperation, string[]> = {
  remove: MEMBER_TARGET,
  mute: MEMBER_TARGET,
  setAdmin: MEMBER_TARGET,
  transfer: MEMBER_TARGET,
  ban: ['FB FB FB FB', 'ok FB FB FB', 'ok ok FB FB', 'ok ok ok FB']
}

describe('groups authorisation table', () => {
  it('has a written expectation for every operation', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...GROUP_OPERATIONS].sort())
  })

  it('decides every cell (operation × role × state) as the grid says, with a sentence for every refusal', () => {
    let cells = 0
    for (const operation of GROUP_OPERATIONS) {
      GROUP_ROLES.forEach((role, row) => {
        const columns = (EXPECTED[operation][row] as string).split(' ')
        GROUP_STATES.forEach((state, column) => {
          const expected = CODES[columns[column] as string]
          const decision = decideGroupOperation(operation, role, state)
          const where = `${operation} / ${role} / ${state}`
          if (expected === null) {
            expect(decision.allowed, where).toBe(true)
          } else {
            expect(decision, where).toMatchObject({ allowed: false, code: expected })
            if (!decision.allowed) expect(decision.message.length, where).toBeGreaterThan(10)
          }
          cells++
        })
      })
    }
    expect(cells).toBe(GROUP_OPERATIONS.length * GROUP_ROLES.length * GROUP_STATES.length)
  })

  it('decides every actor × target cell as the grid says; nobody aims these at themself', () => {
    for (const operation of GROUP_TARGET_OPERATIONS) {
      GROUP_ROLES.forEach((actor, row) => {
        const columns = (TARGET_EXPECTED[operation][row] as string).split(' ')
        GROUP_ROLES.forEach((target, column) => {
          const expected = CODES[columns[column] as string]
          const where = `${operation} / ${actor} -> ${target}`
          const decision = decideTargetOperation(operation, actor, target, false)
          if (expected === null) expect(decision.allowed, where).toBe(true)
          else expect(decision, where).toMatchObject({ allowed: false, code: expected })
          expect(decideTargetOperation(operation, actor, target, true), `${where} (self)`).toMatchObject({
            allowed: false,
            code: ErrorCode.ERROR_FORBIDDEN
          })
        })
      })
    }
  })

  it('picks one state by precedence: dissolved, banned, muted, muted-all', () => {
    const now = 1_000
    const base = { dissolved: false, banned: false, mutedUntil: 0, mutedAll: false }
    expect(effectiveState(base, now)).toBe('normal')
    expect(effectiveState({ ...base, mutedAll: true, mutedUntil: now + 1 }, now)).toBe('muted')
    expect(effectiveState({ ...base, mutedAll: true, mutedUntil: now }, now)).toBe('mutedAll')
    expect(effectiveState({ ...base, banned: true, mutedAll: true }, now)).toBe('banned')
    expect(effectiveState({ ...base, dissolved: true, banned: true }, now)).toBe('dissolved')
  })
})
