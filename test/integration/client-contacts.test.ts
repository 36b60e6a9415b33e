// Contacts, profiles and presence through ChatClient against the real server: two users with two devices each
// end with the same contacts on every device (and after a restart, and on a new device); presence and profile
// changes reach a friend's device live; change password and delete account as a user meets them.
import { describe, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import type { ContactsState, UserPresence, UserProfile } from '../../src/shared/model/contacts'
import { AppError } from '../../src/shared/errors'
import type { ServerStore } from '../../src/server/store/types'
import { makeTempDir, registerUsers, TEST_PASSWORD, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'
import type { FailureReason } from '../../src/shared/errors'

/** The contacts as a user sees them, without the times (each side's `at` may differ by a clock tick). */
function shape(state: ContactsState): unknown {
  return {
    friends: state.friends.map((f) => `${f.user}:${f.remark}`),
    incoming: state.incoming.map((r) => `${r.peer}:${r.message}`),
    outgoing: state.outgoing.map((r) => `${r.peer}:${r.message}`),
    blocked: state.blocked
  }
}

async function stateOf(client: ChatClient): Promise<unknown> {
  return shape(await client.contacts.state())
}

/** Waits until every device shows `expected` (by its local store). */
async function allShow(what: string, clients: ChatClient[], expected: unknown): Promise<void> {
  await waitFor(what, async () => {
    for (const client of clients) if (JSON.stringify(await stateOf(client)) !== JSON.stringify(expected)) return false
    return true
  })
  for (const client of clients) expect(await stateOf(client)).toEqual(expected)
}

async function refusal(work: Promise<unknown>): Promise<AppError> {
  try {
    await work
  } catch (err) {
    return AppError.from(err)
  }
  throw new Error('expected a refusal')
}

describe('contacts across two users with two devices each', () => {
  const { server, devices } = useServerAndDevices()

  it('request, accept, remark, remove and block: all four devices agree, after a restart and on a new device', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a2Dir = makeTempDir()
    const a2Id = `a2-${alice}`
    const a1 = devices.create('a1')
    let a2 = devices.create('a2', {}, { dataDir: a2Dir, deviceId: a2Id })
    const b1 = devices.create('b1')
    const b2 = devices.create('b2')
    await Promise.all([a1.login(alice, TEST_PASSWORD), a2.login(alice, TEST_PASSWORD), b1.login(bob, TEST_PASSWORD), b2.login(bob, TEST_PASSWORD)])

    // A request with a message: the sender's devices hold it as outgoing, the addressee's as incoming.
    await a1.contacts.sendRequest(bob.toUpperCase(), 'hi, it is alice')
    await allShow('the request on alice’s devices', [a1, a2], { friends: [], incoming: [], outgoing: [`${bob}:hi, it is alice`], blocked: [] })
    await allShow('the request on bob’s devices', [b1, b2], { friends: [], incoming: [`${alice}:hi, it is alice`], outgoing: [], blocked: [] })
    // Asking twice is refused with a sentence naming the person.
    const again = await refusal(a2.contacts.sendRequest(bob, 'again'))
    expect(again.code).toBe('CONFLICT')
    expect(again.message).toContain(bob)

    // Accepted on bob's second device: friends on every device, no request left.
    await b2.contacts.decide(alice, true)
    await allShow('friends on alice’s devices', [a1, a2], { friends: [`${bob}:`], incoming: [], outgoing: [], blocked: [] })
    await allShow('friends on bob’s devices', [b1, b2], { friends: [`${alice}:`], incoming: [], outgoing: [], blocked: [] })

    // A remark is mine alone; a single chat with bob takes it as its title on both of alice's devices.
    await a1.sendText(bob, 'hello friend')
    await a1.contacts.setRemark(bob, 'Bobby')
    await allShow('the remark on alice’s devices', [a1, a2], { friends: [`${bob}:Bobby`], incoming: [], outgoing: [], blocked: [] })
    await allShow('no remark on bob’s devices', [b1, b2], { friends: [`${alice}:`], incoming: [], outgoing: [], blocked: [] })
    await waitFor('the chat title on alice’s second device', async () => {
      const chat = (await a2.listConversations()).find((c) => c.chatType === 'single' && c.id === bob)
      return chat?.title === 'Bobby'
    })

    // A restart of a device (a new ChatClient on the same store) keeps the same contacts.
    await a2.close()
    a2 = devices.create('a2', {}, { dataDir: a2Dir, deviceId: a2Id })
    await a2.login(alice, TEST_PASSWORD)
    expect(await stateOf(a2)).toEqual(await stateOf(a1))

    // Removed by bob: both lose the contact everywhere.
    await b1.contacts.remove(alice)
    const none = { friends: [], incoming: [], outgoing: [], blocked: [] }
    await allShow('no friends any more', [a1, a2, b1, b2], none)
    const chat = (await a1.listConversations()).find((c) => c.chatType === 'single' && c.id === bob)
    expect(chat?.title ?? null).toBeNull()

    // Blocked by alice: her devices list it; bob's requests are refused with a clear error; unblock lifts it.
    await a2.contacts.setBlocked(bob, true)
    await allShow('bob blocked on alice’s devices', [a1, a2], { ...none, blocked: [bob] })
    await allShow('nothing on bob’s devices', [b1, b2], none)
    const blocked = await refusal(b1.contacts.sendRequest(alice, 'please'))
    expect(blocked.code).toBe('BLOCKED')
    expect(blocked.message).toContain(alice)

    // A new device of alice starts from the full list and agrees with the others.
    const a3 = devices.create('a3')
    await a3.login(alice, TEST_PASSWORD)
    await waitFor('the new device’s contacts', async () => JSON.stringify(await stateOf(a3)) === JSON.stringify(await stateOf(a1)))

    await a1.contacts.setBlocked(bob, false)
    await allShow('unblocked on all of alice’s devices', [a1, a2, a3], none)
    // And once more after a restart of a device that saw all of it.
    await a2.close()
    a2 = devices.create('a2', {}, { dataDir: a2Dir, deviceId: a2Id })
    await a2.login(alice, TEST_PASSWORD)
    expect(await stateOf(a2)).toEqual(none)
  })

  it('a friend’s presence and profile changes reach the other side live; my profile reaches my other device', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a1 = devices.create('a1')
    const b1 = devices.create('b1')
    const b2 = devices.create('b2')
    await Promise.all([a1.login(alice, TEST_PASSWORD), b1.login(bob, TEST_PASSWORD), b2.login(bob, TEST_PASSWORD)])
    await a1.contacts.sendRequest(bob, '')
    await waitFor('the request on bob’s device', async () => (await b1.contacts.state()).incoming.length === 1)
    await b1.contacts.decide(alice, true)
    await waitFor('bob online for alice', async () => (await a1.contacts.presence()).some((p) => p.user === bob && p.online))

    const presences: UserPresence[] = []
    const profiles: UserProfile[] = []
    a1.on('presenceChanged', (p) => presences.push(p))
    a1.on('profileChanged', (p) => profiles.push(p))

    // Bob sets a nickname and status on one device: alice hears both, and her chat with bob shows the nickname.
    await a1.sendText(bob, 'hi')
    const mine = await b1.contacts.updateProfile({ nickname: 'Bob Ström 鲍勃', statusText: 'at lunch' })
    expect(mine.nickname).toBe('Bob Ström 鲍勃')
    await waitFor('bob’s profile at alice', () => profiles.some((p) => p.user === bob && p.nickname === 'Bob Ström 鲍勃'))
    await waitFor('bob’s status at alice', () => presences.some((p) => p.user === bob && p.statusText === 'at lunch'))
    await waitFor('the chat title', async () => (await a1.listConversations()).find((c) => c.id === bob)?.title === 'Bob Ström 鲍勃')
    await waitFor('bob’s other device has his profile', async () => (await b2.contacts.myProfile()).nickname === 'Bob Ström 鲍勃')

    // Bob's last device goes: offline for alice, with a last seen; back again: online.
    await b1.close()
    await b2.close()
    await waitFor('bob offline at alice', async () => {
      const bobNow = (await a1.contacts.presence()).find((p) => p.user === bob)
      return bobNow?.online === false && bobNow.lastSeen > 0
    })
    const b3 = devices.create('b3')
    await b3.login(bob, TEST_PASSWORD)
    await waitFor('bob online again at alice', async () => (await a1.contacts.presence()).find((p) => p.user === bob)?.online === true)
  })

  it('a stranger’s profile: cached after the first ask, read from the server again only when asked fresh', async () => {
    const alice = uniqueUser('alice')
    const carol = uniqueUser('carol')
    await registerUsers(server, alice, carol)
    const a1 = devices.create('a1')
    const c1 = devices.create('c1')
    await Promise.all([a1.login(alice, TEST_PASSWORD), c1.login(carol, TEST_PASSWORD)])
    await c1.contacts.updateProfile({ nickname: 'Carol Chen' })
    expect((await a1.contacts.profiles([carol]))[0]?.nickname).toBe('Carol Chen')

    // Not alice's contact: no push tells her of the change, the cache keeps the old one ...
    const changed: UserProfile[] = []
    a1.on('profileChanged', (p) => changed.push(p))
    await c1.contacts.updateProfile({ nickname: 'Carol C.' })
    expect((await a1.contacts.profiles([carol]))[0]?.nickname).toBe('Carol Chen')
    // ... until asked fresh: the new one, emitted as a change (which renames her everywhere).
    expect((await a1.contacts.profiles([carol], true))[0]?.nickname).toBe('Carol C.')
    expect(changed.map((p) => [p.user, p.nickname])).toEqual([[carol, 'Carol C.']])
    expect((await a1.contacts.profiles([carol]))[0]?.nickname).toBe('Carol C.')
  })

  it('changing the password keeps this device and signs out the other; deleting the account ends the session', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a1 = devices.create('a1')
    const a2 = devices.create('a2')
    const b1 = devices.create('b1')
    await Promise.all([a1.login(alice, TEST_PASSWORD), a2.login(alice, TEST_PASSWORD), b1.login(bob, TEST_PASSWORD)])
    await b1.contacts.sendRequest(alice, '')
    await waitFor('the request at alice', async () => (await a1.contacts.state()).incoming.length === 1)
    await a1.contacts.decide(bob, true)
    await a1.sendText(bob, 'hi bob')

    const wrong = await refusal(a1.contacts.changePassword('not the password', 'a new one 123'))
    expect(wrong.code).toBe('FORBIDDEN')
    expect(wrong.message).toMatch(/password is incorrect/)
    const ended: FailureReason[] = []
    a2.on('sessionEnded', ({ error }) => ended.push(error))
    await a1.contacts.changePassword(TEST_PASSWORD, 'a new one 123')
    await waitFor('the other device signed out', () => ended.length > 0)
    // Told why as a code the renderer words ("the password was changed on another device"), not as a sentence.
    expect(ended).toEqual([{ code: 'NOT_SIGNED_IN', params: { reason: 'passwordChanged' } }])
    expect(a1.session).not.toBeNull()
    await a1.contacts.setRemark(bob, 'B') // this device still works
    expect((await a1.contacts.state()).friends[0]?.remark).toBe('B')

    // Bob deletes his account: his session ends with a sentence, and alice loses the contact.
    const bobEnded: string[] = []
    const bobWhy: FailureReason[] = []
    b1.on('sessionEnded', ({ reason, error }) => {
      bobEnded.push(reason)
      bobWhy.push(error)
    })
    const refused = await refusal(b1.deleteAccount('wrong'))
    expect(refused.code).toBe('FORBIDDEN')
    expect(b1.session).not.toBeNull()
    await b1.deleteAccount(TEST_PASSWORD)
    expect(bobEnded).toEqual(['Your account was deleted.'])
    expect(bobWhy).toEqual([{ code: 'NOT_SIGNED_IN', params: { reason: 'accountDeleted' } }])
    expect(b1.session).toBeNull()
    await waitFor('bob gone from alice’s contacts', async () => (await a1.contacts.state()).friends.length === 0)
    // His messages stay for alice, in a chat titled as a deleted user.
    await waitFor('the chat titled as a deleted user', async () => (await a1.listConversations()).find((c) => c.id === bob)?.title === 'Deleted user')
    expect((await a1.pageLocal(bob, null, 10)).messages.length).toBe(1)
    const search = await refusal(a1.contacts.search(bob))
    expect(search.code).toBe('USER_NOT_FOUND')
  })
})

describe('contacts after an expired cursor', () => {
  // The hook hands the test the server's own store, to run its retention job (trimLogs) on demand.
  let serverStore: ServerStore | null = null
  const { server, devices } = useServerAndDevices({
    testHooks: {
      wrapStore: (opened) => {
        serverStore = opened
        return opened
      }
    }
  })

  it('a device whose cursor expired loads the full list again and agrees with the others', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    const dan = uniqueUser('dan')
    const eve = uniqueUser('eve')
    await registerUsers(server, alice, bob, dan, eve)
    const a1 = devices.create('a1')
    const b1 = devices.create('b1')
    const d1 = devices.create('d1')
    await Promise.all([a1.login(alice, TEST_PASSWORD), b1.login(bob, TEST_PASSWORD), d1.login(dan, TEST_PASSWORD)])
    await a1.contacts.sendRequest(bob, '')
    await waitFor('the request at bob', async () => (await b1.contacts.state()).incoming.length === 1)
    await b1.contacts.decide(alice, true)

    const a2Dir = makeTempDir()
    const a2Id = `a2-${alice}`
    let a2 = devices.create('a2', {}, { dataDir: a2Dir, deviceId: a2Id })
    await a2.login(alice, TEST_PASSWORD)
    await waitFor('bob a friend on the second device', async () => (await a2.contacts.state()).friends.length === 1)
    await a2.whenSynced()
    await a2.close()

    // While it is away: more than the kept newest page of a chat, then contact changes; the old entries are trimmed.
    for (let i = 0; i < 70; i++) await d1.sendText(alice, `m${i}`)
    await d1.whenSynced()
    await b1.contacts.remove(alice)
    await a1.contacts.setBlocked(eve, true)
    if (!serverStore) throw new Error('the store hook did not run')
    expect(await (serverStore as ServerStore).trimLogs(Date.now() + 1)).toBeGreaterThan(0)

    a2 = devices.create('a2', {}, { dataDir: a2Dir, deviceId: a2Id })
    await a2.login(alice, TEST_PASSWORD)
    const expected = await stateOf(a1)
    expect(expected).toEqual({ friends: [], incoming: [], outgoing: [], blocked: [eve] })
    await waitFor('the resynced device’s contacts', async () => JSON.stringify(await stateOf(a2)) === JSON.stringify(expected), 10_000)
  })
})
