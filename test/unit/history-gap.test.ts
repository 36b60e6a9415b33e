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

/** A device that knew the conversation up to OLD_CURSOR and whose cursor then expires; the server is this file's log. */
function jumpScenario(store: MessageStore, serverLog: WireEvent[], countRequest: () => void) {
  let recentOnce = true
  let expired = false
  const raw = (e: WireEvent): RawLogEvent => ({ seq: Number(e.seq), bytes: pb.Event.encode(e).finish() })
  const requestHistory: ConstructorParameters<typeof HistoryPager>[0]['requestHistory'] = async (frame) => {
    countRequest()
    const before = Number(frame.history?.beforeSeq ?? 0) || Number.POSITIVE_INFINITY
    const limit = Number(frame.history?.limit ?? 10)
    const older = serverLog.filter((e) => Number(e.seq) < before).reverse()
    const events = older.slice(0, limit)
    const bytes = encodeFrame({ id: 1, historyPage: { events, hasMore: older.length > limit } })
    return { body: pb.Frame.decode(bytes).historyPage as NonNullable<DecodedFrame['historyPage']>, frameBytes: bytes }
  }
  let pager: HistoryPager | null = null
  const syncer = new Syncer({
    store,
    me: ME,
    activeConversation: () => null,
    onApplied: () => undefined,
    onBootstrapped: (newest) => newest.forEach(({ key, seq }) => pager!.noteGap(key, seq)),
    fetchRecent: async () => {
      // The first start (new device) sees the log at OLD_CURSOR; the second (after expiry) at its end.
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
  pager = new HistoryPager({ store, syncer, isOnline: () => true, requestHistory })
  return {
    syncer,
    pager,
    /** The same device's pager after an app restart: it knows only what the database kept. */
    restartedPager: () => new HistoryPager({ store, syncer, isOnline: () => true, requestHistory }),
    /** Knows the conversation up to OLD_CURSOR (newest page shown), then its cursor expires and it jumps to the head. */
    async startThenExpire(): Promise<void> {
      await syncer.init()
      await syncer.catchUp()
      await pager!.page(BOB, null, 10)
      expect((await store.page(BOB, null, 50)).messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5])
      expired = true
      await syncer.catchUp()
      expect(syncer.currentCursor).toBe(SERVER_LOG)
    }
  }
}

/** Scrolls to the top as the app does; the seqs shown, oldest first. */
async function scrollAll(pager: HistoryPager): Promise<number[]> {
  const shown: number[] = []
  let before: number | null = null
  for (let pages = 0; pages < 20; pages++) {
    const page = await pager.page(BOB, before, 10)
    const seqs = page.messages.map((m) => m.seq!)
    shown.unshift(...seqs.filter((seq) => !shown.includes(seq)))
    if (!page.hasMore || seqs.length === 0) break
    before = seqs[0]!
  }
  return shown
}

const WHOLE_LOG = Array.from({ length: SERVER_LOG }, (_, i) => i + 1)

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
    const device = jumpScenario(store, serverLog, () => (historyRequests += 1))
    await device.startThenExpire()
    expect(await scrollAll(device.pager)).toEqual(WHOLE_LOG)
    expect(historyRequests).toBeGreaterThan(1)
  })

  it('remembers the hole across a restart before it is filled (a new pager over the same database)', async () => {
    const device = jumpScenario(store, serverLog, () => (historyRequests += 1))
    await device.startThenExpire()
    // The app quits here, before anyone scrolled.
    const nextRun = device.restartedPager()
    await nextRun.loadGaps()
    expect(await scrollAll(nextRun)).toEqual(WHOLE_LOG)
    // Filled: the mark is gone from the database too.
    expect(await store.historyGaps()).toEqual([])
  })
})
