// Covers chat rooms across nodes (issue 9, cluster mode): two real nodes on one PostgreSQL database and one Redis,
// members on different nodes see each other's messages live, join to the same recent window and member list, an
// admin's mute / kick / ban on one node holds at once on the other, and a node killed with SIGKILL leaves no ghost.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ErrorCode } from '../../src/shared/proto/codec'
import { startServer, type ServerHandle } from '../../src/server'
import { FrameClient, randomClientId, registerAndLogin, login, type Login } from '../bench/lib/frame-client'
import { buildBundles, ServerProcess } from '../fault/processes'
import { describeWithEngines } from '../support/engines'
import { createTestDatabase, dropTestDatabase } from '../support/test-database'
import { makeTempDir, removeDir } from '../support/test-server'
import { createRoom, join, MemberKind, okRooms, say, waitMember, waitText } from '../support/room-frames'

process.env.PARLEY_LOG ??= 'warn'
/** A short hold so a dead node's members are seen gone within the test (read by every node at start, the child too). */
const PRESENCE_TTL_MS = 1_500
process.env.PARLEY_ROOM_PRESENCE_TTL_SEC = String(PRESENCE_TTL_MS / 1000)
/** A short grace period, so a member leaving with their last device is seen in the test. */
const GRACE_MS = 1_000
process.env.PARLEY_ROOM_GRACE_SEC = String(GRACE_MS / 1000)
/** A small window, so the stored one is seen trimmed. */
const WINDOW = 3
process.env.PARLEY_ROOM_RECENT_WINDOW = String(WINDOW)
/** Well past the expiry plus a sweep round (a third of it) on a busy machine. */
const GHOST_GONE_WITHIN_MS = PRESENCE_TTL_MS * 6
/** Cold start of the server child and its bundle. */
const CHILD_TEST_TIMEOUT_MS = 60_000

async function memberList(client: FrameClient, room: string): Promise<{ users: string[]; count: number }> {
  const page = await okRooms(client, { members: { room } })
  return { users: (page.members?.members ?? []).map((m) => String(m.user)), count: Number(page.members?.memberCount) }
}

describeWithEngines('chat rooms across nodes', ({ redisUrl }) => {
  let databaseUrl = ''
  const dataDirs: string[] = []
  const nodes: ServerHandle[] = []
  const open: FrameClient[] = []
  const users: Record<string, Login> = {}
  let nodeA: ServerHandle
  let nodeB: ServerHandle

  const startNode = async (): Promise<ServerHandle> => {
    const dataDir = makeTempDir()
    dataDirs.push(dataDir)
    const node = await startServer({ port: 0, host: '127.0.0.1', dataDir, databaseUrl, redisUrl, attemptLimits: { address: { freeAttempts: Infinity } } })
    nodes.push(node)
    return node
  }

  /** A device of `name` connected to `node` (its own sign-in there: the token is bound to the device). */
  const device = async (name: string, node: { url: string }, deviceId: string): Promise<FrameClient> => {
    const account = users[name] as Login
    const client = await FrameClient.onDevice(node.url, account, deviceId)
    open.push(client)
    return client
  }

  beforeAll(async () => {
    databaseUrl = await createTestDatabase()
    nodeA = await startNode()
    nodeB = await startNode()
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) users[name] = await registerAndLogin(nodeA.url, name)
    // Signing in works on either node: the accounts are in the shared database.
    await login(nodeB.url, 'bob', 'password-1')
  })

  afterAll(async () => {
    await Promise.all(open.map((client) => client.close()))
    for (const node of nodes) await node.close()
    for (const dir of dataDirs) removeDir(dir)
    if (databaseUrl) await dropTestDatabase(databaseUrl)
  })

  it('members on two nodes see each other live, join to the same window and member list; a resend through the other node is one message', async () => {
    const alice = await device('alice', nodeA, 'alice-a')
    const bob = await device('bob', nodeB, 'bob-b')
    const room = await createRoom(alice, 'Across')
    await join(alice, room)
    const bobJoined = await join(bob, room)
    expect(bobJoined.info?.memberCount).toBe(2)
    expect((await waitMember(alice, room, MemberKind.JOINED, 'bob')).roomEvent?.member?.memberCount).toBe(2)

    const sent = await say(alice, room, 'hello from A')
    expect(sent.error ?? null).toBe(null)
    await waitText(bob, room, 'hello from A')
    const clientId = randomClientId()
    const first = await say(bob, room, 'hello from B', clientId)
    expect(first.body).toBe('sendAck')
    await waitText(alice, room, 'hello from B')

    // Bob's other device, on node A, resends the same message: the first answer, no second message.
    const bobOnA = await device('bob', nodeA, 'bob-a')
    const again = await say(bobOnA, room, 'hello from B', clientId)
    expect(again.sendAck?.serverId).toBe(first.sendAck?.serverId)
    expect(again.sendAck?.timestamp).toBe(first.sendAck?.timestamp)

    // Carol joins on node B: the window holds what both nodes took, oldest first, once each.
    const carol = await device('carol', nodeB, 'carol-b')
    const carolJoined = await join(carol, room)
    expect(carolJoined.recent?.map((m) => m.body?.text?.text)).toEqual(['hello from A', 'hello from B'])
    expect(carolJoined.recent?.map((m) => m.from)).toEqual(['alice', 'bob'])
    expect(carolJoined.recent?.[1]?.serverId).toBe(first.sendAck?.serverId)
    // The stored window keeps the newest N, whichever node asks.
    for (const text of ['one', 'two']) expect((await say(alice, room, text)).body).toBe('sendAck')
    const recentOnB = await okRooms(carol, { recent: { room } })
    expect(recentOnB.joined?.recent?.map((m) => m.body?.text?.text)).toEqual(['hello from B', 'one', 'two'])
    const recentOnA = await okRooms(alice, { recent: { room } })
    expect(recentOnA.joined?.recent).toEqual(recentOnB.joined?.recent)
    const ids = (recentOnA.joined?.recent ?? []).map((m) => Number(m.serverId))
    expect([...ids].sort((x, y) => x - y)).toEqual(ids)
    expect(ids.length).toBe(WINDOW)
    await waitMember(alice, room, MemberKind.JOINED, 'carol')

    // Both nodes give the same member list and count.
    const onA = await memberList(alice, room)
    const onB = await memberList(carol, room)
    expect(onA).toEqual({ users: ['alice', 'bob', 'carol'], count: 3 })
    expect(onB).toEqual(onA)
    expect((await okRooms(carol, { info: { room } })).info?.memberCount).toBe(3)
    expect(bob.received.filter((f) => f.roomEvent?.message?.body?.text?.text === 'hello from B')).toEqual([])

    // Deleting the room on node A reaches the members on node B, whose node forgets it at once.
    await okRooms(alice, { delete: { room } })
    await bob.waitFor((f) => f.roomEvent?.deleted?.room === room, 5_000, 'the room deleted')
    expect((await carol.request({ rooms: { info: { room } } })).error?.code).toBe(ErrorCode.ERROR_NOT_FOUND)
    expect((await say(bob, room, 'anyone?')).error?.code).toBe(ErrorCode.ERROR_NOT_FOUND)
  })

  it("an admin's mute, kick and ban on node A hold at once for a member on node B", async () => {
    const alice = await device('alice', nodeA, 'alice-mod')
    const dave = await device('dave', nodeB, 'dave-b')
    const room = await createRoom(alice, 'Moderated')
    await join(alice, room)
    await join(dave, room)
    // Node B has the room's definition cached now (dave's send loaded it).
    expect((await say(dave, room, 'before')).body).toBe('sendAck')
    await waitText(alice, room, 'before')

    await okRooms(alice, { mute: { room, user: 'dave', until: Date.now() + 60_000 } })
    expect((await say(dave, room, 'muted?')).error?.code).toBe(ErrorCode.ERROR_MUTED)
    await waitMember(dave, room, MemberKind.MUTED, 'dave')
    await okRooms(alice, { mute: { room, user: 'dave', until: 0 } })
    expect((await say(dave, room, 'unmuted')).body).toBe('sendAck')

    await okRooms(alice, { kick: { room, user: 'dave' } })
    await waitMember(dave, room, MemberKind.KICKED, 'dave')
    expect((await say(dave, room, 'kicked?')).error?.code).toBe(ErrorCode.ERROR_NOT_MEMBER)
    expect(await memberList(alice, room)).toEqual({ users: ['alice'], count: 1 })

    await join(dave, room)
    await okRooms(alice, { ban: { room, user: 'dave', banned: true } })
    await waitMember(dave, room, MemberKind.BANNED, 'dave')
    expect((await say(dave, room, 'banned?')).error?.code).toBe(ErrorCode.ERROR_BANNED)
    const rejoin = await dave.request({ rooms: { join: { room } } })
    expect(rejoin.error?.code).toBe(ErrorCode.ERROR_BANNED)
    // Kicked and banned sockets on node B get no more room traffic.
    const before = dave.received.length
    expect((await say(alice, room, 'after the ban')).body).toBe('sendAck')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(dave.received.slice(before).filter((f) => f.roomEvent?.message)).toEqual([])
  })

  it('a member back on another node within the grace period stays; gone from every node past it, they leave', async () => {
    const alice = await device('alice', nodeA, 'alice-grace')
    const room = await createRoom(alice, 'Grace')
    await join(alice, room)
    const frankOnB = await device('frank', nodeB, 'frank-b')
    await join(frankOnB, room)
    await waitMember(alice, room, MemberKind.JOINED, 'frank')

    // Frank's device on node B goes; he is back on node A at once: node B's grace ends, node A still holds him.
    await frankOnB.close()
    const frankOnA = await device('frank', nodeA, 'frank-a')
    await join(frankOnA, room)
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS * 2))
    expect(alice.received.filter((f) => f.roomEvent?.member?.kind === MemberKind.LEFT && f.roomEvent.member.user === 'frank')).toEqual([])
    const carol = await device('carol', nodeB, 'carol-grace')
    expect((await okRooms(carol, { info: { room } })).info?.memberCount).toBe(2)

    // Gone from node A too: past the grace period he leaves, on both nodes.
    await frankOnA.close()
    const left = await waitMember(alice, room, MemberKind.LEFT, 'frank', GRACE_MS * 5)
    expect(left.roomEvent?.member?.memberCount).toBe(1)
    expect((await okRooms(carol, { info: { room } })).info?.memberCount).toBe(1)
  })

  it(
    'a node killed with SIGKILL leaves no ghost member once its hold runs out',
    async () => {
      await buildBundles()
      const childDir = makeTempDir()
      dataDirs.push(childDir)
      const child = new ServerProcess(childDir)
      // The child is a node like the others: the same database and Redis (its expiry comes from the env above).
      process.env.PARLEY_DATABASE_URL = databaseUrl
      process.env.PARLEY_REDIS_URL = redisUrl
      try {
        await child.start()
      } finally {
        delete process.env.PARLEY_DATABASE_URL
        delete process.env.PARLEY_REDIS_URL
      }
      try {
        const alice = await device('alice', nodeA, 'alice-ghost')
        const room = await createRoom(alice, 'Ghosts')
        await join(alice, room)
        const erin = await device('erin', { url: `http://127.0.0.1:${child.port}` }, 'erin-child')
        await join(erin, room)
        await waitMember(alice, room, MemberKind.JOINED, 'erin')
        expect(await memberList(alice, room)).toEqual({ users: ['alice', 'erin'], count: 2 })

        await child.kill()
        // Gone within the expiry (and a sweep): told to the room and out of the list and count on every node.
        const left = await waitMember(alice, room, MemberKind.LEFT, 'erin', GHOST_GONE_WITHIN_MS)
        expect(left.roomEvent?.member?.memberCount).toBe(1)
        expect(await memberList(alice, room)).toEqual({ users: ['alice'], count: 1 })
        const bob = await device('bob', nodeB, 'bob-ghost')
        expect((await okRooms(bob, { info: { room } })).info?.memberCount).toBe(1)
      } finally {
        await child.kill()
      }
    },
    CHILD_TEST_TIMEOUT_MS
  )
})
