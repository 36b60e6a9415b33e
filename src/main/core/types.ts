// The public face of the client core: ChatClient's options and events. The shells (Electron main,
// browser host) and the core session API only depend on this, never on the client's internals.
import type { FailureReason } from '../../shared/errors'
import type { ConversationState, PinsChanged, ReactionsChanged } from '../../shared/model/reactions'
import type {
  ChatMessage,
  ConnectionStatus,
  Conversation,
  MessagePage,
  SessionInfo
} from '../../shared/model'
import type { BackfillStatus, ConversationKey, GroupsChanged } from '../../shared/model'
import type { LogEntryDecoder } from './protocol/log-entry'
import type { AppliedUserEvent } from './store/domain-types'
import type { MessageStore } from './store/types'
import type { ContactsState, UserPresence, UserProfile } from '../../shared/model/contacts'
import type { RoomEvent } from '../../shared/model/rooms'
import type { AppCommand } from '../../shared/model/commands'
import type { AttachmentWhich, TransferEvent } from '../../shared/model/attachments'
import type { GroupReadEvent, PeerReceipts, PrivacySettings, TypingEvent } from '../../shared/model/receipts'
import type { Agent } from 'node:http'

/** A conversation as the core's callers name it: its key, or a plain user id for a single chat. */
export type ConversationRef = ConversationKey | string

export interface ChatClientOptions {
  /** App server + gateway base address, e.g. http://127.0.0.1:3210 */
  serverUrl: string
  /** Stable id of this device (install / browser tab session). */
  deviceId: string
  /** Folder for this device's databases; one SQLite file per account goes inside it. */
  dataDir: string
  /** 'desktop' or 'web'. */
  platform?: string
  /** Overrides for tests: liveness and retry timings (ms). */
  timings?: Partial<ClientTimings>
  /** Path to a better-sqlite3 native binding built for the host runtime (Electron); optional. */
  nativeBinding?: string
  /** Tests: how the account's store is opened (default: in the store worker thread, store/worker/worker-store.ts). */
  openStore?: (path: string, options: { nativeBinding?: string }) => Promise<MessageStore>
  /** Renew the token over the socket when the server warns it will expire (default true; tests turn it off). */
  autoRenewToken?: boolean
  /**
   * Saves a renewed sign-in (the shell's vault) before the server is told the device holds the new token; until then
   * the server still takes the old one back from this device. Called also while the session is closing, and when
   * fail-over moved the device to another gateway address (the next start tries that one first).
   */
  keepRenewedToken?: (renewed: SessionCredentials) => Promise<void>
  /** How log entries are read (this version's decoder by default; tests inject a "newer" one). */
  decoder?: LogEntryDecoder
  /** The URL the renderer loads a cached attachment from (the shell's file protocol or route); none: no URL. */
  fileUrl?: (messageId: string, which: AttachmentWhich) => string
  /** Size cap of the account's download cache (DEFAULT_CACHE_CAP_BYTES by default; tests set a small one). */
  attachmentCacheBytes?: number
  /** Tests: the first pause before a dropped download resumes (DOWNLOAD_RETRY_BASE_MS by default). */
  downloadRetryBaseMs?: number
  /** The device's network route for the socket, sign-in and attachment HTTP (its proxy setting); none: direct. */
  agent?: Agent
  /** Images up to this size download by themselves (the device setting; the core's default when absent). */
  autoDownloadMaxBytes?: () => number
}

/** What the diagnostics view shows about one signed-in device. */
export interface ClientDiagnostics {
  /** The sequence of the newest log entry applied. */
  syncCursor: number
  /** Messages written here and not yet acked or failed. */
  pendingOutbox: number
  sendsInFlight: number
  /** Log entries put aside because they could not be applied (sync went on past them); -1 if unreadable. */
  quarantinedEvents: number
  /** The last catch-up failure as a sentence, and when (cleared by the next successful catch-up). */
  lastSyncError: string | null
  lastSyncErrorAt: number | null
  /** Catch-up attempts failed in a row (they are retried with backoff). */
  catchUpFailures: number
  heartbeatIntervalMs: number
  connection: ConnectionStatus
}

export interface ClientTimings {
  heartbeatMinMs: number
  heartbeatMaxMs: number
  pongTimeoutMs: number
  backoffBaseMs: number
  backoffMaxMs: number
  requestTimeoutMs: number
  /** Jitter window of the first reconnect after a working link dropped (spreads a restarted server's herd). */
  firstReconnectWindowMs: number
  /** Cap on the reconnect window a server's going_away asks for. */
  maxServerReconnectWindowMs: number
  /** Longest pause between two attempts of one message in the outbox. */
  sendRetryMaxMs: number
  /**
   * History back-fill (sync/backfill.ts): idle time before it goes on, pause between pages, retry after a failure.
   * Absent: DEFAULT_BACKFILL_TIMINGS.
   */
  backfillIdleMs?: number
  backfillPageIntervalMs?: number
  backfillRetryMs?: number
}

/** What one stored batch changed: its messages and conversations (the same objects its item events carry). */
export interface AppliedBatch {
  messages: ChatMessage[]
  conversations: Conversation[]
}

export interface ChatClientEvents {
  connection: ConnectionStatus
  /** A message was added or changed on this device (sent, acked, failed, received, synced). */
  message: ChatMessage
  conversation: Conversation
  /**
   * One stored batch (a catch-up chunk, a pushed entry, a history page, a group's sync page), emitted just before its
   * items' `message` / `conversation` events: the shells forward a big one whole (api/batch-forwarding.ts).
   */
  batch: AppliedBatch
  tokenWillExpire: { expiresAt: number }
  tokenRenewed: { expiresAt: number }
  /** The session cannot continue (token expired and could not be renewed, replaced, auth failed). */
  sessionEnded: { reason: string; error: FailureReason }
  /** A contact, membership or profile event was applied (by sync or a push); `change` is its domain's report. */
  userEvent: AppliedUserEvent
  /** A group's local record changed (membership, description, sync stopped): groups/index.ts, group-sync.ts. */
  groupsChanged: GroupsChanged
  /** The contacts changed (contacts/index.ts): the whole state, small enough to send as is. */
  contactsChanged: ContactsState
  /** A friend's presence changed (live push, or the refresh after a connect). */
  presenceChanged: UserPresence
  /** A cached profile changed (a friend's, or mine edited on any of my devices). */
  profileChanged: UserProfile
  /** Live traffic of the chat rooms this device is in (rooms/client.ts). */
  roomEvent: RoomEvent
  /** A command message arrived (messages/commands.ts): delivered to the app, never stored or shown. */
  command: AppCommand
  /** Messages left this device: deleted for me, cleared, or expired (message-ops/index.ts). */
  messagesRemoved: { conversation: ConversationKey; ids: string[] }
  /** A conversation's disappearing timer changed (either side set it). */
  conversationSettings: { conversation: ConversationKey; disappearAfterSec: number; changedBy: string }
  /** A message's reactions changed (reactions/index.ts). */
  reactionsChanged: ReactionsChanged
  /** A one-to-one conversation's pins changed. */
  pinsChanged: PinsChanged
  /** The account's state of a conversation changed (pinned, marked unread, deleted: its messages are gone here). */
  conversationStateChanged: ConversationState & { deleted: boolean }
  /** A device of the account signed in or out. */
  devicesChanged: { sessionId: string; signedOut: boolean }
  /** An upload or download moved (progress, done, failed, canceled): attachments/index.ts. */
  transfer: TransferEvent
  /** The history back-fill moved on, paused or finished (how far back search reaches). */
  backfill: BackfillStatus
  /** The peer of a one-to-one chat moved its delivered / read pointer (receipts/index.ts). */
  peerReceipts: PeerReceipts
  /** A member read past messages of mine in a group. */
  groupRead: GroupReadEvent
  /** Someone started or stopped typing (expires by itself after a silence). */
  typing: TypingEvent
  /** The account's privacy settings changed (here or on another device). */
  privacy: PrivacySettings
}

/** A session's sign-in as a shell saves it to resume later without the password. */
/** Where a session's socket may go (cluster mode): the login answer's list, and the address that last worked. */
export interface GatewayFacts {
  /** ws(s):// addresses in the order to try; absent or empty: the one server at serverUrl. */
  gateways?: string[]
  lastGoodGateway?: string | null
}

export interface SessionCredentials extends GatewayFacts {
  user: string
  token: string
  /** ms since epoch */
  expiresAt: number
}

/** What the shells and the session API use; implemented by ChatClient in client.ts. */
export interface ChatClientApi {
  readonly session: SessionInfo | null
  readonly status: ConnectionStatus
  /** Sign in through the app server, open this account's store, connect and sync. */
  login(username: string, password: string): Promise<SessionInfo>
  /**
   * Continue a saved session without a password (optional: test fakes may leave it out, and then nothing resumes).
   * Rejects with TOKEN_EXPIRED / NOT_SIGNED_IN only when the server refuses the token; offline still resolves.
   */
  resume?(saved: SessionCredentials): Promise<SessionInfo>
  /** The current sign-in to save (renewed tokens replace the old one); null when signed out. */
  readonly credentials?: SessionCredentials | null
  /** Sign out (the server revokes this device's session when reachable), close the socket and the store. */
  logout(): Promise<void>
  /**
   * Store in the outbox (status 'sending') and send; resolves once stored, before the ack. A conversation given as
   * a plain string is a single chat with that user (every method below takes either form).
   */
  sendText(
    to: ConversationRef,
    text: string,
    mentions?: { mentions?: string[]; mentionAll?: boolean; burnAfterReadSec?: number }
  ): Promise<ChatMessage>
  /** Send a failed message again. */
  retry(messageId: string): Promise<ChatMessage>
  /** Most recent activity first; `limit`: only the newest that many (a window's first screen). */
  listConversations(limit?: number): Promise<Conversation[]>
  /** Local page first; when the local store runs out, fetch older history from the server. */
  page(conversation: ConversationRef, beforeSeq: number | null, limit: number): Promise<MessagePage>
  /** Move the read pointer to `uptoSeq` (default: the newest message); sent to the server for the other devices. */
  markRead(conversation: ConversationRef, uptoSeq?: number): Promise<void>
  /** The conversation the user is looking at (its incoming messages do not count as unread). */
  setActiveConversation(conversation: ConversationRef | null): void
  on<K extends keyof ChatClientEvents>(event: K, listener: (payload: ChatClientEvents[K]) => void): () => void
}
