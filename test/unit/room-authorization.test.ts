// Walks every cell of the rooms authorisation table (operation × role × state) against the rules as the issue and
// the server README state them, written out here independently of the table's own shape.
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/shared/proto/codec'
import { ROOM_RULES, decideRoom, type RoomActorRole, type RoomOperation } from '../../src/server/services/rooms/authorization'

const ROLES: readonly RoomActorRole[] = ['owner', 'admin', 'member', 'outsider']

/** Per operation, the answer for owner / admin / member / outsider in a plain state: A allow, N not a member, F forbidden. */
const EXPECTED: Record<RoomOperation, string> = {
  info: 'AAAA',
  directory: 'AAAA',
  join: 'AAAA',
  leave: 'AAAN',
  members: 'AAAN',
  attributes: 'AAAN',
  recent: 'AAAN',
  send: 'AAAN',
  setAttributes: 'AAAN',
  removeAttributes: 'AAAN',
  kick: 'AAFN',
  mute: 'AAFN',
  muteAll: 'AAFN',
  ban: 'AAFN',
  update: 'AAFN',
  setAdmin: 'AFFN',
  delete: 'AFFN'
}
/** Things only someone in the room does, owner and admins included. */
const NEEDS_PRESENCE = new Set<RoomOperation>(['leave', 'recent', 'send'])
/** What a banned user may still do: look the room up, and leave. */
const OPEN_TO_BANNED = new Set<RoomOperation>(['info', 'directory', 'leave'])

const LETTER: Record<string, ErrorCode | 'allow'> = { A: 'allow', N: ErrorCode.ERROR_NOT_MEMBER, F: ErrorCode.ERROR_FORBIDDEN }

function expected(op: RoomOperation, role: RoomActorRole, s: { present: boolean; muted: boolean; mutedAll: boolean; banned: boolean }): ErrorCode | 'allow' {
  if (s.banned && !OPEN_TO_BANNED.has(op)) return ErrorCode.ERROR_BANNED
  const base = LETTER[EXPECTED[op][ROLES.indexOf(role)] as string] as ErrorCode | 'allow'
  if (base !== 'allow') return base
  if (NEEDS_PRESENCE.has(op) && !s.present) return ErrorCode.ERROR_NOT_MEMBER
  // Mutes bind members only: owner and admins speak in a muted room.
  if (op === 'send' && role === 'member' && s.muted) return ErrorCode.ERROR_MUTED
  if (op === 'send' && role === 'member' && s.mutedAll) return ErrorCode.ERROR_MUTED_ALL
  return 'allow'
}

describe('rooms authorisation table', () => {
  it('has a row for every operation the rules name, and no other', () => {
    expect(Object.keys(ROOM_RULES).sort()).toEqual(Object.keys(EXPECTED).sort())
  })

  it('answers every cell (operation × role × state) as the rules say', () => {
    let cells = 0
    const wrong: string[] = []
    for (const op of Object.keys(EXPECTED) as RoomOperation[]) {
      for (const role of ROLES) {
        for (let bits = 0; bits < 16; bits++) {
          const state = { present: (bits & 1) !== 0, muted: (bits & 2) !== 0, mutedAll: (bits & 4) !== 0, banned: (bits & 8) !== 0 }
          // A member is in the room by definition, an outsider is not: those combinations cannot occur.
          if ((role === 'member' && !state.present) || (role === 'outsider' && state.present)) continue
          cells++
          const decision = decideRoom(op, role, state)
          const got = decision.ok ? 'allow' : decision.code
          const want = expected(op, role, state)
          if (got !== want) wrong.push(`${op} ${role} ${JSON.stringify(state)}: got ${String(got)}, want ${String(want)}`)
        }
      }
    }
    expect(wrong).toEqual([])
    expect(cells).toBe(Object.keys(EXPECTED).length * 2 * 16 + Object.keys(EXPECTED).length * 2 * 8)
  })

  it('spot checks read as sentences', () => {
    const plain = { present: true, muted: false, mutedAll: false, banned: false }
    expect(decideRoom('send', 'member', { ...plain, muted: true, mutedAll: true })).toEqual({ ok: false, code: ErrorCode.ERROR_MUTED })
    expect(decideRoom('send', 'admin', { ...plain, mutedAll: true })).toEqual({ ok: true })
    expect(decideRoom('send', 'owner', { ...plain, present: false })).toEqual({ ok: false, code: ErrorCode.ERROR_NOT_MEMBER })
    expect(decideRoom('join', 'outsider', { ...plain, present: false, banned: true })).toEqual({ ok: false, code: ErrorCode.ERROR_BANNED })
    expect(decideRoom('kick', 'admin', { ...plain, present: false })).toEqual({ ok: true })
    expect(decideRoom('delete', 'admin', plain)).toEqual({ ok: false, code: ErrorCode.ERROR_FORBIDDEN })
  })
})
