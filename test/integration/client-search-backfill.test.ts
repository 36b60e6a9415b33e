// A new device back-fills the account's older history in the background, page by page from the server, and
// search then finds a message from long before the device existed, opens it in context, and says how far back
// it reaches.
import { describe, expect, it } from 'vitest'
import { BACKFILL_TIMINGS, localHistory, registerUsers, TEST_PASSWORD, textOf, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'

const HISTORY = 260

describe('history back-fill and search on a new device', () => {
  const { server, devices } = useServerAndDevices()

  it('back-fills older history and search finds the oldest message', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = devices.create('a')
    await a.login(alice, TEST_PASSWORD)
    await a.sendText(bob, 'meet me at the zebra crossing')
    for (let i = 1; i < HISTORY; i++) await a.sendText(bob, `filler ${i}`)
    await waitFor('acked', async () => (await localHistory(a, bob)).every((m) => m.status === 'sent'))

    // A new device of bob's starts from the conversation list: the old message is not on it.
    const b = devices.create('b', BACKFILL_TIMINGS)
    await b.login(bob, TEST_PASSWORD)
    await waitFor('back-fill finished', async () => (await b.search.status()).state === 'done')
    const results = await b.search.messages('zebra')
    expect(results.groups).toHaveLength(1)
    expect(results.groups[0]!.conversation).toEqual({ type: 'single', id: alice })
    const hit = results.groups[0]!.hits[0]!
    expect(hit.snippet).toBe('meet me at the zebra crossing')
    expect(hit.snippet.slice(hit.ranges[0]!.start, hit.ranges[0]!.end)).toBe('zebra')
    // The whole conversation is within the window: search reaches all of it.
    expect(results.backfill).toMatchObject({ state: 'done', windowDays: 365, since: null })
    expect(b.syncCounters!.historyRequests).toBeGreaterThanOrEqual(2)

    // Opening the hit: the page around it, however far back (here: the very first message).
    const around = await b.search.around({ type: 'single', id: alice }, hit.message.id, 21)
    expect(around.messages.map(textOf)).toEqual(['meet me at the zebra crossing', ...Array.from({ length: 10 }, (_, i) => `filler ${i + 1}`)])
    expect(around.hasMore).toBe(false)
    expect(around.hasNewer).toBe(true)
  })

  it('search finds nothing old before back-fill ran, and says how far back it reaches', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = devices.create('a')
    await a.login(alice, TEST_PASSWORD)
    await a.sendText(bob, 'the walrus was here first')
    for (let i = 1; i < HISTORY; i++) await a.sendText(bob, `filler ${i}`)
    await waitFor('acked', async () => (await localHistory(a, bob)).every((m) => m.status === 'sent'))
    // Default test timings: the back-fill waits an hour between pages.
    const b = devices.create('b')
    await b.login(bob, TEST_PASSWORD)
    await b.whenSynced()
    // The newest page of the conversation is prefetched after the start.
    await waitFor('prefetched', async () => (await localHistory(b, alice)).length >= 30)
    expect((await b.search.messages('walrus')).groups).toEqual([])
    const status = await b.search.status()
    expect(status.state).not.toBe('done')
    // Only the newest messages are here: search reaches back to the oldest of them, not to the first message.
    const oldestLocal = Math.min(...(await localHistory(b, alice)).map((m) => m.timestamp))
    expect(status.since).toBe(oldestLocal)
  })
})
