// Owns how the store is split by domain: each domain (contacts, groups, rooms, ...) brings its own store interface
// and SQLite module in store/<domain>/, and this file is the one place that composes them into ServerStore.
import type Database from 'better-sqlite3'
import type { AppendResult, NewMessage, Synchronous, UserEvent } from './types'
import { openGroupsSqlite } from './groups/sqlite'
import type { GroupsStore } from './groups/types'
import { openRoomsSqlite } from './rooms/sqlite'
import type { RoomsStore } from './rooms/types'
import { openContactsSqlite } from './contacts/sqlite'
import type { ContactsStore } from './contacts/types'
import { openProfilesSqlite } from './profiles/sqlite'
import type { ProfilesStore } from './profiles/types'
import { openPlatformSqlite } from './platform/sqlite'
import type { PlatformStore } from './platform/types'

/** What a domain's SQLite module gets from the store: the writer connection and the user-log writer. */
export interface SqliteDomainContext {
  db: Database.Database
  /** Runs `work` in one IMMEDIATE transaction (nested calls become savepoints of the caller's). */
  inTransaction<T>(work: () => T): T
  /** Appends an event entry to `user`'s log in the current transaction; returns its seq. */
  appendUserEvent(user: string, event: UserEvent, at: number): number
  /** The newest seq of the user's log. */
  headOf(user: string): number
  /** What a domain plugs into the core's own paths (filled in by the domain modules when they open). */
  hooks: SqliteDomainHooks
}

/** Calls the core makes into a domain: groups store their messages inside the shared group commit. */
export interface SqliteDomainHooks {
  /** Appends one group message inside the append transaction (decides, de-duplicates, stores it once). */
  appendGroupMessage?(input: NewMessage): AppendResult
  /** The append transaction committed / rolled back (sequences handed out in it become real / are forgotten). */
  transactionCommitted?(): void
  transactionRolledBack?(): void
  /** The newest seq of a group's log (the bound of a group read pointer). */
  groupHead?(group: string): number
  /** Group messages after `afterSeq` the user may see and did not send. */
  countGroupUnread?(user: string, group: string, afterSeq: number): number
}

/** Every domain's store interface; ServerStore extends this. A new domain adds its interface here. */
export interface DomainStores extends RoomsStore, ContactsStore, ProfilesStore, GroupsStore, PlatformStore {}

/** The names of DomainStores' methods: the worker proxy forwards exactly these (the type checks none is missing). */
export const DOMAIN_METHODS = [
  // rooms
  'createRoom',
  'getRoom',
  'listRooms',
  'updateRoomInfo',
  'setRoomAdmin',
  'setRoomMute',
  'setRoomMutedAll',
  'setRoomBan',
  'deleteRoom',
  'roomAttributes',
  'setRoomAttributes',
  'removeRoomAttributes',
  // contacts
  'contactsList',
  'contactsChange',
  'contactsFriendsOf',
  'contactsMessagingFacts',
  // profiles
  'profilesGet',
  'profileUpdate',
  'profileSetLastSeen',
  'accountDeletedAt',
  'accountSetPasswordHash',
  'accountDelete',
  'accountReclaimName',
  // groups
  'changeGroup',
  'groupInfo',
  'groupMembers',
  'groupDirectory',
  'myGroups',
  'groupJoinRequests',
  'myGroupInvitations',
  'groupSync',
  'groupHistory',
  'groupReadAllowed',
  'groupIdsOf',
  'groupSummaries',
  'tableRowCounts',
  // platform API
  'platformUsers',
  'accountBannedAt',
  'accountSetBanned',
  'platformReserveName',
  'secretReplace',
  'attemptsPeek',
  'platformGroupOwner'
] as const satisfies readonly (keyof DomainStores)[]

type MissingDomainMethods = Exclude<keyof DomainStores, (typeof DOMAIN_METHODS)[number]>
/** Fails to compile when a domain method is not listed in DOMAIN_METHODS. */
export const DOMAIN_METHODS_COMPLETE: MissingDomainMethods extends never ? true : never = true

export function openSqliteDomains(context: SqliteDomainContext): Synchronous<DomainStores> {
  return {
    ...openRoomsSqlite(context),
    ...openContactsSqlite(context),
    ...openProfilesSqlite(context),
    ...openGroupsSqlite(context),
    ...openPlatformSqlite(context)
  }
}
