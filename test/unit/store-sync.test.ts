// Unit tests for applyEvents: upsert by client id, unread counting (once, not for the active conversation),
// own echoes turning 'sent', last message choice, conversation order and the forward-only cursor.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openMessageStore, type MessageStore } from '../../src/main/core/store'
import type { ChatMessage } from '../../src/shared/model'
import { chat, incoming, outgoing } from './store-helpers'

describe('store applyEvents', () => {
  let store: MessageStore
  beforeEach(async () => {
    store = await openMessageStore(':memory:')
  })
  afterEach(async () => {
    await store.close()
  })

  it('stores a batch, raises unread and returns what changed', async () => {
    const batch = [incoming('bob', 1), incoming('bob', 2), incoming('carol', 3)]
    const result = await store.applyEvents(batch, 3)
    expect(result.messages).toEqual(batch)
    expect(result.conversations.map((c) => [c.id, c.unreadCount, c.lastMessage?.id])).toEqual([
      ['bob', 2, batch[1]!.id],
      ['carol', 1, batch[2]!.id]
    ])
    expect(await store.getCursor()).toBe(3)
  })

  it('is idempotent: the same batch twice stores no duplicates and counts unread once', async () => {
    const batch = [incoming('bob', 1), incoming('bob', 2), incoming('bob', 3)]
    await store.applyEvents(batch, 3)
    const again = await store.applyEvents(batch, 3)
    expect(again).toEqual({ messages: [], conversations: [], quarantined: [], userEvents: [] })
    const page = await store.page(chat('bob'), null, 50)
    expect(page.messages.map((m) => m.id)).toEqual(batch.map((m) => m.id))
    expect((await store.listConversations())[0]?.unreadCount).toBe(3)
  })

  it('counts a message duplicated inside one batch once', async () => {
    const message = incoming('bob', 1)
    const result = await store.applyEvents([message, { ...message }], 1)
    expect(result.messages).toHaveLength(1)
    expect((await store.listConversations())[0]?.unreadCount).toBe(1)
  })

  it('stores a batch larger than one multi-row insert in order, with a repeat across the chunks counted once', async () => {
    const batch = Array.from({ length: 2_345 }, (_, i) => incoming(i % 2 === 0 ? 'bob' : 'carol', i + 1))
    const repeated = { ...batch[10]!, content: { type: 'text' as const, text: 'edited later in the batch' } }
    const result = await store.applyEvents([...batch.slice(0, 1_500), repeated, ...batch.slice(1_500)], 2_345)
    expect(result.messages.map((m) => m.id)).toEqual([...batch.slice(0, 1_500), repeated, ...batch.slice(1_500)].map((m) => m.id))
    const bob = await store.page(chat('bob'), null, 1_000)
    expect(bob.messages.map((m) => m.id)).toEqual(batch.filter((_, i) => i % 2 === 0).slice(-1_000).map((m) => m.id))
    expect((await store.getMessage(repeated.id))?.content).toEqual({ type: 'text', text: 'edited later in the batch' })
    expect(await store.search('edited', 10)).toHaveLength(1)
    const unread = Object.fromEntries((await store.listConversations()).map((c) => [c.id, c.unreadCount]))
    expect(unread).toEqual({ bob: 1_173, carol: 1_172 })
  })

  it('reads back plain text (stored once) and richer content (stored as JSON) as given, and sees a text-only edit', async () => {
    const plain = incoming('bob', 1)
    const richContent = { type: 'text', text: 'with a mention', mentions: ['carol'] }
    const rich = incoming('bob', 2, 'with a mention', { content: richContent as ChatMessage['content'] })
    await store.applyEvents([plain, rich], 2)
    expect(await store.getMessage(plain.id)).toEqual(plain)
    expect(await store.getMessage(rich.id)).toEqual(rich)
    const edited = { ...plain, content: { type: 'text' as const, text: 'reworded afterwards' } }
    expect((await store.applyEvents([edited], 2)).messages).toEqual([edited])
    expect((await store.search('reworded', 5)).map((m) => m.id)).toEqual([plain.id])
    expect(await store.search('message', 5)).toEqual([])
  })

  it("turns this device's own message 'sent' when it arrives through sync, without a copy", async () => {
    const mine = outgoing('bob', 'hello from this device', 1_790_000_000_500)
    await store.addOutgoing(mine)
    const echo = { ...mine, serverId: 77, seq: 5, timestamp: 1_790_000_000_900, status: 'sent' as const }
    const result = await store.applyEvents([echo], 5)
    expect(result.messages).toEqual([echo])
    expect(result.conversations[0]).toMatchObject({ id: 'bob', unreadCount: 0, lastMessage: echo })
    expect(await store.pendingOutbox()).toEqual([])
    const page = await store.page(chat('bob'), null, 50)
    expect(page.messages).toEqual([echo])
  })

  it("does not count this account's messages from other devices as unread", async () => {
    const fromOtherDevice = { ...outgoing('bob', 'sent from my phone'), seq: 1, serverId: 1, status: 'sent' as const }
    await store.applyEvents([fromOtherDevice], 1)
    expect((await store.listConversations())[0]).toMatchObject({ unreadCount: 0, lastMessage: fromOtherDevice })
  })

  it('resets unread with markRead, and does not count the active conversation', async () => {
    await store.applyEvents([incoming('bob', 1), incoming('carol', 2)], 2)
    expect(await store.markRead(chat('bob'))).toMatchObject({ conversation: { id: 'bob', unreadCount: 0 }, readSeq: 1, moved: true })
    expect(await store.markRead(chat('nobody'))).toBeNull()

    await store.applyEvents([incoming('bob', 3), incoming('carol', 4)], 4, chat('bob'))
    const unread = Object.fromEntries((await store.listConversations()).map((c) => [c.id, c.unreadCount]))
    expect(unread).toEqual({ bob: 0, carol: 2 })
  })

  it('keeps the newest message as the last one when older history arrives later', async () => {
    const newest = incoming('bob', 100)
    await store.applyEvents([newest], 100)
    const older = [incoming('bob', 10), incoming('bob', 11)]
    const result = await store.applyEvents(older, 11)
    expect(result.conversations[0]?.lastMessage?.id).toBe(newest.id)
    expect(result.conversations[0]?.updatedAt).toBe(newest.timestamp)
  })

  it('makes a newer incoming message the last one after an unacked outgoing one', async () => {
    const mine = outgoing('bob', 'are you there?', 1_790_000_000_000)
    await store.addOutgoing(mine)
    const reply = incoming('bob', 3, 'yes', { timestamp: 1_790_000_005_000 })
    const result = await store.applyEvents([reply], 3)
    expect(result.conversations[0]).toMatchObject({ lastMessage: reply, unreadCount: 1, updatedAt: reply.timestamp })
  })

  it('lists conversations most recent first', async () => {
    await store.applyEvents([incoming('bob', 1), incoming('carol', 2), incoming('dave', 3)], 3)
    await store.applyEvents([incoming('bob', 4)], 4)
    expect((await store.listConversations()).map((c) => c.id)).toEqual(['bob', 'dave', 'carol'])
  })

  it('only ever moves the cursor forward', async () => {
    expect(await store.getCursor()).toBe(0)
    await store.applyEvents([], 50)
    expect(await store.getCursor()).toBe(50)
    await store.applyEvents([incoming('bob', 20)], 20)
    expect(await store.getCursor()).toBe(50)
    await store.applyEvents([], 51)
    expect(await store.getCursor()).toBe(51)
  })

  it('puts a malformed message aside and applies the rest of its batch, cursor included', async () => {
    const good = incoming('bob', 1)
    const bad = { ...incoming('bob', 2), chatType: 'broadcast' } as unknown as typeof good
    const result = await store.applyEvents([good, bad], 2)
    expect(result.messages.map((m) => m.id)).toEqual([good.id])
    expect(result.quarantined).toMatchObject([{ seq: 2, raw: null, reason: expect.stringMatching(/unknown chat type/) }])
    expect(await store.getMessage(good.id)).toEqual(good)
    expect(await store.getMessage(bad.id)).toBeNull()
    expect(await store.getCursor()).toBe(2)
    expect(await store.quarantined()).toMatchObject({ count: 1, events: [{ seq: 2 }] })
    // A bad cursor is still the caller's mistake: nothing is applied.
    await expect(store.applyEvents([incoming('bob', 3)], -1)).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' })
  })
})

describe('store getConversation', () => {
  let store: MessageStore
  beforeEach(async () => {
    store = await openMessageStore(':memory:')
  })
  afterEach(async () => {
    await store.close()
  })

  it('returns one conversation exactly as the list shows it, or null for an unknown one', async () => {
    await store.applyEvents([incoming('bob', 1), incoming('carol', 2), incoming('bob', 3)], 3)
    await store.addOutgoing(outgoing('carol', 'hello carol', 1_790_000_009_000))
    const listed = await store.listConversations()
    expect(listed.map((c) => c.id).sort()).toEqual(['bob', 'carol'])
    for (const conversation of listed) expect(await store.getConversation(chat(conversation.id))).toEqual(conversation)
    expect(await store.getConversation(chat('nobody'))).toBeNull()
  })
})
