// Owns the one canonical form of a group id, used at every boundary (server, client core): group ids are
// server-generated (GROUP_ID_PATTERN) and compared case-insensitively, so the canonical form is trimmed and lowercased.
import { GROUP_ID_PATTERN } from './limits'

/** The canonical form of a group id as typed or received; null when it cannot be one. */
export function canonicalGroupId(raw: unknown): string | null {
  if (typeof raw !== 'string') return null
  const id = raw.trim().toLowerCase()
  return GROUP_ID_PATTERN.test(id) ? id : null
}
