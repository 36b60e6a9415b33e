// The domain types of receipts and typing: the peer's pointers of a chat, a group message's readers, the account's
// privacy settings and who is typing. Plain serialisable data (crosses IPC).
import type { ConversationKey } from './messages'

/** What my outgoing message has reached, as its ticks show. */
export type DeliveryState = 'sending' | 'sent' | 'delivered' | 'read' | 'failed'

/** The peer's pointers of a one-to-one chat, in positions of my log (my messages with seq <= readSeq were read). */
export interface PeerReceipts {
  conversation: ConversationKey
  deliveredSeq: number
  readSeq: number
}

/** How many members read each of my group messages (by group seq); null counts = the group is too big to say. */
export interface GroupReadCounts {
  conversation: ConversationKey
  /** seq -> members who read it; empty when unavailable. */
  counts: Record<number, number>
  /** False for groups above the receipts limit: the UI shows no read counts at all. */
  available: boolean
  /** Members besides me. */
  memberCount: number
}

export interface GroupReaders {
  conversation: ConversationKey
  seq: number
  readers: string[]
  available: boolean
}

/** The account's privacy settings, the same on every device. */
export interface PrivacySettings {
  /** Others never learn that I read their messages (they see delivered); I still see theirs. */
  readReceiptsOff: boolean
  /** My typing is never sent. */
  typingOff: boolean
}

/** Someone typing (or stopping) in a conversation, as pushed by the core. */
export interface TypingEvent {
  conversation: ConversationKey
  user: string
  typing: boolean
}

/** A group member moved their read pointer past messages of mine (live "read by N"). */
export interface GroupReadEvent {
  conversation: ConversationKey
  reader: string
  readSeq: number
}
