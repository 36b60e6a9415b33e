// Group reaction catch-up (GroupReactionsSyncRequest) against the real server on port 0: a member gets the messages
// whose reactions changed after its cursor; a member who joined later never gets the ones from before their join, and
// a non-member is told not_member with nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatTypePb } from '../../src/shared/proto/codec'
import { FrameClient, randomClientId, registerAndLogin } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

const GROUP = ChatTypePb.CHAT_TYPE_GROUP
const NAMES = ['alice', 'bob', 'carol', 'dave'] as const
type Name = (typeof NAMES)[number]

let t: TestServer
const clients = new Map<Name, FrameClient>()
const c = (name: Name): FrameClient => clients.get(name) as FrameClient

async function send(who: Name, group: string, text: string): Promise<number> {
  const reply = await c(who).request({ send: { clientId: randomClientId(), to: group, chatType: GROUP, body: { text: { text } } } })
  if (!reply.sendAck) throw new Error(`send refused: ${JSON.stringify(reply.error)}`)
  return Number(reply.sendAck.serverId)
}

async function react(who: Name, group: string, serverId: number, emoji: string): Promise<void> {
  const reply = await c(who).request({ react: { conversation: group, chatType: GROUP, serverId, emoji } })
  if (reply.error) throw new Error(`reaction refused: ${JSON.stringify(reply.error)}`)
}

async function changesFor(who: Name, group: string, after = 0) {
  const reply = await c(who).request({ groupReactionsSync: { cursors: [{ group, after }] } })
  const changes = reply.groupReactionsSyncOk?.groups?.[0]
  if (!changes) throw new Error(`no answer: ${JSON.stringify(reply.error)}`)
  return { ...changes, serverIds: (changes.serverIds ?? []).map(Number), cursor: Number(changes.cursor ?? 0) }
}

beforeAll(async () => {
  t = await startTestServer()
  for (const name of NAMES) clients.set(name, await FrameClient.onDevice(t.server.url, await registerAndLogin(t.server.url, name), `${name}-1`))
})

afterAll(async () => {
  for (const client of clients.values()) await client.close()
  await t.dispose()
})

describe('group reaction catch-up', () => {
  it('answers changes after the cursor, never messages from before a late member joined, and not_member to others', async () => {
    const created = await c('alice').request({ groups: { create: { name: 'Reacting', members: ['bob'], settings: {} } } })
    const group = created.groupsOk?.done?.group as string
    expect(group).toBeTruthy()
    const before = await send('bob', group, 'before carol')
    await react('alice', group, before, '👍')

    const bob = await changesFor('bob', group)
    expect(bob.serverIds).toEqual([before])
    expect(bob.messages?.[0]?.reactions?.map((r) => r.emoji)).toEqual(['👍'])
    // Nothing changed after that cursor.
    expect((await changesFor('bob', group, bob.cursor)).serverIds).toEqual([])

    expect((await c('alice').request({ groups: { invite: { group, users: ['carol'] } } })).error).toBeFalsy()
    const after = await send('bob', group, 'after carol')
    await react('alice', group, after, '🎉')
    await react('bob', group, before, '❤️')

    // carol joined between the two messages: the later one only, though both changed after her cursor 0.
    const carol = await changesFor('carol', group)
    expect(carol.serverIds).toEqual([after])
    expect(carol.messages?.map((m) => Number(m.serverId))).toEqual([after])
    // bob, from his earlier cursor: both, oldest change first.
    expect((await changesFor('bob', group, bob.cursor)).serverIds).toEqual([after, before])

    const dave = await changesFor('dave', group)
    expect(dave.notMember).toBe(true)
    expect(dave.serverIds).toEqual([])
    expect(dave.messages ?? []).toEqual([])
  })
})
