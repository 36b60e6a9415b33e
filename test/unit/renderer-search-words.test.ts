// Unit tests for the search view's sentences: how far back search reaches, from the back-fill status, and who a hit
// is from (by shown name).
import { describe, expect, it } from 'vitest'
import type { SearchHit } from '../../src/shared/model'
import { hitAccessibleName, hitSender, reachSentence } from '../../src/renderer/src/features/search/search-words'

const MARCH_3_2026 = Date.UTC(2026, 2, 3, 12)

describe('search reach sentence', () => {
  it('names the date search reaches back to, and what the back-fill is doing', () => {
    expect(reachSentence({ state: 'done', windowDays: 365, since: MARCH_3_2026 }, 'en-GB')).toBe('Searching messages since 3 March 2026')
    expect(reachSentence({ state: 'running', windowDays: 365, since: MARCH_3_2026 }, 'en-GB')).toBe(
      'Searching messages since 3 March 2026; fetching older ones…'
    )
    expect(reachSentence({ state: 'paused', windowDays: 365, since: MARCH_3_2026 }, 'en-GB')).toMatch(/resumes when you are idle/)
    expect(reachSentence({ state: 'done', windowDays: 365, since: null }, 'en-GB')).toBe('Searching all your messages')
    expect(reachSentence(null)).toBe('Searching the messages on this device')
  })
})

describe('search hit sender', () => {
  // Only the fields the words read.
  const hit = (direction: 'in' | 'out'): SearchHit =>
    ({ message: { from: direction === 'in' ? 'bob' : 'alice', direction, timestamp: MARCH_3_2026 }, snippet: 'lunch?', ranges: [] }) as unknown as SearchHit
  const nameOf = (user: string): string => (user === 'bob' ? 'Ben Smith' : user)

  it('names the sender by their shown name, and "You" for mine', () => {
    expect(hitSender(hit('in'), nameOf)).toBe('Ben Smith')
    expect(hitSender(hit('in'))).toBe('bob')
    expect(hitSender(hit('out'), nameOf)).toBe('You')
    expect(hitAccessibleName(hit('in'), 'en-GB', nameOf)).toMatch(/^Ben Smith, .*: lunch\?$/)
  })
})
