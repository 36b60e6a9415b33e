// Owns what the fault harness reads back from one device: every conversation with its unread count and its whole
// history in the order the device shows it (the same shape for an in-process client and the child's).
import type { ChatClient } from '../../src/main/core/client'
import type { MessageStatus } from '../../src/shared/model'

/** A screenful of scrolling at a time; at most the server's cap on one history page (HISTORY_MAX_LIMIT). */
const PAGE_LIMIT = 200

export interface SnapshotMessage {
  id: string
  text: string
  from: string
  status: MessageStatus
  seq: number | null
  serverId: number | null
}

export interface ConversationSnapshot {
  id: string
  unread: number
  /** The read pointer the device holds (diagnostics: which device is behind when unread counts differ). */
  readSeq: number
  /** The message the conversation list shows as the newest (its preview, time and order). */
  lastMessageId: string | null
  /** Oldest first, as rendered. */
  messages: SnapshotMessage[]
}

export interface DeviceSnapshot {
  conversations: ConversationSnapshot[]
}

export async function snapshotDevice(client: ChatClient): Promise<DeviceSnapshot> {
  const conversations: ConversationSnapshot[] = []
  for (const conversation of await client.listConversations()) {
    conversations.push({
      id: conversation.id,
      unread: conversation.unreadCount,
      readSeq: conversation.readSeq,
      lastMessageId: conversation.lastMessage?.id ?? null,
      messages: await renderedHistory(client, conversation.id)
    })
  }
  return { conversations }
}

/**
 * Scrolls the whole conversation as the app would: local pages from the newest back, then older history from the
 * server when the store runs out (a device that started from the conversation list keeps only recent pages).
 */
async function renderedHistory(client: ChatClient, conversationId: string): Promise<SnapshotMessage[]> {
  const all: SnapshotMessage[] = []
  let before: number | null = null
  for (;;) {
    const page = await client.page(conversationId, before, PAGE_LIMIT)
    all.unshift(
      ...page.messages.map((m) => ({
        id: m.id,
        text: m.content.type === 'text' ? m.content.text : '',
        from: m.from,
        status: m.status,
        seq: m.seq,
        serverId: m.serverId
      }))
    )
    const oldest = page.messages.find((m) => m.seq !== null)
    if (!page.hasMore || !oldest || page.messages.length === 0) return all
    before = oldest.seq
  }
}
