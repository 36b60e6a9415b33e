// How many messages one page of a conversation asks for: the newest page is about a screen, and older pages grow
// with what is already loaded, so scrolling far back takes a few large round trips instead of thousands of small ones.

/** The newest page when a conversation opens: about one screen of bubbles, so the first paint is quick. */
export const FIRST_PAGE_SIZE = 50

/** The largest page `messages.page` accepts (its IPC schema's maximum). */
export const MAX_PAGE_SIZE = 200

/**
 * The next older page's size: as many messages as are loaded already (so a user who keeps scrolling up doubles
 * each step), never below the first page's size nor above the IPC maximum. Each page costs a round trip and a few
 * frames of scroll anchoring; 100,000 messages take ~500 pages of 200 instead of ~2,000 of 50.
 */
export function olderPageSize(loadedCount: number): number {
  if (!Number.isFinite(loadedCount)) return FIRST_PAGE_SIZE
  return Math.min(MAX_PAGE_SIZE, Math.max(FIRST_PAGE_SIZE, Math.floor(loadedCount)))
}
