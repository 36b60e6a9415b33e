// Two users with two devices each exchange 1,000 messages from every device; all four devices must end
// with the same history in server order, without duplicates.
import { describe, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import type { ChatMessage } from '../../src/shared/model'
import { localHistory, registerUsers, serverOrder, TEST_PASSWORD, uniqueUser, waitFor, useServerAndDevices } from './helpers/env'

const TOTAL_MESSAGES = 1_000
const SEND_CHUNK = 25

describe('two users, two devices each, 1,000 messages', () => {
  const { server, devices } = useServerAndDevices()

  it('every device ends with the same ordered history, without duplicates', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a1 = devices.create('a1')
    const a2 = devices.create('a2')
    const b1 = devices.create('b1')
    const b2 = devices.create('b2')
    await Promise.all([a1.login(alice, TEST_PASSWORD), a2.login(alice, TEST_PASSWORD), b1.login(bob, TEST_PASSWORD), b2.login(bob, TEST_PASSWORD)])

    const senders: Array<{ client: ChatClient; to: string }> = [
      { client: a1, to: bob },
      { client: b1, to: alice },
      { client: a2, to: bob },
      { client: b2, to: alice }
    ]
    const sentIds = new Set<string>()
    // Interleave the four devices in small concurrent chunks so pushes, acks and sends cross on the wire.
    for (let i = 0; i < TOTAL_MESSAGES; i += SEND_CHUNK * senders.length) {
      await Promise.all(
        senders.map(async ({ client, to }, device) => {
          for (let k = 0; k < SEND_CHUNK; k++) {
            const message = await client.sendText(to, `m${i + k * senders.length + device} from ${client.deviceId}`)
            sentIds.add(message.id)
          }
        })
      )
    }
    expect(sentIds.size).toBe(TOTAL_MESSAGES)

    const views = [
      { client: a1, peer: bob },
      { client: a2, peer: bob },
      { client: b1, peer: alice },
      { client: b2, peer: alice }
    ]
    const settled = async (client: ChatClient, peer: string): Promise<boolean> => {
      const history = await localHistory(client, peer)
      return history.length >= TOTAL_MESSAGES && history.every((m) => m.status === 'sent' || m.status === 'received')
    }
    await waitFor('all four devices to hold all messages, acked', async () => {
      for (const { client, peer } of views) if (!(await settled(client, peer))) return false
      return true
    }, 90_000)

    const histories: ChatMessage[][] = []
    for (const { client, peer } of views) histories.push(await localHistory(client, peer))
    const reference = serverOrder(histories[0]!)
    for (const [index, history] of histories.entries()) {
      const ids = history.map((m) => m.id)
      expect(ids.length, `device ${index} message count`).toBe(TOTAL_MESSAGES)
      expect(new Set(ids).size, `device ${index} has duplicates`).toBe(TOTAL_MESSAGES)
      expect(new Set(history.map((m) => m.serverId)).size).toBe(TOTAL_MESSAGES)
      expect(serverOrder(history), `device ${index} order`).toEqual(reference)
      // The page order (by this account's seq) agrees with the server order.
      expect(ids, `device ${index} page order`).toEqual(reference)
      expect(new Set(ids)).toEqual(sentIds)
    }
    // Direction and status are from each device's point of view.
    const fromA1 = histories[2]!.find((m) => m.from === alice)!
    expect(fromA1).toMatchObject({ direction: 'in', status: 'received', conversationId: alice })
    const ownOnOtherDevice = histories[1]!.find((m) => m.from === alice)!
    expect(ownOnOtherDevice).toMatchObject({ direction: 'out', status: 'sent', conversationId: bob })
  })
})
