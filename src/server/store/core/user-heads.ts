// Owns the writer's cache of each user's newest committed log sequence: filled from the database on first use,
// moved by the commits that append, forgotten for a user whose head moved inside a transaction that may still roll back.
import type { SqlConnection } from '../sql-connection'

/**
 * Users whose log head the writer keeps in memory (a few MB at most); past this the cache starts over rather
 * than growing with every user who ever sent.
 */
const HEAD_CACHE_USERS = 100_000

export interface UserHeads {
  /** The user's newest committed log seq (0 for an empty log). */
  headOf(user: string): number
  /** A transaction committed these heads. */
  committed(heads: ReadonlyMap<string, number>): void
  /** The user's head moved and the transaction may still roll back: the next headOf reads it again. */
  forget(user: string): void
}

/**
 * Each user's newest committed log sequence, so an append does not look up MAX(seq) for each party it is the
 * first in its transaction to touch (measured ~5 us of worker CPU per lookup, 1.3 to 2 lookups per message under
 * load). Only this connection writes the logs: commitGroups records the heads it committed, setReadPointer drops
 * its user's entry; retention never removes a head. A rolled-back transaction records nothing.
 */
export function createUserHeads(db: SqlConnection, options: { cache: boolean }): UserHeads {
  const selectHead = db.prepare<[string], { head: number | null }>('SELECT MAX(seq) AS head FROM user_log WHERE user = ?')
  const committedHeads = new Map<string, number>()
  return {
    headOf(user) {
      const cached = committedHeads.get(user)
      if (cached !== undefined) return cached
      const head = selectHead.get(user)?.head ?? 0
      if (!options.cache) return head
      if (committedHeads.size >= HEAD_CACHE_USERS) committedHeads.clear()
      committedHeads.set(user, head)
      return head
    },
    committed(heads) {
      if (!options.cache) return
      for (const [user, head] of heads) committedHeads.set(user, head)
    },
    forget(user) {
      committedHeads.delete(user)
    }
  }
}
