// How the renderer orders and merges messages: acked ones by sequence, then unacked ones in local order;
// merging by client id never duplicates and never lets a stale copy undo an ack. Pure functions only.
import type { ChatMessage } from '../../../shared/model'

function isAcked(message: ChatMessage): boolean {
  return message.seq !== null
}

/** Sort order for one conversation. Ties among unacked messages keep their arrival order (stable sort). */
export function compareMessages(a: ChatMessage, b: ChatMessage): number {
  if (a.seq !== null && b.seq !== null) return a.seq - b.seq
  if (a.seq !== null) return -1
  if (b.seq !== null) return 1
  return a.timestamp - b.timestamp
}

/**
 * Which copy of the same message to keep. Events and invoke replies can arrive in either order, so an
 * older unacked copy ('sending' from a sendText reply) must not replace an acked one ('sent' from an event).
 */
export function newerCopy(existing: ChatMessage, incoming: ChatMessage): ChatMessage {
  if (isAcked(existing) && !isAcked(incoming)) return existing
  return incoming
}

/** Returns a new ordered list holding `current` updated with `incoming`, each id at most once. */
export function mergeMessages(current: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  if (incoming.length === 0) return [...current]
  const prepended = prependOlderPage(current, incoming)
  if (prepended) return prepended
  const byId = new Map<string, ChatMessage>()
  for (const message of current) byId.set(message.id, message)
  for (const message of incoming) {
    const existing = byId.get(message.id)
    byId.set(message.id, existing ? newerCopy(existing, message) : message)
  }
  // Map keeps first-insertion order, so ties stay in the order messages were first seen.
  return [...byId.values()].sort(compareMessages)
}

/** The keyset cursor for the next older page: the lowest known sequence, or null when none is acked. */
export function oldestSeq(messages: readonly ChatMessage[]): number | null {
  let oldest: number | null = null
  for (const message of messages) {
    if (message.seq !== null && (oldest === null || message.seq < oldest)) oldest = message.seq
  }
  return oldest
}

/**
 * An older page wholly before what is loaded (scrolling up a long chat), with no id of its own loaded already: the
 * page goes in front without sorting the whole list again (100,000 loaded messages, a page at a time). Null when
 * the general merge is needed. Same result as the general merge.
 */
function prependOlderPage(current: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] | null {
  const first = current[0]
  if (!first || !isAcked(first)) return null
  const page = [...incoming].sort(compareMessages)
  const newest = page[page.length - 1] as ChatMessage
  if (compareMessages(newest, first) >= 0) return null
  const ids = new Set(page.map((message) => message.id))
  if (ids.size !== page.length) return null
  for (const message of current) if (ids.has(message.id)) return null
  return [...page, ...current]
}
