// Turns what a person types into the search box into a search plan over the store's indexes (words with their
// substring index, CJK bigrams; see migrations/003): every word is quoted, so quotes, `*`, `AND`/`OR`/`NEAR`,
// brackets and column filters cannot throw.
import { isCjkWord } from './search-text'

const MAX_QUERY_WORDS = 16
const MAX_QUERY_CHARS = 512
/** Letters, digits and combining marks: what a search word is made of (punctuation separates words). */
const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu
/** The substring index is a trigram index: shorter words need another path. */
const TRIGRAM_CHARS = 3

export interface SearchPlan {
  /** Non-CJK words of 3+ characters, each found as a substring of a word (search_terms_fts, then messages_fts). */
  words: string[]
  /**
   * FTS5 MATCH for messages_cjk: CJK words as a token (2 characters), a prefix (1) or the AND of their
   * consecutive pairs (3+, then also a LIKE filter so the pairs are adjacent).
   */
  bigram: string | null
  /** LIKE '%word%' filters: 1-2 character words in other scripts, and CJK words of 3+ characters. */
  likes: string[]
}

/** Returns null when the input has no searchable word (the search then matches nothing). */
export function toSearchPlan(input: string): SearchPlan | null {
  const words = (input.slice(0, MAX_QUERY_CHARS).normalize('NFKC').match(WORD) ?? []).slice(0, MAX_QUERY_WORDS)
  if (words.length === 0) return null
  const long: string[] = []
  const bigram: string[] = []
  const likes: string[] = []
  for (const word of words) {
    const length = [...word].length
    // Quoted strings are literal in FTS5; the words cannot contain `"`, so no escaping is needed. Space = AND.
    if (isCjkWord(word)) {
      const chars = [...word]
      if (chars.length === 1) bigram.push(`"${word}"*`)
      else for (let i = 0; i + 1 < chars.length; i++) bigram.push(`"${chars[i]}${chars[i + 1]}"`)
      if (chars.length > 2) likes.push(`%${word}%`)
    } else if (length >= TRIGRAM_CHARS) long.push(word)
    // Letters, digits and marks only: no `%`, `_` or escape character can reach the pattern.
    else likes.push(`%${word}%`)
  }
  return {
    words: long,
    bigram: bigram.length > 0 ? bigram.join(' ') : null,
    likes
  }
}
