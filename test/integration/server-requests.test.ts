// Covers the requests a device makes besides sending: user lookup (canonical ids), read pointers synced to the
// account's other devices, the conversation list a new device starts from, and sync cursors older than the kept log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatTypePb, ErrorCode, MAX_FRAME_BYTES, encodeFrame } from '../../src/shared/proto/codec'
import type { ServerStore } from '../../src/server/store/types'
import { FrameClient, randomClientId, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

async function send(client: FrameClient, to: string, text: string): Promise<number> {
  const ack = await client.request({ send: { clientId: randomClientId(), to, body: { text: { text } } } })
  if (ack.body !== 'sendAck') throw new Error(`send failed: ${JSON.stringify(ack.error)}`)
  return Number(ack.sendAck?.seq)
}

describe('lookup, read pointers, recent conversations, expired cursors', () => {
  let t: TestServer
  let store: ServerStore | null = null
  let alice: Login
  let bob: Login
  beforeAll(async () => {
    // The hook hands the test the server's own store, to run its retention job (trimLogs) on demand.
    t = await startTestServer({
      testHooks: {
        wrapStore: (opened) => {
          store = opened
          return opened
        }
      }
    })
    alice = await registerAndLogin(t.server.url, 'alice')
    bob = await registerAndLogin(t.server.url, 'bob')
    await registerAndLogin(t.server.url, 'carol')
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('looks users up by any spelling and answers the canonical id', async () => {
    const device = await FrameClient.onDevice(t.server.url, alice, 'lookup')
    const found = await device.request({ lookupUser: { user: '  BoB ' } })
    expect(found.lookupUserOk).toMatchObject({ exists: true, user: 'bob' })
    const missing = await device.request({ lookupUser: { user: 'Nobody' } })
    expect(missing.lookupUserOk?.exists ?? false).toBe(false)
    expect(missing.lookupUserOk?.user).toBe('nobody')
    const invalid = await device.request({ lookupUser: { user: 'not a name' } })
    expect(invalid.lookupUserOk?.exists ?? false).toBe(false)
    // Sending to another spelling reaches the same conversation.
    await send(device, 'BOB', 'to upper-case bob')
    const page = await device.request({ history: { conversation: 'Bob' } })
    expect(page.historyPage?.events?.map((e) => e.message?.to)).toEqual(['bob'])
    await device.close()
  })

  it('moves a read pointer forward only and pushes it to the account’s other devices, not the one that read', async () => {
    const carolSender = await FrameClient.onDevice(t.server.url, { ...alice, user: 'carol' }, 'c-send')
    const bobLaptop = await FrameClient.onDevice(t.server.url, bob, 'b-laptop')
    const bobPhone = await FrameClient.onDevice(t.server.url, bob, 'b-phone')
    await send(carolSender, 'bob', 'one')
    await send(carolSender, 'bob', 'two')
    const pushed = await bobPhone.waitFor((f) => f.event?.message?.body?.text?.text === 'two')
    const readUpTo = Number(pushed.event?.seq)

    const marked = await bobLaptop.request({ markRead: { conversation: 'CAROL', chatType: ChatTypePb.CHAT_TYPE_SINGLE, seq: readUpTo } })
    expect(Number(marked.markReadOk?.seq)).toBe(readUpTo)
    const eventSeq = Number(marked.markReadOk?.eventSeq)
    expect(eventSeq).toBeGreaterThan(readUpTo)
    const onPhone = await bobPhone.waitFor((f) => f.event?.readPointer != null)
    expect(Number(onPhone.event?.seq)).toBe(eventSeq)
    expect(onPhone.event?.readPointer).toMatchObject({ conversation: 'carol', seq: readUpTo })
    expect(bobLaptop.received.some((f) => f.event?.readPointer != null)).toBe(false)

    // Backwards is a no-op that answers the pointer in force; the log holds the one read-pointer entry.
    const back = await bobLaptop.request({ markRead: { conversation: 'carol', seq: readUpTo - 1 } })
    expect(Number(back.markReadOk?.seq)).toBe(readUpTo)
    expect(Number(back.markReadOk?.eventSeq ?? 0)).toBe(0)
    const log = await bobLaptop.request({ sync: { afterSeq: readUpTo } })
    expect(log.syncBatch?.events?.map((e) => Number(e.seq))).toEqual([eventSeq])
    expect(log.syncBatch?.events?.[0]?.readPointer?.conversation).toBe('carol')

    // A group pointer names a group: a user id is no group (groups and users live apart).
    const bad = await bobLaptop.request({ markRead: { conversation: 'carol', chatType: ChatTypePb.CHAT_TYPE_GROUP, seq: 1 } })
    expect(bad.error?.code).toBe(ErrorCode.ERROR_NOT_FOUND)
    for (const client of [carolSender, bobLaptop, bobPhone]) await client.close()
  })

  it('answers the conversation list most recent first, with the newest entry, read pointer and unread count', async () => {
    const bobDevice = await FrameClient.onDevice(t.server.url, bob, 'b-recent')
    const recent = await bobDevice.request({ recent: {} })
    const list = recent.recentOk?.conversations ?? []
    expect(list.map((c) => c.conversation)).toEqual(['carol', 'alice'])
    const carol = list[0]!
    expect(carol.last?.message?.body?.text?.text).toBe('two')
    expect(Number(carol.readSeq)).toBe(Number(carol.last?.seq))
    expect(carol.unread ?? 0).toBe(0)
    expect(list[1]!.unread).toBe(1)
    const head = Number((await bobDevice.request({ sync: { afterSeq: 0, limit: 1 } })).syncBatch?.headSeq)
    expect(Number(recent.recentOk?.headSeq)).toBe(head)

    // Paging: one per page, continuing after the last conversation of the previous page.
    const first = await bobDevice.request({ recent: { limit: 1 } })
    expect(first.recentOk?.conversations?.map((c) => c.conversation)).toEqual(['carol'])
    expect(first.recentOk?.hasMore).toBe(true)
    const last = first.recentOk!.conversations![0]!
    const second = await bobDevice.request({
      recent: { limit: 1, afterConversation: last.conversation, afterChatType: last.chatType, afterSeq: last.last?.seq }
    })
    expect(second.recentOk?.conversations?.map((c) => c.conversation)).toEqual(['alice'])
    expect(second.recentOk?.hasMore ?? false).toBe(false)
    await bobDevice.close()
  })

  it('cuts the conversation list to one frame', async () => {
    const names = Array.from({ length: 16 }, (_, i) => `big${i}`)
    const senders = await Promise.all(names.map((name) => registerAndLogin(t.server.url, name)))
    const big = 'x'.repeat(5_000)
    for (const sender of senders) {
      const device = await FrameClient.onDevice(t.server.url, sender, `${sender.user}-d`)
      await send(device, 'alice', big)
      await device.close()
    }
    const aliceDevice = await FrameClient.onDevice(t.server.url, alice, 'a-recent')
    const answer = await aliceDevice.request({ recent: { limit: 200 } })
    expect(encodeFrame({ id: 1, recentOk: answer.recentOk }).length).toBeLessThanOrEqual(MAX_FRAME_BYTES)
    const count = answer.recentOk?.conversations?.length ?? 0
    expect(count).toBeGreaterThan(0)
    expect(count).toBeLessThan(names.length + 1)
    expect(answer.recentOk?.hasMore).toBe(true)
    await aliceDevice.close()
  })

  it('answers ERROR_CURSOR_EXPIRED for a cursor below the kept log, and auth tells the oldest kept seq', async () => {
    await registerAndLogin(t.server.url, 'dan')
    const eve = await registerAndLogin(t.server.url, 'eve')
    const sender = await FrameClient.onDevice(t.server.url, eve, 'e-send')
    // More than the newest page retention always keeps (50 per conversation), so the oldest entries can go.
    for (let i = 0; i < 70; i++) await send(sender, 'dan', `m${i}`)
    await sender.close()
    if (!store) throw new Error('the store hook did not run')
    expect(await store.trimLogs(Date.now() + 1)).toBeGreaterThan(0)

    const dan = await FrameClient.onDevice(t.server.url, { ...eve, user: 'dan' }, 'd1')
    const authOk = dan.received.find((f) => f.body === 'authOk')?.authOk
    const oldest = Number(authOk?.oldestSeq)
    expect(oldest).toBeGreaterThan(1)
    const expired = await dan.request({ sync: { afterSeq: 0 } })
    expect(expired.error?.code).toBe(ErrorCode.ERROR_CURSOR_EXPIRED)
    const belowByOne = await dan.request({ sync: { afterSeq: oldest - 2 } })
    expect(belowByOne.error?.code).toBe(ErrorCode.ERROR_CURSOR_EXPIRED)
    const fromOldest = await dan.request({ sync: { afterSeq: oldest - 1 } })
    expect(Number(fromOldest.syncBatch?.events?.[0]?.seq)).toBe(oldest)
    await dan.close()
  })
})
