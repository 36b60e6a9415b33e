// Unit tests for the history back-fill over a real store file and a scripted server history: it stops at the
// window's start (and says so), resumes where it stopped after a restart, goes further when the window widens,
// waits while the user is active, and picks up a conversation that appeared after its run when search asks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openMessageStore, type MessageStore } from '../../src/main/core/store'
import { Backfill, BACKFILL_PAGE_SIZE, STATUS_REUSE_MS, type BackfillTimings } from '../../src/main/core/sync/backfill'
import type { ChatMessage, ConversationKey, MessagePage } from '../../src/shared/model'
import { chat, incoming, tempDir, type TempDir } from './store-helpers'

const DAY_MS = 24 * 60 * 60 * 1_000
const NOW = 1_800_000_000_000
const SERVER_MESSAGES = 400
const FAST: BackfillTimings = { idleMs: 0, pageIntervalMs: 0, retryMs: 10 }

/** One message a day in bob's chat, the newest today. */
const serverHistory: ChatMessage[] = Array.from({ length: SERVER_MESSAGES }, (_, i) =>
  incoming('bob', i + 1, `day ${i + 1}`, { timestamp: NOW - (SERVER_MESSAGES - 1 - i) * DAY_MS })
)

describe('history back-fill', () => {
  let tmp: TempDir
  let store: MessageStore
  /** beforeSeq of every page asked for. */
  let asked: Array<number | null>

  /** The server's page below `beforeSeq`, stored as HistoryPager stores it, newest first on the wire. */
  function pager(target: MessageStore) {
    return async (key: ConversationKey, beforeSeq: number | null, limit: number): Promise<MessagePage> => {
      expect(key).toEqual(chat('bob'))
      asked.push(beforeSeq)
      const below = serverHistory.filter((m) => beforeSeq === null || m.seq! < beforeSeq)
      const page = below.slice(-limit)
      await target.applyEvents([...page].reverse(), SERVER_MESSAGES)
      return { messages: page, hasMore: below.length > page.length }
    }
  }

  /** The store, with a count of its conversationKeys() calls (the back-fill's status reads the whole list). */
  function countingListings(target: MessageStore): { counting: MessageStore; listings: () => number } {
    let calls = 0
    const counting = Object.create(target, {
      conversationKeys: {
        value: () => {
          calls += 1
          return target.conversationKeys()
        }
      }
    }) as MessageStore
    return { counting, listings: () => calls }
  }

  beforeEach(async () => {
    tmp = tempDir()
    store = await openMessageStore(tmp.file('store.db'))
    asked = []
    // A new device: the conversation list brought the newest message only.
    await store.applyEvents([serverHistory.at(-1)!], SERVER_MESSAGES)
  })
  afterEach(async () => {
    await store.close()
    tmp.remove()
  })

  it('fetches back to the window start and says search reaches that far', async () => {
    await store.setBackfillWindowDays(150)
    const backfill = new Backfill({ store, page: pager(store), isOnline: () => true, timings: FAST, now: () => NOW })
    backfill.start()
    await backfill.whenIdle()
    const status = await backfill.status()
    expect(status).toEqual({ state: 'done', windowDays: 150, since: NOW - 150 * DAY_MS })
    // Whole pages: stopped with the first page that reached past the window's start, not at the first message.
    expect(asked).toEqual([null, 301])
    expect(await store.oldestMessageTime(chat('bob'))).toBe(serverHistory[200]!.timestamp)
  })

  it('resumes where it stopped after a restart, and goes further when the window widens', async () => {
    await store.setBackfillWindowDays(365)
    const first = new Backfill({
      store,
      page: async (key, beforeSeq, limit) => {
        const page = await pager(store)(key, beforeSeq, limit)
        void first.stop() // the app quits after one page
        return page
      },
      isOnline: () => true,
      timings: FAST,
      now: () => NOW
    })
    first.start()
    await first.whenIdle()
    expect(asked).toEqual([null])

    const second = new Backfill({ store, page: pager(store), isOnline: () => true, timings: FAST, now: () => NOW })
    second.start()
    await second.whenIdle()
    // Started below the page the first run stored, not at the newest message again.
    expect(asked).toEqual([null, SERVER_MESSAGES - BACKFILL_PAGE_SIZE + 1, 201, 101])
    expect((await second.status()).since).toBe(NOW - 365 * DAY_MS)

    const status = await second.setWindowDays(3_650)
    expect(status.windowDays).toBe(3_650)
    await second.whenIdle()
    // Below the oldest message it stored; the server has nothing older.
    expect(asked.slice(4)).toEqual([1])
    // The server had nothing older: search reaches the first message.
    expect(await second.status()).toEqual({ state: 'done', windowDays: 3_650, since: null })
  })

  it('waits while the user is active, and while offline', async () => {
    const backfill = new Backfill({
      store,
      page: pager(store),
      isOnline: () => true,
      timings: { idleMs: 60_000, pageIntervalMs: 0, retryMs: 60_000 }
    })
    backfill.noteUserActivity()
    backfill.start()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(asked).toEqual([])
    expect((await backfill.status()).state).toBe('paused')
    await backfill.stop()

    const offline = new Backfill({ store, page: pager(store), isOnline: () => false, timings: { ...FAST, retryMs: 60_000 } })
    offline.start()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(asked).toEqual([])
    await offline.stop()
  })

  it('reuses a recent status for search answers instead of listing every conversation again', async () => {
    let now = NOW
    const { counting, listings } = countingListings(store)
    const backfill = new Backfill({ store: counting, page: pager(store), isOnline: () => true, timings: FAST, now: () => now })
    const first = await backfill.status(STATUS_REUSE_MS)
    expect(listings()).toBe(1)
    now += STATUS_REUSE_MS - 1
    expect(await backfill.status(STATUS_REUSE_MS)).toEqual(first)
    expect(listings()).toBe(1)
    now += 2
    await backfill.status(STATUS_REUSE_MS)
    expect(listings()).toBe(2)
    // Asked for without an age (the search view's own status request), it is read from the store every time.
    await backfill.status()
    expect(listings()).toBe(3)
  })

  it('fetches the history of a conversation that appeared after its run ended, once search asks, instead of saying "fetching" forever', async () => {
    await store.setBackfillWindowDays(1_000)
    const backfill = new Backfill({
      store,
      page: async (key, beforeSeq, limit) => (key.id === 'bob' ? pager(store)(key, beforeSeq, limit) : { messages: [], hasMore: false }),
      isOnline: () => true,
      timings: FAST,
      now: () => NOW
    })
    backfill.start()
    await backfill.whenIdle()
    expect((await backfill.status()).state).toBe('done')
    // A new chat (started here, or brought by a sync) after the run: it has older history to look for.
    await store.applyEvents([incoming('carol', 1, 'hello', { timestamp: NOW })], SERVER_MESSAGES + 1)
    expect((await backfill.status()).state).toBe('running')
    await backfill.whenIdle()
    expect(await backfill.status()).toEqual({ state: 'done', windowDays: 1_000, since: null })
    await backfill.stop()
  })

  it('leaves the session start to the user: the first run lists nothing until an idle period has passed', async () => {
    const { counting, listings } = countingListings(store)
    const backfill = new Backfill({ store: counting, page: pager(store), isOnline: () => true, timings: { ...FAST, idleMs: 60_000 } })
    backfill.start()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(listings()).toBe(0)
    expect(asked).toEqual([])
    await backfill.stop()
  })
})
