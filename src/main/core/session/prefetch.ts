// Owns what a new device fetches in the background after it started from the conversation list: the newest page
// of the conversations at the top of the list (what the user opens first); the rest comes when opened.
import { createLogger } from '../../../shared/logger'
import { conversationKey } from '../../../shared/model'
import type { MessageStore } from '../store/types'
import type { HistoryPager } from '../sync/history'

const log = createLogger('core:session')

/**
 * After a new device starts from the conversation list, the newest page of this many conversations (the top of the
 * list, what the user opens first) is fetched in the background; the rest comes when opened. Bounded so a new
 * device costs ~10 small requests, not a download of the account.
 */
export const PREFETCH_CONVERSATIONS = 10
/** Messages per prefetched page: about one screen of a conversation. */
export const PREFETCH_PAGE_SIZE = 30

/** Fetches the top conversations' newest pages one after another; stops when `stillWanted` says no. */
export async function prefetchTopConversations(store: MessageStore, history: HistoryPager, stillWanted: () => boolean): Promise<void> {
  try {
    for (const conversation of await store.listConversations(PREFETCH_CONVERSATIONS)) {
      if (!stillWanted()) return
      await history.page(conversationKey(conversation.chatType, conversation.id), null, PREFETCH_PAGE_SIZE)
    }
  } catch (err) {
    log.debug('prefetch stopped', { error: String(err) })
  }
}
