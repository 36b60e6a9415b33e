// Delivery under faults with the real server: the link cut between send and ack, a late ack,
// forced link drops mid-burst, and a server restart on the same port and data folder.
import { afterEach, describe, expect, it } from 'vitest'
import type { ConnectionState } from '../../src/shared/model'
import type { ServerStore } from '../../src/server/store/types'
import { Devices, localHistory, registerUsers, TEST_PASSWORD, TestServer, uniqueUser, waitFor, signInPair, textOf } from './helpers/env'

describe('resilience: dropped acks and server restarts', () => {
  let server: TestServer
  let devices: Devices

  afterEach(async () => {
    await devices.dispose()
    await server.dispose()
  })

  it('a connection cut between send and ack: the client resends after reconnecting and the server keeps one copy', async () => {
    const acksSeen: string[] = []
    let store: ServerStore | null = null
    server = new TestServer({
      testHooks: {
        wrapStore: (inner) => (store = inner),
        // Every ack passes here; the first one is never written (the socket is cut after the durable store).
        beforeSendAck: ({ clientId }) => {
          acksSeen.push(clientId)
          return acksSeen.length === 1 ? 'drop' : undefined
        }
      }
    })
    await server.start()
    devices = new Devices(server)
    const { alice, bob, a, b } = await signInPair(server, devices)
    const states: ConnectionState[] = []
    a.on('connection', (s) => states.push(s.state))

    const message = await a.sendText(bob, 'will my ack survive?')
    await waitFor('sent after reconnect', async () => (await a.pageLocal(bob, null, 10)).messages[0]?.status === 'sent')
    expect(states).toContain('reconnecting')
    // The resend really happened (the outbox resends its oldest unacked message first thing after the reconnect,
    // before catch-up could mark it sent), and the server answered it from its de-duplication.
    await waitFor('the resend acked', () => acksSeen.filter((id) => id === message.id).length === 2)

    await a.sendText(bob, 'and the next one')
    await waitFor('both delivered', async () => (await localHistory(b, alice)).length === 2)
    await waitFor('both acked', async () => (await localHistory(a, bob)).every((m) => m.status === 'sent'))
    // One copy where it could be doubled: the server's log of the conversation, and the peer's history.
    const serverEntries = await store!.readConversation(alice, bob, 0, 100)
    expect(serverEntries.filter((e) => e.message && Buffer.from(e.message.clientId).toString('hex') === message.id)).toHaveLength(1)
    expect(serverEntries).toHaveLength(2)
    const senderCopy = await localHistory(a, bob)
    const recipientCopy = await localHistory(b, alice)
    expect(recipientCopy.map(textOf)).toEqual(['will my ack survive?', 'and the next one'])
    expect(senderCopy.map((m) => m.id)).toEqual(recipientCopy.map((m) => m.id))
    expect(senderCopy[0]).toMatchObject({ id: message.id, status: 'sent' })
    expect(senderCopy[0]!.serverId).toBe(recipientCopy[0]!.serverId)
  })

  it('an ack that comes too late: the client resends on the same link and the server de-duplicates it', async () => {
    const hookCalls: string[] = []
    const SLOW_ACK_MS = 400
    server = new TestServer({
      testHooks: {
        beforeSendAck: ({ clientId }) => {
          hookCalls.push(clientId)
          // Hold the first ack past the client's request timeout (the hook is synchronous, so block).
          if (hookCalls.length === 1) {
            const until = Date.now() + SLOW_ACK_MS
            while (Date.now() < until) {
              /* busy wait */
            }
          }
        }
      }
    })
    await server.start()
    devices = new Devices(server)
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = devices.create('a', { requestTimeoutMs: 150, backoffBaseMs: 20 })
    const b = devices.create('b')
    await a.login(alice, TEST_PASSWORD)
    await b.login(bob, TEST_PASSWORD)
    const states: ConnectionState[] = []
    a.on('connection', (s) => states.push(s.state))

    const message = await a.sendText(bob, 'slow ack')
    await waitFor('sent', async () => (await a.pageLocal(bob, null, 10)).messages[0]?.status === 'sent')
    expect(hookCalls).toEqual([message.id, message.id])
    expect(states).toEqual([])
    await waitFor('delivered', async () => (await b.pageLocal(alice, null, 10)).messages.length === 1)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const onA = await localHistory(a, bob)
    const onB = await localHistory(b, alice)
    expect(onA).toHaveLength(1)
    expect(onB).toHaveLength(1)
    expect(onA[0]).toMatchObject({ id: message.id, status: 'sent', serverId: onB[0]!.serverId, seq: expect.any(Number) })
  })

  it('a test-forced link drop with messages in flight loses and duplicates nothing', async () => {
    server = new TestServer()
    await server.start()
    devices = new Devices(server)
    const { alice, bob, a, b } = await signInPair(server, devices)
    const ids: string[] = []
    for (let i = 0; i < 40; i++) {
      ids.push((await a.sendText(bob, `burst ${i}`)).id)
      if (i === 10) a.dropConnectionForTest()
      if (i === 25) b.dropConnectionForTest()
    }
    await waitFor('all delivered', async () => (await localHistory(b, alice)).length === 40)
    await waitFor('all acked', async () => (await localHistory(a, bob)).every((m) => m.status === 'sent'))
    expect(new Set((await localHistory(b, alice)).map((m) => m.id))).toEqual(new Set(ids))
    expect((await localHistory(a, bob)).map((m) => m.id).sort()).toEqual([...ids].sort())
  })

  it('server stopped and restarted on the same port: pending messages stay sending, then arrive exactly once', async () => {
    server = new TestServer()
    await server.start()
    devices = new Devices(server)
    const { alice, bob, a, b } = await signInPair(server, devices)
    for (let i = 0; i < 5; i++) await a.sendText(bob, `before ${i}`)
    await waitFor('first batch delivered', async () => (await localHistory(b, alice)).length === 5)

    await server.stop()
    await waitFor('both clients notice', () => a.status.state !== 'connected' && b.status.state !== 'connected')
    const whileDown = []
    for (let i = 0; i < 5; i++) whileDown.push(await a.sendText(bob, `during ${i}`))
    for (let i = 0; i < 3; i++) whileDown.push(await b.sendText(alice, `reply ${i}`))
    await new Promise((resolve) => setTimeout(resolve, 300))
    const pendingOnA = (await localHistory(a, bob)).filter((m) => m.status === 'sending')
    expect(pendingOnA.map((m) => textOf(m))).toEqual(['during 0', 'during 1', 'during 2', 'during 3', 'during 4'])
    expect(a.status.state === 'reconnecting' || a.status.state === 'connecting').toBe(true)

    await server.start()
    await waitFor('reconnected', () => a.status.state === 'connected' && b.status.state === 'connected')
    await waitFor('everything delivered', async () => {
      const onA = await localHistory(a, bob)
      const onB = await localHistory(b, alice)
      return onA.length === 13 && onB.length === 13 && [...onA, ...onB].every((m) => m.status !== 'sending')
    })
    const onA = await localHistory(a, bob)
    const onB = await localHistory(b, alice)
    expect(onA.map((m) => m.id)).toEqual(onB.map((m) => m.id))
    expect(new Set(onA.map((m) => m.id)).size).toBe(13)
    for (const message of whileDown) expect(onB.some((m) => m.id === message.id)).toBe(true)
    expect(onA.filter((m) => m.direction === 'out').every((m) => m.status === 'sent')).toBe(true)
    expect(onB.filter((m) => m.direction === 'out').every((m) => m.status === 'sent')).toBe(true)
    // In the server's order the "during" messages keep the order they were written in.
    expect(onB.filter((m) => textOf(m).startsWith('during')).map((m) => textOf(m))).toEqual([
      'during 0',
      'during 1',
      'during 2',
      'during 3',
      'during 4'
    ])
  })
})
