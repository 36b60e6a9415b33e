// Owns how a text message is cut into pieces to render as text: plain runs, @mentions and links (found by
// linkify-it, the maintained link finder of markdown-it), so the template never inserts HTML.
import { LinkifyIt } from 'linkify-it'
import { mentionPieces } from '../groups/mentions'
import { EXTERNAL_URL_PATTERN } from '../../../../shared/ipc/external-links'

export interface RichTextPiece {
  text: string
  mention?: boolean
  /** The link's target (http, https or mailto) when the piece is a link. */
  href?: string
}

// Fuzzy links ("example.com") are recognised as people write them; fuzzy e-mail becomes mailto:.
const linkify = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: false })

/** The text's links as pieces; only http, https and mailto targets become links, anything else stays text. */
export function linkPieces(text: string): RichTextPiece[] {
  const matches = linkify.match(text) ?? []
  const pieces: RichTextPiece[] = []
  let at = 0
  for (const match of matches) {
    if (!EXTERNAL_URL_PATTERN.test(match.url)) continue
    if (match.index > at) pieces.push({ text: text.slice(at, match.index) })
    pieces.push({ text: match.raw, href: match.url })
    at = match.lastIndex
  }
  if (at < text.length) pieces.push({ text: text.slice(at) })
  return pieces
}

/** Mentions first (a name is never part of a link), then links inside the plain runs. */
export function richTextPieces(text: string, mentions: readonly string[] = [], mentionAll = false): RichTextPiece[] {
  return mentionPieces(text, mentions, mentionAll).flatMap((piece) => (piece.mention ? [{ text: piece.text, mention: true }] : linkPieces(piece.text)))
}
