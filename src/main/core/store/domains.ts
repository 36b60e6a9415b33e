// Owns how the account's store is split by domain on the device: each domain (contacts, groups, rooms, ...) keeps
// its tables in the same database, applies its user-log events inside the sync batch's transaction, and offers
// its own local API; this file is the one place that composes them (the server's store/domains.ts is the twin).
import type { Database } from 'better-sqlite3'
import { openContactsStore, type ContactsStoreApi } from './contacts'
import type { ChatMessage, Conversation, ConversationKey } from '../../../shared/model'
import { openGroupsStore, type GroupsStoreApi } from './groups'
import { openRoomsStore, type RoomsStoreApi } from './rooms'

/** User-log entries a domain applies (the Event oneof members besides messages and read pointers). */
export type UserEventKind = 'contact' | 'membership' | 'profile'

/** One such entry as synced: its position and the exact bytes of the whole Event. */
export interface UserEventRecord {
  seq: number
  kind: UserEventKind
  raw: Uint8Array
}

/** What an applier reports after applying an event (the core emits it to the shells once the batch commits). */
export interface AppliedUserEvent {
  seq: number
  kind: UserEventKind
  /** The domain's description of the change (plain data, crosses IPC). */
  change: unknown
}

/** What a domain's store module gets: the connection, and the store's write transaction for its own writes. */
export interface StoreDomainContext {
  db: Database
  /** Runs `operation` in one transaction (nested inside a sync batch's, it becomes part of it). */
  write<T>(operation: () => T): T
  /**
   * Stores messages (new, or changed by id) inside the caller's transaction and updates their conversations as a
   * sync batch does; in `active` the read pointer follows them. For domains with a log of their own (groups).
   */
  storeMessages(messages: ChatMessage[], active: ConversationKey | null): { messages: ChatMessage[]; conversations: Conversation[] }
}

/**
 * Applies one event inside the batch's transaction and returns the change to report (undefined = nothing to
 * report). Throwing a StoreError with code STORE_BAD_ARGUMENT puts the event aside (quarantine); sync goes on.
 */
export type UserEventApplier = (event: UserEventRecord) => unknown

export interface StoreDomain<Api> {
  appliers: Partial<Record<UserEventKind, UserEventApplier>>
  api: Api
  /** Fills in what the domain knows of a conversation of its own (title, mention count) as it leaves the store. */
  describe?: (conversation: Conversation) => Conversation
}

/** Every domain's local API, by name; MessageStore.domains has this type. A new domain adds its entry here. */
export interface StoreDomainApis {
  groups: GroupsStoreApi
  contacts: ContactsStoreApi
  rooms: RoomsStoreApi
}

export interface OpenedStoreDomains {
  appliers: Map<UserEventKind, UserEventApplier>
  apis: StoreDomainApis
  /** Every domain's describe() in turn. */
  describe: (conversation: Conversation) => Conversation
}

/** Opens every domain on the connection (their tables come from the numbered migrations). */
export function openStoreDomains(context: StoreDomainContext): OpenedStoreDomains {
  const domains: Array<StoreDomain<unknown> & { name: keyof StoreDomainApis | string }> = [
    { name: 'groups', ...openGroupsStore(context) },
    { name: 'contacts', ...openContactsStore(context) },
    { name: 'rooms', ...openRoomsStore(context) }
  ]
  const appliers = new Map<UserEventKind, UserEventApplier>()
  const apis: Record<string, unknown> = {}
  for (const domain of domains) {
    for (const [kind, applier] of Object.entries(domain.appliers) as Array<[UserEventKind, UserEventApplier]>) {
      if (appliers.has(kind)) throw new Error(`Two store domains apply '${kind}' events.`)
      appliers.set(kind, applier)
    }
    apis[domain.name] = domain.api
  }
  const describers = domains.flatMap((domain) => (domain.describe ? [domain.describe] : []))
  const describe = (conversation: Conversation): Conversation => describers.reduce((c, d) => d(c), conversation)
  return { appliers, apis: apis as unknown as StoreDomainApis, describe }
}
