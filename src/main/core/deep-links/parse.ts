// Owns what a parley:// link may say: parley://chat/<user>, parley://group/<id>, parley://room/<id>, nothing else.
// Electron-free and DOM-free, so the Electron main process and the renderer (the browser host's ?open=) share it.
import type { ConversationKey } from '../../../shared/model'
import type { DeepLinkKind, DeepLinkTarget } from '../../../shared/ipc/shell-events'
import { canonicalUserId } from '../../../shared/user-id'
import { GROUP_ID_PATTERN } from '../../../shared/limits'

export type { DeepLinkKind, DeepLinkTarget }

export const DEEP_LINK_SCHEME = 'parley'
/**
 * Longest link accepted: 'parley://group/' plus a 64-character id is 79 characters; 128 leaves room without
 * letting a hostile page hand the app a megabyte of argv to chew on.
 */
export const MAX_DEEP_LINK_CHARS = 128

export type DeepLinkRejection =
  | 'NOT_A_STRING'
  | 'TOO_LONG'
  | 'BAD_CHARACTERS' // control characters, spaces, non-ASCII, percent-escapes, query or fragment marks
  | 'NOT_PARLEY' // another scheme, or not "scheme://"
  | 'UNKNOWN_KIND' // parley://<something other than chat, group, room>
  | 'BAD_PATH' // no id, or more than one path segment
  | 'BAD_ID' // the id fails the id rules of its kind

export type DeepLinkResult = { ok: true; target: DeepLinkTarget } | { ok: false; reason: DeepLinkRejection }

/**
 * Every character a valid link can hold: letters, digits and - . _ for ids, ':' and '/' for the frame. Ids never
 * need escaping (user, group and room ids are ASCII words), so '%' is refused rather than decoded: decoding is
 * how '%2F' turns into a second path segment and '%00' into a NUL.
 */
const LINK_CHARACTERS = /^[A-Za-z0-9._:/-]+$/
/** scheme '://' kind '/' rest: the rest must then be exactly one non-empty segment. */
const LINK_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/]*)\/(.*)$/

/** Room ids as the server makes them (src/server/services/rooms/service.ts): 'room-' and base64url. */
const ROOM_ID = /^room-[A-Za-z0-9_-]{1,59}$/

function reject(reason: DeepLinkRejection): DeepLinkResult {
  return { ok: false, reason }
}

function canonicalId(kind: DeepLinkKind, raw: string): string | null {
  switch (kind) {
    case 'chat':
      return canonicalUserId(raw)
    case 'group':
      return GROUP_ID_PATTERN.test(raw) ? raw : null
    case 'room':
      return ROOM_ID.test(raw) ? raw : null
  }
}

function isDeepLinkKind(value: string): value is DeepLinkKind {
  return value === 'chat' || value === 'group' || value === 'room'
}

/** The one parser of parley:// links. The scheme and kind are case-insensitive (RFC 3986); ids follow their rules. */
export function parseDeepLink(input: unknown): DeepLinkResult {
  if (typeof input !== 'string') return reject('NOT_A_STRING')
  if (input.length > MAX_DEEP_LINK_CHARS) return reject('TOO_LONG')
  const shape = LINK_SHAPE.exec(input)
  if (!shape || shape[1]!.toLowerCase() !== DEEP_LINK_SCHEME) {
    // Tell "another scheme" from "a parley link with bad characters" for the log; both are refused.
    return reject(/^parley:/i.test(input) && !LINK_CHARACTERS.test(input) ? 'BAD_CHARACTERS' : 'NOT_PARLEY')
  }
  if (!LINK_CHARACTERS.test(input)) return reject('BAD_CHARACTERS')
  const kind = shape[2]!.toLowerCase()
  if (!isDeepLinkKind(kind)) return reject('UNKNOWN_KIND')
  const rest = shape[3]!
  if (rest === '' || rest.includes('/') || rest.includes(':')) return reject('BAD_PATH')
  const id = canonicalId(kind, rest)
  return id === null ? reject('BAD_ID') : { ok: true, target: { kind, id } }
}

/** The first argument that claims to be a parley: link (Windows and Linux hand the link over as an argument). */
export function linkInArgv(argv: readonly string[]): string | undefined {
  return argv.find((arg) => /^parley:/i.test(arg))
}

/** The first parley: link among a launch's arguments, parsed; null when there is none. */
export function deepLinkFromArgv(argv: readonly string[]): DeepLinkResult | null {
  const link = linkInArgv(argv)
  return link === undefined ? null : parseDeepLink(link)
}

/** The conversation a link opens, in the bridge's form. */
export function conversationOfDeepLink(target: DeepLinkTarget): ConversationKey {
  return { type: target.kind === 'chat' ? 'single' : target.kind, id: target.id }
}

/** The link that opens a conversation (the inverse of parseDeepLink for valid targets). */
export function deepLinkOf(target: DeepLinkTarget): string {
  return `${DEEP_LINK_SCHEME}://${target.kind}/${target.id}`
}
