// The roaming store's contract: an asynchronous interface over one account's SQLite database,
// so the implementation can move to a worker thread without touching its callers.
import type { FailureReason } from '../../../shared/errors'
import type { ChatMessage, Conversation, ConversationKey, MessagePage, MessageWindow, SearchResultGroup } from '../../../shared/model'
import type { AppCommand } from '../../../shared/model/commands'
import type { AppliedUserEvent, UserEventRecord } from './domain-types'
import type { StoreDomainApis } from './domain-apis'

export interface SendAckFields {
  serverId: number
  seq: number
  timestamp: number
}

/** A conversation's read pointer: every message with seq <= `seq` has been read. */
export interface ReadPointer {
  key: ConversationKey
  seq: number
}

/** What markRead did: the conversation as stored now, its pointer, and whether the pointer moved (then send it). */
export interface MarkReadResult {
  conversation: Conversation
  readSeq: number
  moved: boolean
}

/** A log entry of a kind this version does not know (not a message): kept raw so a newer version can read it. */
export interface UnknownEvent {
  seq: number
  raw: Uint8Array
}

/** An event that could not be applied (fails the checks, cannot be decoded): kept aside so sync goes on. */
export interface QuarantinedEvent {
  seq: number
  /** The event's bytes when the caller had them; null when only the decoded form failed the store's checks. */
  raw: Uint8Array | null
  reason: string
  /** ms since epoch when it was put aside. */
  quarantinedAt: number
}

/** How far the back-fill walked down one conversation's history (see MessageStore.backfillStates). */
export interface BackfillState {
  key: ConversationKey
  /** The next page is the one below this seq (null: start at the newest). */
  belowSeq: number | null
  /** Finished: reached the window's start (`reachedAt`) or the conversation's first message. */
  done: boolean
  /** ms since epoch of the window start this conversation was back-filled to; null: to its first message. */
  reachedAt: number | null
}

/** One conversation as the server summarises it for a new device (newest message, read pointer, unread count). */
export interface ConversationSummary {
  key: ConversationKey
  lastMessage: ChatMessage | null
  readSeq: number
  /** Computed by the server from its read pointer, so it is right even though this device has little history. */
  unreadCount: number
}

/** Everything else a sync batch carries, applied in the same transaction as its messages and cursor. */
export interface SyncBatchExtras {
  /** Read pointers moved on another device (never move a pointer back). */
  readPointers?: ReadPointer[]
  /** Log entries of unknown kinds, kept raw (unknown_events). */
  unknownEvents?: UnknownEvent[]
  /**
   * Contact, membership and profile events: each goes to the domain that applies its kind (store/domains.ts), in
   * this batch's transaction; a kind no domain applies yet is kept raw like an unknown event.
   */
  userEvents?: UserEventRecord[]
  /** Entries the caller could not decode: kept aside, the cursor still moves past them. */
  quarantine?: Array<{ seq: number; raw: Uint8Array | null; reason: string }>
}

export interface ApplyEventsResult {
  /** The messages as stored (new or changed). */
  messages: ChatMessage[]
  /** The conversations that changed (messages, read pointers). */
  conversations: Conversation[]
  /** Messages of the batch that failed the store's checks: quarantined instead of failing the batch. */
  quarantined: QuarantinedEvent[]
  /** User events the domains applied, in log order, with the change each reported. */
  userEvents: AppliedUserEvent[]
}

/**
 * Raw log entries as they cross to the store's thread (store/log-entry-pack.ts): the bytes of entry i are
 * bytes[ends[i - 1] ?? 0 .. ends[i]), its position seqs[i] (0 when even that was unreadable).
 */
export interface PackedLogEntries {
  bytes: Uint8Array
  ends: Uint32Array
  seqs: Float64Array
}

/**
 * 'log': a chunk of the account's log (catch-up or push), every kind of entry. 'history': an older page of one
 * conversation, stored without moving the cursor: only its messages (commands in history are past signals).
 */
export type LogEntriesScope = 'log' | 'history'

/** What applying a chunk of raw log entries did (store/log-entries.ts). */
export interface AppliedLogEntries {
  messages: ChatMessage[]
  conversations: Conversation[]
  userEvents: AppliedUserEvent[]
  /** Command messages among the entries: handed to the app, never stored (none in 'history'). */
  commands: AppCommand[]
  /** Entries put aside: not decodable, refused by the store's checks, or quarantined by the store itself. */
  quarantined: number
}

/**
 * Conversations are addressed by ConversationKey { type, id } (src/shared/model): ids are unique per chat type.
 * The store canonicalises single-chat ids and every sender/recipient with canonicalUserId() on the way in, so
 * 'BOB' and 'bob' are one conversation.
 */
export interface MessageStore {
  /** Path of the database file (':memory:' in unit tests). */
  readonly path: string
  /** Each domain's local API (contacts, groups, ...), on the same database. */
  readonly domains: StoreDomainApis

  /**
   * Store an outgoing message (status 'sending') before it is sent: the durable outbox.
   * Updates the conversation (last message, updatedAt). Idempotent on message id.
   */
  addOutgoing(message: ChatMessage): Promise<void>

  /** Mark an outgoing message acked. Returns the updated message, or null if unknown. */
  markSent(id: string, ack: SendAckFields): Promise<ChatMessage | null>

  /** Mark an outgoing message failed with a sentence for the user. */
  markFailed(id: string, reason: FailureReason): Promise<ChatMessage | null>

  /** Put a failed message back to 'sending' (user pressed retry). */
  markSending(id: string): Promise<ChatMessage | null>

  /**
   * Add `ms` to the time a message still 'sending' has spent failing while the link was up, kept across restarts
   * (the outbox gives up at SEND_GIVE_UP_MS in total). Returns the total, or null when the message is not sending.
   * markSending() (the user sends it again) starts it from 0.
   */
  addSendFailingTime(id: string, ms: number): Promise<number | null>

  /** Messages still 'sending', oldest first: what must be (re)sent after every (re)connect. */
  pendingOutbox(): Promise<ChatMessage[]>

  /**
   * Apply a batch of log entries from sync or a live push in ONE transaction, together with the new cursor
   * (and `extras`: read pointers, unknown events, quarantined entries). Messages are upserted by id (client
   * id): an entry for a message this device sent turns it 'sent' instead of adding a copy. A message that
   * fails the store's checks is quarantined, not a reason to reject the batch. Incoming messages after a
   * conversation's read pointer count as unread, except in `activeConversation` (the one the user is looking
   * at): there the read pointer moves to them, and pendingReadPointers() then lists it to send.
   */
  applyEvents(
    messages: ChatMessage[],
    cursor: number,
    activeConversation?: ConversationKey | null,
    extras?: SyncBatchExtras
  ): Promise<ApplyEventsResult>

  /**
   * Decode a chunk of raw log entries with this version's decoder and apply them as applyEvents does, in the
   * store's thread (store/log-entries.ts: the syncer's rules). An entry that does not decode is quarantined with
   * its reason and the cursor still moves past it; when the store refuses the chunk on its checks, the entries go
   * in one by one and each refused one is quarantined; commands are returned, not stored. Any other failure
   * rejects and the cursor stays. 'history' stores only messages and passes `cursor` as it is (the current one).
   * A malformed pack is STORE_BAD_ARGUMENT.
   */
  applyLogEntries(
    entries: PackedLogEntries,
    me: string,
    cursor: number,
    activeConversation: ConversationKey | null,
    scope?: LogEntriesScope
  ): Promise<AppliedLogEntries>

  /**
   * New device start (or a cursor the server no longer has): store each conversation with its newest message,
   * read pointer and the server's unread count, and set the cursor (the server's head seq), in one transaction.
   * Older history comes later through page() + applyEvents. Returns the conversations as stored.
   */
  applyConversationSummaries(summaries: ConversationSummary[], cursor: number): Promise<Conversation[]>

  /** The sequence of the newest log entry applied (0 for a new database). */
  getCursor(): Promise<number>
  /**
   * Whether this device has started on the account's log (a cursor was ever stored, even 0: a start on an empty
   * log). A cursor of 0 alone cannot tell a new device from one that started before anything was written.
   */
  hasStarted(): Promise<boolean>

  /**
   * Where each conversation's local history may have a hole: messages below `below` may not be adjacent to the
   * ones above (the device started again from the conversation list). Kept across restarts until the hole is filled.
   * applyConversationSummaries raises these marks itself, in its own transaction.
   */
  historyGaps(): Promise<Array<{ key: ConversationKey; below: number }>>
  /** Moves a conversation's gap mark (after part of the hole was fetched), or clears it (null). */
  setHistoryGap(key: ConversationKey, below: number | null): Promise<void>

  getMessage(id: string): Promise<ChatMessage | null>

  /**
   * One page of a conversation, keyset-paginated on seq: messages with seq < beforeSeq
   * (newest page when beforeSeq is null), returned oldest first. The newest page also
   * includes this device's unacked messages, after the acked ones.
   */
  page(key: ConversationKey, beforeSeq: number | null, limit: number): Promise<MessagePage>

  /**
   * Full-text search over message text, newest first: words and substrings of 3+ characters (trigram index),
   * 1-2 character queries and CJK words through the bigram index (see migrations/003).
   */
  search(query: string, limit: number): Promise<ChatMessage[]>

  /**
   * search() as the search view shows it: the newest `limit` hits, each with a one-line snippet of the message's
   * searchable text (text, file name, place, ...) and the ranges of the query's words in it, grouped by
   * conversation (groups ordered by their newest hit, titled as the conversation list titles them).
   */
  searchGrouped(query: string, limit: number): Promise<SearchResultGroup[]>

  /**
   * The page of a conversation around one of its messages (about half older, half newer), for opening a search
   * result in context however far back it is. Null when the message is not in that conversation.
   */
  pageAround(key: ConversationKey, messageId: string, limit: number): Promise<MessageWindow | null>

  /** The messages after `afterSeq`, oldest first: paging a window from pageAround towards the newest. */
  pageAfter(key: ConversationKey, afterSeq: number, limit: number): Promise<MessageWindow>

  /**
   * Back-fill bookkeeping (sync/backfill.ts), kept across restarts: per conversation, the seq the walk down the
   * history has reached and whether it is finished (the window's start or the conversation's first message).
   */
  backfillStates(): Promise<BackfillState[]>
  setBackfillState(state: BackfillState): Promise<void>
  /** How many days of history back-fill fetches (a setting; null: never set, the default applies). */
  backfillWindowDays(): Promise<number | null>
  /** STORE_BAD_ARGUMENT outside 0..MAX_BACKFILL_WINDOW_DAYS. */
  setBackfillWindowDays(days: number): Promise<void>
  /** The oldest stored message time of a conversation (null: none stored). */
  oldestMessageTime(key: ConversationKey): Promise<number | null>

  /**
   * Conversations, most recent activity first, with last message, unread count, read pointer and draft; `limit`:
   * only the newest that many (a window's first screen comes before the whole list).
   */
  listConversations(limit?: number): Promise<Conversation[]>

  /** The conversations listConversations shows, in its order, as keys only (nothing else is read or built). */
  conversationKeys(): Promise<ConversationKey[]>

  /** One conversation as listConversations shows it, or null if it does not exist. */
  getConversation(key: ConversationKey): Promise<Conversation | null>

  /**
   * Move this device's read pointer forward to `uptoSeq` (default: the conversation's newest message). Never
   * moves it back. The new pointer stays in pendingReadPointers() until markReadPointerSynced(). Null if the
   * conversation does not exist.
   */
  markRead(key: ConversationKey, uptoSeq?: number): Promise<MarkReadResult | null>

  /** A read pointer from the server (another device read): moves forward only. Null if nothing changed. */
  applyReadPointer(key: ConversationKey, seq: number): Promise<Conversation | null>

  /** Pointers moved on this device and not yet confirmed by the server (sent on every (re)connect). */
  pendingReadPointers(): Promise<ReadPointer[]>

  /** The server has the pointer up to `seq`: stop listing it as pending (a later markRead lists it again). */
  markReadPointerSynced(key: ConversationKey, seq: number): Promise<void>

  /** Keep `text` as the conversation's draft (creating the conversation if needed); '' or null clears it. */
  setDraft(key: ConversationKey, text: string | null): Promise<Conversation | null>

  getDraft(key: ConversationKey): Promise<string | null>

  /**
   * Re-decode stored 'unsupported' messages and unknown events with a newer decoder: rows it now understands
   * are updated in place (unknown events that turn out to be messages are stored as messages). Returns the
   * changed messages.
   */
  reinterpretUnsupported(decode: (raw: Uint8Array) => ChatMessage | null): Promise<ChatMessage[]>

  /** Put aside an event that cannot be applied (logged; listed by quarantined()); sync goes on past it. */
  quarantineEvent(seq: number, raw: Uint8Array | null, reason: string): Promise<void>

  /** The quarantined events (newest first, at most `limit`) and how many there are, for diagnostics. */
  quarantined(limit?: number): Promise<{ count: number; events: QuarantinedEvent[] }>

  close(): Promise<void>
}
