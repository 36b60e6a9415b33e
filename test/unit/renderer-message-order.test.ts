// Renderer message ordering and merging: acked by seq, unacked after in local order, merged by id,
// and a stale unacked copy never undoes an ack (events and invoke replies race).
import { describe, expect, it } from 'vitest'
import { compareMessages, mergeMessages, newerCopy, oldestSeq } from '../../src/renderer/src/utils/message-order'
import type { ChatMessage } from '../../src/shared/model'

let counter = 0
function message(overrides: Partial<ChatMessage>): ChatMessage {
  counter += 1
  return {
    id: counter.toString(16).padStart(32, '0'),
    serverId: null,
    conversationId: 'bob',
    chatType: 'single',
    from: 'alice',
    to: 'bob',
    direction: 'out',
    content: { type: 'text', text: `text ${counter}` },
    timestamp: 1_000 + counter,
    seq: null,
    status: 'sending',
    error: null,
    ...overrides
  }
}

const texts = (list: ChatMessage[]): string[] => list.map((m) => (m.content.type === 'text' ? m.content.text : ''))

describe('renderer message order', () => {
  it('puts acked messages in seq order, then unacked ones by timestamp', () => {
    const unackedLate = message({ timestamp: 9_000, content: { type: 'text', text: 'pending late' } })
    const unackedEarly = message({ timestamp: 5_000, content: { type: 'text', text: 'pending early' } })
    const seq2 = message({ seq: 2, status: 'sent', timestamp: 100, content: { type: 'text', text: 'two' } })
    const seq1 = message({ seq: 1, status: 'received', direction: 'in', timestamp: 200, content: { type: 'text', text: 'one' } })
    const merged = mergeMessages([], [unackedLate, seq2, unackedEarly, seq1])
    expect(texts(merged)).toEqual(['one', 'two', 'pending early', 'pending late'])
    expect(compareMessages(seq1, unackedEarly)).toBeLessThan(0)
    expect(compareMessages(unackedEarly, seq2)).toBeGreaterThan(0)
  })

  it('keeps arrival order for unacked messages with the same timestamp', () => {
    const first = message({ timestamp: 7_000, content: { type: 'text', text: 'first' } })
    const second = message({ timestamp: 7_000, content: { type: 'text', text: 'second' } })
    const third = message({ timestamp: 7_000, content: { type: 'text', text: 'third' } })
    let list = mergeMessages([], [first])
    list = mergeMessages(list, [second])
    list = mergeMessages(list, [third])
    expect(texts(list)).toEqual(['first', 'second', 'third'])
  })

  it('never duplicates a message seen twice, and moves it when it is acked', () => {
    const pending = message({ timestamp: 50_000, content: { type: 'text', text: 'hello' } })
    const other = message({ seq: 10, status: 'received', direction: 'in', content: { type: 'text', text: 'older' } })
    let list = mergeMessages([other], [pending])
    list = mergeMessages(list, [{ ...pending }])
    expect(list).toHaveLength(2)
    const acked = { ...pending, seq: 11, serverId: 99, status: 'sent' as const }
    list = mergeMessages(list, [acked])
    expect(list).toHaveLength(2)
    expect(list[1]).toEqual(acked)
  })

  it('ignores a stale sending copy arriving after the ack, but accepts sending after failed (retry)', () => {
    const sending = message({})
    const sent = { ...sending, seq: 5, status: 'sent' as const }
    expect(mergeMessages([sent], [sending])[0]?.status).toBe('sent')
    expect(newerCopy(sent, sending)).toBe(sent)
    const failed = { ...sending, status: 'failed' as const, error: { code: 'NOT_FOUND' as const, params: {} } }
    expect(mergeMessages([failed], [sending])[0]?.status).toBe('sending')
  })

  it('places an older page before what is loaded', () => {
    const newer = [message({ seq: 20, status: 'sent' }), message({ seq: 21, status: 'sent' })]
    const older = [message({ seq: 18, status: 'sent' }), message({ seq: 19, status: 'sent' })]
    const merged = mergeMessages(newer, older)
    expect(merged.map((m) => m.seq)).toEqual([18, 19, 20, 21])
  })

  it('keeps an older page that repeats a loaded message once, and a page given newest first in order', () => {
    const loaded = [message({ seq: 20, status: 'sent' }), message({ seq: 21, status: 'sent' })]
    const repeated = { ...loaded[0]!, seq: 19 }
    const page = [message({ seq: 17, status: 'sent' }), repeated, message({ seq: 18, status: 'sent' })].reverse()
    const merged = mergeMessages(loaded, page)
    expect(merged.map((m) => m.seq)).toEqual([17, 18, 19, 21])
    expect(new Set(merged.map((m) => m.id)).size).toBe(merged.length)
  })

  it('scrolls a long chat up page by page without re-sorting the whole list (an older page goes in front)', () => {
    let loaded = Array.from({ length: 50 }, (_, i) => message({ seq: 100_000 + i, status: 'sent' }))
    for (let page = 1; page <= 20; page++) {
      const older = Array.from({ length: 50 }, (_, i) => message({ seq: 100_000 - page * 50 + i, status: 'sent' })).reverse()
      const before = loaded
      loaded = mergeMessages(loaded, older)
      // The loaded messages are the same objects, after the page.
      expect(loaded.slice(50)).toEqual(before)
    }
    expect(loaded.map((m) => m.seq)).toEqual(Array.from({ length: 1_050 }, (_, i) => 99_000 + i))
  })

  it('finds the keyset cursor as the lowest acked seq', () => {
    expect(oldestSeq([])).toBeNull()
    expect(oldestSeq([message({})])).toBeNull()
    expect(oldestSeq([message({ seq: 30 }), message({}), message({ seq: 12 }), message({ seq: 40 })])).toBe(12)
  })
})
