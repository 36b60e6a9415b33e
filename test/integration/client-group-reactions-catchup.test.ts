// Group reactions missed while a device was away arrive with its catch-up (after the group sync), without the
// conversation being opened: the reaction is stored on the device and announced (reactionsChanged) for an open view.
import { describe, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import { conversationKey, type ConversationKey } from '../../src/shared/model'
import type { ReactionsChanged } from '../../src/shared/model/reactions'
import { makeTempDir, registerUsers, TEST_PASSWORD, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'

process.env.PARLEY_LOG ??= 'warn'

describe('group reactions catch up', () => {
  const { server, devices } = useServerAndDevices()

  it('a reaction made while a device was offline arrives when it reconnects, without opening the chat', async () => {
    const [alice, bob] = [uniqueUser('alice'), uniqueUser('bob')]
    await registerUsers(server, alice, bob)
    const bobDir = makeTempDir()
    const bobDeviceId = `b1-${Date.now()}`
    const a1 = devices.create('a1')
    const b1 = devices.create('b1', {}, { dataDir: bobDir, deviceId: bobDeviceId })
    await Promise.all([a1.login(alice, TEST_PASSWORD), b1.login(bob, TEST_PASSWORD)])
    const { group } = await a1.groups.create({
      name: 'Reacting',
      description: '',
      settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 50 },
      members: [bob]
    })
    const key: ConversationKey = conversationKey('group', group)
    const sent = await a1.sendText(key, 'react to me')
    const serverIdOn = async (device: ChatClient): Promise<number | null> =>
      (await device.pageLocal(key, null, 50)).messages.find((m) => m.id === sent.id)?.serverId ?? null
    await waitFor('the message on bob’s device', async () => (await serverIdOn(b1)) !== null)
    await b1.whenSynced()
    const serverId = (await serverIdOn(b1)) as number

    // Bob's device goes away; alice reacts meanwhile (the live push reaches nobody of bob's).
    await b1.close()
    await a1.reactions.react(key, serverId, '👍', false)

    // The same device comes back (same folder, same device id) and never opens the conversation.
    const back = devices.create('b1-back', {}, { dataDir: bobDir, deviceId: bobDeviceId })
    const announced: ReactionsChanged[] = []
    back.on('reactionsChanged', (changed) => announced.push(changed))
    await back.login(bob, TEST_PASSWORD)
    await back.whenSynced()
    await waitFor('the reaction announced', () => announced.some((c) => c.serverId === serverId && c.reactions.some((r) => r.emoji === '👍')))
    expect(await back.reactions.stored(key, [serverId])).toEqual([{ serverId, reactions: [{ emoji: '👍', users: [alice] }] }])
  })
})
