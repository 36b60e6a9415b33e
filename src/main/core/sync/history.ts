// Owns paging a conversation: the local store first, then older history ("roaming") from the server when the
// store runs out. Fetched entries are stored without moving the sync cursor and without raising unread.
import { createLogger } from '../../../shared/logger'
import { conversationKeyString, type ConversationKey, type MessagePage } from '../../../shared/model'
import type { RawResponse, RequestFrame } from '../net/connection'
import { rawEventsOfResponse } from '../protocol/log-entry'
import { chatTypeToWire } from '../protocol/messages'
import type { MessageStore } from '../store/types'
import type { Syncer } from './syncer'

const log = createLogger('core:history')

export interface HistoryPagerOptions {
  store: MessageStore
  syncer: Syncer
  isOnline: () => boolean
  requestHistory: (frame: RequestFrame) => Promise<RawResponse<'historyPage'>>
}

export class HistoryPager {
  /** Per conversation: every message with a seq below this is known locally (the server said there is no more). */
  private readonly completeBelow = new Map<string, number>()
  /** History pages asked of the server (diagnostics and tests). */
  requests = 0

  constructor(private readonly options: HistoryPagerOptions) {}

  async page(key: ConversationKey, beforeSeq: number | null, limit: number): Promise<MessagePage> {
    const { store } = this.options
    const local = await store.page(key, beforeSeq, limit)
    if (local.messages.length >= limit || local.hasMore || !this.options.isOnline()) return local
    const oldestKnown = local.messages.reduce<number | null>(
      (min, m) => (m.seq !== null && (min === null || m.seq < min) ? m.seq : min),
      beforeSeq
    )
    const askBelow = oldestKnown ?? Number.POSITIVE_INFINITY
    const mapKey = conversationKeyString(key)
    if (askBelow <= (this.completeBelow.get(mapKey) ?? 0)) return local
    try {
      this.requests += 1
      const response = await this.options.requestHistory({
        history: { conversation: key.id, chatType: chatTypeToWire(key.type), beforeSeq: oldestKnown ?? 0, limit }
      })
      const hasMore = Boolean(response.body.hasMore)
      if (!hasMore) this.completeBelow.set(mapKey, Math.max(askBelow, this.completeBelow.get(mapKey) ?? 0))
      const older = rawEventsOfResponse(response.frameBytes, 'historyPage')
      if (older.length === 0) return local
      await this.options.syncer.applyHistory(older)
      const merged = await store.page(key, beforeSeq, limit)
      return { messages: merged.messages, hasMore: merged.hasMore || hasMore }
    } catch (err) {
      log.warn('could not fetch older history; showing local messages', { error: String(err) })
      return local
    }
  }
}
