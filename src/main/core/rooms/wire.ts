// Owns the translation between the wire's room messages (rooms.proto RoomInfo, RoomMember, RoomEvent…) and the
// domain's room types (src/shared/model/rooms.ts), from the signed-in account's point of view.
import type { ChatMessage } from '../../../shared/model'
import type { RoomAttribute, RoomInfo, RoomMember, RoomMemberChange, RoomMemberChangeKind, RoomRole } from '../../../shared/model/rooms'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { canonicalUserId } from '../../../shared/user-id'
import { contentFromBody, extrasFromBody } from '../protocol/content'
import { envelopeFromWire } from '../protocol/messages'

const ROLE_FROM_WIRE: Record<number, RoomRole> = { 0: 'none', 1: 'member', 2: 'admin', 3: 'owner' }

const MEMBER_KIND_FROM_WIRE: Record<number, RoomMemberChangeKind> = {
  1: 'joined',
  2: 'left',
  3: 'kicked',
  4: 'banned',
  5: 'muted',
  6: 'unmuted',
  7: 'roleChanged'
}

export function roleFromWire(role: number | null | undefined): RoomRole {
  return ROLE_FROM_WIRE[role ?? 0] ?? 'none'
}

export function roomInfoFromWire(info: parley.v1.RoomInfo.$Properties): RoomInfo {
  return {
    id: info.room ?? '',
    name: info.name ?? '',
    description: info.description ?? '',
    announcement: info.announcement ?? '',
    owner: canonicalUserId(info.owner) ?? info.owner ?? '',
    memberCount: Number(info.memberCount ?? 0),
    maxMembers: Number(info.maxMembers ?? 0),
    mutedAll: info.mutedAll === true,
    createdAt: Number(info.createdAt ?? 0),
    myRole: roleFromWire(info.myRole),
    myMutedUntil: Number(info.myMutedUntil ?? 0)
  }
}

export function roomMemberFromWire(member: parley.v1.RoomMember.$Properties): RoomMember {
  return { user: canonicalUserId(member.user) ?? member.user ?? '', role: roleFromWire(member.role), joinedAt: Number(member.joinedAt ?? 0) }
}

export function roomAttributeFromWire(attribute: parley.v1.RoomAttribute.$Properties): RoomAttribute {
  return { key: attribute.key ?? '', value: attribute.value ?? '', owner: canonicalUserId(attribute.owner) ?? attribute.owner ?? '' }
}

/** null for a kind this version does not know (a newer server): the caller ignores it. */
export function memberChangeFromWire(change: parley.v1.RoomMemberChange.$Properties): RoomMemberChange | null {
  const kind = MEMBER_KIND_FROM_WIRE[change.kind ?? 0]
  const user = canonicalUserId(change.user)
  if (!kind || !user) return null
  return {
    kind,
    user,
    actor: canonicalUserId(change.actor) ?? '',
    role: roleFromWire(change.role),
    until: Number(change.until ?? 0),
    memberCount: Number(change.memberCount ?? 0)
  }
}

/** A room message as this account sees it; null when it is unusable (no client id or sender). */
export function roomMessageFromWire(message: parley.v1.Message.$Properties, me: string): ChatMessage | null {
  const envelope = envelopeFromWire(message, 0, me)
  if (!envelope || envelope.chatType !== 'room') return null
  // A content type this version does not know is shown as "needs a newer version" (rooms keep no raw bytes).
  const content = contentFromBody(message.body) ?? { type: 'unsupported', raw: '' }
  return { ...envelope, ...extrasFromBody(message.body), content }
}
