// Owns the rooms protocol plumbing the operations share: the outcome of a RoomsRequest and its refusals, the
// checks of texts and page sizes, the wire enums, and which room a request names.
import { ErrorCode } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'

export type RoomsRequest = parley.v1.RoomsRequest
export type RoomsResponseProps = parley.v1.RoomsResponse.$Properties
export type RoomInfoProps = parley.v1.RoomInfo.$Properties
export type RoomEventProps = parley.v1.RoomEvent.$Properties

export const MemberKind = {
  JOINED: 1,
  LEFT: 2,
  KICKED: 3,
  BANNED: 4,
  MUTED: 5,
  UNMUTED: 6,
  ROLE_CHANGED: 7
} as const satisfies Record<string, parley.v1.RoomMemberChange.Kind>
export const Role = { NONE: 0, MEMBER: 1, ADMIN: 2, OWNER: 3 } as const satisfies Record<string, parley.v1.RoomRole>

export type RoomsOutcome = { ok: true; response: RoomsResponseProps } | { ok: false; code: ErrorCode; message: string }

export function fail(code: ErrorCode, message: string): { ok: false; code: ErrorCode; message: string } {
  return { ok: false, code, message }
}

export function ok(response: RoomsResponseProps): RoomsOutcome {
  return { ok: true, response }
}

export const notFound = (room: string | null | undefined): RoomsOutcome => fail(ErrorCode.ERROR_NOT_FOUND, `There is no room "${room ?? ''}".`)

/** A room text (name, description, announcement) trimmed, or the refusal when it is missing or too long. */
export const checkText = (value: string | null | undefined, max: number, what: string, required: boolean): string | RoomsOutcome => {
  const text = (value ?? '').trim()
  if (required && text.length === 0) return fail(ErrorCode.ERROR_BAD_REQUEST, `The room needs a ${what}.`)
  if ([...text].length > max) return fail(ErrorCode.ERROR_LIMIT_EXCEEDED, `The room's ${what} must be at most ${max} characters.`)
  return text
}

export const pageLimit = (asked: number | null | undefined, fallback: number, max: number): number =>
  Math.min(Math.max(1, asked && asked > 0 ? asked : fallback), max)

/** The room a request is about (every operation but create and directory names one). */
export function roomOfRequest(request: RoomsRequest): string {
  switch (request.op) {
    case 'info':
      return request.info?.room ?? ''
    case 'join':
      return request.join?.room ?? ''
    case 'leave':
      return request.leave?.room ?? ''
    case 'members':
      return request.members?.room ?? ''
    case 'kick':
      return request.kick?.room ?? ''
    case 'mute':
      return request.mute?.room ?? ''
    case 'muteAll':
      return request.muteAll?.room ?? ''
    case 'ban':
      return request.ban?.room ?? ''
    case 'setAdmin':
      return request.setAdmin?.room ?? ''
    case 'update':
      return request.update?.room ?? ''
    case 'setAttributes':
      return request.setAttributes?.room ?? ''
    case 'removeAttributes':
      return request.removeAttributes?.room ?? ''
    case 'attributes':
      return request.attributes?.room ?? ''
    case 'delete':
      return request.delete?.room ?? ''
    case 'recent':
      return request.recent?.room ?? ''
    default:
      return ''
  }
}
