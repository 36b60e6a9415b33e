// "Delete for me" against the real server: it reaches the account's other devices (live, and a device that was
// offline through catch-up), a new device of the account never gets the messages back, and the peer keeps them.
import { describe, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import type { MessageStore } from '../../src/main/core/store/types'
import { conversationKey, type ConversationKey } from '../../src/shared/model'
import type { ServerStore } from '../../src/server/store/types'
import { localHistory, registerUsers, TEST_PASSWORD, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'

process.env.PARLEY_LOG ??= 'warn'

let serverStore: ServerStore | null = null
function store(): ServerStore {
  if (!serverStore) throw new Error('the server store was not captured')
  return serverStore
}

/** The client id (hex) of a stored log entry's message, or null for another kind of entry. */
function idOf(entry: { message?: { clientId: Uint8Array } } | undefined): string | null {
  return entry?.message ? Buffer.from(entry.message.clientId).toString('hex') : null
}

/** The device's own store, to replay a page that was already on its way. Test-only access. */
function deviceStore(client: ChatClient): MessageStore {
  return (client as unknown as { active: { store: MessageStore } }).active.store
}

async function idsOn(client: ChatClient, peer: string): Promise<string[]> {
  return (await localHistory(client, peer)).map((m) => m.id)
}

describe('delete for me', () => {
  const { server, devices } = useServerAndDevices({
    testHooks: {
      wrapStore: (opened) => {
        serverStore = opened
        return opened
      }
    }
  })

  it('reaches my other devices (live and through catch-up), stays gone for a new device, and the peer keeps it', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a1 = devices.create('a1')
    const a2 = devices.create('a2')
    const offline = devices.create('a-offline')
    const b1 = devices.create('b1')
    await Promise.all([a1.login(alice, TEST_PASSWORD), a2.login(alice, TEST_PASSWORD), offline.login(alice, TEST_PASSWORD), b1.login(bob, TEST_PASSWORD)])

    const kept = await a1.sendText(bob, 'this one stays')
    const mine = await a1.sendText(bob, 'my typo')
    const theirs = await b1.sendText(alice, 'their noise')
    const all = [kept.id, mine.id, theirs.id]
    for (const [device, peer] of [[a1, bob], [a2, bob], [offline, bob], [b1, alice]] as const) {
      await waitFor(`the messages on ${device.deviceId}`, async () => {
        const messages = await localHistory(device, peer)
        return all.every((id) => messages.some((m) => m.id === id && m.serverId !== null))
      })
    }
    const theirsAsStored = (await localHistory(a1, bob)).find((m) => m.id === theirs.id)!
    const offlineDir = (offline as unknown as { options: { dataDir: string } }).options.dataDir
    const offlineId = offline.deviceId
    await offline.close()

    await a1.messageOps.deleteForMe(conversationKey('single', bob), [mine.id, theirs.id])
    expect(await idsOn(a1, bob)).toEqual([kept.id])
    // A history page or sync batch the server read before the deletion and that lands after it brings nothing back.
    await deviceStore(a1).applyEvents([theirsAsStored], await deviceStore(a1).getCursor())
    expect(await idsOn(a1, bob)).toEqual([kept.id])
    expect((await a1.listConversations()).find((c) => c.id === bob)?.lastMessage?.id).toBe(kept.id)
    // The other online device follows at once, through my log.
    await waitFor('a2 deleted them too', async () => (await idsOn(a2, bob)).length === 1)
    expect(await idsOn(a2, bob)).toEqual([kept.id])
    expect((await a2.listConversations()).find((c) => c.id === bob)?.lastMessage?.id).toBe(kept.id)

    // The device that was offline catches up on the deletion.
    const back = devices.create('a-offline', {}, { dataDir: offlineDir, deviceId: offlineId })
    await back.login(alice, TEST_PASSWORD)
    await back.whenSynced()
    await waitFor('the offline device deleted them on catch-up', async () => (await idsOn(back, bob)).length === 1)
    expect(await idsOn(back, bob)).toEqual([kept.id])

    // A new device of mine starts from the server: neither history, the log nor the conversation list has them.
    const fresh = devices.create('a-new')
    await fresh.login(alice, TEST_PASSWORD)
    await fresh.whenSynced()
    await waitFor('the new device has the kept message', async () => (await idsOn(fresh, bob)).includes(kept.id))
    expect(await idsOn(fresh, bob)).toEqual([kept.id])
    const history = await store().readConversation(alice, bob, 0, 50)
    expect(history.map(idOf).filter((id) => id !== null)).toEqual([kept.id])
    expect((await store().readLogAfter(alice, 0, 100)).map(idOf)).not.toEqual(expect.arrayContaining([mine.id]))
    expect((await store().readLogAfter(alice, 0, 100)).map(idOf)).not.toEqual(expect.arrayContaining([theirs.id]))
    const summary = (await store().recentConversations(alice, null, 10)).find((row) => row.conversation === bob)
    expect(idOf(summary?.last)).toBe(kept.id)

    // Deleting the newest message for me moves my conversation list's row back to the one before it.
    await a1.messageOps.deleteForMe(conversationKey('single', bob), [kept.id])
    const emptied = (await store().recentConversations(alice, null, 10)).find((row) => row.conversation === bob)
    expect(idOf(emptied?.last)).toBeNull()

    // Bob, the peer, keeps all three and is told nothing.
    expect(await idsOn(b1, alice)).toEqual(expect.arrayContaining(all))
    expect((await store().readConversation(bob, alice, 0, 50)).map(idOf)).toEqual(expect.arrayContaining(all))
    const bobsLog = await store().readLogAfter(bob, 0, 100)
    expect(bobsLog.filter((entry) => entry.userEvent?.kind === 'conversationCleared')).toEqual([])
  })

  it('in a group: my other devices and a new device of mine lose it; the other members keep it', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const [a1, a2, b1] = ['a1', 'a2', 'b1'].map((label) => devices.create(label)) as [ChatClient, ChatClient, ChatClient]
    await Promise.all([a1.login(alice, TEST_PASSWORD), a2.login(alice, TEST_PASSWORD), b1.login(bob, TEST_PASSWORD)])
    const { group } = await a1.groups.create({
      name: 'Deletions',
      description: '',
      settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 50 },
      members: [bob]
    })
    const key: ConversationKey = conversationKey('group', group)
    const kept = await a1.sendText(key, 'hello all')
    const noise = await b1.sendText(key, 'noise')
    // The two messages of the test as the device holds them (the group's notices are left out).
    const groupIds = async (client: ChatClient): Promise<string[]> =>
      (await client.pageLocal(key, null, 500)).messages.map((m) => m.id).filter((id) => id === kept.id || id === noise.id)
    for (const device of [a1, a2, b1]) {
      await waitFor(`both messages on ${device.deviceId}`, async () => {
        const messages = (await device.pageLocal(key, null, 500)).messages
        return [kept.id, noise.id].every((id) => messages.some((m) => m.id === id && m.serverId !== null))
      })
    }
    await a1.messageOps.deleteForMe(key, [noise.id])
    expect(await groupIds(a1)).toEqual([kept.id])
    await waitFor('a2 deleted it too', async () => !(await groupIds(a2)).includes(noise.id))
    expect(await groupIds(a2)).toEqual([kept.id])

    const fresh = devices.create('a-new')
    await fresh.login(alice, TEST_PASSWORD)
    await fresh.whenSynced()
    await waitFor('the new device has the kept message', async () => (await groupIds(fresh)).includes(kept.id))
    expect(await groupIds(fresh)).toEqual([kept.id])
    const history = await store().groupHistory(alice, group, 0, 50, Date.now())
    if (!Array.isArray(history)) throw new Error(history.refusal.message)
    expect(history.map(idOf)).not.toContain(noise.id)
    expect(history.map(idOf)).toContain(kept.id)

    // Bob keeps it, on his device and in his history from the server.
    expect(await groupIds(b1)).toEqual(expect.arrayContaining([kept.id, noise.id]))
    const bobs = await store().groupHistory(bob, group, 0, 50, Date.now())
    if (!Array.isArray(bobs)) throw new Error(bobs.refusal.message)
    expect(bobs.map(idOf)).toContain(noise.id)
  })
})
