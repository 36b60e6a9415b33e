// Owns how an outgoing message's ticks are derived: its own status (sending, failed, acked) and the peer's pointers
// of the chat (delivered, read). One pure function shared by the renderer and the tests, so both read ticks alike.
import type { ChatMessage } from './messages'
import type { DeliveryState, PeerReceipts } from './receipts'

/** What my message has reached; null for messages that show no ticks (incoming, rooms, notices). */
export function deliveryStateOf(message: ChatMessage, peer: Pick<PeerReceipts, 'deliveredSeq' | 'readSeq'> | null): DeliveryState | null {
  if (message.direction !== 'out' || message.chatType === 'room' || message.content.type === 'notice') return null
  if (message.status === 'failed') return 'failed'
  if (message.status === 'sending' || message.seq === null) return 'sending'
  // Peers' pointers are positions in my own log, which only one-to-one messages' seqs are (a group seq is not).
  if (message.chatType === 'single' && peer) {
    if (message.seq <= peer.readSeq) return 'read'
    if (message.seq <= peer.deliveredSeq) return 'delivered'
  }
  return 'sent'
}
