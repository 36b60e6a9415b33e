// Recall, edit, clearing and self-destruct against the real server with two devices per side: what every device
// shows, what a fresh device gets back through history, sync, the conversation list and search, and what the
// server's store still holds (read through its ServerStore interface, never its file).
import { describe, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import type { MessageStore } from '../../src/main/core/store/types'
import { conversationKey, type ChatMessage, type ConversationKey } from '../../src/shared/model'
import type { ServerStore } from '../../src/server/store/types'
import { failure, localHistory, registerUsers, TEST_PASSWORD, textOf, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'

process.env.PARLEY_LOG ??= 'warn'
// A short recall window, so "outside the window" needs no long wait; every recall inside it happens at once.
const RECALL_WINDOW_SEC = 3
process.env.PARLEY_RECALL_WINDOW_SEC = String(RECALL_WINDOW_SEC)
// A short edit window too (the edits of the other tests follow their send at once).
const EDIT_WINDOW_SEC = 5
process.env.PARLEY_EDIT_WINDOW_SEC = String(EDIT_WINDOW_SEC)

let serverStore: ServerStore | null = null
function store(): ServerStore {
  if (!serverStore) throw new Error('the server store was not captured')
  return serverStore
}

/** The device's own store (search is not on ChatClient yet: the search helper adds it). Test-only access. */
function deviceStore(client: ChatClient): MessageStore {
  return (client as unknown as { active: { store: MessageStore } }).active.store
}

/** The client id (hex) of a stored log entry's message, or null for another kind of entry. */
function idOf(entry: { message?: { clientId: Uint8Array } }): string | null {
  return entry.message ? Buffer.from(entry.message.clientId).toString('hex') : null
}

describe('recall, edit, clear and self-destruct', () => {
  const { server, devices } = useServerAndDevices({
    testHooks: {
      wrapStore: (opened) => {
        serverStore = opened
        return opened
      }
    }
  })

  const pairWithTwoDevicesEach = async (): Promise<{ alice: string; bob: string; a1: ChatClient; a2: ChatClient; b1: ChatClient; b2: ChatClient }> => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const [a1, a2, b1, b2] = ['a1', 'a2', 'b1', 'b2'].map((label) => devices.create(label))
    await Promise.all([a1!.login(alice, TEST_PASSWORD), a2!.login(alice, TEST_PASSWORD), b1!.login(bob, TEST_PASSWORD), b2!.login(bob, TEST_PASSWORD)])
    return { alice, bob, a1: a1!, a2: a2!, b1: b1!, b2: b2! }
  }

  /** The message as the device holds it; `peer` is a user (one-to-one) or a group key. */
  const messageOn = async (client: ChatClient, peer: string | ConversationKey, id: string): Promise<ChatMessage | undefined> => {
    if (typeof peer === 'string') return (await localHistory(client, peer)).find((m) => m.id === id)
    return (await client.pageLocal(peer, null, 500)).messages.find((m) => m.id === id)
  }

  const waitForMessage = async (client: ChatClient, peer: string | ConversationKey, id: string, check: (m: ChatMessage | undefined) => boolean, what: string): Promise<void> =>
    waitFor(`${what} on ${client.deviceId}`, async () => check(await messageOn(client, peer, id)))

  /** A new device of `user`: it starts from the server (conversation list, then history pages). */
  const freshDevice = async (user: string, label: string): Promise<ChatClient> => {
    const device = devices.create(label)
    await device.login(user, TEST_PASSWORD)
    await device.whenSynced()
    return device
  }

  it('a recall inside the window shows the notice on every device, and the server keeps no content', async () => {
    const { alice, bob, a1, a2, b1, b2 } = await pairWithTwoDevicesEach()
    const sent = await a1.sendText(bob, 'sent to the wrong chat')
    const views: Array<[ChatClient, string]> = [[a1, bob], [a2, bob], [b1, alice], [b2, alice]]
    for (const [device, peer] of views) await waitForMessage(device, peer, sent.id, (m) => m?.status !== 'sending' && m !== undefined, 'the message')
    await waitFor('the ack', async () => (await messageOn(a1, bob, sent.id))?.serverId !== null)

    const recalled = await a1.messageOps.recall(conversationKey('single', bob), sent.id)
    expect(recalled?.content).toMatchObject({ type: 'recalled', by: alice })
    for (const [device, peer] of views) {
      await waitForMessage(device, peer, sent.id, (m) => m?.content.type === 'recalled', 'the recall notice')
      expect((await messageOn(device, peer, sent.id))?.content).toMatchObject({ type: 'recalled', by: alice })
      expect(await deviceStore(device).search('wrong chat', 10)).toHaveLength(0)
    }
    // The server's store: both users' log entries point at a message without content.
    for (const [user, peer] of [[alice, bob], [bob, alice]] as const) {
      const entries = await store().readConversation(user, peer, 0, 10)
      const entry = entries.find((e) => idOf(e) === sent.id)
      expect(entry?.message?.recalledBy).toBe(alice)
      expect(entry?.message?.body.length).toBe(0)
    }
    // A new device gets the notice through history, never the text.
    const b3 = await freshDevice(bob, 'b3')
    await waitForMessage(b3, alice, sent.id, (m) => m?.content.type === 'recalled', 'the recalled message in history')
  })

  it('a recall outside the window is refused with its own code and sentence, and nothing changes', async () => {
    const { alice, bob, a1, b1 } = await pairWithTwoDevicesEach()
    const sent = await a1.sendText(bob, 'too late to take back')
    await waitForMessage(b1, alice, sent.id, (m) => m !== undefined, 'the message')
    await waitFor('the ack', async () => (await messageOn(a1, bob, sent.id))?.serverId !== null)
    await new Promise((resolve) => setTimeout(resolve, RECALL_WINDOW_SEC * 1000 + 300))
    const refused = await failure(a1.messageOps.recall(conversationKey('single', bob), sent.id))
    expect(refused.code).toBe('RECALL_WINDOW_CLOSED')
    expect(refused.message).toMatch(/can no longer be recalled/)
    const entries = await store().readConversation(bob, alice, 0, 10)
    const entry = entries.find((e) => idOf(e) === sent.id)
    expect(entry?.message?.body.length).toBeGreaterThan(0)
    expect(entry?.message?.recalledBy).toBeUndefined()
    expect(textOf((await messageOn(b1, alice, sent.id))!)).toBe('too late to take back')
    // Bob cannot recall Alice's message in a one-to-one chat at all.
    const notMine = await failure(b1.messageOps.recall(conversationKey('single', alice), sent.id))
    expect(notMine.code).toBe('FORBIDDEN')
  })

  it('an edit outside the window is refused with its own code, and the text stays on every side', async () => {
    const { alice, bob, a1, b1 } = await pairWithTwoDevicesEach()
    const sent = await a1.sendText(bob, 'written in stone')
    await waitForMessage(b1, alice, sent.id, (m) => m !== undefined, 'the message')
    await waitFor('the ack', async () => (await messageOn(a1, bob, sent.id))?.serverId !== null)
    await new Promise((resolve) => setTimeout(resolve, EDIT_WINDOW_SEC * 1000 + 300))
    const refused = await failure(a1.messageOps.edit(conversationKey('single', bob), sent.id, 'rewritten'))
    expect(refused.code).toBe('EDIT_WINDOW_CLOSED')
    const entry = (await store().readConversation(bob, alice, 0, 10)).find((e) => idOf(e) === sent.id)
    expect(entry?.message?.editedAt).toBeUndefined()
    expect(textOf((await messageOn(a1, bob, sent.id))!)).toBe('written in stone')
    expect(textOf((await messageOn(b1, alice, sent.id))!)).toBe('written in stone')
  })

  it('a group admin recalls another member’s message; a plain member cannot', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    const carol = uniqueUser('carol')
    await registerUsers(server, alice, bob, carol)
    const [a1, b1, b2, c1] = ['a1', 'b1', 'b2', 'c1'].map((label) => devices.create(label)) as [ChatClient, ChatClient, ChatClient, ChatClient]
    await Promise.all([a1.login(alice, TEST_PASSWORD), b1.login(bob, TEST_PASSWORD), b2.login(bob, TEST_PASSWORD), c1.login(carol, TEST_PASSWORD)])
    const { group } = await a1.groups.create({
      name: 'Moderated',
      description: '',
      settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 50 },
      members: [bob, carol]
    })
    await a1.groups.setAdmin(group, bob, true)
    const key: ConversationKey = conversationKey('group', group)
    const fromCarol = await c1.sendText(key, 'spam spam spam')
    const fromAlice = await a1.sendText(key, 'welcome')
    for (const device of [a1, b1, b2, c1]) {
      await waitForMessage(device, key, fromAlice.id, (m) => m?.serverId !== null && m !== undefined, 'alice’s message')
      await waitForMessage(device, key, fromCarol.id, (m) => m?.serverId !== null && m !== undefined, 'carol’s message')
    }

    // Carol, a plain member, may not take back the owner's message.
    const refused = await failure(c1.messageOps.recall(key, fromAlice.id))
    expect(refused.code).toBe('FORBIDDEN')
    // Bob, an admin, recalls Carol's message: every member device shows "bob recalled a message".
    await b1.messageOps.recall(key, fromCarol.id)
    for (const device of [a1, b1, b2, c1]) {
      await waitForMessage(device, key, fromCarol.id, (m) => m?.content.type === 'recalled', 'the recall notice')
      expect((await messageOn(device, key, fromCarol.id))?.content).toMatchObject({ type: 'recalled', by: bob })
      expect(textOf((await messageOn(device, key, fromAlice.id))!)).toBe('welcome')
    }
    const history = await store().groupHistory(alice, group, 0, 10, Date.now())
    if (!Array.isArray(history)) throw new Error(history.refusal.message)
    const stored = history.find((e) => idOf(e) === fromCarol.id)
    expect(stored?.message?.recalledBy).toBe(bob)
  })

  it('an edit shows on every device and in history; search finds the new text, not the old', async () => {
    const { alice, bob, a1, a2, b1, b2 } = await pairWithTwoDevicesEach()
    const sent = await a1.sendText(bob, 'meet at nine tomorrow')
    await waitFor('the ack', async () => (await messageOn(a1, bob, sent.id))?.serverId !== null)
    await a1.messageOps.edit(conversationKey('single', bob), sent.id, 'meet at ten tomorrow')
    const views: Array<[ChatClient, string]> = [[a1, bob], [a2, bob], [b1, alice], [b2, alice]]
    for (const [device, peer] of views) {
      await waitForMessage(device, peer, sent.id, (m) => m !== undefined && textOf(m) === 'meet at ten tomorrow', 'the edited text')
      const message = (await messageOn(device, peer, sent.id))!
      expect(message.content.type === 'text' && message.content.editedAt).toBeGreaterThan(0)
      expect((await deviceStore(device).search('ten tomorrow', 10)).map((m) => m.id)).toContain(sent.id)
      expect(await deviceStore(device).search('nine', 10)).toHaveLength(0)
    }
    const b3 = await freshDevice(bob, 'b3')
    await waitForMessage(b3, alice, sent.id, (m) => m !== undefined && textOf(m) === 'meet at ten tomorrow', 'the edited text in history')
    const onB3 = (await messageOn(b3, alice, sent.id))!
    expect(onB3.content.type === 'text' && onB3.content.editedAt).toBeGreaterThan(0)
  })

  it('burn after reading: gone from every device and from the server store after the first read', async () => {
    const { alice, bob, a1, a2, b1, b2 } = await pairWithTwoDevicesEach()
    const kept = await a1.sendText(bob, 'this one stays')
    const burning = await a1.sendText(bob, 'read me once', { burnAfterReadSec: 1 })
    const views: Array<[ChatClient, string]> = [[a1, bob], [a2, bob], [b1, alice], [b2, alice]]
    for (const [device, peer] of views) await waitForMessage(device, peer, burning.id, (m) => m?.serverId !== null && m !== undefined, 'the message')
    expect((await messageOn(b2, alice, burning.id))?.burnAfterReadSec).toBe(1)
    // Unread, it waits: no timer runs before the first read.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(await messageOn(b1, alice, burning.id)).toBeDefined()

    await b1.markRead(alice)
    for (const [device, peer] of views) {
      await waitFor(`the burnt message gone from ${device.deviceId}`, async () => (await messageOn(device, peer, burning.id)) === undefined, 8_000)
      expect(await messageOn(device, peer, kept.id)).toBeDefined()
    }
    for (const [user, peer] of [[alice, bob], [bob, alice]] as const) {
      // The server's sweeper runs on the same expiry as the devices' timers (milliseconds apart).
      await waitFor(`the server's copy in ${user}'s log gone`, async () =>
        (await store().readConversation(user, peer, 0, 10)).every((e) => idOf(e) !== burning.id), 3_000)
      const entries = await store().readConversation(user, peer, 0, 10)
      expect(entries.map((e) => idOf(e))).not.toContain(burning.id)
      expect(entries.map((e) => idOf(e))).toContain(kept.id)
    }
    const a3 = await freshDevice(alice, 'a3')
    await waitForMessage(a3, bob, kept.id, (m) => m !== undefined, 'the kept message')
    expect(await messageOn(a3, bob, burning.id)).toBeUndefined()
  })

  it('disappearing timer: expired messages are absent from history, sync, the conversation list and search', async () => {
    const { alice, bob, a1, a2, b1, b2 } = await pairWithTwoDevicesEach()
    const before = await a1.sendText(bob, 'before the timer')
    await waitForMessage(b1, alice, before.id, (m) => m !== undefined, 'the first message')
    await a1.messageOps.setDisappearingTimer(conversationKey('single', bob), 1)
    // Both sides see the setting.
    await waitFor('bob sees the timer', async () => (await b2.messageOps.disappearingTimer(conversationKey('single', alice))) === 1)

    // b2 is offline when the message arrives and expires: it catches up through sync afterwards.
    await b2.close()
    const vanishing = await a1.sendText(bob, 'vanishing words')
    const views: Array<[ChatClient, string]> = [[a1, bob], [a2, bob], [b1, alice]]
    await waitFor('the ack', async () => (await messageOn(a1, bob, vanishing.id))?.expiresAt !== undefined)
    for (const [device, peer] of views) {
      await waitFor(`the message gone from ${device.deviceId}`, async () => (await messageOn(device, peer, vanishing.id)) === undefined, 8_000)
      expect(await deviceStore(device).search('vanishing', 10)).toHaveLength(0)
      const conversation = (await device.listConversations()).find((c) => c.id === peer)
      expect(conversation?.lastMessage?.id).toBe(before.id)
    }
    // The server: history and the conversation list no longer hold it.
    await waitFor("the server's copy gone", async () => (await store().readConversation(bob, alice, 0, 10)).every((e) => idOf(e) !== vanishing.id), 3_000)
    expect((await store().readConversation(bob, alice, 0, 10)).map((e) => idOf(e))).not.toContain(vanishing.id)
    const recent = await store().recentConversations(bob, null, 10)
    const summary = recent.find((row) => row.conversation === alice)
    expect(summary && idOf(summary.last)).toBe(before.id)
    // Sync: a device that catches up after the expiry never stores it.
    const b2Again = devices.create('b2-again')
    await b2Again.login(bob, TEST_PASSWORD)
    await b2Again.whenSynced()
    await waitForMessage(b2Again, alice, before.id, (m) => m !== undefined, 'the kept message')
    expect(await messageOn(b2Again, alice, vanishing.id)).toBeUndefined()
    const fromLog = await store().readLogAfter(bob, 0, 100)
    expect(fromLog.some((e) => idOf(e) === vanishing.id)).toBe(false)
  })

  it('clearing a conversation on my other devices travels through my log; the other side keeps it', async () => {
    const { alice, bob, a1, a2, b1 } = await pairWithTwoDevicesEach()
    const first = await a1.sendText(bob, 'one')
    const second = await b1.sendText(alice, 'two')
    // a1 too: whenSynced does not wait for a pushed entry still being applied (or the catch-up of its gap), which
    // would bring both messages back after the local clear.
    for (const device of [a1, a2]) for (const id of [first.id, second.id]) await waitForMessage(device, bob, id, (m) => m !== undefined && m.seq !== null, 'the messages')
    await a1.whenSynced()
    await a1.messageOps.clear(conversationKey('single', bob), true)
    expect(await localHistory(a1, bob)).toHaveLength(0)
    await waitFor('a2 cleared', async () => (await localHistory(a2, bob)).length === 0)
    expect((await localHistory(b1, alice)).map((m) => m.id)).toEqual(expect.arrayContaining([first.id, second.id]))
    // Delete for me follows my account to my other devices too (client-delete-for-me.test.ts); the peer keeps it.
    const third = await b1.sendText(alice, 'three')
    await waitForMessage(a2, bob, third.id, (m) => m?.serverId !== null && m !== undefined, 'the third message')
    await waitForMessage(a1, bob, third.id, (m) => m?.serverId !== null && m !== undefined, 'the third message')
    await a1.messageOps.deleteForMe(conversationKey('single', bob), [third.id])
    expect(await messageOn(a1, bob, third.id)).toBeUndefined()
    await waitForMessage(a2, bob, third.id, (m) => m === undefined, 'the third message deleted for me')
    expect(await messageOn(b1, alice, third.id)).toBeDefined()
  })

  // Last: it stops the server for a while.
  it('devices delete expired messages on time while the server is unreachable', async () => {
    const { alice, bob, a1, b1 } = await pairWithTwoDevicesEach()
    await a1.messageOps.setDisappearingTimer(conversationKey('single', bob), 2)
    await waitFor('bob sees the timer', async () => (await b1.messageOps.disappearingTimer(conversationKey('single', alice))) === 2)
    const vanishing = await a1.sendText(bob, 'gone even offline')
    await waitForMessage(b1, alice, vanishing.id, (m) => m?.expiresAt !== undefined, 'the message with its expiry')
    await waitForMessage(a1, bob, vanishing.id, (m) => m?.expiresAt !== undefined, 'the sent message with its expiry')
    await server.stop()
    try {
      for (const [device, peer] of [[a1, bob], [b1, alice]] as const) {
        await waitFor(`the message gone from ${device.deviceId} offline`, async () => (await messageOn(device, peer, vanishing.id)) === undefined, 6_000)
        expect(await deviceStore(device).search('offline', 10)).toHaveLength(0)
      }
    } finally {
      await server.start()
    }
  })
})
