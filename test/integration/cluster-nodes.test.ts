// Two server nodes on one PostgreSQL and one Redis: users on different nodes chat 1:1 and in a group live, one
// user's devices on different nodes stay in sync, a sign-out on one node closes the socket on the other, presence.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ChatTypePb, CloseCode, ErrorCode, type DecodedFrame } from '../../src/shared/proto/codec'
import { FrameClient, randomClientId, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { describeWithEngines } from '../support/engines'
import type { TestServer } from '../support/test-server'
import { startTwoNodes, type TwoNodes } from '../support/two-nodes'

process.env.PARLEY_LOG ??= 'warn'

/** How long we listen for a push that must NOT arrive. */
const QUIET_PERIOD_MS = 500
const SINGLE = ChatTypePb.CHAT_TYPE_SINGLE
const GROUP = ChatTypePb.CHAT_TYPE_GROUP

const textOf = (frame: DecodedFrame): string | undefined =>
  frame.event?.message?.body?.text?.text ?? frame.groupEntry?.message?.body?.text?.text ?? undefined

const withText = (text: string) => (frame: DecodedFrame): boolean => textOf(frame) === text

async function send(client: FrameClient, to: string, text: string, chatType = SINGLE): Promise<number> {
  const reply = await client.request({ send: { clientId: randomClientId(), to, chatType, body: { text: { text } } } })
  if (!reply.sendAck) throw new Error(`expected an ack for "${text}", got ${JSON.stringify(reply.error)}`)
  return Number(reply.sendAck.seq)
}

async function befriend(one: FrameClient, other: FrameClient, otherUser: string, oneUser: string): Promise<void> {
  expect((await one.request({ contacts: { request: { to: otherUser } } })).body).toBe('contactsOk')
  expect((await other.request({ contacts: { decide: { from: oneUser, accept: true } } })).body).toBe('contactsOk')
}

function presencePush(client: FrameClient, user: string, online: boolean, after: number): Promise<DecodedFrame> {
  return client.waitFor(
    (frame) =>
      client.received.indexOf(frame) >= after && frame.contactUpdate?.presence?.user === user && (frame.contactUpdate.presence.online ?? false) === online,
    5_000,
    `presence of ${user} online=${online}`
  )
}

async function onlineAsSeenBy(client: FrameClient, user: string): Promise<boolean> {
  const answer = await client.request({ profile: { presence: { users: [user] } } })
  return answer.profileOk?.presence?.presence?.[0]?.online ?? false
}

describeWithEngines('two nodes on one PostgreSQL and one Redis', ({ redisUrl }) => {
  let nodes: TwoNodes | null = null
  let a: TestServer
  let b: TestServer
  const clients: FrameClient[] = []
  const accounts = new Map<string, Login>()

  beforeAll(async () => {
    nodes = await startTwoNodes(redisUrl)
    ;({ a, b } = nodes)
  })
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()))
    await nodes?.dispose()
  })

  const account = async (name: string): Promise<Login> => {
    let known = accounts.get(name)
    if (!known) {
      known = await registerAndLogin(a.url, name)
      accounts.set(name, known)
    }
    return known
  }

  /** A device of `name` on `node`, its group subscriptions loaded (one round trip after auth). */
  const device = async (node: TestServer, name: string, deviceId: string): Promise<FrameClient> => {
    const client = await FrameClient.onDevice(node.url, await account(name), deviceId)
    clients.push(client)
    await client.request({ groups: { mine: {} } })
    return client
  }

  it('users on different nodes chat one-to-one both ways, pushed live', async () => {
    const alice = await device(a, 'alice', 'a1')
    const bob = await device(b, 'bob', 'b1')
    await send(alice, 'bob', 'hello from node A')
    expect((await bob.waitFor(withText('hello from node A'))).event?.message?.from).toBe('alice')
    await send(bob, 'alice', 'hello from node B')
    expect((await alice.waitFor(withText('hello from node B'))).event?.message?.from).toBe('bob')
  })

  it("one user's devices on different nodes stay in sync: sent messages and read pointers", async () => {
    await account('dora')
    const carolOnA = await device(a, 'carol', 'laptop')
    const carolOnB = await device(b, 'carol', 'phone')
    const seq = await send(carolOnA, 'dora', 'sent from the laptop')
    const echoed = await carolOnB.waitFor(withText('sent from the laptop'))
    expect(Number(echoed.event?.seq)).toBe(seq)

    const dora = await device(b, 'dora', 'd1')
    await send(dora, 'carol', 'a reply to read')
    const arrived = await carolOnB.waitFor(withText('a reply to read'))
    await carolOnA.waitFor(withText('a reply to read'))
    const read = await carolOnB.request({ markRead: { conversation: 'dora', chatType: SINGLE, seq: Number(arrived.event?.seq) } })
    expect(Number(read.markReadOk?.eventSeq)).toBeGreaterThan(0)
    const pointer = await carolOnA.waitFor((frame) => frame.event?.readPointer?.conversation === 'dora')
    expect(Number(pointer.event?.readPointer?.seq)).toBe(Number(arrived.event?.seq))
  })

  it('a group with members on both nodes: entries reach every member, and a member added on A gets them on B', async () => {
    const owner = await device(a, 'gus', 'g1')
    const memberOnB = await device(b, 'hedy', 'h1')
    const laterOnB = await device(b, 'ivan', 'i1')
    const created = await owner.request({ groups: { create: { name: 'Across nodes', members: ['hedy'], settings: {} } } })
    const group = created.groupsOk?.done?.group as string
    expect(group).toBeTruthy()
    await send(owner, group, 'to the whole group', GROUP)
    await memberOnB.waitFor(withText('to the whole group'))
    await send(memberOnB, group, 'answer from node B', GROUP)
    await owner.waitFor(withText('answer from node B'))

    const invited = await owner.request({ groups: { invite: { group, users: ['ivan'] } } })
    expect(invited.body).toBe('groupsOk')
    await laterOnB.waitFor((frame) => frame.event?.membership?.group === group)
    await send(owner, group, 'welcome, ivan', GROUP)
    const welcome = await laterOnB.waitFor(withText('welcome, ivan'))
    expect(welcome.groupEntry?.group).toBe(group)
    await memberOnB.waitFor(withText('welcome, ivan'))
  })

  it('signing a device out on node A closes its socket on node B', async () => {
    const onA = await device(a, 'jane', 'desk')
    const onB = await device(b, 'jane', 'tablet')
    const listed = await onA.request({ devices: { signOutSession: '' } })
    const tablet = listed.devicesOk?.devices?.find((entry) => entry.deviceId === 'tablet')
    expect(tablet?.sessionId).toBeTruthy()
    const told = onB.waitFor((frame) => frame.id === 0 && frame.body === 'error')
    const closed = onB.waitForClose()
    expect((await onA.request({ devices: { signOutSession: tablet?.sessionId as string } })).body).toBe('devicesOk')
    expect((await told).error?.code).toBe(ErrorCode.ERROR_DEVICE_SIGNED_OUT)
    expect((await closed).code).toBe(CloseCode.CLOSE_SIGNED_OUT)
    expect(onA.isOpen).toBe(true)
  })

  it('a device that signs in again on node B replaces its connection on node A', async () => {
    const first = await device(a, 'mia', 'same-device')
    const closed = first.waitForClose()
    const again = await device(b, 'mia', 'same-device')
    expect((await closed).code).toBe(CloseCode.CLOSE_REPLACED)
    expect(again.isOpen).toBe(true)
  })

  it('presence: online while the user has a device on either node, offline once both are gone', async () => {
    const watcher = await device(a, 'kim', 'k1')
    const setup = await device(a, 'lee', 'setup')
    await befriend(setup, watcher, 'kim', 'lee')
    await setup.close()
    const watcherOnB = await device(b, 'kim', 'k2')

    let mark = watcher.received.length
    const leeOnB = await device(b, 'lee', 'l1')
    await presencePush(watcher, 'lee', true, mark)
    expect(await onlineAsSeenBy(watcher, 'lee')).toBe(true)
    const leeOnA = await device(a, 'lee', 'l2')

    // The device on B goes; the one on A keeps lee online: no offline push, and both nodes answer "online".
    mark = watcher.received.length
    const markOnB = watcherOnB.received.length
    await leeOnB.close()
    await new Promise((resolve) => setTimeout(resolve, QUIET_PERIOD_MS))
    expect(watcher.received.slice(mark).some((frame) => frame.contactUpdate?.presence?.user === 'lee')).toBe(false)
    expect(await onlineAsSeenBy(watcher, 'lee')).toBe(true)
    expect(await onlineAsSeenBy(watcherOnB, 'lee')).toBe(true)

    await leeOnA.close()
    await presencePush(watcher, 'lee', false, mark)
    await presencePush(watcherOnB, 'lee', false, markOnB)
    expect(await onlineAsSeenBy(watcherOnB, 'lee')).toBe(false)
  })
})
