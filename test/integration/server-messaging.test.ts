// Covers sending over the gateway: validation, fan-out to devices, de-duplication of resends,
// sync pagination, history pages, and the beforeSendAck 'drop' test hook.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode, MAX_FRAME_BYTES, MAX_TEXT_BYTES, clientIdToHex, encodeFrame, type DecodedFrame } from '../../src/shared/proto/codec'
import { FrameClient, randomClientId, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

/** How long we listen for pushes that must NOT arrive. */
const QUIET_PERIOD_MS = 300

function sendText(client: FrameClient, to: string, text: string, clientId = randomClientId()): Promise<DecodedFrame> {
  return client.request({ send: { clientId, to, body: { text: { text } } } })
}

async function syncAll(client: FrameClient, afterSeq: number, limit: number): Promise<{ batches: DecodedFrame[]; seqs: number[] }> {
  const batches: DecodedFrame[] = []
  const seqs: number[] = []
  let cursor = afterSeq
  for (;;) {
    const reply = await client.request({ sync: { afterSeq: cursor, limit } })
    const batch = reply.syncBatch
    if (!batch) throw new Error(`expected sync_batch, got ${JSON.stringify(reply)}`)
    batches.push(reply)
    for (const event of batch.events ?? []) seqs.push(Number(event.seq))
    if (!batch.hasMore) return { batches, seqs }
    cursor = seqs[seqs.length - 1] as number
  }
}

describe('messaging', () => {
  let t: TestServer
  let alice: Login
  let bob: Login
  let carol: Login
  beforeAll(async () => {
    t = await startTestServer()
    alice = await registerAndLogin(t.server.url, 'alice')
    bob = await registerAndLogin(t.server.url, 'bob')
    carol = await registerAndLogin(t.server.url, 'carol')
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('refuses text over MAX_TEXT_BYTES, empty text, unknown recipients and bad client ids', async () => {
    const client = await FrameClient.onDevice(t.server.url, alice, 'validate')
    const tooLong = await sendText(client, 'bob', 'é'.repeat(MAX_TEXT_BYTES / 2 + 1))
    expect(tooLong.error?.code).toBe(ErrorCode.ERROR_TEXT_TOO_LONG)
    const exactly = await sendText(client, 'bob', 'x'.repeat(MAX_TEXT_BYTES))
    expect(exactly.body).toBe('sendAck')
    const empty = await sendText(client, 'bob', '')
    expect(empty.error?.code).toBe(ErrorCode.ERROR_BAD_REQUEST)
    const nobody = await sendText(client, 'nobody', 'hello?')
    expect(nobody.error?.code).toBe(ErrorCode.ERROR_USER_NOT_FOUND)
    const shortId = await sendText(client, 'bob', 'hi', new Uint8Array(8))
    expect(shortId.error?.code).toBe(ErrorCode.ERROR_BAD_REQUEST)
    await client.close()
  })

  it('acks the sender and pushes to every recipient device and the sender’s other devices, not the sending one', async () => {
    const aliceLaptop = await FrameClient.onDevice(t.server.url, alice, 'a-laptop')
    const alicePhone = await FrameClient.onDevice(t.server.url, alice, 'a-phone')
    const bobLaptop = await FrameClient.onDevice(t.server.url, bob, 'b-laptop')
    const bobPhone = await FrameClient.onDevice(t.server.url, bob, 'b-phone')
    const carolDevice = await FrameClient.onDevice(t.server.url, carol, 'c-1')

    const clientId = randomClientId()
    const ack = await sendText(aliceLaptop, 'Bob', 'hello bob', clientId)
    expect(ack.body).toBe('sendAck')
    const sendAck = ack.sendAck!
    expect(clientIdToHex(sendAck.clientId!)).toBe(clientIdToHex(clientId))
    expect(Number(sendAck.serverId)).toBeGreaterThan(0)
    expect(Number(sendAck.seq)).toBeGreaterThan(0)
    expect(Math.abs(Number(sendAck.timestamp) - Date.now())).toBeLessThan(60_000)

    const isThisMessage = (f: DecodedFrame): boolean => f.body === 'event' && Number(f.event?.message?.serverId) === Number(sendAck.serverId)
    const [onBobLaptop, onBobPhone, onAlicePhone] = await Promise.all([
      bobLaptop.waitFor(isThisMessage),
      bobPhone.waitFor(isThisMessage),
      alicePhone.waitFor(isThisMessage)
    ])
    for (const pushed of [onBobLaptop, onBobPhone, onAlicePhone]) {
      expect(pushed.id ?? 0).toBe(0)
      expect(pushed.event?.message?.from).toBe('alice')
      expect(pushed.event?.message?.to).toBe('bob')
      expect(pushed.event?.message?.body?.text?.text).toBe('hello bob')
      expect(clientIdToHex(pushed.event!.message!.clientId!)).toBe(clientIdToHex(clientId))
    }
    // The sender's other device sees the sender's seq; the recipient's devices see the recipient's seq.
    expect(Number(onAlicePhone.event?.seq)).toBe(Number(sendAck.seq))
    expect(Number(onBobLaptop.event?.seq)).toBe(Number(onBobPhone.event?.seq))

    await new Promise((resolve) => setTimeout(resolve, QUIET_PERIOD_MS))
    expect(aliceLaptop.received.filter(isThisMessage)).toHaveLength(0)
    expect(carolDevice.received.filter(isThisMessage)).toHaveLength(0)
    expect(bobLaptop.received.filter(isThisMessage)).toHaveLength(1)
    await Promise.all([aliceLaptop, alicePhone, bobLaptop, bobPhone, carolDevice].map((c) => c.close()))
  })

  it('answers a resend of the same client id with the original ack, no new log entry and no second push', async () => {
    const sender = await FrameClient.onDevice(t.server.url, carol, 'dedupe')
    // The recipient's device and the sender's other device each get every message pushed once, resends or not.
    const recipientDevice = await FrameClient.onDevice(t.server.url, alice, 'dedupe-peer')
    const senderOther = await FrameClient.onDevice(t.server.url, carol, 'dedupe-other')
    const headBefore = Number((await sender.request({ sync: { afterSeq: 0, limit: 1 } })).syncBatch?.headSeq ?? 0)
    const clientId = randomClientId()
    const first = await sendText(sender, 'alice', 'once only', clientId)
    const again = await sendText(sender, 'alice', 'once only', clientId)
    const third = await sendText(sender, 'alice', 'different text, same id', clientId)
    expect(again.sendAck).toEqual(first.sendAck)
    expect(third.sendAck).toEqual(first.sendAck)
    // Resending in the same batch (no await between) is de-duplicated too.
    const racedId = randomClientId()
    const [r1, r2] = await Promise.all([sendText(sender, 'alice', 'raced', racedId), sendText(sender, 'alice', 'raced', racedId)])
    expect(r2.sendAck).toEqual(r1.sendAck)

    const after = await sender.request({ sync: { afterSeq: headBefore, limit: 100 } })
    const events = after.syncBatch?.events ?? []
    expect(events).toHaveLength(2)
    expect(Number(after.syncBatch?.headSeq)).toBe(headBefore + 2)

    const pushesOf = (device: FrameClient, serverId: unknown): number =>
      device.received.filter((f) => f.body === 'event' && Number(f.event?.message?.serverId) === Number(serverId)).length
    for (const device of [recipientDevice, senderOther]) {
      await device.waitFor((f) => f.body === 'event' && Number(f.event?.message?.serverId) === Number(r1.sendAck?.serverId))
    }
    await new Promise((resolve) => setTimeout(resolve, QUIET_PERIOD_MS))
    for (const device of [recipientDevice, senderOther]) {
      expect(pushesOf(device, first.sendAck?.serverId)).toBe(1)
      expect(pushesOf(device, r1.sendAck?.serverId)).toBe(1)
    }
    await Promise.all([sender, recipientDevice, senderOther].map((c) => c.close()))
  })

  it('stores one log entry when sending to oneself', async () => {
    const dev1 = await FrameClient.onDevice(t.server.url, carol, 'self-1')
    const dev2 = await FrameClient.onDevice(t.server.url, carol, 'self-2')
    const head = Number((await dev1.request({ sync: { limit: 1 } })).syncBatch?.headSeq)
    const ack = await sendText(dev1, 'carol', 'note to self')
    expect(Number(ack.sendAck?.seq)).toBe(head + 1)
    const pushed = await dev2.waitFor((f) => f.body === 'event')
    expect(Number(pushed.event?.seq)).toBe(head + 1)
    const batch = await dev1.request({ sync: { afterSeq: head } })
    expect(batch.syncBatch?.events).toHaveLength(1)
    await Promise.all([dev1.close(), dev2.close()])
  })

  it('syncs a log in ascending batches with has_more and head_seq', async () => {
    const dave = await registerAndLogin(t.server.url, 'dave')
    const eve = await registerAndLogin(t.server.url, 'eve')
    const daveDevice = await FrameClient.onDevice(t.server.url, dave, 'd1')
    const total = 23
    const acks = await Promise.all(Array.from({ length: total }, (_, i) => sendText(daveDevice, 'eve', `message ${i}`)))
    expect(acks.map((a) => Number(a.sendAck?.seq)).sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1))

    const eveDevice = await FrameClient.onDevice(t.server.url, eve, 'e1')
    const { batches, seqs } = await syncAll(eveDevice, 0, 10)
    expect(batches.map((b) => b.syncBatch?.events?.length)).toEqual([10, 10, 3])
    expect(batches.map((b) => Boolean(b.syncBatch?.hasMore))).toEqual([true, true, false])
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1))
    expect(Number(batches[0]?.syncBatch?.headSeq)).toBe(total)
    const texts = batches.flatMap((b) => b.syncBatch?.events ?? []).map((e) => e.message?.body?.text?.text)
    expect(new Set(texts).size).toBe(total)

    const fromMiddle = await eveDevice.request({ sync: { afterSeq: 20, limit: 10 } })
    expect(fromMiddle.syncBatch?.events?.map((e) => Number(e.seq))).toEqual([21, 22, 23])
    const huge = await eveDevice.request({ sync: { afterSeq: 0, limit: 1_000_000 } })
    expect(huge.syncBatch?.events).toHaveLength(total)
    await Promise.all([daveDevice.close(), eveDevice.close()])
  })

  it('splits sync batches and history pages of large messages so no frame exceeds MAX_FRAME_BYTES', async () => {
    const heidi = await registerAndLogin(t.server.url, 'heidi')
    const ivan = await registerAndLogin(t.server.url, 'ivan')
    const heidiDevice = await FrameClient.onDevice(t.server.url, heidi, 'h1')
    const total = 30 // 30 texts of MAX_TEXT_BYTES are more than twice the frame limit
    for (let i = 0; i < total; i++) await sendText(heidiDevice, 'ivan', String(i % 10).repeat(MAX_TEXT_BYTES))

    const ivanDevice = await FrameClient.onDevice(t.server.url, ivan, 'i1')
    const { batches, seqs } = await syncAll(ivanDevice, 0, 500)
    expect(batches.length).toBeGreaterThan(2)
    for (const batch of batches) expect(encodeFrame(batch).byteLength).toBeLessThanOrEqual(MAX_FRAME_BYTES)
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1))

    const page = await ivanDevice.request({ history: { conversation: 'heidi', beforeSeq: 0, limit: 200 } })
    expect(encodeFrame(page).byteLength).toBeLessThanOrEqual(MAX_FRAME_BYTES)
    expect(page.historyPage?.hasMore).toBe(true)
    expect(page.historyPage?.events?.length).toBeLessThan(total)
    await Promise.all([heidiDevice.close(), ivanDevice.close()])
  })

  it('pages a conversation’s history newest first', async () => {
    const frank = await registerAndLogin(t.server.url, 'frank')
    const grace = await registerAndLogin(t.server.url, 'grace')
    const frankDevice = await FrameClient.onDevice(t.server.url, frank, 'f1')
    const graceDevice = await FrameClient.onDevice(t.server.url, grace, 'g1')
    for (let i = 0; i < 7; i++) {
      await sendText(i % 2 === 0 ? frankDevice : graceDevice, i % 2 === 0 ? 'grace' : 'frank', `h${i}`)
      // Noise in another conversation must not show up in this history.
      await sendText(frankDevice, 'alice', `noise ${i}`)
    }
    const first = await frankDevice.request({ history: { conversation: 'grace', beforeSeq: 0, limit: 3 } })
    const firstTexts = first.historyPage?.events?.map((e) => e.message?.body?.text?.text)
    expect(firstTexts).toEqual(['h6', 'h5', 'h4'])
    expect(first.historyPage?.hasMore).toBe(true)
    const oldestSeq = Number(first.historyPage?.events?.at(-1)?.seq)
    const second = await frankDevice.request({ history: { conversation: 'grace', beforeSeq: oldestSeq, limit: 3 } })
    expect(second.historyPage?.events?.map((e) => e.message?.body?.text?.text)).toEqual(['h3', 'h2', 'h1'])
    expect(second.historyPage?.hasMore).toBe(true)
    const last = await frankDevice.request({
      history: { conversation: 'grace', beforeSeq: Number(second.historyPage?.events?.at(-1)?.seq), limit: 3 }
    })
    expect(last.historyPage?.events?.map((e) => e.message?.body?.text?.text)).toEqual(['h0'])
    expect(last.historyPage?.hasMore).toBe(false)
    const graceView = await graceDevice.request({ history: { conversation: 'frank', limit: 50 } })
    expect(graceView.historyPage?.events).toHaveLength(7)
    await Promise.all([frankDevice.close(), graceDevice.close()])
  })
})

describe('beforeSendAck test hook', () => {
  it("drops the socket instead of acking, after the message is stored", async () => {
    const dropped = new Set<string>()
    const t = await startTestServer({
      testHooks: {
        beforeSendAck: ({ clientId }) => (dropped.has(clientId) ? undefined : (dropped.add(clientId), 'drop'))
      }
    })
    try {
      const alice = await registerAndLogin(t.server.url, 'alice')
      const bob = await registerAndLogin(t.server.url, 'bob')
      const bobDevice = await FrameClient.onDevice(t.server.url, bob, 'b1')
      const first = await FrameClient.onDevice(t.server.url, alice, 'a1')
      const clientId = randomClientId()
      first.send({ id: 99, send: { clientId, to: 'bob', body: { text: { text: 'cut before ack' } } } })
      await first.waitForClose()
      expect(first.received.some((f) => f.id === 99)).toBe(false)
      expect(dropped.has(clientIdToHex(clientId))).toBe(true)
      // Stored: the recipient got it live, and a resend after reconnecting gets the original ack.
      const pushed = await bobDevice.waitFor((f) => f.body === 'event')
      const second = await FrameClient.onDevice(t.server.url, alice, 'a1')
      const resend = await sendText(second, 'bob', 'cut before ack', clientId)
      expect(Number(resend.sendAck?.serverId)).toBe(Number(pushed.event?.message?.serverId))
      const log = await second.request({ sync: { afterSeq: 0 } })
      expect(log.syncBatch?.events).toHaveLength(1)
      await Promise.all([bobDevice.close(), second.close()])
    } finally {
      await t.dispose()
    }
  })
})
