// A user's devices on two nodes (issue 9): the device list shows a device online whichever node it is connected to,
// the device limit counts a device online on the other node as seen now, and a "replaced" notice that reaches a node
// late (after the device came back to it) does not close the device's newer connection there.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { CloseCode, ErrorCode } from '../../src/shared/proto/codec'
import { LOGIN_PATH, REGISTER_PATH } from '../../src/server/api/app-server'
import { CHANNEL_PREFIX, connectRedisBus, type ClusterBus } from '../../src/server/cluster/bus'
import { encodeNotice, userChannel } from '../../src/server/cluster/wire'
import { FrameClient, postJson } from '../bench/lib/frame-client'
import { describeWithEngines } from '../support/engines'
import type { TestServer } from '../support/test-server'
import { startTwoNodes, type TwoNodes } from '../support/two-nodes'

process.env.PARLEY_LOG ??= 'warn'
/** A low limit, so a few sign-ins reach it (read by both nodes at start). */
const DEVICE_LIMIT = 2
process.env.PARLEY_DEVICE_LIMIT = String(DEVICE_LIMIT)
/** How long a claim in Redis may take to be written or released after a connect or a close. */
const SETTLE_MS = 5_000
const POLL_MS = 50
/** How long we watch for a close that must NOT happen. */
const QUIET_PERIOD_MS = 500

type DeviceList = NonNullable<Awaited<ReturnType<FrameClient['request']>>['devicesOk']>

async function devices(client: FrameClient): Promise<DeviceList> {
  const answer = await client.request({ devices: { signOutSession: '' } })
  if (!answer.devicesOk) throw new Error(`devices failed: ${JSON.stringify(answer.error)}`)
  return answer.devicesOk
}

/** Polls the device list until `test` holds (the claims in Redis follow a connect or a close within a round trip). */
async function listUntil(client: FrameClient, test: (list: DeviceList) => boolean, what: string): Promise<DeviceList> {
  const deadline = Date.now() + SETTLE_MS
  for (;;) {
    const list = await devices(client)
    if (test(list)) return list
    if (Date.now() > deadline) throw new Error(`device list never showed ${what}: ${JSON.stringify(list.devices)}`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

const onlineOf = (list: DeviceList, deviceId: string): boolean | undefined => list.devices?.find((d) => d.deviceId === deviceId)?.online ?? undefined

/** An account with no device signed in yet (every device below signs in on its own, with its device id). */
async function register(node: TestServer, user: string): Promise<void> {
  const answer = await postJson(node.url, REGISTER_PATH, { userAccount: user, userPassword: 'password-1' })
  if (answer.status !== 200) throw new Error(`register failed: ${JSON.stringify(answer.body)}`)
}

/** Signs in on `deviceId` through `node` (a login of its own, as a real device does) and authenticates there. */
async function signIn(node: TestServer, user: string, deviceId: string): Promise<FrameClient> {
  const answer = await postJson(node.url, LOGIN_PATH, { userAccount: user, userPassword: 'password-1', deviceId, deviceName: deviceId })
  if (answer.status !== 200) throw new Error(`login failed: ${JSON.stringify(answer.body)}`)
  return FrameClient.authenticated(node.url, String(answer.body.accessToken), deviceId)
}

describeWithEngines('a user\'s devices on two nodes', ({ redisUrl }) => {
  let nodes: TwoNodes | null = null
  let a: TestServer
  let b: TestServer
  let bus: ClusterBus | null = null
  let redis: Redis | null = null
  const clients: FrameClient[] = []
  const track = (client: FrameClient): FrameClient => {
    clients.push(client)
    return client
  }

  beforeAll(async () => {
    nodes = await startTwoNodes(redisUrl)
    ;({ a, b } = nodes)
    bus = await connectRedisBus(redisUrl)
    redis = new Redis(redisUrl)
  })
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()))
    await bus?.close()
    redis?.disconnect()
    await nodes?.dispose()
  })

  it('each node lists the device on the other node online, and offline once it disconnected', async () => {
    await register(a, 'dora')
    const onA = track(await signIn(a, 'dora', 'dora-a'))
    const onB = track(await signIn(b, 'dora', 'dora-b'))

    const seenFromB = await listUntil(onB, (list) => onlineOf(list, 'dora-a') === true, 'dora-a online')
    expect(onlineOf(seenFromB, 'dora-b')).toBe(true)
    const seenFromA = await listUntil(onA, (list) => onlineOf(list, 'dora-b') === true, 'dora-b online')
    expect(onlineOf(seenFromA, 'dora-a')).toBe(true)

    await onA.close()
    const after = await listUntil(onB, (list) => onlineOf(list, 'dora-a') === false, 'dora-a offline')
    expect(Number(after.devices?.find((d) => d.deviceId === 'dora-a')?.lastSeenAt)).toBeGreaterThan(0)
  })

  it('the device limit signs out a device offline everywhere, not one online on the other node', async () => {
    // "old" is online on node A from the start: the least recently seen by its record, but online now.
    await register(a, 'olga')
    const old = track(await signIn(a, 'olga', 'olga-old'))
    // "gone" connects to node B later and goes away: offline everywhere, last seen after "old" connected.
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    const gone = await signIn(b, 'olga', 'olga-gone')
    await gone.close()
    await listUntil(old, (list) => onlineOf(list, 'olga-gone') === false, 'olga-gone offline')
    const told = old.waitFor((f) => f.id === 0 && f.error?.code === ErrorCode.ERROR_DEVICE_LIMIT, QUIET_PERIOD_MS * 2).then(
      () => 'told',
      () => 'not told'
    )

    // A third sign-in, through node B (which has no device of olga's connected), goes past the limit of two.
    const fresh = track(await signIn(b, 'olga', 'olga-new'))
    expect(await told).toBe('not told')
    expect(old.isOpen).toBe(true)
    const list = await devices(fresh)
    expect(list.devices?.map((d) => d.deviceId).sort()).toEqual(['olga-new', 'olga-old'])
  })

  it('a replacement notice that arrives late does not close the device\'s newer connection', async () => {
    await register(a, 'rita')
    // The device connected to node B before; this is its newer connection, on node A.
    const before = Date.now() - 1
    const current = track(await signIn(a, 'rita', 'rita-phone'))
    // Node A listens on the user's channel once her first device is online; wait until Redis has that subscription.
    const channel = CHANNEL_PREFIX + userChannel('rita')
    const deadline = Date.now() + SETTLE_MS
    while (Number(((await redis!.pubsub('NUMSUB', channel)) as [string, number])[1]) < 1) {
      if (Date.now() > deadline) throw new Error('node A never subscribed to the user channel')
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }

    // Node B's notice about the older connection arrives only now.
    const closed = current.waitForClose(QUIET_PERIOD_MS).then(
      (info) => info.code,
      () => null
    )
    bus!.publish(userChannel('rita'), encodeNotice({ kind: 'device', deviceId: 'rita-phone', at: before, node: bus!.nodeId }))
    expect(await closed).toBe(null)
    expect((await current.request({ devices: { signOutSession: '' } })).body).toBe('devicesOk')

    // A notice about a connection newer than this one still replaces it.
    const replaced = current.waitForClose()
    bus!.publish(userChannel('rita'), encodeNotice({ kind: 'device', deviceId: 'rita-phone', at: Date.now() + 1, node: bus!.nodeId }))
    expect((await replaced).code).toBe(CloseCode.CLOSE_REPLACED)
  })
})
