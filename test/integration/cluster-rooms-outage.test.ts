// Covers rooms across nodes while the cluster's Redis is down (issue 9): room messages still take (the window is in
// the store) but cannot cross to the other node, so they are counted, and once Redis is back (restarted empty) the
// members there are told to re-read the window, find the message in it, and are still in the room.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startServer, type ServerHandle } from '../../src/server'
import { FrameClient, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { describeWithEngines } from '../support/engines'
import { createTestDatabase, dropTestDatabase } from '../support/test-database'
import { makeTempDir, removeDir } from '../support/test-server'
import { OwnRedis } from '../support/own-redis'
import { okRooms, say, waitText } from '../support/room-frames'

process.env.PARLEY_LOG ??= 'error'
/** Holds renewed every second: the members are put back soon after Redis restarts empty. */
process.env.PARLEY_ROOM_PRESENCE_TTL_SEC = '3'
/** Redis starting, and the nodes' reconnect backoff (at most 2 s) after it is back. */
const BACK_WITHIN_MS = 10_000
const QUIET_PERIOD_MS = 300
const TEST_TIMEOUT_MS = 60_000

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describeWithEngines('chat rooms across nodes while Redis is down', () => {
  let redis: OwnRedis
  let databaseUrl = ''
  const dataDirs: string[] = []
  const nodes: ServerHandle[] = []
  const open: FrameClient[] = []

  const startNode = async (): Promise<ServerHandle> => {
    const dataDir = makeTempDir()
    dataDirs.push(dataDir)
    const node = await startServer({ port: 0, host: '127.0.0.1', dataDir, databaseUrl, redisUrl: redis.url, attemptLimits: { address: { freeAttempts: Infinity } } })
    nodes.push(node)
    return node
  }

  const device = async (account: Login, node: ServerHandle, deviceId: string): Promise<FrameClient> => {
    const client = await FrameClient.onDevice(node.url, account, deviceId)
    open.push(client)
    return client
  }

  beforeAll(async () => {
    redis = await OwnRedis.start()
    databaseUrl = await createTestDatabase()
  })

  afterAll(async () => {
    await Promise.all(open.map((client) => client.close()))
    for (const node of nodes) await node.close()
    await redis.kill()
    for (const dir of dataDirs) removeDir(dir)
    if (databaseUrl) await dropTestDatabase(databaseUrl)
  })

  it(
    'messages sent while the bus is down are counted; the other node\'s members are told and find them in the window',
    async () => {
      const nodeA = await startNode()
      const nodeB = await startNode()
      const alice = await device(await registerAndLogin(nodeA.url, 'alice'), nodeA, 'alice-a')
      const bob = await device(await registerAndLogin(nodeA.url, 'bob'), nodeB, 'bob-b')
      const room = String((await okRooms(alice, { create: { name: 'Outage' } })).done?.room)
      await okRooms(alice, { join: { room } })
      await okRooms(bob, { join: { room } })
      expect((await say(alice, room, 'before')).body).toBe('sendAck')
      await waitText(bob, room, 'before')

      await redis.kill()
      // Alice is held by her node and the window is in the store: her messages take, but cannot cross (counted).
      let during = 0
      await until(
        async () => {
          const dropped = nodeA.roomStats().crossNodeDropped
          during++
          expect((await say(alice, room, `during ${during}`)).body).toBe('sendAck')
          return nodeA.roomStats().crossNodeDropped > dropped
        },
        BACK_WITHIN_MS,
        'a room frame counted as not relayed'
      )
      const lastDuring = `during ${during}`
      await new Promise((resolve) => setTimeout(resolve, QUIET_PERIOD_MS))
      expect(bob.received.some((f) => f.roomEvent?.message?.body?.text?.text === lastDuring)).toBe(false)

      await redis.start()
      // Bob is told he missed room frames; he re-reads the window and finds what was sent meanwhile.
      const notice = await bob.waitFor((f) => f.roomEvent?.room === room && f.roomEvent.dropped != null, BACK_WITHIN_MS, 'a dropped notice')
      expect(notice.roomEvent?.dropped?.count).toBeGreaterThanOrEqual(1)
      const again = await okRooms(bob, { recent: { room } })
      expect(again.joined?.recent?.map((m) => m.body?.text?.text)).toContain(lastDuring)
      // Redis came back empty: the nodes put back the members they hold, so both are still in the room.
      await until(async () => (await okRooms(bob, { members: { room } })).members?.memberCount === 2, BACK_WITHIN_MS, 'the members put back')
      // And live traffic crosses again.
      await until(
        async () => {
          const text = `after ${Date.now()}`
          await say(alice, room, text)
          return waitText(bob, room, text).then(
            () => true,
            () => false
          )
        },
        BACK_WITHIN_MS,
        'live traffic to cross again'
      )
    },
    TEST_TIMEOUT_MS
  )
})
