// Owns @mentions in group text: splitting a text into plain and mention pieces (the bubble highlights them), the
// partial "@na" being typed at the caret and which members it suggests (the composer's autocomplete, by id or by
// shown name; the text always gets the id token) and which members a text names on send.

/** A mention token: '@' then a username's characters (ASCII letters, digits, '.', '_', '-'). */
const MENTION_TOKEN = /@([A-Za-z0-9._-]+)/g
/** The word that names everyone. */
export const MENTION_ALL = 'all'

export interface TextPiece {
  text: string
  mention: boolean
}

/** The text in pieces; a piece is a mention when it names a mentioned user (or @all when the message says so). */
export function mentionPieces(text: string, mentions: readonly string[] = [], mentionAll = false): TextPiece[] {
  const named = new Set(mentions.map((m) => m.toLowerCase()))
  const pieces: TextPiece[] = []
  let last = 0
  for (const match of text.matchAll(MENTION_TOKEN)) {
    const name = match[1]!.toLowerCase()
    if (!named.has(name) && !(mentionAll && name === MENTION_ALL)) continue
    if (match.index > last) pieces.push({ text: text.slice(last, match.index), mention: false })
    pieces.push({ text: match[0], mention: true })
    last = match.index + match[0].length
  }
  if (last < text.length) pieces.push({ text: text.slice(last), mention: false })
  return pieces
}

/** The "@que" being typed just before the caret (start = the '@'), or null. */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret)
  const match = /(^|\s)@([A-Za-z0-9._-]*)$/.exec(before)
  if (!match) return null
  return { start: caret - match[2]!.length - 1, query: match[2]!.toLowerCase() }
}

/**
 * Whether a member fits the "@que" being typed: their id starts with it, or a word of the name they are shown by
 * (remark or nickname) does, so "@ben" finds "Ben Smith" and "@smi" too.
 */
export function mentionSuggestionFits(user: string, shownName: string, query: string): boolean {
  const q = query.toLowerCase()
  if (user.toLowerCase().startsWith(q)) return true
  return shownName
    .toLowerCase()
    .split(/\s+/)
    .some((word) => word.startsWith(q))
}

/** Which of `members` the text @mentions, and whether it says @all (only counted when `mayMentionAll`). */
export function mentionsIn(text: string, members: readonly string[], mayMentionAll: boolean): { mentions: string[]; mentionAll: boolean } {
  const known = new Set(members.map((m) => m.toLowerCase()))
  const mentions = new Set<string>()
  let mentionAll = false
  for (const match of text.matchAll(MENTION_TOKEN)) {
    const name = match[1]!.toLowerCase()
    if (name === MENTION_ALL && mayMentionAll) mentionAll = true
    else if (known.has(name)) mentions.add(name)
  }
  return { mentions: [...mentions], mentionAll }
}
