// A catch-up chunk decoded and applied in the store's worker thread (MessageStore.applyLogEntries): its raw entries
// cross as one packed buffer; an entry that does not decode or that the store refuses is put aside, a command comes
// back to the caller, the rest is stored and the cursor moves; a malformed pack is a StoreError and the worker
// keeps serving. The syncer sends its chunks that way (its thread never decodes them).
import { describe, expect, it } from 'vitest'
import type { RawLogEvent } from '../../src/main/core/protocol/log-entry'
import { StoreError } from '../../src/main/core/store'
import { packLogEntries, unpackLogEntries } from '../../src/main/core/store/log-entry-pack'
import type { MessageStore, PackedLogEntries } from '../../src/main/core/store/types'
import { Syncer, type AppliedChanges } from '../../src/main/core/sync/syncer'
import { pb } from '../../src/shared/proto/codec'
import { chat, ME, wireMessage, workerStoreForEachTest } from './store-helpers'

const PEER = 'bob'
/** Longer than any id the store takes (128 characters): a read pointer naming it makes the store refuse the batch. */
const UNSTORABLE_GROUP_ID = 'g'.repeat(200)


/**
 * The entries' bytes as views into one large frame (as they arrive from the socket): 1 and 4 texts, 2 not an Event,
 * 3 a command, 5 a group read pointer the store refuses on its checks, 6 a text of mine.
 */
function chunk(): RawLogEvent[] {
  const encoded = [
    pb.Event.encode(wireMessage(1, PEER, { text: { text: 'first' } })).finish(),
    Uint8Array.from([0x08, 0x02, 0x12, 0xff, 0x01]),
    pb.Event.encode(wireMessage(3, PEER, { command: { action: 'refresh-order', params: { order: '7' } } })).finish(),
    pb.Event.encode(wireMessage(4, PEER, { text: { text: 'fourth' } })).finish(),
    pb.Event.encode({ seq: 5, readPointer: { conversation: UNSTORABLE_GROUP_ID, chatType: 1, seq: 1 } }).finish(),
    pb.Event.encode(wireMessage(6, PEER, { text: { text: 'sixth, mine' } }, true)).finish()
  ]
  const frame = new Uint8Array(64 * 1024)
  let at = 100
  return encoded.map((bytes, index) => {
    frame.set(bytes, at)
    const view = frame.subarray(at, at + bytes.byteLength)
    at += bytes.byteLength + 7
    return { seq: index + 1, bytes: view }
  })
}

async function expectStoredChunk(store: MessageStore, events: RawLogEvent[]): Promise<void> {
  expect(await store.getCursor()).toBe(6)
  const page = await store.page(chat(PEER), null, 10)
  expect(page.messages.map((m) => [m.seq, m.content])).toEqual([
    [1, { type: 'text', text: 'first' }],
    [4, { type: 'text', text: 'fourth' }],
    [6, { type: 'text', text: 'sixth, mine' }]
  ])
  const aside = await store.quarantined()
  expect(aside.events.map((e) => e.seq).sort()).toEqual([2, 5])
  const notAnEvent = aside.events.find((e) => e.seq === 2)
  expect(notAnEvent?.reason).toMatch(/not an Event/)
  expect(Buffer.from(notAnEvent!.raw!).equals(Buffer.from(events[1]!.bytes))).toBe(true)
  expect(aside.events.find((e) => e.seq === 5)?.reason).toMatch(/conversation id/)
}

describe('log entries applied in the store worker', { timeout: 30_000 }, () => {
  const worker = workerStoreForEachTest()

  it('packs a chunk into one buffer of just its entries\' bytes and reads the same entries back', () => {
    const events = chunk()
    const pack = packLogEntries(events)
    expect(pack.bytes.byteOffset).toBe(0)
    expect(pack.bytes.byteLength).toBe(events.reduce((sum, e) => sum + e.bytes.byteLength, 0))
    const back = unpackLogEntries(pack)
    expect(back.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6])
    back.forEach((entry, index) => expect(Buffer.from(entry.bytes).equals(Buffer.from(events[index]!.bytes))).toBe(true))
    expect(unpackLogEntries(packLogEntries([]))).toEqual([])
  })

  it('quarantines what does not decode or is refused, returns the command, stores the rest and moves the cursor', async () => {
    const store = worker.store()
    const events = chunk()
    const applied = await store.applyLogEntries(packLogEntries(events), ME, 6, null)
    expect(applied.quarantined).toBe(2)
    expect(applied.commands).toEqual([
      expect.objectContaining({ action: 'refresh-order', params: { order: '7' }, from: PEER, direction: 'in', conversation: chat(PEER) })
    ])
    expect(applied.messages.map((m) => m.seq)).toEqual([1, 4, 6])
    expect(applied.conversations.map((c) => c.id)).toEqual([PEER])
    await expectStoredChunk(store, events)
    // The command is not stored as a message.
    expect((await store.page(chat(PEER), null, 10)).messages.some((m) => m.content.type === 'command')).toBe(false)
  })

  it('the syncer\'s catch-up goes through it: its thread never decodes nor writes the entries itself', async () => {
    const store = worker.store()
    const events = chunk()
    let applyEventsCalls = 0
    let applyLogEntriesCalls = 0
    const counted = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'applyEvents') applyEventsCalls += 1
        if (property === 'applyLogEntries') applyLogEntriesCalls += 1
        const value: unknown = Reflect.get(target, property, receiver)
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
      }
    }) as MessageStore
    const changes: AppliedChanges[] = []
    const syncer = new Syncer({
      store: counted,
      me: ME,
      activeConversation: () => null,
      onApplied: (applied) => changes.push(applied),
      fetchRecent: async () => ({ conversations: [], hasMore: false, headSeq: 0, next: null }),
      fetchBatch: async (afterSeq) => ({ events: events.filter((e) => e.seq > afterSeq), hasMore: false, headSeq: 6 })
    })
    await syncer.init()
    await syncer.catchUp()
    expect(applyLogEntriesCalls).toBe(1)
    expect(applyEventsCalls).toBe(0)
    expect(syncer.currentCursor).toBe(6)
    expect(syncer.quarantinedInSession).toBe(2)
    expect(changes.flatMap((c) => c.commands ?? []).map((c) => c.action)).toEqual(['refresh-order'])
    expect(changes.flatMap((c) => c.messages).map((m) => m.seq)).toEqual([1, 4, 6])
    await expectStoredChunk(store, events)
  })

  it('refuses a malformed pack with a StoreError and keeps serving', async () => {
    const store = worker.store()
    const good = packLogEntries(chunk())
    const malformed: unknown[] = [
      null,
      'bytes',
      { ...good, bytes: Array.from(good.bytes) },
      { ...good, ends: Array.from(good.ends) },
      { ...good, seqs: new Uint32Array(good.seqs.length) },
      { ...good, ends: good.ends.subarray(1) },
      { ...good, ends: Uint32Array.from([...good.ends].reverse()) },
      { ...good, ends: Uint32Array.from(good.ends, (end) => end + 1) },
      { ...good, bytes: new Uint8Array(good.bytes.byteLength + 3) },
      { ...good, seqs: Float64Array.from(good.seqs, (seq) => (seq === 3 ? Number.NaN : seq)) },
      { ...good, seqs: Float64Array.from(good.seqs, (seq) => -seq) }
    ]
    for (const pack of malformed) {
      const refused = await store.applyLogEntries(pack as PackedLogEntries, ME, 6, null).catch((err: unknown) => err)
      expect(refused).toBeInstanceOf(StoreError)
      expect((refused as StoreError).code).toBe('STORE_BAD_ARGUMENT')
    }
    // Nothing was written, the worker never died, and the same chunk well packed is applied.
    expect(await store.getCursor()).toBe(0)
    expect((await store.quarantined()).count).toBe(0)
    expect(store.restarts).toBe(0)
    await store.applyLogEntries(good, ME, 6, null)
    expect(await store.getCursor()).toBe(6)
  })
})
