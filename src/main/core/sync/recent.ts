// Owns the new-device start's wire side: one RecentConversations page as the syncer needs it (each summary's
// newest entry kept as bytes, canonical conversation ids, the position to continue from).
import type { ChatMessage, ChatType } from '../../../shared/model'
import { canonicalUserId } from '../../../shared/user-id'
import type { ResponseBody } from '../net/connection'
import { rawEventOfSummary, type RawLogEvent } from '../protocol/log-entry'
import { chatTypeFromWire, chatTypeToWire } from '../protocol/messages'
import type { RequestFrame } from '../net/connection'

/** One conversation as RecentConversations names it, before its newest entry is decoded. */
export interface RecentSummary {
  conversationId: string
  chatType: ChatType
  last: RawLogEvent | null
  /** The account's read pointer (a position in the account's log; 0 = nothing read). */
  readSeq: number
  unread: number
}

/** What the store receives: the summary with its newest message decoded (null when it has none this version can map). */
export interface ConversationSummaryInput {
  conversationId: string
  chatType: ChatType
  last: ChatMessage | null
  readSeq: number
  unread: number
}

export interface RecentPage {
  conversations: RecentSummary[]
  hasMore: boolean
  headSeq: number
  /** Where the next page starts (the last conversation of this page), or null. */
  next: { conversationId: string; chatType: ChatType; lastSeq: number } | null
}

export function recentRequest(after: RecentPage['next'], limit: number): RequestFrame {
  return {
    recent: {
      limit,
      afterConversation: after?.conversationId ?? '',
      afterChatType: chatTypeToWire(after?.chatType ?? 'single'),
      afterSeq: after?.lastSeq ?? 0
    }
  }
}

export function recentPageFromWire(response: ResponseBody<'recentOk'>): RecentPage {
  const conversations: RecentSummary[] = []
  for (const summary of response.conversations ?? []) {
    const chatType = chatTypeFromWire(summary.chatType)
    const conversationId = chatType === 'single' ? canonicalUserId(summary.conversation) : (summary.conversation ?? '')
    if (!conversationId) continue
    conversations.push({
      conversationId,
      chatType,
      last: rawEventOfSummary(summary.last),
      readSeq: Number(summary.readSeq ?? 0),
      unread: Number(summary.unread ?? 0)
    })
  }
  const lastRow = (response.conversations ?? []).at(-1)
  return {
    conversations,
    hasMore: Boolean(response.hasMore),
    headSeq: Number(response.headSeq ?? 0),
    next: lastRow
      ? {
          conversationId: lastRow.conversation ?? '',
          chatType: chatTypeFromWire(lastRow.chatType),
          lastSeq: Number(lastRow.last?.seq ?? 0)
        }
      : null
  }
}
