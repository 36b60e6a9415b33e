// Owns the names the attachment service gives and accepts: random ids, the file name to show and save as, the mime
// type and the announced sha256. Nothing a request says becomes a path: ids are random, names and mimes are text.
import crypto from 'node:crypto'
import { ATTACHMENT_MIME_MAX_CHARS, ATTACHMENT_NAME_MAX_CHARS } from './config'

/** An announced sha256: 64 lowercase hex digits. */
export const SHA256_PATTERN = /^[0-9a-f]{64}$/
/** type/subtype with RFC 6838's characters (parameters dropped): anything else is stored as octet-stream. */
const MIME_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/
const OCTET_STREAM = 'application/octet-stream'

/** A random id of `bytes` bytes, base64url (upload ids, attachment ids, secrets). */
export function newId(bytes: number): string {
  return crypto.randomBytes(bytes).toString('base64url')
}

/** A name to show and save as: the last path segment, no control characters, at most ATTACHMENT_NAME_MAX_CHARS. */
export function sanitizeName(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : ''
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const base = (text.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim()
  const cut = [...base].slice(0, ATTACHMENT_NAME_MAX_CHARS).join('')
  return cut === '' || cut === '.' || cut === '..' ? 'file' : cut
}

/** The mime type to record: type/subtype lowercased, parameters dropped; anything else is octet-stream. */
export function sanitizeMime(raw: unknown): string {
  if (typeof raw !== 'string') return OCTET_STREAM
  const mime = (raw.split(';')[0] ?? '').trim().toLowerCase()
  return mime.length <= ATTACHMENT_MIME_MAX_CHARS && MIME_PATTERN.test(mime) ? mime : OCTET_STREAM
}
