// Unit tests for search beyond space-separated words: Chinese (two-character words inside longer runs), kana,
// Korean, substrings of words, short queries, and newest-first order through the time-ordered index.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openMessageStore, type MessageStore } from '../../src/main/core/store'
import Database from 'better-sqlite3'
import { cjkBigrams, mayHaveCjkSql } from '../../src/main/core/store/search-text'
import { incoming, outgoing } from './store-helpers'

const TEXTS = [
  '我们明天见',
  '今天我们去看电影吧',
  'カタカナのメッセージです',
  'ひらがなとカタカナ',
  '한국어를 공부합니다',
  '오늘 날씨가 좋네요',
  'The message arrived late',
  'Ok see you at 5'
]

describe('store search in every script', () => {
  let store: MessageStore
  beforeEach(async () => {
    store = await openMessageStore(':memory:')
    await store.applyEvents(
      TEXTS.map((text, index) => incoming(index % 2 === 0 ? 'bob' : 'carol', index + 1, text)),
      TEXTS.length
    )
  })
  afterEach(async () => {
    await store.close()
  })

  const texts = async (query: string): Promise<string[]> =>
    (await store.search(query, 50)).map((m) => (m.content.type === 'text' ? m.content.text : ''))

  it('finds a two-character Chinese word, also inside a longer run', async () => {
    expect(await texts('我们')).toEqual(['今天我们去看电影吧', '我们明天见'])
    expect(await texts('明天')).toEqual(['我们明天见'])
    expect(await texts('电影')).toEqual(['今天我们去看电影吧'])
    // One character, and a longer run (trigram path).
    expect(await texts('见')).toEqual(['我们明天见'])
    expect(await texts('我们明天')).toEqual(['我们明天见'])
    expect(await texts('天我')).toEqual(['今天我们去看电影吧'])
    expect(await texts('你好')).toEqual([])
  })

  it('finds kana words and Korean words', async () => {
    expect(await texts('カタカナ')).toEqual(['ひらがなとカタカナ', 'カタカナのメッセージです'])
    expect(await texts('メッセージ')).toEqual(['カタカナのメッセージです'])
    expect(await texts('ひらがな')).toEqual(['ひらがなとカタカナ'])
    expect(await texts('한국어')).toEqual(['한국어를 공부합니다'])
    expect(await texts('공부')).toEqual(['한국어를 공부합니다'])
    expect(await texts('날씨')).toEqual(['오늘 날씨가 좋네요'])
  })

  it('finds substrings of words and combines words', async () => {
    expect(await texts('ssag')).toEqual(['The message arrived late'])
    expect(await texts('MESSAGE')).toEqual(['The message arrived late'])
    expect(await texts('rrive late')).toEqual(['The message arrived late'])
    expect(await texts('message 我们')).toEqual([])
    // Short non-CJK words: alone they scan the newest messages, with others they filter.
    expect(await texts('ok')).toEqual(['Ok see you at 5'])
    expect(await texts('see 5')).toEqual(['Ok see you at 5'])
    expect(await texts('see 6')).toEqual([])
  })

  it('returns the newest hits first, however the messages were stored', async () => {
    await store.applyEvents([incoming('dave', 100, '我们很久以前', { timestamp: 1_000 })], 100)
    await store.applyEvents([incoming('dave', 101, '我们下周', { timestamp: 9_000_000_000_000 })], 101)
    await store.addOutgoing(outgoing('dave', '我们现在', 1_800_000_000_000))
    expect(await texts('我们')).toEqual(['我们下周', '我们现在', '今天我们去看电影吧', '我们明天见', '我们很久以前'])
    expect(await store.search('我们', 2)).toHaveLength(2)
  })

  it('keeps the bigram index in step with edits and acks', async () => {
    const [original] = await store.search('明天', 10)
    await store.applyEvents([{ ...original!, content: { type: 'text', text: '后天见' } }], 20)
    expect(await texts('明天')).toEqual([])
    expect(await texts('后天')).toEqual(['后天见'])
    const mine = outgoing('erin', '周末愉快', 1_000)
    await store.addOutgoing(mine)
    await store.markSent(mine.id, { serverId: 50, seq: 50, timestamp: 2_000 })
    expect(await texts('周末')).toEqual(['周末愉快'])
  })

  it('finds 3+ character CJK words anywhere in a long run, and only as adjacent characters', async () => {
    const longRun = '从前有座山山里有座庙庙里有个老和尚在给小和尚讲故事讲的是什么呢从前有座山山里有座庙庙里有个老和尚在给小和尚讲故事'
    await store.applyEvents([incoming('dave', 30, longRun), incoming('dave', 31, '我们走吧，们明白')], 31)
    expect((await store.search('老和尚', 10)).map((m) => m.seq)).toEqual([30])
    expect((await store.search('讲故事讲的是', 10)).map((m) => m.seq)).toEqual([30])
    // 我们 and 们明 are both in seq 31, but not as 我们明: only the message that has it matches.
    expect(await texts('我们明')).toEqual(['我们明天见'])
  })

  it('finds a word longer than the substring index keeps, whole', async () => {
    const token = 'a'.repeat(40) + 'b'.repeat(40)
    await store.applyEvents([incoming('dave', 40, `hash ${token} end`)], 40)
    expect((await store.search(token, 10)).map((m) => m.seq)).toEqual([40])
  })

  it('splits CJK runs into overlapping pairs plus the last character', () => {
    expect(cjkBigrams('我们明天见')).toBe('我们 们明 明天 天见 见')
    expect(cjkBigrams('hi 好 ok カナ')).toBe('好 カナ ナ')
    expect(cjkBigrams('no cjk here')).toBeNull()
  })

  it('finds CJK outside the common blocks (extension B ideographs, halfwidth katakana)', async () => {
    await store.applyEvents([incoming('dave', 41, 'name 𠀋𠂉 here'), incoming('dave', 42, 'ｶﾀｶﾅ halfwidth')], 42)
    expect(await texts('𠀋𠂉')).toEqual(['name 𠀋𠂉 here'])
    expect(await texts('カタ')).toContain('ｶﾀｶﾅ halfwidth')
  })

  it("lets the insert trigger's CJK condition through every code point that has CJK pieces", () => {
    const cjk: string[] = []
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue // lone surrogates are not text
      const char = String.fromCodePoint(codePoint)
      if (cjkBigrams(char) !== null) cjk.push(char)
    }
    expect(cjk.length).toBeGreaterThan(90_000)
    const db = new Database(':memory:')
    const missed = db
      .prepare<[string], { value: string }>(`SELECT value FROM json_each(?) WHERE NOT (${mayHaveCjkSql('value')})`)
      .all(JSON.stringify(cjk))
    db.close()
    expect(missed.map((row) => row.value.codePointAt(0)!.toString(16))).toEqual([])
  })
})
