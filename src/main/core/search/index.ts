// Owns the session's search API: grouped hits with snippets from the local store, opening a hit in context (the
// page around it, then paging towards the newest), and the history back-fill that decides how far back it reaches.
import { AppError } from '../../../shared/errors'
import type { BackfillStatus, ConversationKey, MessageWindow, SearchResults } from '../../../shared/model'
import type { MessageStore } from '../store/types'
import { STATUS_REUSE_MS, type Backfill } from '../sync/backfill'

/** Hits one search answers: the view shows the newest; a person refines the query rather than scrolling 500. */
export const SEARCH_RESULT_LIMIT = 50

export class SearchClient {
  constructor(
    private readonly store: MessageStore,
    private readonly backfill: Backfill
  ) {}

  /** The newest hits of `query`, grouped by conversation, and how far back the local history reaches. */
  async messages(query: string, limit = SEARCH_RESULT_LIMIT): Promise<SearchResults> {
    this.backfill.noteUserActivity()
    const groups = await this.store.searchGrouped(query, limit)
    return { query, groups, backfill: await this.backfill.status(STATUS_REUSE_MS) }
  }

  status(): Promise<BackfillStatus> {
    return this.backfill.status()
  }

  setBackfillDays(days: number): Promise<BackfillStatus> {
    return this.backfill.setWindowDays(days)
  }

  /** The page around a message of `key` (a search hit), however far back; NOT_FOUND when it is not there. */
  async around(key: ConversationKey, messageId: string, limit: number): Promise<MessageWindow> {
    this.backfill.noteUserActivity()
    const window = await this.store.pageAround(key, messageId, limit)
    if (window === null) throw new AppError('NOT_FOUND', 'That message is no longer on this device.')
    return window
  }

  after(key: ConversationKey, afterSeq: number, limit: number): Promise<MessageWindow> {
    this.backfill.noteUserActivity()
    return this.store.pageAfter(key, afterSeq, limit)
  }
}
