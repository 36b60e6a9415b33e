// What waits for an answer reaches every device live, through the user log: a join request reaches each device of
// every owner and admin (and no plain member), its decision closes it there too, a device that was off catches up;
// an invitation reaches every device of the invitee and a decline on one closes it on the others.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import type { GroupMembershipChange } from '../../src/shared/model'
import { makeTempDir, registerUsers, TEST_PASSWORD, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'

/** The membership changes one device reported, in order. */
function recordChanges(client: ChatClient): GroupMembershipChange[] {
  const seen: GroupMembershipChange[] = []
  client.on('groupsChanged', (changed) => {
    if (changed.membership) seen.push(changed.membership)
  })
  return seen
}

const about = (seen: GroupMembershipChange[], kind: GroupMembershipChange['kind'], user: string): GroupMembershipChange[] =>
  seen.filter((change) => change.kind === kind && change.user === user)

describe('join requests and invitations on every device', () => {
  const { server, devices } = useServerAndDevices()

  async function signIn(user: string, label: string, install?: { dataDir: string; deviceId: string }): Promise<ChatClient> {
    const client = devices.create(label, {}, install ?? {})
    await client.login(user, TEST_PASSWORD)
    return client
  }

  it('a join request reaches both devices of the owner and an admin’s device, not a member’s; the decision closes it everywhere', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    const carol = uniqueUser('carol')
    const dave = uniqueUser('dave')
    const erin = uniqueUser('erin')
    await registerUsers(server, alice, bob, carol, dave, erin)
    const offlineInstall = { dataDir: makeTempDir(), deviceId: `a3-${randomUUID()}` }
    const [a1, a2, a3, c1, d1] = await Promise.all([
      signIn(alice, 'a1'), signIn(alice, 'a2'), signIn(alice, 'a3', offlineInstall), signIn(carol, 'c1'), signIn(dave, 'd1')
    ])
    const { group: g } = await a1.groups.create({
      name: 'Climbers',
      description: '',
      settings: { isPublic: true, joinNeedsApproval: true, inviteNeedsConsent: false, maxMembers: 10 },
      members: [carol, dave]
    })
    await a1.groups.setAdmin(g, carol, true)
    await waitFor('carol is an admin on her device', async () => (await c1.groups.local(g))?.myRole === 'admin')
    await waitFor('dave is in the group', async () => (await d1.groups.local(g))?.state === 'member')
    for (const device of [a1, a2, a3]) await device.whenSynced()
    await a3.close()

    const seenA1 = recordChanges(a1)
    const seenA2 = recordChanges(a2)
    const seenC1 = recordChanges(c1)
    const seenD1 = recordChanges(d1)
    const b = await signIn(bob, 'b1')
    const asked = await b.groups.join(g, 'let me in')
    expect(asked.pending).toBe(true)

    for (const [label, seen] of [['a1', seenA1], ['a2', seenA2], ['c1', seenC1]] as const) {
      await waitFor(`the request on ${label}`, () => about(seen, 'joinRequested', bob).length === 1)
      expect(about(seen, 'joinRequested', bob)[0]).toMatchObject({ group: g, groupName: 'Climbers', actor: bob, text: 'let me in' })
    }
    // What the devices were told agrees with what the server keeps.
    expect((await a2.groups.pendingJoinRequests(g)).map((r) => r.user)).toEqual([bob])

    // Alice's third device was off: it learns the request when it signs in again.
    const a3again = devices.create('a3', {}, offlineInstall)
    const seenA3 = recordChanges(a3again)
    await a3again.login(alice, TEST_PASSWORD)
    await waitFor('the request on a3 after its catch-up', () => about(seenA3, 'joinRequested', bob).length === 1)

    await a1.groups.decideJoin(g, bob, true)
    for (const [label, seen] of [['a1', seenA1], ['a2', seenA2], ['c1', seenC1], ['a3', seenA3]] as const) {
      await waitFor(`the decision on ${label}`, () => about(seen, 'joinRequestClosed', bob).length === 1)
      expect(about(seen, 'joinRequestClosed', bob)[0]).toMatchObject({ group: g, actor: alice })
    }
    expect(await a2.groups.pendingJoinRequests(g)).toEqual([])

    // A plain member is told nothing of requests: dave saw bob join through the group, not the request.
    await d1.whenSynced()
    expect(seenD1.filter((change) => change.kind === 'joinRequested' || change.kind === 'joinRequestClosed')).toEqual([])

    // A declined request closes too, and only the requester hears the reason.
    await signIn(erin, 'e1').then((e) => e.groups.join(g))
    await waitFor('erin’s request on c1', () => about(seenC1, 'joinRequested', erin).length === 1)
    await c1.groups.decideJoin(g, erin, false, 'full for now')
    await waitFor('erin’s request closed on a2', () => about(seenA2, 'joinRequestClosed', erin).length === 1)
    expect(about(seenA2, 'joinRequestClosed', erin)[0]).toMatchObject({ actor: carol })
  })

  it('an invitation reaches both devices of the invitee; declining on one closes it on the other', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const [a, b1, b2] = await Promise.all([signIn(alice, 'a'), signIn(bob, 'b1'), signIn(bob, 'b2')])
    const seenB1 = recordChanges(b1)
    const seenB2 = recordChanges(b2)
    const { group: g } = await a.groups.create({
      name: 'Readers',
      description: '',
      settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: true, maxMembers: 10 },
      members: []
    })
    expect((await a.groups.invite(g, [bob], 'join us')).pending).toBe(true)
    for (const [label, seen] of [['b1', seenB1], ['b2', seenB2]] as const) {
      await waitFor(`the invitation on ${label}`, () => seen.some((change) => change.kind === 'invited' && change.group === g))
    }
    await b1.groups.decideInvitation(g, false)
    await waitFor('the invitation closed on b2', () => seenB2.some((change) => change.kind === 'invitationClosed' && change.group === g))
    expect(await b2.groups.invitations()).toEqual([])
  })
})
