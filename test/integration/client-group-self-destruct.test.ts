// The disappearing timer of a group through the desktop core against the real server: an admin sets it, a plain
// member is refused (FORBIDDEN) and nothing changes, and a new message vanishes from every member's device on time.
import { describe, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import { conversationKey, type ConversationKey } from '../../src/shared/model'
import { failure, registerUsers, TEST_PASSWORD, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'

process.env.PARLEY_LOG ??= 'warn'

describe('self-destruct in groups on the devices', () => {
  const { server, devices } = useServerAndDevices()

  it('an admin sets the timer, a member cannot, and messages expire on every member device', async () => {
    const [alice, bob, carol] = [uniqueUser('alice'), uniqueUser('bob'), uniqueUser('carol')]
    await registerUsers(server, alice, bob, carol)
    const [a1, b1, c1] = ['a1', 'b1', 'c1'].map((label) => devices.create(label)) as [ChatClient, ChatClient, ChatClient]
    await Promise.all([a1.login(alice, TEST_PASSWORD), b1.login(bob, TEST_PASSWORD), c1.login(carol, TEST_PASSWORD)])
    const { group } = await a1.groups.create({
      name: 'Fading',
      description: '',
      settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 50 },
      members: [bob, carol]
    })
    await a1.groups.setAdmin(group, bob, true)
    const key: ConversationKey = conversationKey('group', group)
    const messageOn = async (device: ChatClient, id: string) => (await device.pageLocal(key, null, 500)).messages.find((m) => m.id === id)

    const kept = await a1.sendText(key, 'before the timer')
    for (const device of [a1, b1, c1]) await waitFor(`the first message on ${device.deviceId}`, async () => (await messageOn(device, kept.id))?.serverId != null)

    // A plain member is refused and the timer stays off.
    const refused = await failure(c1.messageOps.setDisappearingTimer(key, 1))
    expect(refused.code).toBe('FORBIDDEN')
    expect(await a1.messageOps.disappearingTimer(key)).toBe(0)

    // The admin sets it: every member's device hears of it.
    await b1.messageOps.setDisappearingTimer(key, 1)
    for (const device of [a1, b1, c1]) await waitFor(`the timer on ${device.deviceId}`, async () => (await device.messageOps.disappearingTimer(key)) === 1)

    // Each device reports the message with its expiry as it stores it (polling could miss it: it lives one second).
    const seenWithExpiry = new Map<ChatClient, Set<string>>([a1, b1].map((device) => [device, new Set<string>()]))
    for (const [device, seen] of seenWithExpiry) device.on('message', (m) => m.expiresAt !== undefined && seen.add(m.id))
    const vanishing = await c1.sendText(key, 'vanishing words')
    for (const [device, seen] of seenWithExpiry) await waitFor(`the message with its expiry on ${device.deviceId}`, () => seen.has(vanishing.id))
    for (const device of [a1, b1, c1]) {
      await waitFor(`the message gone from ${device.deviceId}`, async () => (await messageOn(device, vanishing.id)) === undefined, 8_000)
      expect(await messageOn(device, kept.id)).toBeDefined()
    }
  })
})
