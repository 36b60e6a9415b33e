// Owns the store's write transaction and the words a write lists in search_terms: they become known to this
// connection only when the write commits, so a rolled-back write never hides a word from substring search.
import type { Database } from 'better-sqlite3'
import { searchWords } from './search-text'
import type { StoreStatements } from './statements'

/**
 * Words this connection knows are in search_terms (committed), so a write lists only words it has not seen:
 * after a few batches nearly every word of a sync batch is known, and probing search_terms for each cost ~10-15%
 * of the sync insert rate in bench:store. ~50 bytes a word: 200k words is ~10 MB; past that the set starts over
 * (search_terms stays the truth, a forgotten word costs one probe).
 */
const MAX_KNOWN_WORDS = 200_000

export class WriteTransaction {
  /** Words in search_terms as of the last commit (see MAX_KNOWN_WORDS). */
  private knownWords = new Set<string>()
  /** Words the current write listed: known once it commits, forgotten if it rolls back. */
  private readonly wordsInWrite = new Set<string>()

  constructor(
    private readonly db: Database,
    private readonly statements: StoreStatements
  ) {}

  /**
   * Runs `operation` in one transaction (every write goes through here): the words it listed become known only
   * when it commits, so a rolled-back write never hides a word from search_terms.
   */
  write<T>(operation: () => T): T {
    this.wordsInWrite.clear()
    try {
      const result = this.db.transaction(operation)()
      if (this.knownWords.size + this.wordsInWrite.size > MAX_KNOWN_WORDS) this.knownWords = new Set()
      for (const word of this.wordsInWrite) this.knownWords.add(word)
      return result
    } finally {
      this.wordsInWrite.clear()
    }
  }

  /**
   * Lists the distinct words of `texts` in search_terms (substring search) that this connection has not listed
   * yet, one statement for all of them.
   */
  listWords(texts: string[]): void {
    const words: string[] = []
    for (const text of texts) {
      for (const word of searchWords(text)) {
        if (this.knownWords.has(word) || this.wordsInWrite.has(word)) continue
        this.wordsInWrite.add(word)
        words.push(word)
      }
    }
    if (words.length > 0) this.statements.listWords.run(JSON.stringify(words))
  }
}
