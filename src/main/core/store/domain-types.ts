// Owns the contract between the account's store and its domains (contacts, groups, rooms, ...): the user-log
// events they apply, what they get from the store and what they give back. Types only: domains import this.
import type { Database } from 'better-sqlite3'
import type { ChatMessage, Conversation, ConversationKey } from '../../../shared/model'

/** User-log entries a domain applies (the Event oneof members besides messages and read pointers). */
export type UserEventKind =
  | 'contact'
  | 'membership'
  | 'profile'
  | 'messageChange'
  | 'conversationSettings'
  | 'conversationCleared'
  | 'reaction'
  | 'messagePin'
  | 'conversationState'
  | 'devicesChanged'
  | 'receipt'
  | 'privacy'

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
