// Unit tests for the store thread started ahead of sign-in (store/worker/warm-worker.ts): the first store to open
// takes it and works on it; a store from another entry does not; one that dies while it waits is forgotten without
// taking the process down, and the next store starts its own thread.
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { openWorkerMessageStore, prewarmMessageStore, storeWorkerEntryUrl } from '../../src/main/core/store/worker/worker-store'
import { discardWarmStoreWorker, hasWarmStoreWorker, prewarmStoreWorker } from '../../src/main/core/store/worker/warm-worker'
import { chat, incoming, tempDir } from './store-helpers'

/** Waits until `check` holds (the warm thread dies on its own schedule). */
async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

// Worker threads load the store's sources through tsx (a second or two on a busy machine).
describe('store thread started ahead of sign-in', { timeout: 60_000 }, () => {
  const dir = tempDir()
  afterEach(async () => {
    await discardWarmStoreWorker()
  })
  afterAll(() => dir.remove())

  it('is taken by the first store that opens, which then works on it', async () => {
    prewarmMessageStore()
    expect(hasWarmStoreWorker()).toBe(true)
    prewarmMessageStore() // one waits at most
    const store = await openWorkerMessageStore(dir.file('warm.sqlite'))
    try {
      expect(hasWarmStoreWorker()).toBe(false)
      await store.applyEvents([incoming('bob', 1, 'opened on the warm thread')], 1)
      expect((await store.page(chat('bob'), null, 10)).messages.map((m) => m.content)).toEqual([{ type: 'text', text: 'opened on the warm thread' }])
    } finally {
      await store.close()
    }
    // The next store starts its own.
    const second = await openWorkerMessageStore(dir.file('second.sqlite'))
    expect(await second.listConversations()).toEqual([])
    await second.close()
  })

  it('is left alone by a store that runs another entry', async () => {
    // Another entry that waits as a store thread would.
    const other = dir.file('other-entry.mjs')
    writeFileSync(other, "import { parentPort } from 'node:worker_threads'\nparentPort.once('message', () => undefined)\n")
    prewarmStoreWorker(pathToFileURL(other))
    const store = await openWorkerMessageStore(dir.file('other.sqlite'))
    expect(hasWarmStoreWorker()).toBe(true)
    expect(await store.listConversations()).toEqual([])
    await store.close()
  })

  it('is forgotten when it dies while waiting, and the process goes on', async () => {
    prewarmStoreWorker(new URL('./no-such-store-worker.ts', storeWorkerEntryUrl()))
    await until(() => !hasWarmStoreWorker())
    const store = await openWorkerMessageStore(dir.file('after-death.sqlite'))
    expect(await store.listConversations()).toEqual([])
    await store.close()
  })
})
