// The one canonical group id (shared/group-id.ts) the server and the client core both use: trimmed and lowercased,
// null for anything that cannot be a server-made group id.
import { describe, expect, it } from 'vitest'
import { canonicalGroupId } from '../../src/shared/group-id'

describe('canonicalGroupId', () => {
  it('trims and lowercases a group id', () => {
    expect(canonicalGroupId('gabc123')).toBe('gabc123')
    expect(canonicalGroupId(' GAbc123\t')).toBe('gabc123')
    expect(canonicalGroupId('\ngabc123 ')).toBe('gabc123')
  })

  it('answers null for what cannot be a group id', () => {
    for (const raw of [undefined, null, 42, '', '   ', 'g', 'abc123', 'g abc', 'g-abc', `g${'a'.repeat(64)}`, 'gä']) {
      expect(canonicalGroupId(raw)).toBeNull()
    }
    expect(canonicalGroupId(`g${'a'.repeat(63)}`)).toBe(`g${'a'.repeat(63)}`)
  })
})
