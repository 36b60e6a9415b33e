// Covers reply, forward, reactions, conversation state and devices through the core on the real server: a reply's
// quote reaches the peer's devices; several messages forward as one combined message; reactions of two users show
// on both devices of each; pin / mark unread / delete of a conversation reach the account's other device; a device
// signed out by another ends its session with the server's sentence and does not come back.
import { describe, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import type { ChatMessage } from '../../src/shared/model'
import { localHistory, registerUsers, TEST_PASSWORD, uniqueUser, waitFor, useServerAndDevices } from './helpers/env'
import { FrameClient, login, randomClientId } from '../bench/lib/frame-client'
import { download, upload } from '../support/attachment-http'

async function sent(client: ChatClient, to: string, text: string, options: { replyTo?: string } = {}): Promise<ChatMessage> {
  const message = await client.sendText(to, text, options)
  let acked: ChatMessage | undefined
  await waitFor(`"${text}" acked`, async () => {
    acked = (await localHistory(client, to)).find((m) => m.id === message.id && m.serverId !== null)
    return acked !== undefined
  })
  return acked!
}

async function arrived(client: ChatClient, peer: string, match: (m: ChatMessage) => boolean, what: string): Promise<ChatMessage> {
  let found: ChatMessage | undefined
  await waitFor(what, async () => {
    found = (await localHistory(client, peer)).find(match)
    return found !== undefined
  })
  return found!
}

describe('reply, forward, reactions, conversation state and devices through the core', () => {
  const { server, devices } = useServerAndDevices()

  it('carries a reply quote, a combined forward and reactions to both devices of each user', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    const carol = uniqueUser('carol')
    await registerUsers(server, alice, bob, carol)
    const [a1, a2, b1, b2, c1] = ['a1', 'a2', 'b1', 'b2', 'c1'].map((id) => devices.create(id)) as [ChatClient, ChatClient, ChatClient, ChatClient, ChatClient]
    await Promise.all([a1.login(alice, TEST_PASSWORD), a2.login(alice, TEST_PASSWORD), b1.login(bob, TEST_PASSWORD), b2.login(bob, TEST_PASSWORD), c1.login(carol, TEST_PASSWORD)])

    const question = await sent(a1, bob, 'Dinner at 8?\nor 9')
    await arrived(b1, alice, (m) => m.id === question.id, 'the question on b1')
    const answer = await sent(b1, alice, '8 works', { replyTo: question.id })
    for (const [client, peer] of [[a2, bob], [b2, alice]] as const) {
      const copy = await arrived(client, peer, (m) => m.id === answer.id, 'the reply')
      expect(copy.replyTo).toEqual({ id: question.id, serverId: question.serverId, from: alice, preview: 'Dinner at 8?', seq: expect.any(Number) })
    }

    // Two messages forwarded to carol as one combined message, in the order written.
    const [forward] = await b2.forward([answer.id, question.id], [{ type: 'single', id: carol }])
    const combined = await arrived(c1, bob, (m) => m.id === forward!.id, 'the combined forward at carol')
    expect(combined.content).toEqual({
      type: 'combined',
      title: `Chat history of ${alice} and ${bob}`,
      items: [
        { from: alice, timestamp: question.timestamp, content: { type: 'text', text: 'Dinner at 8?\nor 9' } },
        { from: bob, timestamp: answer.timestamp, content: { type: 'text', text: '8 works' } }
      ]
    })
    // One message forwards as itself, marked forwarded.
    const [single] = await a1.forward([question.id], [{ type: 'single', id: carol }])
    const alone = await arrived(c1, alice, (m) => m.id === single!.id, 'the single forward at carol')
    expect(alone).toMatchObject({ forwarded: true, content: { type: 'text', text: 'Dinner at 8?\nor 9' } })

    // Reactions of both users reach all four devices (their stores), through pushes and the log.
    await b1.reactions.react({ type: 'single', id: alice }, question.serverId, '👍', false)
    await a2.reactions.react({ type: 'single', id: bob }, question.serverId, '🎉', false)
    const expected = [{ serverId: question.serverId, reactions: [{ emoji: '👍', users: [bob] }, { emoji: '🎉', users: [alice] }] }]
    for (const [client, peer] of [[a1, bob], [a2, bob], [b1, alice], [b2, alice]] as const) {
      await waitFor(`reactions on ${client.deviceId}`, async () => JSON.stringify(await client.reactions.stored({ type: 'single', id: peer }, [question.serverId!])) === JSON.stringify(expected))
    }
  })

  it('carries pin, mark-unread and delete of a conversation to the other device, and signs a device out from another', async () => {
    const dana = uniqueUser('dana')
    const erin = uniqueUser('erin')
    await registerUsers(server, dana, erin)
    const [d1, d2, e1] = ['d1', 'd2', 'e1'].map((id) => devices.create(id)) as [ChatClient, ChatClient, ChatClient]
    await Promise.all([d1.login(dana, TEST_PASSWORD), d2.login(dana, TEST_PASSWORD), e1.login(erin, TEST_PASSWORD)])
    const hello = await sent(e1, dana, 'hello')
    await arrived(d2, erin, (m) => m.id === hello.id, 'hello on d2')
    const conversation = { type: 'single' as const, id: erin }
    const onD2 = async () => (await d2.listConversations()).find((c) => c.id === erin)

    await d1.reactions.setState(conversation, { pinned: true })
    await waitFor('the pin on d2', async () => (await onD2())?.pinned === true)
    await d1.reactions.setState(conversation, { markedUnread: true })
    await waitFor('the unread mark on d2', async () => (await onD2())?.markedUnread === true)
    // Through the newest message as this account's log numbers it (the conversation's seq on dana's devices).
    const onD1 = await arrived(d1, erin, (m) => m.id === hello.id, 'hello on d1')
    await d1.reactions.setState(conversation, { deleteThroughSeq: onD1.seq! })
    await waitFor('the deletion on d2', async () => (await onD2()) === undefined && (await localHistory(d2, erin)).length === 0)

    const ended = new Promise<string>((resolve) => d2.on('sessionEnded', ({ reason }) => resolve(reason)))
    const why = new Promise<unknown>((resolve) => d2.on('sessionEnded', ({ error }) => resolve(error)))
    const before = await d1.reactions.devices()
    const other = before.devices.find((d) => !d.current && d.online)
    expect(other).toBeDefined()
    const after = await d1.reactions.devices(other!.sessionId)
    expect(after.devices.map((d) => d.sessionId)).not.toContain(other!.sessionId)
    expect(await ended).toBe('This device was signed out from another device of your account.')
    expect(await why).toEqual({ code: 'NOT_SIGNED_IN', params: { wire: 'ERROR_DEVICE_SIGNED_OUT' } })
    expect(d2.status.state).toBe('disconnected')
  })

  it('forwards a file so that the target conversation can download it', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    const carol = uniqueUser('carol')
    await registerUsers(server, alice, bob, carol)
    const aliceHttp = await login(server.url, alice, TEST_PASSWORD, 'alice-http')
    const carolHttp = await login(server.url, carol, TEST_PASSWORD, 'carol-http')
    const bytes = new TextEncoder().encode('minutes of the meeting')
    const file = await upload(server.url, aliceHttp.token, bytes, 'minutes.txt', 'text/plain')
    const aliceSocket = await FrameClient.authenticated(server.url, aliceHttp.token, 'alice-http')
    try {
      const sentFile = await aliceSocket.request({ send: { clientId: randomClientId(), to: bob, body: { file: { file: { id: file.id, name: 'minutes.txt' } } } } })
      expect(sentFile.body).toBe('sendAck')
    } finally {
      await aliceSocket.close()
    }
    // Carol is in no conversation with that file yet.
    expect((await download(server.url, file.id, { token: carolHttp.token })).status).toBe(403)

    const [b1, c1] = ['b1', 'c1'].map((id) => devices.create(id)) as [ChatClient, ChatClient]
    await Promise.all([b1.login(bob, TEST_PASSWORD), c1.login(carol, TEST_PASSWORD)])
    const received = await arrived(b1, alice, (m) => m.content.type === 'file', 'the file at bob')
    const [forwarded] = await b1.forward([received.id], [{ type: 'single', id: carol }])
    const atCarol = await arrived(c1, bob, (m) => m.id === forwarded!.id, 'the forwarded file at carol')
    expect(atCarol.forwarded).toBe(true)
    expect(atCarol.content).toMatchObject({ type: 'file', file: { id: file.id, name: 'minutes.txt', size: bytes.length } })
    const fetched = await download(server.url, file.id, { token: carolHttp.token })
    expect(fetched.status).toBe(200)
    expect(new TextDecoder().decode(fetched.body)).toBe('minutes of the meeting')
  })
})
