// Paging history after the device jumped to the log head (its cursor expired): local messages below the jump are
// not shown as if they followed the newest one; the hole is filled from the server page by page until it closes.
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RawLogEvent } from '../../src/main/core/protocol/log-entry'
import type { WireEvent } from '../../src/main/core/protocol/messages'
import { openMessageStore } from '../../src/main/core/store'
import type { MessageStore } from '../../src/main/core/store/types'
import { HistoryPager } from '../../src/main/core/sync/history'
import { Syncer } from '../../src/main/core/sync/syncer'
import { conversationKey } from '../../src/shared/model'
import { encodeFrame, ErrorCode, pb, type DecodedFrame } from '../../src/shared/proto/codec'
import { ProtocolError } from '../../src/main/core/protocol/errors'

const ME = 'alice'
const BOB = conversationKey('single', 'bob')
const SERVER_LOG = 40
const OLD_CURSOR = 5

function wireEntry(seq: number): WireEvent {
  return {
    seq,
    message: { serverId: seq, clientId: randomBytes(16), from: 'bob', to: ME, timestamp: 1_700_000_000_000 + seq, body: { text: { text: `m${seq}` } } }
  }
}

describe('history after a jump to the log head', () => {
  let store: MessageStore
  let serverLog: WireEvent[]
  let historyRequests: number

  beforeEach(async () => {
    store = await openMessageStore(':memory:')
    serverLog = Array.from({ length: SERVER_LOG }, (_, i) => wireEntry(i + 1))
    historyRequests = 0
  })

  afterEach(async () => {
    await store.close()
  })

  it('fills the hole between the old local messages and the newest one instead of showing them as adjacent', async () => {
    let recentOnce = true
    let expired = false
    const raw = (e: WireEvent): RawLogEvent => ({ seq: Number(e.seq), bytes: pb.Event.encode(e).finish() })
    let history: HistoryPager | null = null
    const syncer = new Syncer({
      store,
      me: ME,
      activeConversation: () => null,
      onApplied: () => undefined,
      onBootstrapped: (newest) => newest.forEach(({ key, seq }) => history!.noteGap(key, seq)),
      fetchRecent: async () => {
        const first = recentOnce
        recentOnce = false
        // The first start (new device) sees the log at OLD_CURSOR; the second (after expiry) at its end.
        const head = first ? OLD_CURSOR : SERVER_LOG
        return {
          conversations: [{ conversationId: 'bob', chatType: 'single', last: raw(serverLog[head - 1]!), readSeq: 0, unread: head }],
          hasMore: false,
          headSeq: head,
          next: null
        }
      },
      fetchBatch: async (afterSeq) => {
        if (afterSeq >= SERVER_LOG) return { events: [], hasMore: false, headSeq: SERVER_LOG }
        if (expired) {
          expired = false
          throw new ProtocolError(ErrorCode.ERROR_CURSOR_EXPIRED, 'expired')
        }
        return { events: serverLog.filter((e) => Number(e.seq) > afterSeq && Number(e.seq) <= OLD_CURSOR).map(raw), hasMore: false, headSeq: OLD_CURSOR }
      }
    })
    history = new HistoryPager({
      store,
      syncer,
      isOnline: () => true,
      requestHistory: async (frame) => {
        historyRequests += 1
        const before = Number(frame.history?.beforeSeq ?? 0) || Number.POSITIVE_INFINITY
        const limit = Number(frame.history?.limit ?? 10)
        const older = serverLog.filter((e) => Number(e.seq) < before).reverse()
        const events = older.slice(0, limit)
        const bytes = encodeFrame({ id: 1, historyPage: { events, hasMore: older.length > limit } })
        return { body: pb.Frame.decode(bytes).historyPage as NonNullable<DecodedFrame['historyPage']>, frameBytes: bytes }
      }
    })
    await syncer.init()
    // A device that knew the conversation up to OLD_CURSOR (its newest page prefetched), ...
    await syncer.catchUp()
    await history.page(BOB, null, 10)
    expect((await store.page(BOB, null, 50)).messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5])
    // ... then its cursor expired: it starts again from the conversation list at the log head.
    expired = true
    await syncer.catchUp()
    expect(syncer.currentCursor).toBe(SERVER_LOG)

    const shown: number[] = []
    let before: number | null = null
    for (let pages = 0; pages < 20; pages++) {
      const page = await history.page(BOB, before, 10)
      const seqs = page.messages.map((m) => m.seq!)
      shown.unshift(...seqs.filter((seq) => !shown.includes(seq)))
      if (!page.hasMore || seqs.length === 0) break
      before = seqs[0]!
    }
    expect(shown).toEqual(Array.from({ length: SERVER_LOG }, (_, i) => i + 1))
    expect(historyRequests).toBeGreaterThan(1)
  })
  it('remembers the hole across a restart before it is filled (a new pager over the same database)', async () => {
    let recentOnce = true
    let expired = false
    const raw = (e: WireEvent): RawLogEvent => ({ seq: Number(e.seq), bytes: pb.Event.encode(e).finish() })
    const requestHistory: ConstructorParameters<typeof HistoryPager>[0]['requestHistory'] = async (frame) => {
      historyRequests += 1
      const before = Number(frame.history?.beforeSeq ?? 0) || Number.POSITIVE_INFINITY
      const limit = Number(frame.history?.limit ?? 10)
      const older = serverLog.filter((e) => Number(e.seq) < before).reverse()
      const events = older.slice(0, limit)
      const bytes = encodeFrame({ id: 1, historyPage: { events, hasMore: older.length > limit } })
      return { body: pb.Frame.decode(bytes).historyPage as NonNullable<DecodedFrame['historyPage']>, frameBytes: bytes }
    }
    let firstRun: HistoryPager | null = null
    const syncer = new Syncer({
      store,
      me: ME,
      activeConversation: () => null,
      onApplied: () => undefined,
      onBootstrapped: (newest) => newest.forEach(({ key, seq }) => firstRun!.noteGap(key, seq)),
      fetchRecent: async () => {
        const head = recentOnce ? OLD_CURSOR : SERVER_LOG
        recentOnce = false
        return {
          conversations: [{ conversationId: 'bob', chatType: 'single', last: raw(serverLog[head - 1]!), readSeq: 0, unread: head }],
          hasMore: false,
          headSeq: head,
          next: null
        }
      },
      fetchBatch: async (afterSeq) => {
        if (afterSeq >= SERVER_LOG) return { events: [], hasMore: false, headSeq: SERVER_LOG }
        if (expired) {
          expired = false
          throw new ProtocolError(ErrorCode.ERROR_CURSOR_EXPIRED, 'expired')
        }
        return { events: serverLog.filter((e) => Number(e.seq) > afterSeq && Number(e.seq) <= OLD_CURSOR).map(raw), hasMore: false, headSeq: OLD_CURSOR }
      }
    })
    firstRun = new HistoryPager({ store, syncer, isOnline: () => true, requestHistory })
    await syncer.init()
    await syncer.catchUp()
    await firstRun.page(BOB, null, 10)
    expired = true
    await syncer.catchUp()
    expect(syncer.currentCursor).toBe(SERVER_LOG)

    // The app quits here, before anyone scrolled: the next run's pager knows only what the database kept.
    const nextRun = new HistoryPager({ store, syncer, isOnline: () => true, requestHistory })
    await nextRun.loadGaps()
    const shown: number[] = []
    let before: number | null = null
    for (let pages = 0; pages < 20; pages++) {
      const page = await nextRun.page(BOB, before, 10)
      const seqs = page.messages.map((m) => m.seq!)
      shown.unshift(...seqs.filter((seq) => !shown.includes(seq)))
      if (!page.hasMore || seqs.length === 0) break
      before = seqs[0]!
    }
    expect(shown).toEqual(Array.from({ length: SERVER_LOG }, (_, i) => i + 1))
    // Filled: the mark is gone from the database too.
    expect(await store.historyGaps()).toEqual([])
  })
})
