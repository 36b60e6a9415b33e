// Per-conversation do not disturb through the real server: a mute set on one device reaches the account's other
// device (live, through the user log) and a device that signs in later (the state list), keeps its time through
// other state changes (pin), and unmuting travels the same way.
import { describe, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import { MUTED_UNTIL_TURNED_OFF, mutedUntilFor } from '../../src/shared/notifications'
import { localHistory, registerUsers, TEST_PASSWORD, uniqueUser, waitFor, useServerAndDevices } from './helpers/env'

describe('do not disturb syncs across the account devices', () => {
  const { server, devices } = useServerAndDevices()

  it('mute for 8 hours, until turned off, and unmute reach the other devices', async () => {
    const dana = uniqueUser('dana')
    const erin = uniqueUser('erin')
    await registerUsers(server, dana, erin)
    const [d1, d2, e1] = ['d1', 'd2', 'e1'].map((id) => devices.create(id)) as [ChatClient, ChatClient, ChatClient]
    await Promise.all([d1.login(dana, TEST_PASSWORD), d2.login(dana, TEST_PASSWORD), e1.login(erin, TEST_PASSWORD)])
    const hello = await e1.sendText(dana, 'hello')
    await waitFor('hello on d2', async () => (await localHistory(d2, erin)).some((m) => m.id === hello.id))
    const conversation = { type: 'single' as const, id: erin }
    const mutedOn = async (client: ChatClient): Promise<number | undefined> => (await client.listConversations()).find((c) => c.id === erin)?.mutedUntil

    const until = mutedUntilFor('8h', Date.now())
    const answer = await d1.reactions.setState(conversation, { mutedUntil: until })
    expect(answer.mutedUntil).toBe(until)
    expect(await mutedOn(d1)).toBe(until)
    await waitFor('the mute on d2', async () => (await mutedOn(d2)) === until)

    // Another change of the conversation's state keeps the mute.
    await d2.reactions.setState(conversation, { pinned: true })
    await waitFor('the pin on d1', async () => (await d1.listConversations()).find((c) => c.id === erin)?.pinned === true)
    expect(await mutedOn(d1)).toBe(until)

    // A device that signs in later learns it from the server's list of states.
    const d3 = devices.create('d3')
    await d3.login(dana, TEST_PASSWORD)
    await waitFor('the mute on the new device', async () => (await mutedOn(d3)) === until)

    await d2.reactions.setState(conversation, { mutedUntil: MUTED_UNTIL_TURNED_OFF })
    await waitFor('"until turned off" on d1', async () => (await mutedOn(d1)) === MUTED_UNTIL_TURNED_OFF)

    await d1.reactions.setState(conversation, { mutedUntil: 0 })
    await waitFor('the unmute on d2 and d3', async () => (await mutedOn(d2)) === undefined && (await mutedOn(d3)) === undefined)
  })
})
