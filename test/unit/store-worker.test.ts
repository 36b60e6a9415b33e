// Unit tests for the store running in its worker thread (store/worker): the proxy answers as the in-thread store
// does (bytes, errors with their codes, domain APIs, the decoder-on-this-thread re-read), and a worker that dies
// mid-call is restarted on the same database: the call fails with STORE_RESTARTED, the next ones work.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StoreError } from '../../src/main/core/store'
import { openWorkerMessageStore, type WorkerMessageStore } from '../../src/main/core/store/worker/worker-store'
import { compactBytes } from '../../src/main/core/store/worker/protocol'
import type { ChatMessage } from '../../src/shared/model'
import { chat, incoming, outgoing, tempDir, type TempDir } from './store-helpers'

const POLL_BYTES = new TextEncoder().encode('poll:Lunch where?')

// Each test starts a worker thread, which loads the store's sources through tsx (a second or two on a busy machine).
describe('store worker', { timeout: 30_000 }, () => {
  let dir: TempDir
  let store: WorkerMessageStore
  beforeEach(async () => {
    dir = tempDir()
    store = await openWorkerMessageStore(dir.file('alice.sqlite'))
  })
  afterEach(async () => {
    await store.close()
    dir.remove()
  })

  it('answers the store contract across the thread: messages, bytes, error codes, domain APIs', async () => {
    const sent = outgoing('bob', 'hello')
    await store.addOutgoing(sent)
    await store.applyEvents([incoming('bob', 1, 'hi there')], 1)
    const page = await store.page(chat('bob'), null, 10)
    expect(page.messages.map((m) => m.id)).toContain(sent.id)
    expect((await store.search('there', 10)).map((m) => m.content)).toEqual([{ type: 'text', text: 'hi there' }])

    // Uint8Array fields survive the structured clone both ways.
    await store.quarantineEvent(7, POLL_BYTES, 'cannot decode')
    const aside = await store.quarantined()
    expect(aside.count).toBe(1)
    expect(aside.events[0]?.raw).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(aside.events[0]!.raw!).equals(Buffer.from(POLL_BYTES))).toBe(true)

    // A StoreError keeps its class and code.
    const refused = await store.page(chat('bob'), null, -1).catch((err: unknown) => err)
    expect(refused).toBeInstanceOf(StoreError)
    expect((refused as StoreError).code).toBe('STORE_BAD_ARGUMENT')

    // Domain APIs (synchronous in the worker) answer promises here.
    expect(await store.domains.contacts.state()).toEqual({ friends: [], incoming: [], outgoing: [], blocked: [] })
    expect(await store.domains.receipts.privacy()).toEqual({ readReceiptsOff: false, typingOff: false })
    expect(await store.domains.groups.list()).toEqual([])
  })

  it('sends a view into a large buffer as its own bytes only, without touching the caller\'s objects', async () => {
    const frame = new Uint8Array(1 << 20)
    frame.set(POLL_BYTES, 1000)
    const view = frame.subarray(1000, 1000 + POLL_BYTES.byteLength)
    const extras = { unknownEvents: [{ seq: 1, raw: view }], readPointers: [] }
    const compacted = compactBytes(extras)
    expect(compacted.unknownEvents[0]!.raw.buffer.byteLength).toBe(POLL_BYTES.byteLength)
    expect(extras.unknownEvents[0]!.raw).toBe(view)
    expect(compacted.readPointers).toBe(extras.readPointers)
    const whole = new Uint8Array(4)
    expect(compactBytes({ raw: whole }).raw).toBe(whole)
    // And through the worker: the bytes stored are the view's.
    await store.quarantineEvent(3, view, 'cannot decode')
    const [event] = (await store.quarantined()).events
    expect(Buffer.from(event!.raw!).equals(Buffer.from(POLL_BYTES))).toBe(true)
  })

  it('re-reads unsupported messages with a decoder of the calling thread', async () => {
    const message: ChatMessage = { ...incoming('bob', 1), content: { type: 'unsupported', raw: Buffer.from(POLL_BYTES).toString('base64') } }
    await store.applyEvents([message], 1)
    const changed = await store.reinterpretUnsupported((raw) => {
      const text = new TextDecoder().decode(raw)
      return text.startsWith('poll:') ? { ...message, content: { type: 'text', text: `Poll: ${text.slice(5)}` } } : null
    })
    expect(changed.map((m) => m.content)).toEqual([{ type: 'text', text: 'Poll: Lunch where?' }])
    expect((await store.getMessage(message.id))?.content).toEqual({ type: 'text', text: 'Poll: Lunch where?' })
  })

  for (const how of ['throw', 'exit', 'terminate'] as const) {
    it(`restarts a worker that dies (${how}) and reopens the database; the call in flight fails with STORE_RESTARTED`, async () => {
      const kept = outgoing('bob', 'kept')
      await store.addOutgoing(kept)
      // The worker's thread is blocked (as by a long query): the search is sent to it and waits in its queue, so it
      // is truly in flight when the worker dies, and is never answered.
      await store.stallWorkerForTest()
      let outcome: unknown = 'still waiting'
      const inFlight = store.search('kept', 10).then(
        () => (outcome = 'answered'),
        (err: unknown) => (outcome = err)
      )
      await store.crashWorkerForTest(how)
      // The supervisor fails the calls of the dead worker when it sees it exit, before any restart: no waiting here.
      await Promise.resolve()
      expect(outcome).toBeInstanceOf(StoreError)
      expect((outcome as StoreError).code).toBe('STORE_RESTARTED')
      await inFlight
      // Calls made after the death wait for the new worker, which reopened the same file: nothing committed is lost.
      expect((await store.pendingOutbox()).map((m) => m.id)).toEqual([kept.id])
      expect(store.restarts).toBe(1)
      expect((await store.search('kept', 10)).map((m) => m.id)).toEqual([kept.id])
      const more = outgoing('bob', 'after the restart')
      await store.addOutgoing(more)
      expect((await store.pendingOutbox()).map((m) => m.id)).toEqual([kept.id, more.id])
    })
  }

  it('fails a call in flight with STORE_RESTARTED when the worker dies during it', async () => {
    // Queue many writes, then kill the thread while they run: those not answered fail with the typed code.
    const writes = Array.from({ length: 1_000 }, (_, i) =>
      store.addOutgoing(outgoing('bob', `m${i}`)).then(
        () => 'ok' as const,
        (err: unknown) => (err instanceof StoreError ? err.code : String(err))
      )
    )
    await store.crashWorkerForTest('terminate')
    const outcomes = await Promise.all(writes)
    expect(outcomes.every((o) => o === 'ok' || o === 'STORE_RESTARTED')).toBe(true)
    expect(outcomes).toContain('STORE_RESTARTED')
    // What committed is there once; the store works.
    const pending = await store.pendingOutbox()
    expect(new Set(pending.map((m) => m.id)).size).toBe(pending.length)
    expect(pending.length).toBeGreaterThanOrEqual(outcomes.filter((o) => o === 'ok').length)
  })

  it('reports an open failure with the store code, as openMessageStore does', async () => {
    const error = await openWorkerMessageStore(dir.file('no/such\0dir/x.sqlite')).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(StoreError)
  })
})
