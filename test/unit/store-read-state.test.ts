// Unit tests for read state and drafts: read pointers (local, from the server, pending until synced), unread
// derived from the pointer, new-device summaries (server counts, no double counting) and drafts across restarts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openMessageStore, type MessageStore } from '../../src/main/core/store'
import { chat, incoming, ME, outgoing, tempDir } from './store-helpers'

describe('store read pointers', () => {
  let store: MessageStore
  beforeEach(async () => {
    store = await openMessageStore(':memory:')
  })
  afterEach(async () => {
    await store.close()
  })

  const unread = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await store.listConversations()).map((c) => [c.id, c.unreadCount]))

  it('moves the pointer to the newest message, lists it as pending until the server has it', async () => {
    await store.applyEvents([incoming('bob', 1), incoming('bob', 2), incoming('carol', 3)], 3)
    expect(await store.pendingReadPointers()).toEqual([])
    const result = await store.markRead(chat('bob'))
    expect(result).toMatchObject({ readSeq: 2, moved: true, conversation: { id: 'bob', unreadCount: 0, readSeq: 2 } })
    expect(await store.markRead(chat('bob'))).toMatchObject({ readSeq: 2, moved: false })
    // Offline: the pointer waits to be sent on reconnect.
    expect(await store.pendingReadPointers()).toEqual([{ key: chat('bob'), seq: 2 }])
    await store.markReadPointerSynced(chat('bob'), 2)
    expect(await store.pendingReadPointers()).toEqual([])
    expect(await unread()).toEqual({ bob: 0, carol: 1 })
  })

  it('reads up to a given message only (scrolled up): later ones stay unread', async () => {
    await store.applyEvents([1, 2, 3, 4].map((seq) => incoming('bob', seq)), 4)
    expect(await store.markRead(chat('bob'), 2)).toMatchObject({ readSeq: 2, conversation: { unreadCount: 2 } })
    // Never backwards.
    expect(await store.markRead(chat('bob'), 1)).toMatchObject({ readSeq: 2, moved: false, conversation: { unreadCount: 2 } })
    expect(await store.markRead(chat('nobody'))).toBeNull()
  })

  it('takes a pointer from another device forward only, and counts later messages against it', async () => {
    await store.applyEvents([1, 2, 3].map((seq) => incoming('bob', seq)), 3)
    expect(await store.applyReadPointer(chat('BOB'), 2)).toMatchObject({ id: 'bob', readSeq: 2, unreadCount: 1 })
    expect(await store.applyReadPointer(chat('bob'), 1)).toBeNull()
    expect((await store.getConversation(chat('bob')))?.readSeq).toBe(2)
    // A pointer from the server is not sent back to it.
    expect(await store.pendingReadPointers()).toEqual([])
    await store.applyEvents([incoming('bob', 4)], 4)
    expect(await unread()).toEqual({ bob: 2 })
    // Read pointers in a sync batch apply with it.
    const batch = await store.applyEvents([incoming('bob', 5)], 6, null, { readPointers: [{ key: chat('bob'), seq: 5 }] })
    expect(batch.conversations).toMatchObject([{ id: 'bob', unreadCount: 0, readSeq: 5 }])
  })

  it('keeps a pointer that arrives before its conversation, and new messages count against it', async () => {
    expect(await store.applyReadPointer(chat('dave'), 10)).toBeNull()
    expect(await store.listConversations()).toEqual([])
    await store.applyEvents([incoming('dave', 9), incoming('dave', 11)], 11)
    expect(await unread()).toEqual({ dave: 1 })
  })

  it('does not count the active conversation: its pointer follows, to be sent', async () => {
    await store.applyEvents([incoming('bob', 1)], 1)
    const result = await store.applyEvents([incoming('bob', 2), incoming('carol', 3)], 3, chat('bob'))
    expect(result.conversations.find((c) => c.id === 'bob')).toMatchObject({ unreadCount: 0, readSeq: 2 })
    expect(await unread()).toEqual({ bob: 0, carol: 1 })
    expect(await store.pendingReadPointers()).toEqual([{ key: chat('bob'), seq: 2 }])
  })

  it('does not count this account\'s own messages, and an old page after the pointer does count', async () => {
    await store.applyEvents([incoming('bob', 5)], 5)
    await store.markRead(chat('bob'))
    const mine = { ...incoming('bob', 6), from: ME, to: 'bob', direction: 'out' as const, status: 'sent' as const }
    await store.applyEvents([mine], 6)
    expect(await unread()).toEqual({ bob: 0 })
    // History paged in later, below the pointer: read.
    await store.applyEvents([incoming('bob', 3)], 6)
    expect(await unread()).toEqual({ bob: 0 })
  })
})

describe('store new-device summaries', () => {
  let store: MessageStore
  beforeEach(async () => {
    store = await openMessageStore(':memory:')
  })
  afterEach(async () => {
    await store.close()
  })

  it('stores each conversation with its newest message, pointer and the server\'s unread count, and the cursor', async () => {
    const bobNewest = incoming('bob', 120, 'newest from bob')
    const carolNewest = { ...incoming('carol', 90, 'my last to carol'), from: ME, to: 'carol', direction: 'out' as const, status: 'sent' as const }
    const stored = await store.applyConversationSummaries(
      [
        { key: chat('Bob'), lastMessage: { ...bobNewest, conversationId: 'Bob', from: 'Bob' }, readSeq: 100, unreadCount: 7 },
        { key: chat('carol'), lastMessage: carolNewest, readSeq: 90, unreadCount: 0 }
      ],
      150
    )
    expect(stored.map((c) => [c.id, c.unreadCount, c.readSeq, c.lastMessage?.id])).toEqual([
      ['bob', 7, 100, bobNewest.id],
      ['carol', 0, 90, carolNewest.id]
    ])
    expect(await store.getCursor()).toBe(150)
    expect(await store.pendingReadPointers()).toEqual([])

    // The newest page arrives afterwards: its messages were in the server's count, so they do not count again.
    await store.applyEvents([115, 118, 119, 120].map((seq) => (seq === 120 ? bobNewest : incoming('bob', seq))), 150)
    expect((await store.getConversation(chat('bob')))?.unreadCount).toBe(7)
    // A new message after the summary's head counts.
    await store.applyEvents([incoming('bob', 151)], 151)
    expect((await store.getConversation(chat('bob')))?.unreadCount).toBe(8)
    // Reading to the newest clears it.
    expect(await store.markRead(chat('bob'))).toMatchObject({ readSeq: 151, conversation: { unreadCount: 0 } })
  })

  it('refuses a summary whose message belongs to another conversation', async () => {
    await expect(
      store.applyConversationSummaries([{ key: chat('bob'), lastMessage: incoming('carol', 1), readSeq: 0, unreadCount: 1 }], 1)
    ).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' })
    expect(await store.getCursor()).toBe(0)
  })
})

describe('store drafts', () => {
  it('keeps a draft per conversation across a restart and shows it in the list', async () => {
    const tmp = tempDir()
    try {
      const file = tmp.file('drafts.db')
      let store = await openMessageStore(file)
      await store.applyEvents([incoming('bob', 1)], 1)
      expect(await store.setDraft(chat('bob'), 'half a thought')).toMatchObject({ id: 'bob', draft: 'half a thought' })
      // A new chat with only a draft is listed too.
      await store.setDraft(chat('Erin'), 'hello erin')
      await store.close()

      store = await openMessageStore(file)
      expect(await store.getDraft(chat('bob'))).toBe('half a thought')
      expect(Object.fromEntries((await store.listConversations()).map((c) => [c.id, c.draft]))).toEqual({
        bob: 'half a thought',
        erin: 'hello erin'
      })
      expect(await store.setDraft(chat('bob'), '')).toMatchObject({ draft: null })
      expect(await store.getDraft(chat('bob'))).toBeNull()
      await store.setDraft(chat('erin'), null)
      expect((await store.listConversations()).map((c) => c.id)).toEqual(['bob'])
      expect(await store.getDraft(chat('nobody'))).toBeNull()
      await expect(store.setDraft(chat('bob'), 42 as never)).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' })
      // Sending keeps working alongside a draft.
      await store.addOutgoing(outgoing('bob', 'sent text'))
      await store.close()
    } finally {
      tmp.remove()
    }
  })
})
