// What the search indexes are fed with and keyed by: the time-ordered search key of a message (the FTS rowid),
// its distinct words (the substring index) and the overlapping two-character pieces of its CJK text.

/**
 * The search key packs (timestamp ms, tie-break) into one 64-bit integer so that FTS rowid order IS time
 * order: "newest 50 hits" is ORDER BY rowid DESC LIMIT 50 and stops after 50 matches instead of sorting every
 * match (a common word: ~390 ms at 1M messages sorted, ~2 ms in rowid order). 21 low bits for the tie-break
 * keep timestamps up to year 2109 below 2^63.
 */
const TIE_BREAK_BITS = 21n
/** Acked messages break ties with their log position (unique), unacked ones with a hash of their id. */
const ACKED_FLAG = 1n << 20n
const TIE_BREAK_MASK = (1 << 20) - 1
/** Timestamps outside +-2^42 ms (year 2109) are clamped so the key stays a signed 64-bit integer. */
const MAX_KEY_TIMESTAMP = 2 ** 42 - 1

/** FNV-1a (32 bit) of the id: spreads any id shape (hex client ids, test ids) over the tie-break bits. */
function idHash(id: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** The largest search key (the clamped timestamp with every tie-break bit set): 2^63 - 1. */
export const MAX_SEARCH_KEY = BigInt(MAX_KEY_TIMESTAMP) * (1n << TIE_BREAK_BITS) + (1n << TIE_BREAK_BITS) - 1n

/**
 * The FTS rowid a message asks for. Not unique by construction: two acked messages collide with the same
 * millisecond and seqs 2^20 apart, two unacked ones with the same millisecond and the same 20-bit id hash (1 in a
 * million). messages.search_key is UNIQUE, and the store gives the second message the next free key instead
 * (search-keys.ts withFreeSearchKey), so a stored key is not always this value: read it, never recompute it.
 */
export function searchKey(timestamp: number, seq: number | null, id: string): bigint {
  const tieBreak = seq === null ? BigInt(idHash(id) & TIE_BREAK_MASK) : ACKED_FLAG | BigInt(seq & TIE_BREAK_MASK)
  const clamped = Math.max(-MAX_KEY_TIMESTAMP, Math.min(MAX_KEY_TIMESTAMP, timestamp))
  return BigInt(clamped) * (1n << TIE_BREAK_BITS) + tieBreak
}

/** Chinese characters, kana (with the prolonged sound mark) and Hangul: scripts written without spaces. */
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30FC]+/gu
const CJK_ANY = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30FC]/u
const CJK_ONLY = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30FC]+$/u

/**
 * An SQL condition true for every text in `column` that CJK_ANY can match (and some more), for the insert
 * trigger's WHEN clause: most texts have no CJK, and SQLite rules them out without calling into JavaScript (a
 * parley_cjk_bigrams call per inserted row cost ~10% of the sync insert rate in bench:store). Every CJK code
 * point is U+1100 or above, so 3-4 bytes in UTF-8: a text with one has at least 2 more bytes than characters.
 * Both lengths are native and cheap (a GLOB over the CJK blocks was measured 15x slower than this per row).
 * store-search-cjk.test.ts checks it lets every code point with CJK pieces through.
 */
export function mayHaveCjkSql(column: string): string {
  return `length(CAST(${column} AS BLOB)) >= length(${column}) + 2`
}

export function isCjkWord(word: string): boolean {
  return CJK_ONLY.test(word)
}

/**
 * The CJK runs of `text` as overlapping two-character pieces plus each run's last character alone, separated by
 * spaces ('我们明天见' -> '我们 们明 明天 天见 见'); null when the text has no CJK. The bigram index's unicode61
 * tokenizer keeps each piece as one token, so a two-character query is one exact token and a one-character
 * query a prefix ("明"*) that every position of a run starts.
 */
export function cjkBigrams(text: string): string | null {
  // Most texts have no CJK at all: a test is cheaper than normalizing them.
  if (!CJK_ANY.test(text)) return null
  const runs = text.normalize('NFKC').match(CJK_RUN)
  if (runs === null) return null
  const pieces: string[] = []
  for (const run of runs) {
    const chars = [...run]
    for (let i = 0; i + 1 < chars.length; i++) pieces.push(chars[i]! + chars[i + 1]!)
    pieces.push(chars.at(-1)!)
  }
  return pieces.join(' ')
}

/** Letters, digits and combining marks: what the unicode61 tokenizer keeps inside a word. */
const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu
/** WORD within ASCII text, lowercased. */
const ASCII_WORD = /[a-z0-9]+/g
// eslint-disable-next-line no-control-regex -- the whole ASCII range, control characters included
const ASCII_ONLY = /^[\x00-\x7f]*$/
/** Words longer than this are not listed for substring search (a pasted hash or URL run); they stay searchable whole. */
const MAX_TERM_CHARS = 64

/**
 * The distinct words of `text`, lowercased (what search_terms lists for substring queries).
 * Runs of CJK only are left out: the bigram index finds any part of them, and every sentence would be a new word.
 */
export function searchWords(text: string): string[] {
  const words = new Set<string>()
  if (ASCII_ONLY.test(text)) {
    // ASCII is already in NFKC form and has no CJK; its word characters are exactly [a-z0-9] once lowercased
    // (the Unicode classes and the CJK test per word cost ~2x on the sync insert path, measured).
    for (const word of text.toLowerCase().match(ASCII_WORD) ?? []) if (word.length <= MAX_TERM_CHARS) words.add(word)
    return [...words]
  }
  for (const word of text.normalize('NFKC').toLowerCase().match(WORD) ?? []) {
    if (word.length <= MAX_TERM_CHARS && !isCjkWord(word)) words.add(word)
  }
  return [...words]
}
