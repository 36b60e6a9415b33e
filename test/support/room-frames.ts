// Owns the room requests and waits the room tests share (single node and across nodes): rooms requests answered
// rooms_ok, create, join, a room message, and waiting for a room message or a member change to arrive.
import { ChatTypePb, type DecodedFrame } from '../../src/shared/proto/codec'
import type { parley } from '../../src/shared/proto/gen/parley.js'
import { randomClientId, type FrameClient } from '../bench/lib/frame-client'

export const MemberKind = { JOINED: 1, LEFT: 2, KICKED: 3, BANNED: 4, MUTED: 5 } as const

export type RoomsRequestProps = parley.v1.RoomsRequest.$Properties

/** A rooms request that must succeed: its rooms_ok answer (throws with the error otherwise). */
export async function okRooms(client: FrameClient, request: RoomsRequestProps): Promise<NonNullable<DecodedFrame['roomsOk']>> {
  const reply = await client.request({ rooms: request })
  if (!reply.roomsOk) throw new Error(`expected rooms_ok, got ${JSON.stringify(reply.error ?? reply)}`)
  return reply.roomsOk
}

export async function createRoom(client: FrameClient, name: string, maxMembers = 0): Promise<string> {
  const done = await okRooms(client, { create: { name, maxMembers } })
  return String(done.done?.room)
}

export async function join(client: FrameClient, room: string): Promise<NonNullable<parley.v1.RoomsResponse['joined']>> {
  const answer = await okRooms(client, { join: { room } })
  if (!answer.joined) throw new Error('join answered no RoomJoined')
  return answer.joined
}

export function say(client: FrameClient, room: string, text: string, clientId = randomClientId()): Promise<DecodedFrame> {
  return client.request({ send: { clientId, to: room, chatType: ChatTypePb.CHAT_TYPE_ROOM, body: { text: { text } } } })
}

export function waitText(client: FrameClient, room: string, text: string): Promise<DecodedFrame> {
  return client.waitFor((f) => f.roomEvent?.room === room && f.roomEvent.message?.body?.text?.text === text, 5_000, `room message "${text}"`)
}

export function waitMember(client: FrameClient, room: string, kind: number, user: string, timeoutMs = 5_000): Promise<DecodedFrame> {
  return client.waitFor(
    (f) => f.roomEvent?.room === room && f.roomEvent.member?.kind === kind && f.roomEvent.member.user === user,
    timeoutMs,
    `member change ${kind} of ${user}`
  )
}
