// A burst of group creations reaching a member's device: another account creates 80 groups with the member as fast
// as it can (a raw FrameClient, no client core in between) while the member's device is online, and while it is
// offline then reconnects. Every group must reach the member's group list and conversation list, with the device's
// cursor in each group's log at the server's head.
import { describe, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import { FrameClient, login } from '../bench/lib/frame-client'
import { makeTempDir, registerUsers, TEST_PASSWORD, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'

/** As many as the e2e long-list test creates (where 77 of 80 were seen): a burst far larger than one sync page. */
const GROUPS = 80
/** Generous: on an idle machine the burst settles in a few seconds; a lost group never arrives however long we wait. */
const SETTLE_MS = 30_000

describe('a burst of new groups on a member device', () => {
  const { server, devices } = useServerAndDevices()

  async function createBurst(owner: string, member: string, tag: string): Promise<{ creator: FrameClient; ids: string[] }> {
    const session = await login(server.url, owner, TEST_PASSWORD, `creator-${tag}`)
    const creator = await FrameClient.authenticated(server.url, session.token, `creator-${tag}`)
    const answers = await Promise.all(
      Array.from({ length: GROUPS }, (_, i) =>
        creator.request({ groups: { create: { name: `Burst ${tag} ${i}`, description: '', settings: { maxMembers: 50 }, members: [member] } } }, 30_000)
      )
    )
    const ids = answers.map((answer) => {
      if (answer.body !== 'groupsOk' || !answer.groupsOk?.done?.group) throw new Error(`create failed: ${JSON.stringify(answer)}`)
      return answer.groupsOk.done.group
    })
    return { creator, ids }
  }

  /** The server's head of each of the member's groups, asked on a probe device of the member's own. */
  async function serverHeads(member: string, tag: string): Promise<Map<string, number>> {
    const session = await login(server.url, member, TEST_PASSWORD, `probe-${tag}`)
    const probe = await FrameClient.authenticated(server.url, session.token, `probe-${tag}`)
    try {
      const answer = await probe.request({ groups: { mine: {} } }, 30_000)
      return new Map((answer.groupsOk?.groups?.groups ?? []).map((g) => [g.group ?? '', Number(g.headSeq ?? 0)]))
    } finally {
      await probe.close()
    }
  }

  async function expectConverged(device: ChatClient, member: string, ids: string[], tag: string): Promise<void> {
    const wanted = new Set(ids)
    const count = async (): Promise<{ groups: number; conversations: number }> => ({
      groups: (await device.groups.list()).filter((g) => wanted.has(g.id) && g.state === 'member').length,
      conversations: (await device.listConversations()).filter((c) => c.chatType === 'group' && wanted.has(c.id)).length
    })
    let seen = { groups: 0, conversations: 0 }
    try {
      await waitFor(`${GROUPS} groups on ${device.deviceId}`, async () => {
        seen = await count()
        return seen.groups === GROUPS && seen.conversations === GROUPS
      }, SETTLE_MS)
    } catch (err) {
      const followed = new Set((await device.groupCursors()).map((c) => c.group))
      throw new Error(`${String(err)}: ${JSON.stringify(seen)}, followed ${ids.filter((id) => followed.has(id)).length}`, { cause: err })
    } finally {
      await device.whenSynced()
    }
    const heads = await serverHeads(member, tag)
    for (const id of ids) expect(heads.get(id), `server head of ${id}`).toBeGreaterThan(0)
    await waitFor('the cursors at the server heads', async () => {
      const cursors = new Map((await device.groupCursors()).map((c) => [c.group, c.cursor]))
      return ids.every((id) => cursors.get(id) === heads.get(id))
    }, SETTLE_MS)
    expect(await count()).toEqual({ groups: GROUPS, conversations: GROUPS })
  }

  it('all groups arrive on a device that is online during the burst', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const b1 = devices.create('b1')
    await b1.login(bob, TEST_PASSWORD)
    await b1.whenSynced()
    const { creator, ids } = await createBurst(alice, bob, 'online')
    await creator.close()
    expect(new Set(ids).size).toBe(GROUPS)
    await expectConverged(b1, bob, ids, 'online')
  })

  it('all groups arrive on a device that was offline during the burst and reconnects', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const dataDir = makeTempDir()
    const deviceId = `b2-${bob}`
    const b2 = devices.create('b2', {}, { dataDir, deviceId })
    await b2.login(bob, TEST_PASSWORD)
    await b2.whenSynced()
    const credentials = b2.credentials
    if (!credentials) throw new Error('no credentials')
    await b2.close()
    const { creator, ids } = await createBurst(alice, bob, 'offline')
    await creator.close()
    const again = devices.create('b2-again', {}, { dataDir, deviceId })
    await again.resume(credentials)
    await expectConverged(again, bob, ids, 'offline')
  })

  it('all groups arrive on a device when the same account creates them on its other device (core client, one by one)', async () => {
    const bob = uniqueUser('bob')
    await registerUsers(server, bob)
    const b1 = devices.create('b1')
    await b1.login(bob, TEST_PASSWORD)
    await b1.whenSynced()
    // What a shell's list is built from: the conversation events (the renderer never reads the store by itself).
    const announced = new Set<string>()
    b1.on('conversation', (c) => {
      if (c.chatType === 'group') announced.add(c.id)
    })
    const b2 = devices.create('b2')
    await b2.login(bob, TEST_PASSWORD)
    const settings = { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 50 }
    const ids: string[] = []
    for (let i = 0; i < GROUPS; i++) ids.push((await b2.groups.create({ name: `Team ${i}`, description: '', settings, members: [] })).group)
    await expectConverged(b1, bob, ids, 'own')
    expect(ids.filter((id) => !announced.has(id))).toEqual([])
    await expectConverged(b2, bob, ids, 'own2')
  })

  it('all groups arrive on a new device that signs in while the burst is under way', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const b3 = devices.create('b3')
    const burst = createBurst(alice, bob, 'signin')
    // Signs in while the groups are being made: its start (conversation list, then its groups) overlaps them.
    await new Promise((resolve) => setTimeout(resolve, 20))
    await b3.login(bob, TEST_PASSWORD)
    const { creator, ids } = await burst
    await creator.close()
    await expectConverged(b3, bob, ids, 'signin')
  })

  it('all groups are conversations on a new device that signs in after the burst', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const { creator, ids } = await createBurst(alice, bob, 'after')
    await creator.close()
    const b4 = devices.create('b4')
    await b4.login(bob, TEST_PASSWORD)
    await expectConverged(b4, bob, ids, 'after')
  })
})
