// Receipts and typing through ChatClient against the real server on port 0: a message moves sending -> sent ->
// delivered -> read with two devices per side, group read counts and readers, read receipts turned off, and the
// typing indicator (relayed, throttled, expiring, never to a non-member, never stored).
import { describe, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import type { ChatMessage, DeliveryState, TypingEvent } from '../../src/shared/model'
import { deliveryStateOf } from '../../src/shared/model/delivery-state'
import { TYPING_EXPIRE_MS } from '../../src/main/core/receipts'
import { localHistory, registerUsers, TEST_PASSWORD, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'

const single = (id: string) => ({ type: 'single' as const, id })
const group = (id: string) => ({ type: 'group' as const, id })

/** The ticks `client` shows for its message `id` in its chat with `peer`, from what the device has (no request). */
async function ticksOn(client: ChatClient, peer: string, id: string): Promise<DeliveryState | null> {
  const message = (await localHistory(client, peer)).find((m) => m.id === id)
  if (!message) return null
  return deliveryStateOf(message, await client.receipts.knownPeer(single(peer)))
}

/** The message as stored on `client` once acked (sendText answers before the ack, without a seq). */
async function acked(client: ChatClient, peer: string, id: string): Promise<ChatMessage> {
  let found: ChatMessage | undefined
  await waitFor(`${id} acked on ${client.deviceId}`, async () => {
    found = (await localHistory(client, peer)).find((m) => m.id === id && m.seq !== null)
    return !!found
  })
  return found!
}

async function waitForTicks(client: ChatClient, peer: string, id: string, state: DeliveryState): Promise<void> {
  await waitFor(`${client.deviceId} to show ${state}`, async () => (await ticksOn(client, peer, id)) === state)
}

describe('receipts through the client', () => {
  const { server, devices } = useServerAndDevices()

  async function signIn(user: string, label: string): Promise<ChatClient> {
    const client = devices.create(label)
    await client.login(user, TEST_PASSWORD)
    return client
  }

  it('a message goes sent -> delivered -> read, shown on both of the sender\'s devices, with two devices per side', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const [a1, a2] = await Promise.all([signIn(alice, 'a1'), signIn(alice, 'a2')])

    const sent = await a1.sendText(bob, 'are you there?')
    expect(deliveryStateOf(sent, await a1.receipts.knownPeer(single(bob)))).toBe('sending')
    // Bob has no device online: sent (acked) on both of alice's devices, not delivered.
    await waitForTicks(a1, bob, sent.id, 'sent')
    await waitForTicks(a2, bob, sent.id, 'sent')
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await ticksOn(a1, bob, sent.id)).toBe('sent')

    // One of bob's devices stores it: delivered on both of alice's devices.
    const b1 = await signIn(bob, 'b1')
    await waitFor('b1 to store the message', async () => (await localHistory(b1, alice)).some((m) => m.id === sent.id))
    await waitForTicks(a1, bob, sent.id, 'delivered')
    await waitForTicks(a2, bob, sent.id, 'delivered')

    // Bob reads on his second device: read on both of alice's devices.
    const b2 = await signIn(bob, 'b2')
    await waitFor('b2 to store the message', async () => (await localHistory(b2, alice)).some((m) => m.id === sent.id))
    await b2.markRead(alice)
    await waitForTicks(a1, bob, sent.id, 'read')
    await waitForTicks(a2, bob, sent.id, 'read')

    // A later message is delivered at once to bob's online devices, and read on the other device of bob's.
    const later = await a2.sendText(bob, 'great')
    await waitForTicks(a1, bob, later.id, 'delivered')
    await waitFor('b1 to store the later message', async () => (await localHistory(b1, alice)).some((m) => m.id === later.id))
    await b1.markRead(alice)
    await waitForTicks(a1, bob, later.id, 'read')
    await waitForTicks(a2, bob, later.id, 'read')

    // A device that signs in later learns the peer's pointers from the server.
    const a3 = await signIn(alice, 'a3')
    const laterSeq = (await acked(a1, bob, later.id)).seq!
    expect((await a3.receipts.peer(single(bob))).readSeq).toBeGreaterThanOrEqual(laterSeq)
  })

  it('with read receipts off, the peer sees delivered but never read; the setting follows the account to its other devices', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const [a1, b1, b2] = await Promise.all([signIn(alice, 'a1'), signIn(bob, 'b1'), signIn(bob, 'b2')])

    const privacyOnB2: boolean[] = []
    b2.on('privacy', (settings) => privacyOnB2.push(settings.readReceiptsOff))
    expect(await b1.receipts.setPrivacy({ readReceiptsOff: true, typingOff: false })).toEqual({ readReceiptsOff: true, typingOff: false })
    await waitFor('b2 to follow the setting', () => privacyOnB2.includes(true))

    const sent = await a1.sendText(bob, 'did you read this?')
    await waitForTicks(a1, bob, sent.id, 'delivered')
    await waitFor('b2 to store it', async () => (await localHistory(b2, alice)).some((m) => m.id === sent.id))
    await b2.markRead(alice)
    await b2.whenSynced()
    await waitFor('bob\'s pointer on the server', async () => (await b1.listConversations()).find((c) => c.id === alice)?.unreadCount === 0)
    // The server's answer, not only this device's copy: never read.
    const peer = await a1.receipts.peer(single(bob))
    expect(peer.readSeq).toBe(0)
    expect(peer.deliveredSeq).toBeGreaterThanOrEqual((await acked(a1, bob, sent.id)).seq!)
    expect(await ticksOn(a1, bob, sent.id)).toBe('delivered')

    // Turned back on: the next read is reported.
    await b1.receipts.setPrivacy({ readReceiptsOff: false, typingOff: false })
    const next = await a1.sendText(bob, 'and this?')
    await waitFor('b1 to store it', async () => (await localHistory(b1, alice)).some((m) => m.id === next.id))
    await b1.markRead(alice)
    await waitForTicks(a1, bob, next.id, 'read')
  })

  it('a group message shows how many members read it, the readers on demand, without members who turned receipts off', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    const carol = uniqueUser('carol')
    const dave = uniqueUser('dave')
    await registerUsers(server, alice, bob, carol, dave)
    const [a1, a2, b1, c1, d1] = await Promise.all([signIn(alice, 'a1'), signIn(alice, 'a2'), signIn(bob, 'b1'), signIn(carol, 'c1'), signIn(dave, 'd1')])
    await d1.receipts.setPrivacy({ readReceiptsOff: true, typingOff: false })
    const created = await a1.groups.create({
      name: 'Readers',
      description: '',
      settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 50 },
      members: [bob, carol, dave]
    })
    const g = created.group
    const sent = await a1.sendText(group(g), 'please read')
    await waitFor('the group seq of the message', async () => ((await a1.pageLocal(group(g), null, 50)).messages.find((m) => m.id === sent.id)?.seq ?? 0) > 0)
    const seq = (await a1.pageLocal(group(g), null, 50)).messages.find((m) => m.id === sent.id)!.seq!
    const readCount = async (client: ChatClient): Promise<number | undefined> => (await client.receipts.groupCounts(group(g), [seq])).counts[seq]

    expect(await readCount(a1)).toBe(0)
    const readsPushed: number[] = []
    a2.on('groupRead', (read) => readsPushed.push(read.readSeq))
    for (const reader of [b1, c1, d1]) {
      await waitFor(`${reader.deviceId} to store it`, async () => (await reader.pageLocal(group(g), null, 50)).messages.some((m) => m.id === sent.id))
    }
    await b1.markRead(group(g))
    await waitFor('the count to reach 1', async () => (await readCount(a2)) === 1)
    await waitFor('alice\'s other device to be told', () => readsPushed.some((s) => s >= seq))
    await c1.markRead(group(g))
    await d1.markRead(group(g))
    await d1.whenSynced()
    await waitFor('the count to reach 2', async () => (await readCount(a1)) === 2)
    const counts = await a1.receipts.groupCounts(group(g), [seq])
    expect(counts).toMatchObject({ available: true, memberCount: 3 })
    const readers = await a1.receipts.groupReaders(group(g), seq)
    expect(readers.readers).toEqual([bob, carol].sort())
    // A non-member cannot ask.
    const eve = uniqueUser('eve')
    await registerUsers(server, eve)
    const e1 = await signIn(eve, 'e1')
    await expect(e1.receipts.groupReaders(group(g), seq)).rejects.toMatchObject({ code: 'NOT_MEMBER' })
  })

  it('typing is relayed to the peer\'s devices, throttled, expires by itself, goes to no non-member, and is never stored', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    const carol = uniqueUser('carol')
    await registerUsers(server, alice, bob, carol)
    const [a1, a2, b1, b2, c1] = await Promise.all([signIn(alice, 'a1'), signIn(alice, 'a2'), signIn(bob, 'b1'), signIn(bob, 'b2'), signIn(carol, 'c1')])
    const seen = new Map<string, TypingEvent[]>()
    for (const client of [a1, a2, b1, b2, c1]) {
      const events: TypingEvent[] = []
      seen.set(client.deviceId, events)
      client.on('typing', (event) => events.push(event))
    }
    const eventsOf = (client: ChatClient): TypingEvent[] => seen.get(client.deviceId)!
    // So the chat exists for both (typing does not need it, the blocked check reads it).
    const hi = await a1.sendText(bob, 'hi')
    // A message from the typer ends their typing line: let it land first.
    for (const device of [b1, b2]) await acked(device, alice, hi.id)
    await waitForTicks(a1, bob, hi.id, 'delivered')
    await new Promise((resolve) => setTimeout(resolve, 500))
    const rowsBefore = await server.server.storeRowCounts()

    expect(await a1.receipts.setTyping(single(bob), true)).toBe(true)
    // Throttled: a second "typing" within the interval sends nothing (the client's throttle), and the server relays
    // none from alice's other device either (its own, per user and conversation).
    expect(await a1.receipts.setTyping(single(bob), true)).toBe(false)
    expect(await a2.receipts.setTyping(single(bob), true)).toBe(false)
    for (const device of [b1, b2]) {
      await waitFor(`${device.deviceId} to show alice typing`, () => eventsOf(device).some((e) => e.typing && e.user === alice && e.conversation.id === alice))
      expect(device.receipts.typingIn(single(alice))).toEqual([alice])
    }
    // Silence: it expires on the receiver by itself.
    const shownAt = Date.now()
    await waitFor('the typing line to expire on b1', () => b1.receipts.typingIn(single(alice)).length === 0, TYPING_EXPIRE_MS + 5_000)
    expect(Date.now() - shownAt).toBeGreaterThan(TYPING_EXPIRE_MS - 1_500)
    expect(eventsOf(b1).filter((e) => e.user === alice).map((e) => e.typing)).toEqual([true, false])

    // Stopped (draft cleared) ends it at once, after a new "typing" (the interval has passed).
    expect(await a1.receipts.setTyping(single(bob), true)).toBe(true)
    await waitFor('b2 to show it again', () => b2.receipts.typingIn(single(alice)).length === 1)
    expect(await a1.receipts.setTyping(single(bob), false)).toBe(true)
    await waitFor('b2 to clear it', () => b2.receipts.typingIn(single(alice)).length === 0)
    // Never stored: no table of the server's store has a row more than before.
    expect(await server.server.storeRowCounts()).toEqual(rowsBefore)

    // Groups: members' devices see it; a non-member's never do, and a non-member cannot type there.
    const g = (await a1.groups.create({
      name: 'Typists',
      description: '',
      settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 50 },
      members: [bob]
    })).group
    await waitFor('b1 to join', async () => (await b1.listConversations()).some((c) => c.id === g))
    expect(await a1.receipts.setTyping(group(g), true)).toBe(true)
    await waitFor('b1 to show alice typing in the group', () => b1.receipts.typingIn(group(g)).includes(alice))
    expect(await c1.receipts.setTyping(group(g), true)).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(eventsOf(c1)).toEqual([])
    // The typer's own other device shows nothing of it.
    expect(eventsOf(a2)).toEqual([])
    expect(b1.receipts.typingIn(group(g))).toEqual([alice])

    // Nothing of it in history or in a new device's sync either.
    const b3 = await signIn(bob, 'b3')
    const history: ChatMessage[] = (await b3.page(single(alice), null, 50)).messages
    expect(history.map((m) => m.content.type)).toEqual(['text'])
  })
})
