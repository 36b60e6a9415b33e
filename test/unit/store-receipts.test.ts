// Unit tests for the receipts domain of the device store (src/main/core/store/receipts): the peer's delivered / read
// pointers are kept per canonical user id (canonicalUserId), like every single-chat id of the store, and only move on.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openMessageStore, type MessageStore } from '../../src/main/core/store'

describe('receipts store', () => {
  let store: MessageStore
  beforeEach(async () => {
    store = await openMessageStore(':memory:')
  })
  afterEach(async () => {
    await store.close()
  })

  it('keeps a peer\'s pointers under the canonical id, whatever spelling names the peer', async () => {
    const receipts = store.domains.receipts
    expect(await receipts.notePeer(' Bob ', 5, 3)).toEqual({ conversation: { type: 'single', id: 'bob' }, deliveredSeq: 5, readSeq: 3 })
    const expected = { conversation: { type: 'single', id: 'bob' }, deliveredSeq: 5, readSeq: 3 }
    expect(await receipts.peer('bob')).toEqual(expected)
    expect(await receipts.peer('BOB')).toEqual(expected)
    // One row: a later pointer under another spelling moves the same pointers.
    expect(await receipts.notePeer('bob', 7, 6)).toEqual({ conversation: { type: 'single', id: 'bob' }, deliveredSeq: 7, readSeq: 6 })
    expect(await receipts.peer('Bob')).toMatchObject({ deliveredSeq: 7, readSeq: 6 })
  })

  it('never moves a pointer back, and refuses an id that is no user id', async () => {
    const receipts = store.domains.receipts
    await receipts.notePeer('bob', 7, 6)
    expect(await receipts.notePeer('BOB', 4, 2)).toBeNull()
    expect(await receipts.peer('bob')).toMatchObject({ deliveredSeq: 7, readSeq: 6 })
    await expect((async () => receipts.peer('not a user!'))()).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' })
  })
})
