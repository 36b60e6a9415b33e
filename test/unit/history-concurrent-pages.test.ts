// Two pages of one conversation asked at once (the back-fill and the open chat on a new device): the one asked while
// the other's server page is still being stored must not take the local page for the whole history.
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { RawLogEvent } from '../../src/main/core/protocol/log-entry'
import type { WireEvent } from '../../src/main/core/protocol/messages'
import { openMessageStore } from '../../src/main/core/store'
import type { MessageStore } from '../../src/main/core/store/types'
import { HistoryPager } from '../../src/main/core/sync/history'
import { Syncer } from '../../src/main/core/sync/syncer'
import { conversationKey } from '../../src/shared/model'
import { encodeFrame, pb, type DecodedFrame } from '../../src/shared/proto/codec'

const ME = 'alice'
const BOB = conversationKey('single', 'bob')
const NEWEST = 5

const wireEntry = (seq: number): WireEvent => ({
  seq,
  message: { serverId: seq, clientId: randomBytes(16), from: 'bob', to: ME, timestamp: 1_700_000_000_000 + seq, body: { text: { text: `m${seq}` } } }
})
const raw = (e: WireEvent): RawLogEvent => ({ seq: Number(e.seq), bytes: pb.Event.encode(e).finish() })

let store: MessageStore
beforeEach(async () => {
  store = await openMessageStore(':memory:')
})
afterEach(async () => {
  await store.close()
})

it('a page asked while another page stores the older history waits for it instead of ending at the local page', async () => {
  const serverLog = Array.from({ length: NEWEST }, (_, i) => wireEntry(i + 1))
  const syncer = new Syncer({
    store,
    me: ME,
    activeConversation: () => null,
    onApplied: () => undefined,
    fetchRecent: async () => ({ conversations: [], hasMore: false, headSeq: NEWEST, next: null }),
    fetchBatch: async () => ({ events: [], hasMore: false, headSeq: NEWEST })
  })
  // The device knows only the newest message (it started from the conversation list).
  await syncer.applyHistory([raw(serverLog[NEWEST - 1]!)])

  // The store is slow to take the first page's older history (the syncer busy with a catch-up, a loaded machine).
  let releaseStore = (): void => undefined
  const storeReleased = new Promise<void>((resolve) => (releaseStore = resolve))
  let answered = 0
  const slowSyncer = Object.create(syncer) as Syncer
  slowSyncer.applyHistory = async (events) => {
    await storeReleased
    return syncer.applyHistory(events)
  }
  const pager = new HistoryPager({
    store,
    syncer: slowSyncer,
    isOnline: () => true,
    requestHistory: async (frame) => {
      const before = Number(frame.history?.beforeSeq ?? 0) || Number.POSITIVE_INFINITY
      const events = serverLog.filter((e) => Number(e.seq) < before).reverse()
      const bytes = encodeFrame({ id: 1, historyPage: { events, hasMore: false } })
      answered++
      return { body: pb.Frame.decode(bytes).historyPage as NonNullable<DecodedFrame['historyPage']>, frameBytes: bytes }
    }
  })

  const first = pager.page(BOB, null, 50)
  // The first page has its answer ("nothing more below") and is storing it when the second page is asked.
  while (answered === 0) await new Promise((resolve) => setTimeout(resolve, 1))
  const second = pager.page(BOB, null, 50)
  await new Promise((resolve) => setTimeout(resolve, 20))
  releaseStore()
  const seqs = async (page: Promise<{ messages: { seq: number | null }[] }>): Promise<(number | null)[]> =>
    (await page).messages.map((m) => m.seq)
  expect(await seqs(first)).toEqual([1, 2, 3, 4, 5])
  expect(await seqs(second)).toEqual([1, 2, 3, 4, 5])
})
