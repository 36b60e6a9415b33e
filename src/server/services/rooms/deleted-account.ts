// Owns what a deleted account leaves behind in rooms: each room it owns passes to an admin (one in the room now
// first) or is deleted, it leaves every room it is in (on every node), and its admin roles, mutes and bans go.
import { createLogger } from '../../../shared/logger'
import type { RoomsStore } from '../../store/rooms/types'
import type { RoomDefinitions } from './definitions'
import type { RoomLiveState } from './live'
import type { RoomMembership } from './membership'
import { MemberKind, Role } from './protocol'

const log = createLogger('server:rooms')

/** What a deleted account's departure did to rooms (logged). */
export interface RoomDeparture {
  left: number
  handedOver: number
  deleted: number
}

export type RemoveDeletedAccount = (user: string) => Promise<RoomDeparture>

export function createDeletedAccountRemoval(
  store: RoomsStore,
  live: RoomLiveState,
  definitions: RoomDefinitions,
  membership: RoomMembership
): RemoveDeletedAccount {
  const { broadcast } = membership
  return async (user) => {
    const departure: RoomDeparture = { left: 0, handedOver: 0, deleted: 0 }
    for (const room of await store.roomsOwnedBy(user)) {
      const def = await definitions.load(room)
      // An admin who is in the room now takes over before one who is away (by id within each).
      const preferred: string[] = []
      for (const admin of [...(def?.admins ?? [])].sort()) if (await live.isPresent(room, admin)) preferred.push(admin)
      const succession = await store.roomSucceedDeletedOwner(room, user, preferred)
      if (succession.outcome === 'handedOver') {
        departure.handedOver++
        const cached = definitions.cache.get(room)
        if (cached) {
          cached.owner = succession.owner
          cached.admins.delete(succession.owner)
        }
        await definitions.changed(room)
        broadcast(room, {
          member: { kind: MemberKind.ROLE_CHANGED, user: succession.owner, actor: user, role: Role.OWNER, memberCount: await live.memberCount(room) }
        })
        const current = await definitions.load(room)
        if (current) broadcast(room, { info: await definitions.infoOf(current, '') })
        log.info('room handed over: its owner deleted the account', { room, owner: succession.owner })
      } else if (succession.outcome === 'deleted') {
        departure.deleted++
        broadcast(room, { deleted: { room } })
        await membership.forgetRoom(room)
        log.info('room deleted: its owner deleted the account and it has no admin', { room })
      }
    }
    for (const room of await live.roomsOf(user)) {
      await membership.removeMember(room, user, MemberKind.LEFT, user)
      departure.left++
    }
    await store.roomsForgetDeletedAccount(user)
    definitions.changedAll()
    return departure
  }
}
