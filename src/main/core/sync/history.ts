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

/** Server pages asked to close one hole before a page is shown; the rest closes as the user scrolls on. */
const MAX_GAP_FILLS_PER_PAGE = 3

export class HistoryPager {
  /** Per conversation: every message with a seq below this is known locally (the server said there is no more). */
  private readonly completeBelow = new Map<string, number>()
  /**
   * Per conversation: local messages below this seq may have a hole above them (the device started again from the
   * conversation list, so what happened between its old cursor and that start is missing). A cache of the store's
   * marks (MessageStore.historyGaps), which survive a restart before the hole is filled.
   */
  private readonly gapBelow = new Map<string, number>()
  /** History pages asked of the server (diagnostics and tests). */
  requests = 0

  constructor(private readonly options: HistoryPagerOptions) {}

  /** Reads the store's gap marks (at session start, and after a start from the conversation list recorded new ones). */
  async loadGaps(): Promise<void> {
    const gaps = await this.options.store.historyGaps()
    for (const { key, below } of gaps) this.noteGap(key, below)
  }

  /** The device jumped to the log head: below `seq` (the conversation's newest entry then) local history may have a hole. */
  noteGap(key: ConversationKey, seq: number): void {
    if (seq <= 0) return
    const mapKey = conversationKeyString(key)
    this.gapBelow.set(mapKey, Math.max(seq, this.gapBelow.get(mapKey) ?? 0))
  }

  /** `failOnFetchError`: a failed server request rejects instead of answering the local page (back-fill retries it). */
  async page(key: ConversationKey, beforeSeq: number | null, limit: number, failOnFetchError = false): Promise<MessagePage> {
    const { store } = this.options
    let local = await store.page(key, beforeSeq, limit)
    for (let fill = 0; fill < MAX_GAP_FILLS_PER_PAGE && this.reachesGap(key, local) && this.options.isOnline(); fill++) {
      if (!(await this.fillGap(key, beforeSeq, limit))) break
      local = await store.page(key, beforeSeq, limit)
    }
    if (local.messages.length >= limit || local.hasMore || !this.options.isOnline()) return local
    const oldestKnown = local.messages.reduce<number | null>(
      (min, m) => (m.seq !== null && (min === null || m.seq < min) ? m.seq : min),
      beforeSeq
    )
    const askBelow = oldestKnown ?? Number.POSITIVE_INFINITY
    const mapKey = conversationKeyString(key)
    // Nothing local lies below this page: a hole under it can hide nothing, and what the server sends is adjacent.
    if (!this.reachesGap(key, local) && this.gapBelow.has(mapKey)) await this.forgetGap(key)
    // Another page (the back-fill, another view) fetched what lies below and stored it since `local` was read.
    if (askBelow <= (this.completeBelow.get(mapKey) ?? 0)) return store.page(key, beforeSeq, limit)
    try {
      this.requests += 1
      const response = await this.options.requestHistory({
        history: { conversation: key.id, chatType: chatTypeToWire(key.type), beforeSeq: oldestKnown ?? 0, limit }
      })
      const hasMore = Boolean(response.body.hasMore)
      const older = rawEventsOfResponse(response.frameBytes, 'historyPage')
      if (older.length > 0) await this.options.syncer.applyHistory(older)
      // Complete only once stored: a page asked meanwhile must not take the local page for the whole history.
      if (!hasMore) this.completeBelow.set(mapKey, Math.max(askBelow, this.completeBelow.get(mapKey) ?? 0))
      if (older.length === 0) return local
      const merged = await store.page(key, beforeSeq, limit)
      return { messages: merged.messages, hasMore: merged.hasMore || hasMore }
    } catch (err) {
      if (failOnFetchError) throw err
      log.warn('could not fetch older history; showing local messages', { error: String(err) })
      return local
    }
  }

  private async forgetGap(key: ConversationKey): Promise<void> {
    this.gapBelow.delete(conversationKeyString(key))
    await this.options.store.setHistoryGap(key, null)
  }

  /** Whether the page shows local messages from below a possible hole (so they may not be adjacent). */
  private reachesGap(key: ConversationKey, local: MessagePage): boolean {
    const gap = this.gapBelow.get(conversationKeyString(key))
    return gap !== undefined && local.messages.some((m) => m.seq !== null && m.seq < gap)
  }

  /**
   * Fetch the server's page just below the hole and store it. The hole is closed when that page reaches down to the
   * newest local message below it (or the server has nothing older); otherwise it moves down to the page's oldest.
   */
  private async fillGap(key: ConversationKey, beforeSeq: number | null, limit: number): Promise<boolean> {
    const mapKey = conversationKeyString(key)
    const gap = this.gapBelow.get(mapKey)
    if (gap === undefined) return false
    const below = Math.min(gap, beforeSeq ?? Number.POSITIVE_INFINITY)
    const newestLocalBelow = (await this.options.store.page(key, below, 1)).messages.find((m) => m.seq !== null)?.seq ?? 0
    try {
      this.requests += 1
      const response = await this.options.requestHistory({
        history: { conversation: key.id, chatType: chatTypeToWire(key.type), beforeSeq: below, limit }
      })
      const events = rawEventsOfResponse(response.frameBytes, 'historyPage')
      if (events.length > 0) await this.options.syncer.applyHistory(events)
      const oldestFetched = events.reduce((min, e) => Math.min(min, e.seq), below)
      if (!response.body.hasMore || events.length === 0 || oldestFetched <= newestLocalBelow) await this.forgetGap(key)
      else {
        this.gapBelow.set(mapKey, oldestFetched)
        await this.options.store.setHistoryGap(key, oldestFetched)
      }
      return true
    } catch (err) {
      log.warn('could not fill a hole in the local history; showing local messages', { error: String(err) })
      return false
    }
  }
}
