// A group's unread count as the server computes it for a new device (`recent`) never counts a message the account
// deleted for itself, read pointer or not (issue 7: a new device's group unread included a deleted-for-me message).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatTypePb } from '../../src/shared/proto/codec'
import { FrameClient, randomClientId, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

const GROUP = ChatTypePb.CHAT_TYPE_GROUP
let t: TestServer
const clients: FrameClient[] = []

async function on(login: Login, deviceId: string): Promise<FrameClient> {
  const client = await FrameClient.onDevice(t.server.url, login, deviceId)
  clients.push(client)
  return client
}

beforeAll(async () => {
  t = await startTestServer()
})

afterAll(async () => {
  for (const client of clients) await client.close()
  await t.dispose()
})

describe('group unread for a new device', () => {
  it('leaves out the messages the account deleted for itself', async () => {
    const alice = await registerAndLogin(t.server.url, 'alice')
    const bob = await registerAndLogin(t.server.url, 'bob')
    const a1 = await on(alice, 'a-1')
    const b1 = await on(bob, 'b-1')
    const created = await a1.request({ groups: { create: { name: 'Unread', members: ['bob'], settings: {} } } })
    const group = created.groupsOk?.done?.group as string
    expect(group).toBeTruthy()
    const ids: number[] = []
    for (const text of ['one', 'two', 'three']) {
      const ack = await b1.request({ send: { clientId: randomClientId(), to: group, chatType: GROUP, body: { text: { text } } } })
      ids.push(Number(ack.sendAck?.serverId))
    }
    const deleted = await a1.request({ clearConversation: { conversation: group, chatType: GROUP, serverIds: [ids[1] as number] } })
    expect(deleted.clearConversationOk).toBeTruthy()
    // A new device of alice's (never synced) starts from the conversation list.
    const a2 = await on(alice, 'a-2')
    const recent = await a2.request({ recent: {} })
    const summary = (recent.recentOk?.conversations ?? []).find((entry) => entry.conversation === group && entry.chatType === GROUP)
    expect(summary).toBeTruthy()
    expect(summary?.unread).toBe(2)
  })
})
