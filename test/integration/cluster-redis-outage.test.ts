// Two nodes whose Redis is SIGKILLed for about ten seconds mid-traffic (1:1 and group, across nodes): sends keep
// being acked (PostgreSQL holds them), and once Redis is back every message reaches every recipient device exactly
// once, with no client reconnecting: the nodes re-check their logs themselves. A sign-out made meanwhile closes the
// signed-out device's socket on the other node once Redis is back.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ChatTypePb, CloseCode, ErrorCode, type DecodedFrame } from '../../src/shared/proto/codec'
import { FrameClient, randomClientId, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { describeWithEngines } from '../support/engines'
import type { TestServer } from '../support/test-server'
import { startTwoNodes, type TwoNodes } from '../support/two-nodes'
import { OwnRedis } from '../support/own-redis'

process.env.PARLEY_LOG ??= 'warn'

const SINGLE = ChatTypePb.CHAT_TYPE_SINGLE
const GROUP = ChatTypePb.CHAT_TYPE_GROUP
/** Traffic before the kill, while Redis is down, and after it is back. */
const BEFORE_MS = 1_500
const OUTAGE_MS = 10_000
const AFTER_MS = 1_500
/** One round of sends (1:1 both ways, group from each node) this often. */
const ROUND_MS = 250
/** Tries per send, and the pause between them (a store hiccup answers ERROR_INTERNAL; clients retry after a backoff). */
const SEND_ATTEMPTS = 10
const SEND_RETRY_MS = 200
/** How long every device may take to receive everything once Redis is back. */
const SETTLE_MS = 20_000

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const textOf = (frame: DecodedFrame): string | undefined =>
  frame.event?.message?.body?.text?.text ?? frame.groupEntry?.message?.body?.text?.text ?? undefined

describeWithEngines('two nodes through a Redis outage', () => {
  let redis: OwnRedis | null = null
  let nodes: TwoNodes | null = null
  let a: TestServer
  let b: TestServer
  const clients: FrameClient[] = []

  beforeAll(async () => {
    redis = await OwnRedis.start()
    nodes = await startTwoNodes(redis.url)
    ;({ a, b } = nodes)
  })
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()))
    await nodes?.dispose()
    await redis?.kill()
  })

  it('acks every send while Redis is down and delivers everything exactly once after it is back, without reconnects', async () => {
    const logins = new Map<string, Login>()
    for (const name of ['sam', 'tia', 'uma', 'vic', 'wes']) logins.set(name, await registerAndLogin(a.url, name))
    const device = async (node: TestServer, name: string, deviceId: string): Promise<FrameClient> => {
      const client = await FrameClient.onDevice(node.url, logins.get(name) as Login, deviceId)
      clients.push(client)
      await client.request({ groups: { mine: {} } })
      return client
    }
    const uma = await device(a, 'uma', 'u1')
    const created = await uma.request({ groups: { create: { name: 'Outage', members: ['vic', 'tia'], settings: {} } } })
    const group = created.groupsOk?.done?.group as string
    expect(group).toBeTruthy()
    const sam = await device(a, 'sam', 's1')
    const tiaOnB = await device(b, 'tia', 't1')
    const tiaOnA = await device(a, 'tia', 't2')
    const vic = await device(b, 'vic', 'v1')
    const wesOnA = await device(a, 'wes', 'desk')
    const wesOnB = await device(b, 'wes', 'tablet')
    const wesDevices = await wesOnA.request({ devices: { signOutSession: '' } })
    const tablet = wesDevices.devicesOk?.devices?.find((entry) => entry.deviceId === 'tablet')?.sessionId as string
    expect(tablet).toBeTruthy()

    /** Text -> the devices that must receive it pushed. */
    const expected = new Map<string, FrameClient[]>()
    let acked = 0
    const send = async (from: FrameClient, to: string, chatType: number, text: string, recipients: FrameClient[]): Promise<void> => {
      expected.set(text, recipients)
      // As a real client does: a send answered ERROR_INTERNAL is retried with the same client id (de-duplicated).
      const clientId = randomClientId()
      for (let attempt = 1; ; attempt++) {
        const reply = await from.request({ send: { clientId, to, chatType, body: { text: { text } } } }, 10_000)
        if (reply.sendAck) break
        if (reply.error?.code !== ErrorCode.ERROR_INTERNAL || attempt === SEND_ATTEMPTS) {
          throw new Error(`"${text}" was not acked: ${JSON.stringify(reply.error)}`)
        }
        await sleep(SEND_RETRY_MS)
      }
      acked++
    }
    let round = 0
    const traffic = async (ms: number, phase: string): Promise<void> => {
      const until = Date.now() + ms
      while (Date.now() < until) {
        const n = round++
        await Promise.all([
          send(sam, 'tia', SINGLE, `${phase} ${n} sam->tia`, [tiaOnB, tiaOnA]),
          send(tiaOnB, 'sam', SINGLE, `${phase} ${n} tia->sam`, [sam, tiaOnA]),
          send(uma, group, GROUP, `${phase} ${n} uma->group`, [vic, tiaOnB, tiaOnA]),
          send(vic, group, GROUP, `${phase} ${n} vic->group`, [uma, tiaOnB, tiaOnA])
        ])
        await sleep(ROUND_MS)
      }
    }

    await traffic(BEFORE_MS, 'before')
    await redis?.kill()
    await traffic(OUTAGE_MS / 2, 'during')
    // A sign-out while the kick cannot cross: the tablet on node B is closed once the bus is back.
    const during = await wesOnA.request({ devices: { signOutSession: tablet } })
    expect(during.body).toBe('devicesOk')
    // The device list answers from this node's own devices while Redis cannot say about the others'.
    expect(during.devicesOk?.devices?.find((entry) => entry.deviceId === 'desk')?.online).toBe(true)
    await traffic(OUTAGE_MS / 2, 'during-2')
    expect(wesOnB.isOpen).toBe(true)
    await redis?.start()
    await traffic(AFTER_MS, 'after')
    expect(acked).toBe(expected.size)

    const missing = (): string[] => {
      const list: string[] = []
      for (const [text, recipients] of expected) {
        for (const recipient of recipients) if (!recipient.received.some((frame) => textOf(frame) === text)) list.push(text)
      }
      return list
    }
    const deadline = Date.now() + SETTLE_MS
    while (missing().length > 0 && Date.now() < deadline) await sleep(200)
    expect(missing()).toEqual([])
    expect((await wesOnB.waitForClose(SETTLE_MS)).code).toBe(CloseCode.CLOSE_SIGNED_OUT)

    // Exactly once per device, and nobody had to reconnect.
    for (const client of [sam, tiaOnB, tiaOnA, uma, vic]) {
      const counts = new Map<string, number>()
      for (const frame of client.received) {
        const text = textOf(frame)
        if (text !== undefined) counts.set(text, (counts.get(text) ?? 0) + 1)
      }
      expect([...counts].filter(([, count]) => count > 1)).toEqual([])
      expect(client.isOpen).toBe(true)
    }
    expect(a.server.busStats().droppedWhileDown + b.server.busStats().droppedWhileDown).toBeGreaterThan(0)
  }, 90_000)
})
