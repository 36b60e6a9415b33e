// Owns paging a conversation: the local store first, then older history ("roaming") from the server when the
// store runs out. Fetched messages are stored without moving the sync cursor and without raising unread.
import { createLogger } from '../../../shared/logger'
import type { ChatMessage, MessagePage } from '../../../shared/model'
import type { RequestFrame, ResponseBody } from '../net/connection'
import { chatMessageFromEvent, chatTypeToWire } from '../protocol/messages'
import type { MessageStore } from '../store/types'
import type { Syncer } from './syncer'

const log = createLogger('core:history')

export interface HistoryPagerOptions {
  store: MessageStore
  syncer: Syncer
  me: string
  isOnline: () => boolean
  requestHistory: (frame: RequestFrame) => Promise<ResponseBody<'historyPage'>>
}

export class HistoryPager {
  /** Per conversation: every message with a seq below this is known locally (the server said there is no more). */
  private readonly completeBelow = new Map<string, number>()

  constructor(private readonly options: HistoryPagerOptions) {}

  async page(conversationId: string, beforeSeq: number | null, limit: number): Promise<MessagePage> {
    const { store } = this.options
    const local = await store.page(conversationId, beforeSeq, limit)
    if (local.messages.length >= limit || local.hasMore || !this.options.isOnline()) return local
    const oldestKnown = local.messages.reduce<number | null>(
      (min, m) => (m.seq !== null && (min === null || m.seq < min) ? m.seq : min),
      beforeSeq
    )
    const askBelow = oldestKnown ?? Number.POSITIVE_INFINITY
    if (askBelow <= (this.completeBelow.get(conversationId) ?? 0)) return local
    try {
      const history = await this.options.requestHistory({
        history: {
          conversation: conversationId,
          chatType: chatTypeToWire('single'),
          beforeSeq: oldestKnown ?? 0,
          limit
        }
      })
      if (!history.hasMore) this.completeBelow.set(conversationId, Math.max(askBelow, this.completeBelow.get(conversationId) ?? 0))
      const older = (history.events ?? [])
        .map((event) => chatMessageFromEvent(event, this.options.me))
        .filter((m): m is ChatMessage => m !== null)
      if (older.length === 0) return local
      await this.options.syncer.applyHistory(older, conversationId)
      const merged = await store.page(conversationId, beforeSeq, limit)
      return { messages: merged.messages, hasMore: merged.hasMore || Boolean(history.hasMore) }
    } catch (err) {
      log.warn('could not fetch older history; showing local messages', { error: String(err) })
      return local
    }
  }
}
