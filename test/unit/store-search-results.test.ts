// Unit tests for search as the search view uses it: attachment file names, places, custom and combined messages
// found like text, diacritics folded, CJK and substrings highlighted in snippets, hits grouped by conversation,
// back-filled history (stored newest first) in time order, and the page around a hit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openMessageStore, type MessageStore } from '../../src/main/core/store'
import { snippetOf, queryTerms } from '../../src/main/core/store/search-snippet'
import type { AttachmentInfo, ChatMessage, MessageContent, SearchHit } from '../../src/shared/model'
import Database from 'better-sqlite3'
import { registerStoreFunctions } from '../../src/main/core/store/sql-functions'
import { chat, incoming, tempDir } from './store-helpers'

function file(name: string): AttachmentInfo {
  return { id: `att-${name}`, name, mime: 'application/octet-stream', size: 10, sha256: '', secret: '', hasThumbnail: false }
}

function withContent(peer: string, seq: number, content: MessageContent): ChatMessage {
  return incoming(peer, seq, '', { content })
}

/** The snippet with its ranges marked as [..], as the renderer would mark them. */
function marked(hit: SearchHit): string {
  let out = ''
  let at = 0
  for (const range of hit.ranges) {
    out += `${hit.snippet.slice(at, range.start)}[${hit.snippet.slice(range.start, range.end)}]`
    at = range.end
  }
  return out + hit.snippet.slice(at)
}

describe('store search over every content type', () => {
  let store: MessageStore
  beforeEach(async () => {
    store = await openMessageStore(':memory:')
    await store.applyEvents(
      [
        withContent('bob', 1, { type: 'image', file: file('Harbour-sunset.png'), width: 10, height: 10 }),
        withContent('bob', 2, { type: 'file', file: file('Quarterly_Report_2026.pdf') }),
        withContent('carol', 3, { type: 'voice', file: file('memo-kayak.mp3'), durationMs: 1000 }),
        withContent('carol', 4, { type: 'video', file: file('birthday.mp4'), durationMs: 1000, width: 1, height: 1, poster: null }),
        withContent('dave', 5, { type: 'location', latitude: 1, longitude: 2, name: 'Café Zürich', address: '12 Limmatquai' }),
        withContent('dave', 6, { type: 'custom', event: 'poll', fields: { q: 'x' }, fallbackText: 'Poll: where to have dinner' }),
        withContent('erin', 7, {
          type: 'combined',
          title: 'Chat history',
          items: [
            { from: 'bob', timestamp: 1, content: { type: 'text', text: 'the ferry leaves at noon' } },
            { from: 'bob', timestamp: 2, content: { type: 'file', file: file('tickets-zanzibar.pdf') } }
          ]
        }),
        withContent('erin', 8, { type: 'command', action: 'typing-secret', params: {} })
      ],
      8
    )
  })
  afterEach(async () => {
    await store.close()
  })

  const ids = async (query: string): Promise<number[]> => (await store.search(query, 50)).map((m) => m.seq!)

  it('finds attachments by file name, whole words and substrings', async () => {
    expect(await ids('sunset')).toEqual([1])
    expect(await ids('quarterly report')).toEqual([2])
    expect(await ids('kayak')).toEqual([3])
    expect(await ids('birthday')).toEqual([4])
    expect(await ids('pdf')).toEqual([7, 2])
    expect(await ids('uarterl')).toEqual([2])
  })

  it('finds a place, a custom card fallback and the items of a combined message; never a command', async () => {
    expect(await ids('zurich')).toEqual([5])
    expect(await ids('limmatquai')).toEqual([5])
    expect(await ids('dinner')).toEqual([6])
    expect(await ids('ferry')).toEqual([7])
    expect(await ids('zanzibar')).toEqual([7])
    expect(await ids('secret')).toEqual([])
  })

  it('answers grouped hits with snippets that mark the file name match', async () => {
    const groups = await store.searchGrouped('report', 50)
    expect(groups).toHaveLength(1)
    expect(groups[0]!.conversation).toEqual(chat('bob'))
    expect(groups[0]!.hits.map(marked)).toEqual(['Quarterly_[Report]_2026.pdf'])
  })
})

describe('store search results', () => {
  let store: MessageStore
  beforeEach(async () => {
    store = await openMessageStore(':memory:')
  })
  afterEach(async () => {
    await store.close()
  })

  it('groups hits by conversation, newest group first, with diacritics-insensitive marks', async () => {
    await store.applyEvents(
      [
        incoming('bob', 1, 'Crème brûlée at the café?'),
        incoming('carol', 2, 'No creme left, sorry'),
        incoming('bob', 3, 'CREME anglaise then')
      ],
      3
    )
    const groups = await store.searchGrouped('creme', 50)
    expect(groups.map((g) => g.conversation.id)).toEqual(['bob', 'carol'])
    expect(groups[0]!.hits.map(marked)).toEqual(['[CREME] anglaise then', '[Crème] brûlée at the café?'])
    expect(groups[1]!.hits.map(marked)).toEqual(['No [creme] left, sorry'])
    // The query's own accents fold too.
    expect((await store.searchGrouped('CAFÉ', 50))[0]!.hits.map(marked)).toEqual(['Crème brûlée at the [café]?'])
  })

  it('marks CJK words and substrings inside words', async () => {
    await store.applyEvents([incoming('bob', 1, '今天我们去看电影吧'), incoming('bob', 2, 'The messages arrived')], 2)
    expect((await store.searchGrouped('电影', 50))[0]!.hits.map(marked)).toEqual(['今天我们去看[电影]吧'])
    expect((await store.searchGrouped('ssag', 50))[0]!.hits.map(marked)).toEqual(['The me[ssag]es arrived'])
  })

  it('cuts a long text around the first match, with the mark inside the snippet', async () => {
    const long = `${'lorem ipsum dolor sit amet '.repeat(12)}the harbour ferry ${'consectetur adipiscing elit '.repeat(10)}`
    await store.applyEvents([incoming('bob', 1, long)], 1)
    const hit = (await store.searchGrouped('harbour', 50))[0]!.hits[0]!
    expect(hit.snippet.startsWith('…')).toBe(true)
    expect(hit.snippet.endsWith('…')).toBe(true)
    expect(hit.snippet.length).toBeLessThanOrEqual(125)
    expect(hit.ranges).toHaveLength(1)
    expect(hit.snippet.slice(hit.ranges[0]!.start, hit.ranges[0]!.end)).toBe('harbour')
  })

  it('lists back-filled history in time order although it was stored newest first', async () => {
    // Sync brings the newest messages; back-fill then stores older pages, each page newest first.
    await store.applyEvents([incoming('bob', 300, 'kayak 300'), incoming('bob', 301, 'kayak 301')], 301)
    for (let top = 299; top > 0; top -= 100) {
      const page: ChatMessage[] = []
      for (let seq = top; seq > Math.max(0, top - 100); seq--) page.push(incoming('bob', seq, `kayak ${seq}`))
      await store.applyEvents(page, 301)
    }
    const found = await store.search('kayak', 500)
    expect(found.map((m) => m.seq)).toEqual(Array.from({ length: 301 }, (_, i) => 301 - i))
    const first50 = await store.search('kayak', 50)
    expect(first50.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 301 - i))
  })

  it('opens the page around a hit far back, and pages from there towards the newest', async () => {
    const all: ChatMessage[] = []
    for (let seq = 1; seq <= 500; seq++) all.push(incoming('bob', seq, seq === 42 ? 'the needle' : `hay ${seq}`))
    await store.applyEvents(all, 500)
    const hit = (await store.search('needle', 1))[0]!
    const window = (await store.pageAround(chat('bob'), hit.id, 21))!
    expect(window.messages.map((m) => m.seq)).toEqual(Array.from({ length: 21 }, (_, i) => 32 + i))
    expect(window.hasMore).toBe(true)
    expect(window.hasNewer).toBe(true)
    const next = await store.pageAfter(chat('bob'), 52, 50)
    expect(next.messages[0]!.seq).toBe(53)
    expect(next.hasNewer).toBe(true)
    const last = await store.pageAfter(chat('bob'), 480, 50)
    expect(last.messages.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 481 + i))
    expect(last.hasNewer).toBe(false)
    // Not in that conversation.
    expect(await store.pageAround(chat('carol'), hit.id, 21)).toBeNull()
  })
})

describe('snippet terms', () => {
  it('folds the query as the index does', () => {
    expect(queryTerms('Crème  "brûlée"*')).toEqual(['brulee', 'creme'])
    expect(snippetOf('ﬁle café', ['file', 'cafe']).ranges).toEqual([
      { start: 0, end: 3 },
      { start: 4, end: 8 }
    ])
  })
})

describe('migration 012', () => {
  it('makes attachments stored by an older version searchable by file name', async () => {
    const tmp = tempDir()
    try {
      const path = tmp.file('store.db')
      const store = await openMessageStore(path)
      await store.applyEvents([withContent('bob', 1, { type: 'file', file: file('Budget-2027.xlsx') })], 1)
      await store.close()
      // As a version before 012 stored it: no searchable text for a file (012 is the newest migration before it).
      const db = new Database(path)
      registerStoreFunctions(db)
      db.exec(`UPDATE messages SET text = ''`)
      db.exec('DROP TABLE backfill_state')
      db.pragma('user_version = 11')
      db.close()
      const upgraded = await openMessageStore(path)
      expect((await upgraded.search('budget', 10)).map((m) => m.seq)).toEqual([1])
      await upgraded.close()
    } finally {
      tmp.remove()
    }
  })
})
