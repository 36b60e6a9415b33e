// Owns what the owner and admins do to a room and its members: kick, mute (one member or all), ban, admin roles,
// the room's name / description / announcement, and deleting the room; each stored first, then told to the room.
import { ErrorCode } from '../../../shared/proto/codec'
import { createLogger } from '../../../shared/logger'
import { canonicalUserId } from '../../../shared/user-id'
import { ROOM_ANNOUNCEMENT_MAX_CHARS, ROOM_DESCRIPTION_MAX_CHARS, ROOM_NAME_MAX_CHARS } from '../../config'
import type { RoomsStore } from '../../store/rooms/types'
import { outranks, type RoomActorRole } from './authorization'
import type { CachedRoom, RoomDefinitions } from './definitions'
import type { RoomLiveState } from './live'
import type { RoomMembership } from './membership'
import { checkText, fail, MemberKind, notFound, ok, type RoomsOutcome, type RoomsRequest } from './protocol'

const log = createLogger('server:rooms')

/** One moderation operation: the room, the acting user and the role the authorisation table found for them. */
export type ModerationOperation = (def: CachedRoom, user: string, actorRole: RoomActorRole, request: RoomsRequest) => Promise<RoomsOutcome>

export interface RoomModeration {
  kick: ModerationOperation
  mute: ModerationOperation
  muteAll: ModerationOperation
  ban: ModerationOperation
  setAdmin: ModerationOperation
  update: ModerationOperation
  delete: ModerationOperation
}

export function createRoomModeration(
  store: RoomsStore,
  live: RoomLiveState,
  definitions: RoomDefinitions,
  membership: RoomMembership
): RoomModeration {
  const { broadcast, removeMember } = membership
  const { infoOf, wireRole } = definitions

  /** Resolves the target user of an admin operation and checks the actor outranks them. */
  const target = async (
    def: CachedRoom,
    actorRole: RoomActorRole,
    raw: string | null | undefined
  ): Promise<{ ok: true; user: string; role: RoomActorRole } | (RoomsOutcome & { ok: false })> => {
    const user = canonicalUserId(raw)
    if (!user) return fail(ErrorCode.ERROR_BAD_REQUEST, 'Name the member this applies to.')
    const role = await definitions.roleOf(def, user)
    if (!outranks(actorRole, role)) {
      return fail(ErrorCode.ERROR_FORBIDDEN, role === 'owner' ? 'Nobody can do that to the room\'s owner.' : 'Only the owner can do that to an admin.')
    }
    return { ok: true, user, role }
  }

  return {
    async kick(def, user, actorRole, request) {
      const { room } = def
      const who = await target(def, actorRole, request.kick?.user)
      if (!who.ok) return who
      if (!(await live.isPresent(room, who.user))) return fail(ErrorCode.ERROR_NOT_MEMBER, `${who.user} is not in the room.`)
      await removeMember(room, who.user, MemberKind.KICKED, user)
      return ok({ done: { room } })
    },

    async mute(def, user, actorRole, request) {
      const { room } = def
      const who = await target(def, actorRole, request.mute?.user)
      if (!who.ok) return who
      const until = Number(request.mute?.until ?? 0)
      await store.setRoomMute(room, who.user, until)
      if (until > 0) def.mutes.set(who.user, until)
      else def.mutes.delete(who.user)
      await definitions.changed(room)
      broadcast(room, {
        member: { kind: until > 0 ? MemberKind.MUTED : MemberKind.UNMUTED, user: who.user, actor: user, until, memberCount: await live.memberCount(room) }
      })
      return ok({ done: { room } })
    },

    async muteAll(def, user, _actorRole, request) {
      const { room } = def
      const muted = request.muteAll?.muted === true
      await store.setRoomMutedAll(room, muted)
      def.mutedAll = muted
      await definitions.changed(room)
      broadcast(room, { info: await infoOf(def, '') })
      return ok({ info: await infoOf(def, user) })
    },

    async ban(def, user, actorRole, request) {
      const { room } = def
      const who = await target(def, actorRole, request.ban?.user)
      if (!who.ok) return who
      const banned = request.ban?.banned !== false
      await store.setRoomBan(room, who.user, banned, Date.now())
      if (banned) {
        def.banned.add(who.user)
        def.admins.delete(who.user)
        await definitions.changed(room)
        await removeMember(room, who.user, MemberKind.BANNED, user)
      } else {
        def.banned.delete(who.user)
        await definitions.changed(room)
      }
      return ok({ done: { room } })
    },

    async setAdmin(def, user, _actorRole, request) {
      const { room } = def
      const targetUser = canonicalUserId(request.setAdmin?.user)
      if (!targetUser) return fail(ErrorCode.ERROR_BAD_REQUEST, 'Name the member this applies to.')
      if (targetUser === def.owner) return fail(ErrorCode.ERROR_FORBIDDEN, 'The owner is not an admin; ownership stays as it is.')
      const admin = request.setAdmin?.admin === true
      if (admin && def.banned.has(targetUser)) return fail(ErrorCode.ERROR_BANNED, `${targetUser} is on this room's blocklist.`)
      await store.setRoomAdmin(room, targetUser, admin)
      if (admin) def.admins.add(targetUser)
      else def.admins.delete(targetUser)
      await definitions.changed(room)
      broadcast(room, {
        member: { kind: MemberKind.ROLE_CHANGED, user: targetUser, actor: user, role: await wireRole(def, targetUser), memberCount: await live.memberCount(room) }
      })
      return ok({ done: { room } })
    },

    async update(def, user, _actorRole, request) {
      const { room } = def
      const update = request.update ?? {}
      const changes: { name?: string; description?: string; announcement?: string } = {}
      if (update.name != null) {
        const name = checkText(update.name, ROOM_NAME_MAX_CHARS, 'name', true)
        if (typeof name !== 'string') return name
        changes.name = name
      }
      if (update.description != null) {
        const description = checkText(update.description, ROOM_DESCRIPTION_MAX_CHARS, 'description', false)
        if (typeof description !== 'string') return description
        changes.description = description
      }
      if (update.announcement != null) {
        const announcement = checkText(update.announcement, ROOM_ANNOUNCEMENT_MAX_CHARS, 'announcement', false)
        if (typeof announcement !== 'string') return announcement
        changes.announcement = announcement
      }
      if (!(await store.updateRoomInfo(room, changes))) return notFound(room)
      Object.assign(def, changes)
      await definitions.changed(room)
      broadcast(room, { info: await infoOf(def, '') })
      return ok({ info: await infoOf(def, user) })
    },

    async delete(def, user) {
      const { room } = def
      await store.deleteRoom(room)
      broadcast(room, { deleted: { room } })
      await membership.forgetRoom(room)
      log.info('room deleted', { room, by: user })
      return ok({ done: { room } })
    }
  }
}
