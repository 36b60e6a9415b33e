// Unit tests for the durable outbox: addOutgoing, pendingOutbox order, markSent / markFailed / markSending,
// idempotence and typed errors for bad input.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openMessageStore, StoreError, type MessageStore } from '../../src/main/core/store'
import { chat, incoming, outgoing } from './store-helpers'

describe('store outbox', () => {
  let store: MessageStore
  beforeEach(async () => {
    store = await openMessageStore(':memory:')
  })
  afterEach(async () => {
    await store.close()
  })

  it('keeps an outgoing message pending until it is acked', async () => {
    const message = outgoing('bob', 'hi bob', 1_000)
    await store.addOutgoing(message)
    expect(await store.pendingOutbox()).toEqual([message])

    const sent = await store.markSent(message.id, { serverId: 42, seq: 9, timestamp: 1_005 })
    expect(sent).toEqual({ ...message, serverId: 42, seq: 9, timestamp: 1_005, status: 'sent' })
    expect(await store.pendingOutbox()).toEqual([])
    expect(await store.getMessage(message.id)).toEqual(sent)
  })

  it('lists a sent message as the newest once its ack places it after a message received while it was sending', async () => {
    // Written first (local clock), then a peer's message arrives with a later server time: while unacked, the
    // list shows the peer's message; the ack puts ours after it in the log, and the list must follow the chat.
    const mine = outgoing('bob', 'mine', 1_790_000_000_000)
    await store.addOutgoing(mine)
    const theirs = incoming('bob', 5, 'theirs', { timestamp: 1_790_000_002_000 })
    await store.applyEvents([theirs], 5)
    expect((await store.getConversation(chat('bob')))?.lastMessage?.id).toBe(theirs.id)

    await store.markSent(mine.id, { serverId: 60, seq: 6, timestamp: 1_790_000_003_000 })
    const page = await store.page(chat('bob'), null, 10)
    expect(page.messages.at(-1)?.id).toBe(mine.id)
    const conversation = await store.getConversation(chat('bob'))
    expect(conversation?.lastMessage?.id).toBe(mine.id)
    expect(conversation?.lastMessage?.status).toBe('sent')
    expect(conversation?.updatedAt).toBe(1_790_000_003_000)
  })

  it('updates the conversation when a message is queued', async () => {
    const message = outgoing('bob', 'first', 1_000)
    await store.addOutgoing(message)
    const [conversation] = await store.listConversations()
    expect(conversation).toEqual({
      id: 'bob',
      chatType: 'single',
      title: null,
      lastMessage: message,
      unreadCount: 0,
      readSeq: 0,
      draft: null,
      updatedAt: 1_000
    })
  })

  it('is idempotent on message id', async () => {
    const message = outgoing('bob', 'once', 1_000)
    await store.addOutgoing(message)
    await store.addOutgoing({ ...message, content: { type: 'text', text: 'twice?' } })
    expect(await store.pendingOutbox()).toEqual([message])
    expect((await store.page(chat('bob'), null, 50)).messages).toEqual([message])
  })

  it('returns pending messages oldest first, by local insertion order', async () => {
    // Timestamps deliberately out of order: the outbox order is the order they were queued in.
    const first = outgoing('bob', 'one', 3_000)
    const second = outgoing('carol', 'two', 1_000)
    const third = outgoing('bob', 'three', 2_000)
    for (const m of [first, second, third]) await store.addOutgoing(m)
    expect((await store.pendingOutbox()).map((m) => m.id)).toEqual([first.id, second.id, third.id])
  })

  it('marks a message failed with a reason (code and params), and back to sending on retry', async () => {
    const message = outgoing('bob', 'will fail', 1_000)
    await store.addOutgoing(message)

    const failed = await store.markFailed(message.id, { code: 'TEXT_TOO_LONG', params: { limit: 5120 } })
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'TEXT_TOO_LONG', params: { limit: 5120 } } })
    expect((await store.getMessage(message.id))?.error).toEqual({ code: 'TEXT_TOO_LONG', params: { limit: 5120 } })
    expect(await store.pendingOutbox()).toEqual([])
    const page = await store.page(chat('bob'), null, 50)
    expect(page.messages.map((m) => m.status)).toEqual(['failed'])

    const retried = await store.markSending(message.id)
    expect(retried).toMatchObject({ status: 'sending', error: null })
    expect((await store.pendingOutbox()).map((m) => m.id)).toEqual([message.id])
  })

  it('does not let a late failure undo an ack', async () => {
    const message = outgoing('bob', 'raced', 1_000)
    await store.addOutgoing(message)
    await store.markSent(message.id, { serverId: 1, seq: 1, timestamp: 1_001 })
    expect(await store.markFailed(message.id, { code: 'TIMEOUT' })).toMatchObject({ status: 'sent', error: null })
    expect(await store.markSending(message.id)).toMatchObject({ status: 'sent' })
  })

  it('returns null for unknown ids', async () => {
    const unknown = 'f'.repeat(32)
    expect(await store.markSent(unknown, { serverId: 1, seq: 1, timestamp: 1 })).toBeNull()
    expect(await store.markFailed(unknown, { code: 'TIMEOUT' })).toBeNull()
    expect(await store.markSending(unknown)).toBeNull()
    expect(await store.getMessage(unknown)).toBeNull()
  })

  it('refuses malformed messages with a typed error instead of crashing', async () => {
    const broken = { ...outgoing('bob', 'x'), content: null } as unknown as Parameters<MessageStore['addOutgoing']>[0]
    await expect(store.addOutgoing(broken)).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' })
    await expect(store.markSent('', { serverId: 1, seq: 1, timestamp: 1 })).rejects.toBeInstanceOf(StoreError)
    await expect(store.markSent('a'.repeat(32), { serverId: 1.5, seq: 1, timestamp: 1 })).rejects.toMatchObject({
      code: 'STORE_BAD_ARGUMENT'
    })
    expect(await store.pendingOutbox()).toEqual([])
  })

  it('refuses to work after close', async () => {
    await store.close()
    await expect(store.pendingOutbox()).rejects.toMatchObject({ code: 'STORE_CLOSED' })
    store = await openMessageStore(':memory:') // for afterEach
  })
})
