// Delivery under faults with the real server: the link cut between send and ack, a late ack,
// forced link drops mid-burst, and a server restart on the same port and data folder.
import { afterEach, describe, expect, it } from 'vitest'
import type { ConnectionState } from '../../src/shared/model'
import { Devices, localHistory, registerUsers, TEST_PASSWORD, TestServer, uniqueUser, waitFor, signInPair } from './helpers/env'

describe('resilience: dropped acks and server restarts', () => {
  let server: TestServer
  let devices: Devices

  afterEach(async () => {
    await devices.dispose()
    await server.dispose()
  })

  it('a connection cut between send and ack: the client reconnects, resends, and there is exactly one copy', async () => {
    const dropped: string[] = []
    server = new TestServer({
      testHooks: {
        beforeSendAck: ({ clientId }) => {
          if (dropped.length > 0) return
          dropped.push(clientId)
          return 'drop'
        }
      }
    })
    await server.start()
    devices = new Devices(server)
    const { alice, bob, a, b } = await signInPair(server, devices)
    const states: ConnectionState[] = []
    a.on('connection', (s) => states.push(s.state))

    const message = await a.sendText(bob, 'will my ack survive?')
    await waitFor('the ack to be dropped', () => dropped.length === 1)
    expect(dropped[0]).toBe(message.id)
    await waitFor('sent after reconnect', async () => (await a.pageLocal(bob, null, 10)).messages[0]?.status === 'sent')
    expect(states).toContain('reconnecting')
    expect(states.at(-1)).toBe('connected')

    await a.sendText(bob, 'and the next one')
    await waitFor('both delivered', async () => (await b.pageLocal(alice, null, 10)).messages.length === 2)
    await waitFor('both acked', async () => (await localHistory(a, bob)).every((m) => m.status === 'sent'))
    const senderCopy = await localHistory(a, bob)
    const recipientCopy = await localHistory(b, alice)
    expect(senderCopy.map((m) => m.id)).toEqual(recipientCopy.map((m) => m.id))
    expect(senderCopy.filter((m) => m.id === message.id)).toHaveLength(1)
    expect(recipientCopy.filter((m) => m.id === message.id)).toHaveLength(1)
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
    expect(pendingOnA.map((m) => m.content.text)).toEqual(['during 0', 'during 1', 'during 2', 'during 3', 'during 4'])
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
    expect(onB.filter((m) => m.content.text.startsWith('during')).map((m) => m.content.text)).toEqual([
      'during 0',
      'during 1',
      'during 2',
      'during 3',
      'during 4'
    ])
  })
})
