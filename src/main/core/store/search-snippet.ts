// Owns what a search hit shows: a short piece of the message's searchable text around the first match, and where
// the query's words are in it (UTF-16 ranges the renderer marks with <mark>), matched as the index does.
import type { SearchRange } from '../../../shared/model'

/** About two lines of the results list: longer texts are cut around the first match. */
export const SNIPPET_CHARS = 120
/** Characters kept before the first match when the text is cut, so the match is read in context. */
const SNIPPET_LEAD_CHARS = 30
const ELLIPSIS = '…'
/** Letters, digits and combining marks: the query's words, as search-query.ts splits them. */
const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu
const MARKS = /\p{M}/gu

/** One character of a text folded as the index folds it (compatibility form, no diacritics, lower case). */
function foldChar(char: string): string {
  return char.normalize('NFKD').replace(MARKS, '').toLowerCase()
}

/**
 * The text folded, with the original UTF-16 position each folded code unit came from (a folded character may be
 * longer or shorter than the original: 'ﬁ' -> 'fi', 'é' -> 'e').
 */
function folded(text: string): { folded: string; origin: number[]; originEnd: number[] } {
  let result = ''
  const origin: number[] = []
  const originEnd: number[] = []
  let position = 0
  for (const char of text) {
    const part = foldChar(char)
    for (let i = 0; i < part.length; i++) {
      origin.push(position)
      originEnd.push(position + char.length)
    }
    result += part
    position += char.length
  }
  return { folded: result, origin, originEnd }
}

/** The query's distinct words, folded, longest first (a longer word wins where two overlap). */
export function queryTerms(query: string): string[] {
  const words = query.normalize('NFKC').match(WORD) ?? []
  const terms = new Set<string>()
  for (const word of words) {
    const term = [...word].map(foldChar).join('')
    if (term !== '') terms.add(term)
  }
  return [...terms].sort((a, b) => b.length - a.length)
}

/** Where the terms occur in `text` (any position: substrings match), sorted and merged. */
export function matchRanges(text: string, terms: string[]): SearchRange[] {
  if (terms.length === 0 || text === '') return []
  const { folded: haystack, origin, originEnd } = folded(text)
  const ranges: SearchRange[] = []
  for (const term of terms) {
    for (let at = haystack.indexOf(term); at >= 0; at = haystack.indexOf(term, at + term.length)) {
      ranges.push({ start: origin[at]!, end: originEnd[at + term.length - 1]! })
    }
  }
  ranges.sort((a, b) => a.start - b.start)
  const merged: SearchRange[] = []
  for (const range of ranges) {
    const last = merged.at(-1)
    if (last !== undefined && range.start <= last.end) last.end = Math.max(last.end, range.end)
    else merged.push({ ...range })
  }
  return merged
}

/**
 * A snippet of `text` around its first match (the whole text when short), on one line, with the ranges of the
 * query's terms inside it. Cuts fall on spaces where one is near, and never inside a surrogate pair.
 */
export function snippetOf(text: string, terms: string[]): { snippet: string; ranges: SearchRange[] } {
  const line = text.replace(/\s+/g, ' ').trim()
  const ranges = matchRanges(line, terms)
  if (line.length <= SNIPPET_CHARS) return { snippet: line, ranges }
  const first = ranges[0]?.start ?? 0
  let start = Math.max(0, first - SNIPPET_LEAD_CHARS)
  if (start > 0) {
    const space = line.lastIndexOf(' ', start + 10)
    if (space > start - 15 && space < first) start = space + 1
  }
  let end = Math.min(line.length, start + SNIPPET_CHARS)
  if (end < line.length) {
    const space = line.lastIndexOf(' ', end)
    if (space > end - 20 && space > start) end = space
  }
  start = safeBoundary(line, start)
  end = safeBoundary(line, end)
  const prefix = start > 0 ? ELLIPSIS : ''
  const suffix = end < line.length ? ELLIPSIS : ''
  const shift = prefix.length - start
  const inside = ranges
    .filter((range) => range.end > start && range.start < end)
    .map((range) => ({ start: Math.max(range.start, start) + shift, end: Math.min(range.end, end) + shift }))
  return { snippet: prefix + line.slice(start, end) + suffix, ranges: inside }
}

/** `index`, moved back off the low half of a surrogate pair. */
function safeBoundary(text: string, index: number): number {
  const code = text.charCodeAt(index)
  return index > 0 && code >= 0xdc00 && code <= 0xdfff ? index - 1 : index
}
