// Unit tests for search-key collisions: two different messages whose time-ordered search keys (search-text.ts
// searchKey) coincide are both stored and both found by search, in a real SQLite file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openMessageStore, type MessageStore } from '../../src/main/core/store'
import { searchKey } from '../../src/main/core/store/search-text'
import type { ChatMessage } from '../../src/shared/model'
import { chat, incoming, newId, outgoing, tempDir, type TempDir } from './store-helpers'

/** Acked keys keep the low 20 bits of the seq: seqs this far apart at the same millisecond share a key. */
const SEQ_WRAP = 2 ** 20
const SAME_MS = 1_790_000_000_000

/** Two different ids whose unacked keys at SAME_MS are equal (a 20-bit hash: found within a few thousand ids). */
function collidingIds(): [string, string] {
  const seen = new Map<bigint, string>()
  for (;;) {
    const id = newId()
    const key = searchKey(SAME_MS, null, id)
    const other = seen.get(key)
    if (other !== undefined && other !== id) return [other, id]
    seen.set(key, id)
  }
}

async function found(store: MessageStore, query: string): Promise<string[]> {
  return (await store.search(query, 50)).map((m) => m.content.type === 'text' ? m.content.text : '').sort()
}

describe('store search keys that collide', () => {
  let dir: TempDir
  let store: MessageStore
  beforeEach(async () => {
    dir = tempDir()
    store = await openMessageStore(dir.file('parley.db'))
  })
  afterEach(async () => {
    await store.close()
    dir.remove()
  })

  it('stores both incoming messages of one sync batch and finds both', async () => {
    const first = incoming('bob', 7, 'zebra first', { timestamp: SAME_MS })
    const second = incoming('carol', 7 + SEQ_WRAP, 'zebra second', { timestamp: SAME_MS })
    expect(searchKey(first.timestamp, first.seq, first.id)).toBe(searchKey(second.timestamp, second.seq, second.id))

    await store.applyEvents([first, second], 7 + SEQ_WRAP)

    expect(await found(store, 'zebra')).toEqual(['zebra first', 'zebra second'])
    expect(await found(store, 'second')).toEqual(['zebra second'])
    expect((await store.getMessage(first.id))?.content).toEqual({ type: 'text', text: 'zebra first' })
    expect((await store.getMessage(second.id))?.content).toEqual({ type: 'text', text: 'zebra second' })
  })

  it('stores a message of a later batch whose key an earlier message holds, and finds both', async () => {
    const first = incoming('bob', 9, 'otter early', { timestamp: SAME_MS })
    await store.applyEvents([first], 9)
    const second = incoming('bob', 9 + SEQ_WRAP, 'otter late', { timestamp: SAME_MS })
    await store.applyEvents([second, incoming('bob', 10 + SEQ_WRAP, 'otter later', { timestamp: SAME_MS + 1 })], 10 + SEQ_WRAP)

    // Newest first, by time: the colliding pair (same millisecond) comes after the newer one.
    const texts = (await store.search('otter', 50)).map((m) => (m.content.type === 'text' ? m.content.text : ''))
    expect(texts[0]).toBe('otter later')
    expect(texts.slice(1).sort()).toEqual(['otter early', 'otter late'])
  })

  it('queues two outgoing messages whose id hashes collide, and finds both', async () => {
    const [idA, idB] = collidingIds()
    const a: ChatMessage = { ...outgoing('bob', 'walrus one', SAME_MS), id: idA }
    const b: ChatMessage = { ...outgoing('carol', 'walrus two', SAME_MS), id: idB }
    await store.addOutgoing(a)
    await store.addOutgoing(b)

    expect(await found(store, 'walrus')).toEqual(['walrus one', 'walrus two'])
    expect((await store.pendingOutbox()).map((m) => m.id).sort()).toEqual([idA, idB].sort())
  })

  it('records an ack whose key another message already holds, and finds both', async () => {
    const ackedSeq = 40
    const holder = incoming('carol', ackedSeq + SEQ_WRAP, 'heron stored', { timestamp: SAME_MS })
    await store.applyEvents([holder], ackedSeq + SEQ_WRAP)
    const mine = outgoing('bob', 'heron sent', SAME_MS - 5)
    await store.addOutgoing(mine)

    const sent = await store.markSent(mine.id, { serverId: 1, seq: ackedSeq, timestamp: SAME_MS })

    expect(sent?.status).toBe('sent')
    expect(await found(store, 'heron')).toEqual(['heron sent', 'heron stored'])
    // The same ack recorded again by sync (the log entry of the message) keeps it found once.
    await store.applyEvents([{ ...sent!, direction: 'out' }], ackedSeq + SEQ_WRAP)
    expect(await found(store, 'heron')).toEqual(['heron sent', 'heron stored'])
    expect((await store.page(chat('bob'), null, 10)).messages.map((m) => m.id)).toEqual([mine.id])
  })

  it('keeps both messages after reopening the file, and a later sync of the same rows changes nothing', async () => {
    const first = incoming('bob', 3, 'ibis a', { timestamp: SAME_MS })
    const second = incoming('bob', 3 + SEQ_WRAP, 'ibis b', { timestamp: SAME_MS })
    await store.applyEvents([first, second], 3 + SEQ_WRAP)
    await store.close()
    store = await openMessageStore(dir.file('parley.db'))
    const again = await store.applyEvents([first, second], 3 + SEQ_WRAP)
    expect(again.messages).toEqual([])
    expect(await found(store, 'ibis')).toEqual(['ibis a', 'ibis b'])
  })
})
