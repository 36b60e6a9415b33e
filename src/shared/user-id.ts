// Owns the one canonical form of a user id, used at every boundary (server, client core, store, renderer):
// ids are ASCII (USERNAME_PATTERN) and case-insensitive, so the canonical form is trimmed and lowercased.
import { USERNAME_PATTERN } from './limits'

/** The canonical form of a user id as typed or received; null when it is not a valid id at all. */
export function canonicalUserId(raw: unknown): string | null {
  if (typeof raw !== 'string') return null
  const trimmed = raw.trim()
  return USERNAME_PATTERN.test(trimmed) ? trimmed.toLowerCase() : null
}

/** Whether two spellings name the same user (both must be valid ids). */
export function sameUserId(a: unknown, b: unknown): boolean {
  const left = canonicalUserId(a)
  return left !== null && left === canonicalUserId(b)
}
