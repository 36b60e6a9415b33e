// Owns what the fault harness reads back from one device: every conversation with its unread count and its whole
// stored history in the order the device shows it (the same shape for an in-process client and the child's).
import type { ChatClient } from '../../src/main/core/client'
import type { MessageStatus } from '../../src/shared/model'

/** The store's own cap on one page. */
const PAGE_LIMIT = 1_000

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
  /** Oldest first, as rendered. */
  messages: SnapshotMessage[]
}

export interface DeviceSnapshot {
  conversations: ConversationSnapshot[]
}

export async function snapshotDevice(client: ChatClient): Promise<DeviceSnapshot> {
  const conversations: ConversationSnapshot[] = []
  for (const conversation of await client.listConversations()) {
    conversations.push({ id: conversation.id, unread: conversation.unreadCount, messages: await storedHistory(client, conversation.id) })
  }
  return { conversations }
}

/** Walks the local pages from the newest back (never asks the server). */
async function storedHistory(client: ChatClient, conversationId: string): Promise<SnapshotMessage[]> {
  const all: SnapshotMessage[] = []
  let before: number | null = null
  for (;;) {
    const page = await client.pageLocal(conversationId, before, PAGE_LIMIT)
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
