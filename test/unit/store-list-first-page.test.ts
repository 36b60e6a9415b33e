// Unit tests for the conversation list's first screen (listConversations with a limit): the newest rows in the
// whole list's order, capped, and a bad limit refused as the store's bad argument; and the list as keys only.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openMessageStore, type MessageStore } from '../../src/main/core/store'
import { MAX_FIRST_PAGE_CONVERSATIONS } from '../../src/shared/limits'
import { incoming } from './store-helpers'

describe('store conversation list, first screen', () => {
  let store: MessageStore
  beforeEach(async () => {
    store = await openMessageStore(':memory:')
  })
  afterEach(async () => {
    await store.close()
  })

  it('answers the newest conversations in the order of the whole list', async () => {
    // 30 chats, the later a chat's message the newer; two share a timestamp (the tie is ordered as in the list).
    const messages = Array.from({ length: 30 }, (_, i) => incoming(`peer${String(i).padStart(2, '0')}`, i + 1))
    messages[29] = { ...messages[29]!, timestamp: messages[28]!.timestamp }
    await store.applyEvents(messages, 30)
    const whole = await store.listConversations()
    expect(whole).toHaveLength(30)
    const first = await store.listConversations(5)
    expect(first.map((c) => c.id)).toEqual(whole.slice(0, 5).map((c) => c.id))
    expect(first[2]).toEqual(whole[2])
    expect(first.map((c) => c.id).slice(2)).toEqual(['peer27', 'peer26', 'peer25'])
    expect(await store.listConversations(100)).toEqual(whole)
    // Keys only (what the back-fill walks), in the same order.
    expect(await store.conversationKeys()).toEqual(whole.map((c) => ({ type: c.chatType, id: c.id })))
  })

  it('caps the limit, and refuses one that is not a positive whole number', async () => {
    await store.applyEvents(
      Array.from({ length: MAX_FIRST_PAGE_CONVERSATIONS + 5 }, (_, i) => incoming(`p${i}`, i + 1)),
      MAX_FIRST_PAGE_CONVERSATIONS + 5
    )
    expect(await store.listConversations(MAX_FIRST_PAGE_CONVERSATIONS + 5)).toHaveLength(MAX_FIRST_PAGE_CONVERSATIONS)
    for (const limit of [0, -1, 2.5, Number.NaN]) {
      await expect(store.listConversations(limit)).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' })
    }
  })
})
