// The roaming store's contract: an asynchronous interface over one account's SQLite database,
// so the implementation can move to a worker thread without touching its callers.
import type { ChatMessage, Conversation, MessagePage } from '../../../shared/model'

export interface SendAckFields {
  serverId: number
  seq: number
  timestamp: number
}

export interface MessageStore {
  /** Path of the database file (':memory:' in unit tests). */
  readonly path: string

  /**
   * Store an outgoing message (status 'sending') before it is sent: the durable outbox.
   * Updates the conversation (last message, updatedAt). Idempotent on message id.
   */
  addOutgoing(message: ChatMessage): Promise<void>

  /** Mark an outgoing message acked. Returns the updated message, or null if unknown. */
  markSent(id: string, ack: SendAckFields): Promise<ChatMessage | null>

  /** Mark an outgoing message failed with a sentence for the user. */
  markFailed(id: string, error: string): Promise<ChatMessage | null>

  /** Put a failed message back to 'sending' (user pressed retry). */
  markSending(id: string): Promise<ChatMessage | null>

  /** Messages still 'sending', oldest first: what must be (re)sent after every (re)connect. */
  pendingOutbox(): Promise<ChatMessage[]>

  /**
   * Apply a batch of log entries from sync or a live push in ONE transaction, together with the
   * new cursor. Messages are upserted by id (client id): an entry for a message this device sent
   * turns it 'sent' instead of adding a copy. Incoming messages raise the conversation's unread
   * count unless `activeConversationId` says the user is looking at it.
   * Returns the messages as stored (new or changed) and the conversations that changed.
   */
  applyEvents(
    messages: ChatMessage[],
    cursor: number,
    activeConversationId?: string | null
  ): Promise<{ messages: ChatMessage[]; conversations: Conversation[] }>

  /** The sequence of the newest log entry applied (0 for a new database). */
  getCursor(): Promise<number>

  getMessage(id: string): Promise<ChatMessage | null>

  /**
   * One page of a conversation, keyset-paginated on seq: messages with seq < beforeSeq
   * (newest page when beforeSeq is null), returned oldest first. The newest page also
   * includes this device's unacked messages, after the acked ones.
   */
  page(conversationId: string, beforeSeq: number | null, limit: number): Promise<MessagePage>

  /** Full-text search over message text (FTS5), newest first. */
  search(query: string, limit: number): Promise<ChatMessage[]>

  /** Conversations, most recent activity first, with last message and unread count. */
  listConversations(): Promise<Conversation[]>

  /** One conversation as listConversations shows it, or null if it does not exist. */
  getConversation(conversationId: string): Promise<Conversation | null>

  /** Reset a conversation's unread count. Returns it, or null if it does not exist. */
  markRead(conversationId: string): Promise<Conversation | null>

  close(): Promise<void>
}
