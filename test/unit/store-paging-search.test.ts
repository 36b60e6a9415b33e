// Unit tests for keyset history pages (order, hasMore, unacked tail) and FTS5 search (prefix words,
// hostile input, time order, updates).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openMessageStore, type MessageStore } from '../../src/main/core/store'
import type { ChatMessage } from '../../src/shared/model'
import { toSearchPlan } from '../../src/main/core/store/search-query'
import { chat, incoming, outgoing } from './store-helpers'

describe('store keyset pages', () => {
  let store: MessageStore
  beforeEach(async () => {
    store = await openMessageStore(':memory:')
  })
  afterEach(async () => {
    await store.close()
  })

  it('walks 250 messages in pages of 50: all of them, in order, no duplicates', async () => {
    // Interleave another conversation so the pages must filter by conversation.
    const bobs: ChatMessage[] = []
    const noise: ChatMessage[] = []
    for (let seq = 1; seq <= 500; seq++) {
      if (seq % 2 === 0) bobs.push(incoming('bob', seq))
      else noise.push(incoming('carol', seq))
    }
    // Delivered newest batch first, as a history backfill would.
    await store.applyEvents([...bobs.slice(125), ...noise.slice(125)], 500)
    await store.applyEvents([...bobs.slice(0, 125), ...noise.slice(0, 125)], 250)

    const seen: ChatMessage[] = []
    let before: number | null = null
    let pages = 0
    for (;;) {
      const page = await store.page(chat('bob'), before, 50)
      pages++
      expect(page.messages.length).toBeLessThanOrEqual(50)
      seen.unshift(...page.messages)
      if (!page.hasMore) break
      before = page.messages[0]!.seq
      expect(pages).toBeLessThan(10)
    }
    expect(pages).toBe(5)
    expect(seen.map((m) => m.id)).toEqual(bobs.map((m) => m.id))
    expect(new Set(seen.map((m) => m.id)).size).toBe(250)
  })

  it('reports hasMore false on a final page that is exactly full', async () => {
    await store.applyEvents([1, 2, 3, 4].map((seq) => incoming('bob', seq)), 4)
    const newest = await store.page(chat('bob'), null, 2)
    expect(newest.messages.map((m) => m.seq)).toEqual([3, 4])
    expect(newest.hasMore).toBe(true)
    const oldest = await store.page(chat('bob'), 3, 2)
    expect(oldest.messages.map((m) => m.seq)).toEqual([1, 2])
    expect(oldest.hasMore).toBe(false)
    expect(await store.page(chat('bob'), 1, 2)).toEqual({ messages: [], hasMore: false })
    expect(await store.page(chat('nobody'), null, 2)).toEqual({ messages: [], hasMore: false })
  })

  it('appends unacked messages to the newest page only, in local order', async () => {
    await store.applyEvents([incoming('bob', 1), incoming('bob', 2)], 2)
    const sending = outgoing('bob', 'on its way', 5)
    const failing = outgoing('bob', 'will fail', 1)
    await store.addOutgoing(sending)
    await store.addOutgoing(failing)
    await store.markFailed(failing.id, { code: 'SERVER_ERROR' })

    const newest = await store.page(chat('bob'), null, 50)
    expect(newest.messages.map((m) => m.status)).toEqual(['received', 'received', 'sending', 'failed'])
    expect(newest.messages.slice(2).map((m) => m.id)).toEqual([sending.id, failing.id])
    const older = await store.page(chat('bob'), 2, 50)
    expect(older.messages.map((m) => m.seq)).toEqual([1])
  })

  it('refuses a nonsensical limit with a typed error', async () => {
    await expect(store.page(chat('bob'), null, 0)).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' })
    await expect(store.page(chat('bob'), Number.NaN, 10)).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' })
  })
})

describe('search query sanitiser', () => {
  it('drops operators and punctuation: 3+ characters substring words, short CJK bigram, short others LIKE', () => {
    expect(toSearchPlan('harbour ferry')).toEqual({ words: ['harbour', 'ferry'], bigram: null, likes: [] })
    expect(toSearchPlan('"a" AND b*')).toEqual({ words: ['AND'], bigram: null, likes: ['%a%', '%b%'] })
    expect(toSearchPlan('text:(x OR y)')).toEqual({ words: ['text'], bigram: null, likes: ['%x%', '%OR%', '%y%'] })
    expect(toSearchPlan('café 東京 我')).toEqual({ words: ['café'], bigram: '"東京" "我"*', likes: [] })
    expect(toSearchPlan('我们明天')).toEqual({ words: [], bigram: '"我们" "们明" "明天"', likes: ['%我们明天%'] })
    expect(toSearchPlan(' "* -^ ')).toBeNull()
  })
})

describe('store search', () => {
  let store: MessageStore
  beforeEach(async () => {
    store = await openMessageStore(':memory:')
    await store.applyEvents(
      [
        incoming('bob', 1, 'Lunch at the harbour tomorrow?'),
        incoming('carol', 2, 'The harbour ferry is late again'),
        incoming('bob', 3, 'Café crème or espresso'),
        incoming('dave', 4, 'Quarterly report attached')
      ],
      4
    )
  })
  afterEach(async () => {
    await store.close()
  })

  const texts = async (query: string): Promise<string[]> =>
    (await store.search(query, 50)).map((m) => (m.content.type === 'text' ? m.content.text : ''))

  it('finds words, newest first, and matches word prefixes', async () => {
    expect(await texts('harbour')).toEqual(['The harbour ferry is late again', 'Lunch at the harbour tomorrow?'])
    expect(await texts('harb')).toHaveLength(2)
    expect(await texts('HARBOUR ferry')).toEqual(['The harbour ferry is late again'])
    expect(await texts('cafe')).toEqual(['Café crème or espresso'])
    expect(await texts('submarine')).toEqual([])
    expect(await store.search('harbour', 1)).toHaveLength(1)
  })

  it('orders by message time, not by when the message was stored', async () => {
    // Stored in the order: middle, newest, oldest (history backfilled later) — listed by time instead.
    await store.applyEvents([incoming('erin', 1, 'backfilled kayak trip', { timestamp: 1_000 })], 5)
    const found = await store.search('kayak', 10)
    expect(found.map((m) => m.timestamp)).toEqual([1_000])
    await store.applyEvents([incoming('erin', 100, 'newest kayak photos', { timestamp: 9_000_000_000_000 })], 100)
    await store.applyEvents([incoming('erin', 0, 'oldest kayak plan', { timestamp: 500 })], 100)
    expect(await texts('kayak')).toEqual(['newest kayak photos', 'backfilled kayak trip', 'oldest kayak plan'])
  })

  it('treats quotes, stars and operators as plain words instead of throwing', async () => {
    for (const hostile of ['"', '"harbour', '*', 'harbour*', 'AND', 'harbour AND', 'OR NOT', 'NEAR(a b)', 'text:harbour', '(', '-', '^', '   ', '']) {
      await expect(store.search(hostile, 10)).resolves.toBeInstanceOf(Array)
    }
    expect(await texts('"harbour')).toHaveLength(2)
    expect(await texts('harbour*')).toHaveLength(2)
    expect(await texts('"ferry" AND')).toEqual([])
    expect(await texts('text:report')).toEqual([])
  })

  it('reflects updated text', async () => {
    const [original] = await store.search('quarterly', 10)
    expect(original).toBeDefined()
    const edited = { ...original!, content: { type: 'text' as const, text: 'Annual summary attached' } }
    await store.applyEvents([edited], 5)
    expect(await texts('quarterly')).toEqual([])
    expect(await texts('annual')).toEqual(['Annual summary attached'])
    // A status-only change keeps the message findable.
    const mine = outgoing('erin', 'pancakes on sunday', 6)
    await store.addOutgoing(mine)
    await store.markSent(mine.id, { serverId: 9, seq: 9, timestamp: 9 })
    expect(await texts('pancakes')).toEqual(['pancakes on sunday'])
  })
})
