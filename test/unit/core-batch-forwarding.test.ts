// What a stored batch sends to the renderer (api/batch-forwarding.ts, api/client-push-events.ts): small batches item
// by item as before; a big one as ONE sync.batch with each conversation once and only the messages the renderer can
// use (conversations it paged or opened, incoming messages young enough to notify), never its items again.
import { describe, expect, it } from 'vitest'
import { BATCH_ITEMS_FORWARDED_ONE_BY_ONE, coalesceBatch, RendererViews } from '../../src/main/core/api/batch-forwarding'
import { forwardClientEvents } from '../../src/main/core/api/client-push-events'
import type { AppliedBatch, ChatClientApi, ChatClientEvents } from '../../src/main/core/types'
import type { ChatMessage, Conversation } from '../../src/shared/model'
import { NOTIFY_MAX_AGE_MS } from '../../src/shared/notifications'
import { TypedEmitter } from '../../src/shared/typed-emitter'

// The forwarder reads the clock itself: the messages are old (or young) against the real time.
const NOW = Date.now()
const OLD = NOW - NOTIFY_MAX_AGE_MS - 1

function message(n: number, peer: string, overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: `m${n}`,
    serverId: n,
    conversationId: peer,
    chatType: 'single',
    from: peer,
    to: 'me',
    direction: 'in',
    content: { type: 'text', text: `hello ${n}` },
    timestamp: OLD,
    seq: n,
    status: 'received',
    error: null,
    ...overrides
  }
}

function conversation(peer: string, last: ChatMessage): Conversation {
  return { id: peer, chatType: 'single', title: null, lastMessage: last, unreadCount: 1, readSeq: 0, draft: null, updatedAt: last.timestamp }
}

/** A catch-up chunk: `count` old incoming messages round-robin over `peers`, each conversation reported per message. */
function bigBatch(count: number, peers: string[]): AppliedBatch {
  const messages = Array.from({ length: count }, (_, i) => message(i + 1, peers[i % peers.length]!))
  return { messages, conversations: messages.map((m) => conversation(m.conversationId, m)) }
}

class Emitter extends TypedEmitter<ChatClientEvents> {
  fire<K extends keyof ChatClientEvents>(event: K, payload: ChatClientEvents[K]): void {
    this.emit(event, payload)
  }
}

describe('coalesceBatch', () => {
  it('leaves a small batch to go item by item', () => {
    expect(coalesceBatch(bigBatch(BATCH_ITEMS_FORWARDED_ONE_BY_ONE / 2, ['bob']), new RendererViews(), NOW)).toBeNull()
  })

  it('keeps each conversation once (its newest state) and only messages of paged chats or that may notify', () => {
    const views = new RendererViews()
    views.noteInvoke('messages.page', { conversation: { type: 'single', id: 'Bob' } })
    views.noteInvoke('search.messages', { conversation: { type: 'single', id: 'carol' } })
    const batch = bigBatch(300, ['bob', 'carol', 'dave'])
    const young = message(301, 'dave', { timestamp: NOW - 1_000 })
    const mine = message(302, 'dave', { timestamp: NOW - 1_000, direction: 'out', from: 'me', to: 'dave' })
    batch.messages.push(young, mine)
    const coalesced = coalesceBatch(batch, views, NOW)!
    expect(coalesced.messages).toEqual([...batch.messages.filter((m) => m.conversationId === 'bob'), young])
    expect(coalesced.conversations.map((c) => [c.id, c.lastMessage?.id])).toEqual([
      ['bob', 'm298'],
      ['carol', 'm299'],
      ['dave', 'm300']
    ])
  })

  it('counts an opened conversation and a search hit opened in context as held; a sign-in forgets them', () => {
    const views = new RendererViews()
    views.noteInvoke('conversations.setActive', { conversation: { type: 'group', id: 'g1' } })
    views.noteInvoke('messages.around', { conversation: { type: 'single', id: 'erin' }, messageId: 'x' })
    views.noteInvoke('conversations.setActive', { conversation: null })
    expect(views.holds(message(1, 'g1', { chatType: 'group' }))).toBe(true)
    expect(views.holds(message(1, 'g1'))).toBe(false)
    expect(views.holds(message(1, 'erin'))).toBe(true)
    views.clear()
    expect(views.holds(message(1, 'erin'))).toBe(false)
  })
})

describe('forwardClientEvents with batches', () => {
  function setup(): { client: Emitter; pushed: Array<[string, unknown]>; views: RendererViews } {
    const client = new Emitter()
    const pushed: Array<[string, unknown]> = []
    const views = new RendererViews()
    forwardClientEvents(client as unknown as ChatClientApi, {
      push: (event, payload) => pushed.push([event, payload]),
      sessionEnded: () => undefined,
      tokenRenewed: () => undefined,
      tokenWillExpire: () => undefined,
      views
    })
    return { client, pushed, views }
  }

  /** As DeviceSession.emitChanges emits a stored batch: the batch, then each item. */
  function emitStored(client: Emitter, batch: AppliedBatch): void {
    client.fire('batch', batch)
    for (const m of batch.messages) client.fire('message', m)
    for (const c of batch.conversations) client.fire('conversation', c)
  }

  it('pushes a big batch once and none of its items, then later items as before', () => {
    const { client, pushed, views } = setup()
    views.noteInvoke('messages.page', { conversation: { type: 'single', id: 'bob' } })
    const batch = bigBatch(200, ['bob', 'carol'])
    emitStored(client, batch)
    expect(pushed.map(([event]) => event)).toEqual(['sync.batch'])
    const payload = pushed[0]![1] as AppliedBatch
    expect(payload.messages).toHaveLength(100)
    expect(payload.conversations.map((c) => c.id)).toEqual(['bob', 'carol'])
    // A status change of one of those messages later (the same id, a new object) goes as an item again.
    const live = message(500, 'carol')
    emitStored(client, { messages: [live], conversations: [conversation('carol', live)] })
    expect(pushed.slice(1)).toEqual([
      ['message.upsert', live],
      ['conversation.upsert', conversation('carol', live)]
    ])
  })

  it("skips a batch's items only in the turn it was emitted: the same object emitted later goes as an item", async () => {
    const { client, pushed } = setup()
    const batch = bigBatch(200, ['bob'])
    emitStored(client, batch)
    expect(pushed).toHaveLength(1)
    await Promise.resolve()
    // Not remembered past its turn (nothing of a 100k catch-up is kept): a later event of that object is forwarded.
    client.fire('message', batch.messages[0]!)
    expect(pushed.slice(1)).toEqual([['message.upsert', batch.messages[0]]])
  })
})
