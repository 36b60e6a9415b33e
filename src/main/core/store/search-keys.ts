// Owns search key collisions: a message whose time-ordered search key another message holds takes the next free
// one (same millisecond when it can), so a collision neither fails a write nor hides a message from search.
import { createLogger } from '../../../shared/logger'
import { MAX_SEARCH_KEY } from './search-text'
import type { StoreStatements } from './statements'

const log = createLogger('core:store')

/** The error SQLite raises when a write gives a message a search key another message holds (messages_by_search_key). */
export function isSearchKeyConflict(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err as Error & { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    err.message.includes('messages.search_key')
  )
}

/**
 * Runs a write of message `id` with its derived search key (`key` null); if another message holds that key,
 * runs it again with the next free key after `candidate`. The conflicting statement was undone by SQLite
 * (ABORT), the transaction goes on.
 */
export function withFreeSearchKey<T>(
  statements: StoreStatements,
  candidate: bigint,
  id: string,
  write: (key: bigint | null) => T
): T {
  try {
    return write(null)
  } catch (err) {
    if (!isSearchKeyConflict(err)) throw err
  }
  const key = freeSearchKey(statements, candidate, id, new Map())
  log.info('a search key was taken; the message took the next free one', { id })
  return write(key)
}

/**
 * The first key from `candidate` up that no other message holds (stored, or `claimed` by a row of the same
 * statement): the next keys are the same millisecond's other tie-breaks, so time order is kept unless a whole
 * millisecond is full. Past the largest key it searches down instead.
 */
export function freeSearchKey(statements: StoreStatements, candidate: bigint, id: string, claimed: Map<bigint, string>): bigint {
  const isFree = (key: bigint): boolean => {
    const holder = claimed.get(key) ?? statements.searchKeyHolder.get(key)?.id
    return holder === undefined || holder === id
  }
  for (let key = candidate; key <= MAX_SEARCH_KEY; key++) if (isFree(key)) return key
  for (let key = candidate - 1n; ; key--) if (isFree(key)) return key
}
