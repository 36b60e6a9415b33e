// A device that was logged out or closed while 500 messages were exchanged catches up in batches
// on its next sign-in, from its stored cursor, with nothing missing or doubled.
import { describe, expect, it } from 'vitest'
import { STORE_APPLY_CHUNK } from '../../src/main/core/sync/syncer'
import type { ChatMessage, Conversation } from '../../src/shared/model'
import { MAX_TEXT_BYTES } from '../../src/shared/limits'
import { localHistory, registerUsers, serverOrder, TEST_PASSWORD, uniqueUser, waitFor, useServerAndDevices, signInPair, textOf } from './helpers/env'

const OFFLINE_EXCHANGE = 500

describe('a device that was offline catches up', () => {
  const { server, devices } = useServerAndDevices()

  it('gets everything exchanged while it was away, in batches, once', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a1 = devices.create('a1')
    const a2 = devices.create('a2')
    const b1 = devices.create('b1')
    await Promise.all([a1.login(alice, TEST_PASSWORD), a2.login(alice, TEST_PASSWORD), b1.login(bob, TEST_PASSWORD)])
    await a1.sendText(bob, 'before a2 went away')
    await waitFor('a2 sees the first message', async () => (await localHistory(a2, bob)).length === 1)
    const cursorBefore = a2.syncCursor!
    await a2.logout()

    for (let i = 0; i < OFFLINE_EXCHANGE; i += 2) {
      await a1.sendText(bob, `a ${i}`)
      await b1.sendText(alice, `b ${i + 1}`)
    }
    await waitFor('exchange settled', async () => {
      const onA1 = await localHistory(a1, bob)
      const onB1 = await localHistory(b1, alice)
      return onA1.length === OFFLINE_EXCHANGE + 1 && onB1.length === OFFLINE_EXCHANGE + 1 && onA1.every((m) => m.status !== 'sending')
    })

    const conversationEvents: Conversation[] = []
    a2.on('conversation', (c) => conversationEvents.push(c))
    await a2.login(alice, TEST_PASSWORD)
    // login resolves after the first catch-up: nothing to wait for.
    const onA2 = await localHistory(a2, bob)
    expect(onA2).toHaveLength(OFFLINE_EXCHANGE + 1)
    expect(new Set(onA2.map((m) => m.id)).size).toBe(OFFLINE_EXCHANGE + 1)
    expect(serverOrder(onA2)).toEqual(serverOrder(await localHistory(a1, bob)))
    expect(a2.syncCursor!).toBeGreaterThanOrEqual(cursorBefore + OFFLINE_EXCHANGE)
    // Fetched in wire batches (see the syncer unit test), applied in store chunks: each chunk changes the conversation once.
    expect(conversationEvents.length).toBeGreaterThanOrEqual(Math.ceil(OFFLINE_EXCHANGE / STORE_APPLY_CHUNK))
    const [conversation] = await a2.listConversations()
    expect(conversation).toMatchObject({ id: bob, unreadCount: OFFLINE_EXCHANGE / 2 })
    expect(onA2.filter((m) => m.direction === 'out').every((m) => m.status === 'sent')).toBe(true)
    expect(onA2.filter((m) => m.direction === 'in').every((m) => m.status === 'received')).toBe(true)
  })

  it('a device that was closed while others talked resumes from its stored cursor', async () => {
    const { alice, bob, a, b } = await signInPair(server, devices)
    await a.sendText(bob, 'one')
    await waitFor('delivered', async () => (await localHistory(b, alice)).length === 1)
    await b.close()
    for (let i = 0; i < 20; i++) await a.sendText(bob, `while closed ${i}`)
    await waitFor('acked', async () => (await localHistory(a, bob)).every((m) => m.status === 'sent'))
    await b.login(bob, TEST_PASSWORD)
    const onB = await localHistory(b, alice)
    expect(onB.map((m) => textOf(m))).toEqual(['one', ...Array.from({ length: 20 }, (_, i) => `while closed ${i}`)])
    expect((await b.listConversations())[0]?.unreadCount).toBe(21)
  })

  it('a new device pages messages at the size limit from the server, more than one frame can carry', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = devices.create('a')
    await a.login(alice, TEST_PASSWORD)
    const big = Array.from({ length: 30 }, (_, i) => String(i % 10).repeat(MAX_TEXT_BYTES))
    for (const text of big) await a.sendText(bob, text)
    await waitFor('acked', async () => (await localHistory(a, bob)).every((m) => m.status === 'sent'))
    // A new device starts from the conversation list; the older messages come page by page from the server,
    // each page cut to what one frame can carry.
    const b = devices.create('b')
    await b.login(bob, TEST_PASSWORD)
    const onB: ChatMessage[] = []
    let before: number | null = null
    for (let pages = 0; pages < 50; pages++) {
      const page = await b.page(alice, before, 10)
      const older = page.messages.filter((m) => !onB.some((known) => known.id === m.id))
      onB.unshift(...older)
      if (!page.hasMore || page.messages.length === 0) break
      before = page.messages[0]!.seq
    }
    expect(onB.map(textOf)).toEqual(big)
    expect(b.status.state).toBe('connected')
  })
})
