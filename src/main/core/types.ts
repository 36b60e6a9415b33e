// The public face of the client core: ChatClient's options and events. The shells (Electron main,
// browser host) and the core session API only depend on this, never on the client's internals.
import type {
  ChatMessage,
  ConnectionStatus,
  Conversation,
  MessagePage,
  SessionInfo
} from '../../shared/model'

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
  /** Renew the token over the socket when the server warns it will expire (default true; tests turn it off). */
  autoRenewToken?: boolean
}

export interface ClientTimings {
  heartbeatMinMs: number
  heartbeatMaxMs: number
  pongTimeoutMs: number
  backoffBaseMs: number
  backoffMaxMs: number
  requestTimeoutMs: number
}

export interface ChatClientEvents {
  connection: ConnectionStatus
  /** A message was added or changed on this device (sent, acked, failed, received, synced). */
  message: ChatMessage
  conversation: Conversation
  tokenWillExpire: { expiresAt: number }
  tokenRenewed: { expiresAt: number }
  /** The session cannot continue (token expired and could not be renewed, replaced, auth failed). */
  sessionEnded: { reason: string }
}

/** A session's sign-in as a shell saves it to resume later without the password. */
export interface SessionCredentials {
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
  /** Stop, close the socket and the store; the session ends. */
  logout(): Promise<void>
  /** Store in the outbox (status 'sending') and send; resolves once stored, before the ack. */
  sendText(to: string, text: string): Promise<ChatMessage>
  /** Send a failed message again. */
  retry(messageId: string): Promise<ChatMessage>
  listConversations(): Promise<Conversation[]>
  /** Local page first; when the local store runs out, fetch older history from the server. */
  page(conversationId: string, beforeSeq: number | null, limit: number): Promise<MessagePage>
  markRead(conversationId: string): Promise<void>
  /** The conversation the user is looking at (its incoming messages do not count as unread). */
  setActiveConversation(conversationId: string | null): void
  on<K extends keyof ChatClientEvents>(event: K, listener: (payload: ChatClientEvents[K]) => void): () => void
}
