// Owns room attributes (key/value pairs each owned by the member who set it): reading them, setting them within
// the limits (staff may overwrite others' keys when they ask to), removing them, and telling the room.
import { ErrorCode } from '../../../shared/proto/codec'
import { ROOM_ATTRIBUTE_KEY_MAX_CHARS, ROOM_ATTRIBUTE_VALUE_MAX_BYTES, ROOM_MAX_ATTRIBUTES } from '../../config'
import type { RoomsStore } from '../../store/rooms/types'
import type { RoomActorRole } from './authorization'
import type { RoomMembership } from './membership'
import { fail, notFound, ok, type RoomsOutcome, type RoomsRequest } from './protocol'

export interface RoomAttributes {
  list(room: string): Promise<RoomsOutcome>
  set(room: string, user: string, actorRole: RoomActorRole, request: RoomsRequest): Promise<RoomsOutcome>
  remove(room: string, user: string, actorRole: RoomActorRole, request: RoomsRequest): Promise<RoomsOutcome>
}

export function createRoomAttributes(store: RoomsStore, membership: RoomMembership): RoomAttributes {
  const { broadcast } = membership
  return {
    async list(room) {
      return ok({ attributes: { room, attributes: await store.roomAttributes(room) } })
    },

    async set(room, user, actorRole, request) {
      const set = request.setAttributes ?? {}
      const attributes = set.attributes ?? {}
      const keys = Object.keys(attributes)
      if (keys.length === 0) return fail(ErrorCode.ERROR_BAD_REQUEST, 'Name at least one attribute to set.')
      if (keys.length > ROOM_MAX_ATTRIBUTES) {
        return fail(ErrorCode.ERROR_LIMIT_EXCEEDED, `A room has at most ${ROOM_MAX_ATTRIBUTES} attributes.`)
      }
      for (const key of keys) {
        if (key.length === 0) return fail(ErrorCode.ERROR_BAD_REQUEST, 'An attribute key cannot be empty.')
        if ([...key].length > ROOM_ATTRIBUTE_KEY_MAX_CHARS) {
          return fail(ErrorCode.ERROR_LIMIT_EXCEEDED, `An attribute key must be at most ${ROOM_ATTRIBUTE_KEY_MAX_CHARS} characters.`)
        }
        if (Buffer.byteLength(attributes[key] ?? '', 'utf8') > ROOM_ATTRIBUTE_VALUE_MAX_BYTES) {
          return fail(ErrorCode.ERROR_LIMIT_EXCEEDED, `The value of "${key}" is over ${ROOM_ATTRIBUTE_VALUE_MAX_BYTES} bytes.`)
        }
      }
      const staff = actorRole === 'owner' || actorRole === 'admin'
      const result = await store.setRoomAttributes(room, user, attributes, staff && set.overwriteOthers === true, ROOM_MAX_ATTRIBUTES)
      if (!result.ok) {
        if (result.reason === 'not-found') return notFound(room)
        if (result.reason === 'limit') {
          return fail(ErrorCode.ERROR_LIMIT_EXCEEDED, `A room has at most ${ROOM_MAX_ATTRIBUTES} attributes (this would make ${result.count}).`)
        }
        return staff
          ? fail(ErrorCode.ERROR_CONFLICT, `"${result.key}" belongs to another member; set overwrite_others to replace it.`)
          : fail(ErrorCode.ERROR_FORBIDDEN, `"${result.key}" belongs to another member.`)
      }
      broadcast(room, { attributes: { room, attributes: result.changed } })
      return ok({ attributes: { room, attributes: result.changed } })
    },

    async remove(room, user, actorRole, request) {
      const keys = request.removeAttributes?.keys ?? []
      const staff = actorRole === 'owner' || actorRole === 'admin'
      const result = await store.removeRoomAttributes(room, user, keys, staff)
      if (!result.ok) {
        if (result.reason === 'not-found') return notFound(room)
        return fail(ErrorCode.ERROR_FORBIDDEN, `"${result.key}" belongs to another member.`)
      }
      const removed = result.removed.map((key) => ({ key, value: '', owner: '' }))
      if (removed.length > 0) broadcast(room, { attributes: { room, attributes: removed } })
      return ok({ attributes: { room, attributes: removed } })
    }
  }
}
