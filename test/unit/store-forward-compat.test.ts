// Unit tests for what an older client keeps of what it cannot read: unsupported message content (raw bytes,
// never an empty text), unknown event kinds, re-reading both after an upgrade, and quarantined poison events.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openMessageStore, type MessageStore } from '../../src/main/core/store'
import type { ChatMessage } from '../../src/shared/model'
import { chat, incoming } from './store-helpers'

const POLL_BYTES = new TextEncoder().encode('poll:Lunch where?')

/** A message as an older decoder stores a content type it does not know. */
function unsupported(seq: number, raw: Uint8Array): ChatMessage {
  return { ...incoming('bob', seq), content: { type: 'unsupported', raw: Buffer.from(raw).toString('base64') } }
}

/** The "newer decoder": reads 'poll:<question>' frames as text (standing in for a new content type). */
function newerDecoder(template: ChatMessage) {
  return (raw: Uint8Array): ChatMessage | null => {
    const text = new TextDecoder().decode(raw)
    return text.startsWith('poll:') ? { ...template, content: { type: 'text', text: `Poll: ${text.slice(5)}` } } : null
  }
}

describe('store forward compatibility', () => {
  let store: MessageStore
  beforeEach(async () => {
    store = await openMessageStore(':memory:')
  })
  afterEach(async () => {
    await store.close()
  })

  it('keeps unsupported content with its raw bytes, not as an empty text, and not searchable', async () => {
    const message = unsupported(1, POLL_BYTES)
    await store.applyEvents([message], 1)
    const stored = await store.getMessage(message.id)
    expect(stored?.content).toEqual({ type: 'unsupported', raw: Buffer.from(POLL_BYTES).toString('base64') })
    expect((await store.listConversations())[0]?.lastMessage?.content.type).toBe('unsupported')
    expect(await store.search('poll', 10)).toEqual([])
    // Unsupported content without its bytes is refused (put aside), never stored as nothing.
    const broken = { ...incoming('bob', 2), content: { type: 'unsupported', raw: 42 } } as unknown as ChatMessage
    expect((await store.applyEvents([broken], 2)).quarantined).toHaveLength(1)
  })

  it('re-reads unsupported messages in place after an upgrade, without refetching', async () => {
    const message = unsupported(1, POLL_BYTES)
    const other = unsupported(2, new TextEncoder().encode('sticker:cat'))
    await store.applyEvents([message, other], 2)
    const changed = await store.reinterpretUnsupported(newerDecoder(message))
    expect(changed.map((m) => [m.id, m.content])).toEqual([[message.id, { type: 'text', text: 'Poll: Lunch where?' }]])
    expect((await store.getMessage(message.id))?.content).toEqual({ type: 'text', text: 'Poll: Lunch where?' })
    // Same identity and position.
    expect(await store.getMessage(message.id)).toMatchObject({ seq: 1, serverId: message.serverId, status: 'received' })
    // Now searchable; the one the decoder still cannot read stays unsupported.
    expect((await store.search('lunch', 10)).map((m) => m.id)).toEqual([message.id])
    expect((await store.getMessage(other.id))?.content.type).toBe('unsupported')
    expect(await store.reinterpretUnsupported(newerDecoder(message))).toEqual([])
  })

  it('keeps unknown events raw with the cursor, and turns them into messages when a newer decoder reads them', async () => {
    await store.applyEvents([incoming('bob', 1)], 3, null, { unknownEvents: [{ seq: 2, raw: POLL_BYTES }] })
    expect(await store.getCursor()).toBe(3)
    const template = incoming('bob', 2)
    const changed = await store.reinterpretUnsupported(newerDecoder(template))
    expect(changed.map((m) => m.id)).toEqual([template.id])
    const page = await store.page(chat('bob'), null, 10)
    expect(page.messages.map((m) => m.seq)).toEqual([1, 2])
    // Read once: the event is gone from the unknown ones.
    expect(await store.reinterpretUnsupported(newerDecoder(template))).toEqual([])
    // A decoder that throws leaves rows as they are.
    await store.applyEvents([unsupported(5, POLL_BYTES)], 5)
    await expect(
      store.reinterpretUnsupported(() => {
        throw new Error('decoder bug')
      })
    ).resolves.toEqual([])
  })

  it('puts a user event whose bytes its domain cannot read aside, and stores the rest of the batch with the cursor', async () => {
    const result = await store.applyEvents([incoming('bob', 1), incoming('bob', 3)], 3, null, {
      userEvents: [{ seq: 2, kind: 'contact', raw: POLL_BYTES }]
    })
    expect(result.userEvents).toEqual([])
    expect(result.quarantined.map((event) => event.seq)).toEqual([2])
    expect(await store.getCursor()).toBe(3)
    expect((await store.page(chat('bob'), null, 10)).messages.map((m) => m.seq)).toEqual([1, 3])
    const aside = await store.quarantined(10)
    expect(aside.events[0]).toMatchObject({ seq: 2, raw: POLL_BYTES })
  })

  it('quarantines poison events, lists and counts them, newest first', async () => {
    await store.quarantineEvent(7, new Uint8Array([1, 2, 3]), 'The event cannot be decoded.')
    await store.quarantineEvent(9, null, 'The message has no sender.')
    await store.applyEvents([], 12, null, { quarantine: [{ seq: 11, raw: null, reason: 'Bad frame.' }] })
    const aside = await store.quarantined()
    expect(aside.count).toBe(3)
    expect(aside.events.map((e) => [e.seq, e.reason])).toEqual([
      [11, 'Bad frame.'],
      [9, 'The message has no sender.'],
      [7, 'The event cannot be decoded.']
    ])
    expect(aside.events[2]!.raw).toEqual(new Uint8Array([1, 2, 3]))
    expect((await store.quarantined(1)).events).toHaveLength(1)
    // The same event again is one entry.
    await store.quarantineEvent(7, null, 'Still cannot be decoded.')
    expect((await store.quarantined()).count).toBe(3)
    await expect(store.quarantineEvent(-1, null, 'x')).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' })
    await expect(store.quarantineEvent(1, null, '')).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' })
  })
})
