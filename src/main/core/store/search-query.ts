// Turns what a person types into the search box into a safe FTS5 MATCH expression: every word becomes a
// quoted prefix term, so quotes, `*`, `AND`/`OR`/`NEAR`, brackets and column filters cannot throw.
const MAX_QUERY_WORDS = 16
const MAX_QUERY_CHARS = 512
/** Letters, digits and combining marks: the characters the unicode61 tokenizer keeps inside tokens. */
const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu

/** Returns null when the input has no searchable word (the search then matches nothing). */
export function toFtsQuery(input: string): string | null {
  const words = input.slice(0, MAX_QUERY_CHARS).normalize('NFKC').match(WORD) ?? []
  if (words.length === 0) return null
  // Quoted strings are literal in FTS5; the words cannot contain `"`, so no escaping is needed. Space = AND.
  return words
    .slice(0, MAX_QUERY_WORDS)
    .map((word) => `"${word}"*`)
    .join(' ')
}
