// Unit tests for the search view's sentences: how far back search reaches, from the back-fill status.
import { describe, expect, it } from 'vitest'
import { reachSentence } from '../../src/renderer/src/features/search/search-words'

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
