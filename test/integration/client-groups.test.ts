// Groups through ChatClient against the real server on port 0: a group's messages on every member's devices, a
// removed member's devices stop and show it, history from the join point, read pointers and @mentions agreeing on
// two devices, dissolve on every device, catch-up asking only for moved groups, and a group named like a user.
import { describe, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import type { ChatMessage, Conversation } from '../../src/shared/model'
import { makeTempDir, registerUsers, TEST_PASSWORD, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'

const group = (id: string) => ({ type: 'group' as const, id })

async function timeline(client: ChatClient, id: string): Promise<ChatMessage[]> {
  return (await client.pageLocal(group(id), null, 500)).messages
}

function texts(messages: ChatMessage[]): string[] {
  return messages.flatMap((m) => (m.content.type === 'text' ? [m.content.text] : []))
}

function notices(messages: ChatMessage[]): string[] {
  return messages.flatMap((m) => (m.content.type === 'notice' ? [`${m.content.kind}:${m.content.actor}>${m.content.users.join(',')}`] : []))
}

async function conversationOf(client: ChatClient, id: string): Promise<Conversation | undefined> {
  return (await client.listConversations()).find((c) => c.chatType === 'group' && c.id === id)
}

async function waitForText(client: ChatClient, id: string, text: string): Promise<void> {
  await waitFor(`"${text}" on ${client.deviceId}`, async () => texts(await timeline(client, id)).includes(text))
}

describe('groups through the client', () => {
  const { server, devices } = useServerAndDevices()

  async function signIn(user: string, label: string): Promise<ChatClient> {
    const client = devices.create(label)
    await client.login(user, TEST_PASSWORD)
    return client
  }

  it('a message reaches every member device; the removed member’s devices stop receiving and show the removal', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    const carol = uniqueUser('carol')
    await registerUsers(server, alice, bob, carol)
    const [a1, a2, b1, b2, c1] = await Promise.all([
      signIn(alice, 'a1'), signIn(alice, 'a2'), signIn(bob, 'b1'), signIn(bob, 'b2'), signIn(carol, 'c1')
    ])

    const created = await a1.groups.create({
      name: 'Hikers',
      description: 'weekend walks',
      settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 50 },
      members: [bob]
    })
    expect(created.pending).toBe(false)
    const g = created.group
    await a1.groups.invite(g, [carol.toUpperCase()])

    const sent = await a1.sendText(group(g), 'hello hikers')
    for (const device of [a2, b1, b2, c1]) await waitForText(device, g, 'hello hikers')
    await a1.whenSynced()
    // The sender's own copy is acked with the group's seq and never doubled by the same entry in the group's log.
    await waitFor('the ack', async () => (await timeline(a1, g)).some((m) => m.id === sent.id && m.status === 'sent'))
    await a1.groups.refreshInfo(g)
    for (const device of [a1, a2, b1, b2, c1]) {
      const items = await timeline(device, g)
      expect(items.filter((m) => m.id === sent.id)).toHaveLength(1)
      expect(notices(items)).toContain(`added:${alice}>${carol}`)
      await waitFor(`the title on ${device.deviceId}`, async () => (await conversationOf(device, g))?.title === 'Hikers')
    }
    // The ack's seq is the group's seq: the same on the sender's device as in the other members' copies.
    const ackedSeq = (await timeline(a1, g)).find((m) => m.id === sent.id)?.seq
    expect((await timeline(c1, g)).find((m) => m.id === sent.id)?.seq).toBe(ackedSeq)

    await a1.groups.remove(g, bob)
    for (const device of [b1, b2]) {
      await waitFor(`bob removed on ${device.deviceId}`, async () => (await device.groups.local(g))?.state === 'removed')
      await waitFor(`the removal notice on ${device.deviceId}`, async () => notices(await timeline(device, g)).includes(`removed:${alice}>${bob}`))
    }
    await a1.sendText(group(g), 'after bob left')
    await waitForText(c1, g, 'after bob left')
    await waitForText(a2, g, 'after bob left')
    await b1.whenSynced()
    await b2.whenSynced()
    for (const device of [b1, b2]) expect(texts(await timeline(device, g))).not.toContain('after bob left')
    await expect(b1.sendText(group(g), 'still here?')).rejects.toMatchObject({ code: 'NOT_MEMBER' })
  })

  it('a member who joins late sees the history from the join point only', async () => {
    const alice = uniqueUser('alice')
    const dave = uniqueUser('dave')
    await registerUsers(server, alice, dave)
    const a = await signIn(alice, 'a')
    const d = await signIn(dave, 'd')
    const { group: g } = await a.groups.create({
      name: 'Late', description: '', settings: { isPublic: true, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 10 }, members: []
    })
    await a.sendText(group(g), 'before dave')
    await a.whenSynced()
    const joined = await d.groups.join(g)
    expect(joined.pending).toBe(false)
    await waitFor('dave joined', async () => (await d.groups.local(g))?.state === 'member')
    await a.sendText(group(g), 'after dave')
    await waitForText(d, g, 'after dave')
    // Also through the server's history (a new page asked from the device).
    const page = await d.page(group(g), null, 50)
    expect(texts(page.messages)).toEqual(['after dave'])
    expect(texts(await timeline(d, g))).not.toContain('before dave')
  })

  it('read pointers, unread and @mentions agree on two devices of one member', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = await signIn(alice, 'a')
    const b1 = await signIn(bob, 'b1')
    const b2 = await signIn(bob, 'b2')
    const { group: g } = await a.groups.create({
      name: 'Reads', description: '', settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 10 }, members: [bob]
    })
    await a.sendText(group(g), 'one')
    await a.sendText(group(g), `two @${bob}`, { mentions: [bob] })
    await a.sendText(group(g), 'three')
    await b1.sendText(group(g), 'mine does not count')
    for (const device of [b1, b2]) {
      await waitForText(device, g, 'three')
      await waitForText(device, g, 'mine does not count')
      await waitFor(`unread on ${device.deviceId}`, async () => {
        const c = await conversationOf(device, g)
        return c?.unreadCount === 3 && c.mentions === 1
      })
    }
    const two = (await timeline(b1, g)).find((m) => m.content.type === 'text' && m.content.text.startsWith('two'))!
    await b1.markRead(group(g), two.seq!)
    for (const device of [b1, b2]) {
      await waitFor(`read up to "two" on ${device.deviceId}`, async () => {
        const c = await conversationOf(device, g)
        return c?.readSeq === two.seq && c.unreadCount === 1 && c.mentions === 0
      })
    }
    await b2.markRead(group(g))
    await waitFor('all read on b1', async () => (await conversationOf(b1, g))?.unreadCount === 0)
  })

  it('dissolve removes the group from every device, and nothing can be sent to it', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a1 = await signIn(alice, 'a1')
    const a2 = await signIn(alice, 'a2')
    const b = await signIn(bob, 'b')
    const { group: g } = await a1.groups.create({
      name: 'Short lived', description: '', settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 10 }, members: [bob]
    })
    await a1.sendText(group(g), 'soon gone')
    for (const device of [a2, b]) await waitForText(device, g, 'soon gone')
    await a1.groups.dissolve(g)
    for (const device of [a1, a2, b]) {
      await waitFor(`dissolved on ${device.deviceId}`, async () => (await device.groups.local(g))?.state === 'dissolved')
      expect(await conversationOf(device, g)).toBeUndefined()
    }
    await expect(b.sendText(group(g), 'hello?')).rejects.toMatchObject({ code: 'DISSOLVED' })
  })

  it('after being offline, one group_sync fetches only the groups that moved', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = await signIn(alice, 'a')
    const dataDir = makeTempDir()
    const deviceId = `b-${bob}`
    let b = devices.create('b', {}, { dataDir, deviceId })
    await b.login(bob, TEST_PASSWORD)
    const settings = { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 10 }
    const ids: string[] = []
    for (const name of ['One', 'Two', 'Three']) {
      const { group: g } = await a.groups.create({ name, description: '', settings, members: [bob] })
      await a.sendText(group(g), `hello ${name}`)
      ids.push(g)
    }
    for (const [i, g] of ids.entries()) await waitForText(b, g, `hello ${['One', 'Two', 'Three'][i]}`)
    await b.whenSynced()
    await b.close()

    await a.sendText(group(ids[1]!), 'while bob was away')
    await a.whenSynced()
    b = devices.create('b', {}, { dataDir, deviceId })
    await b.login(bob, TEST_PASSWORD)
    await waitForText(b, ids[1]!, 'while bob was away')
    await b.whenSynced()
    const counters = b.groupSyncCounters!
    expect(counters.lastAnswered).toEqual([ids[1]])
    expect(counters.entries).toBe(1)
    expect(counters.requests).toBe(1)
  })

  it('a new device of a member starts with the group in its list, pages its history and follows it live', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = await signIn(alice, 'a')
    const b1 = await signIn(bob, 'b1')
    const { group: g } = await a.groups.create({
      name: 'Old friends', description: '', settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 10 }, members: [bob]
    })
    for (const text of ['first', 'second', 'third']) await a.sendText(group(g), text)
    await waitForText(b1, g, 'third')
    const b2 = await signIn(bob, 'b2')
    await waitFor('the group in the new device’s list', async () => {
      const c = await conversationOf(b2, g)
      return c?.title === 'Old friends' && c.unreadCount === 3
    })
    expect((await b2.groups.local(g))?.state).toBe('member')
    const page = await b2.page(group(g), null, 50)
    expect(texts(page.messages)).toEqual(['first', 'second', 'third'])
    await a.sendText(group(g), 'fourth')
    await waitForText(b2, g, 'fourth')
    await b2.markRead(group(g))
    await waitFor('read on the first device too', async () => (await conversationOf(b1, g))?.unreadCount === 0)
  })

  it('a group named like a user stays apart from the chat with that user', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = await signIn(alice, 'a')
    const b = await signIn(bob, 'b')
    const { group: g } = await a.groups.create({
      name: bob, description: '', settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 10 }, members: [bob]
    })
    await a.sendText(bob, 'to bob alone')
    await a.sendText(group(g), 'to the group')
    await waitForText(b, g, 'to the group')
    await waitFor('the single chat', async () => (await b.pageLocal(alice, null, 50)).messages.length === 1)
    const conversations = (await a.listConversations()).filter((c) => c.title === bob || c.id === bob)
    expect(conversations.map((c) => `${c.chatType}:${c.title ?? c.id}`).sort()).toEqual([`group:${bob}`, `single:${bob}`])
    expect(texts(await timeline(a, g))).toEqual(['to the group'])
    expect(texts((await a.pageLocal(bob, null, 50)).messages)).toEqual(['to bob alone'])
  })
})
