// A deleted account leaves its groups and rooms, on the real server: the other members see the leave (and an
// ownership handover or a dissolution) live and after catch-up, pending invitations and join requests go, and a
// server SIGKILLed in the middle of the leaving finishes it on its next start, each group left exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode, ErrorCode, pb, type DecodedFrame, type Frame } from '../../src/shared/proto/codec'
import type { parley } from '../../src/shared/proto/gen/parley.js'
import type { ServerStore } from '../../src/server/store/types'
import { isGroupRefusal } from '../../src/server/store/groups/types'
import { LOGIN_PATH } from '../../src/server/api/app-server'
import { FrameClient, postJson, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { ServerProcess, buildBundles } from '../fault/processes'
import { makeTempDir, removeDir, startTestServer, type TestServer } from '../support/test-server'
import type { ChatClient } from '../../src/main/core/client'
import { registerUsers, TEST_PASSWORD, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'

process.env.PARLEY_LOG ??= 'warn'
// The name frees up at once, so a test can check that the next owner of the name inherits nothing.
process.env.PARLEY_DELETED_NAME_RESERVE_DAYS = '0'

const NoticeKind = pb.GroupNotice.Kind
const MembershipKind = pb.MembershipEvent.Kind
const RoomMemberKind = pb.RoomMemberChange.Kind
const ROLE_OWNER = 3
/** Groups in the crash test: enough group transactions that a kill after the first one lands mid-way. */
const CRASH_GROUPS_JOINED = 120
const CRASH_GROUPS_OWNED = 30
/** The leaving of a few hundred groups takes well under this on a loaded machine. */
const SLOW_WAIT_MS = 30_000

type GroupsOp = NonNullable<Frame['groups']>
type RoomsOp = parley.v1.RoomsRequest.$Properties

async function groupsOk(client: FrameClient, op: GroupsOp): Promise<NonNullable<DecodedFrame['groupsOk']>> {
  const reply = await client.request({ groups: op })
  if (!reply.groupsOk) throw new Error(`expected groups_ok for ${JSON.stringify(op)}, got ${JSON.stringify(reply.error)}`)
  return reply.groupsOk
}

async function roomsOk(client: FrameClient, op: RoomsOp): Promise<NonNullable<DecodedFrame['roomsOk']>> {
  const reply = await client.request({ rooms: op })
  if (!reply.roomsOk) throw new Error(`expected rooms_ok for ${JSON.stringify(op)}, got ${JSON.stringify(reply.error)}`)
  return reply.roomsOk
}

async function createGroup(owner: FrameClient, name: string, members: string[], settings: parley.v1.IGroupSettings = {}): Promise<string> {
  return String((await groupsOk(owner, { create: { name, members, settings } })).done?.group)
}

async function deleteAccount(client: FrameClient, password = 'password-1'): Promise<void> {
  const reply = await client.request({ profile: { deleteAccount: { password } } })
  expect(reply.body).toBe('profileOk')
  expect((await client.waitForClose()).code).toBe(CloseCode.CLOSE_SIGNED_OUT)
}

const notice = (group: string, kind: number, actor: string) => (frame: DecodedFrame): boolean =>
  frame.groupEntry?.group === group && frame.groupEntry.notice?.kind === kind && frame.groupEntry.notice.actor === actor

const membership = (group: string, kind: number) => (frame: DecodedFrame): boolean =>
  frame.event?.membership?.group === group && frame.event.membership.kind === kind

const roomMember = (room: string, kind: number, user: string) => (frame: DecodedFrame): boolean =>
  frame.roomEvent?.room === room && frame.roomEvent.member?.kind === kind && frame.roomEvent.member.user === user

/** Every entry of each group's log a member may read, from the start, through group_sync (paged). */
async function groupLogs(client: FrameClient, groups: string[]): Promise<Map<string, parley.v1.IGroupEntry[]>> {
  const logs = new Map<string, parley.v1.IGroupEntry[]>(groups.map((group) => [group, []]))
  let cursors = groups.map((group) => ({ group, afterSeq: 0 }))
  while (cursors.length > 0) {
    const reply = await client.request({ groupSync: { cursors, limit: 500 } })
    const next: { group: string; afterSeq: number }[] = []
    for (const batch of reply.groupSyncOk?.groups ?? []) {
      const entries = logs.get(batch.group ?? '')
      if (!entries) continue
      entries.push(...(batch.entries ?? []))
      if (batch.hasMore) next.push({ group: batch.group ?? '', afterSeq: Number(batch.entries?.at(-1)?.seq ?? 0) })
    }
    cursors = next
  }
  return logs
}

async function memberNames(client: FrameClient, group: string): Promise<string[]> {
  const page = await groupsOk(client, { members: { group, limit: 100 } })
  return (page.members?.members ?? []).map((member) => member.user ?? '')
}

describe('account deletion leaves groups and rooms', () => {
  let t: TestServer
  let store: ServerStore | null = null
  const logins = new Map<string, Login>()
  const open: FrameClient[] = []

  const device = async (name: string, deviceId: string): Promise<FrameClient> => {
    const client = await FrameClient.onDevice(t.server.url, logins.get(name) as Login, deviceId)
    open.push(client)
    // One round trip after auth: the registry has loaded the device's groups (it gets their live entries).
    await client.request({ groups: { mine: {} } })
    return client
  }

  beforeAll(async () => {
    t = await startTestServer({
      attemptLimits: { address: { freeAttempts: Infinity } },
      testHooks: {
        wrapStore: (opened) => {
          store = opened
          return opened
        }
      }
    })
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hugo']) {
      logins.set(name, await registerAndLogin(t.server.url, name))
    }
  })
  afterAll(async () => {
    await Promise.all(open.map((client) => client.close()))
    await t.dispose()
  })

  it('groups: members see the leave, ownership passes to the longest-standing admin or member, a lone group is dissolved', async () => {
    const alice = await device('alice', 'a-1')
    const bob = await device('bob', 'b-1')
    const dave = await device('dave', 'd-1')

    // Alice owns "Admins": carol became a member (and later an admin) before bob did.
    const admins = await createGroup(alice, 'Admins', ['carol'])
    await groupsOk(alice, { invite: { group: admins, users: ['bob', 'erin'] } })
    await groupsOk(alice, { setAdmin: { group: admins, user: 'bob', admin: true } })
    await groupsOk(alice, { setAdmin: { group: admins, user: 'carol', admin: true } })
    // Alice owns "Members": no admin; dave joined before erin.
    const members = await createGroup(alice, 'Members', ['dave'])
    await groupsOk(alice, { invite: { group: members, users: ['erin'] } })
    // Alice is alone in "Solo".
    const solo = await createGroup(alice, 'Solo', [])
    // Bob owns "Bobs", alice is a plain member.
    const bobs = await createGroup(bob, 'Bobs', ['alice', 'frank'])
    // Alice asked to join bob's "Gated"; gina invited alice to "Consent"; alice (an admin of "Consent") invited hugo.
    const gated = await createGroup(bob, 'Gated', [], { isPublic: true, joinNeedsApproval: true })
    expect((await groupsOk(alice, { join: { group: gated } })).done?.pending).toBe(true)
    const consent = await createGroup(await device('gina', 'g-1'), 'Consent', [], { inviteNeedsConsent: true })
    const gina = open.at(-1) as FrameClient
    await groupsOk(gina, { invite: { group: consent, users: ['alice'] } })
    expect((await store!.myGroupInvitations('alice')).map((i) => i.group)).toEqual([consent])
    const ginaOwnsWithAlice = await createGroup(gina, 'Helpers', ['alice'])
    await groupsOk(gina, { setAdmin: { group: ginaOwnsWithAlice, user: 'alice', admin: true } })
    await groupsOk(gina, { update: { group: ginaOwnsWithAlice, settings: { inviteNeedsConsent: true }, setSettings: true } })
    expect((await groupsOk(alice, { invite: { group: ginaOwnsWithAlice, users: ['hugo'] } })).done?.pending).toBe(true)
    expect((await store!.myGroupInvitations('hugo')).map((i) => i.group)).toEqual([ginaOwnsWithAlice])
    // Bob banned alice from his public "Banned".
    const banned = await createGroup(bob, 'Banned', [], { isPublic: true })
    await groupsOk(bob, { ban: { group: banned, user: 'alice', banned: true } })

    const countsBefore = new Map<string, number>()
    for (const [group, asker] of [[admins, bob], [members, dave], [bobs, bob]] as const) {
      countsBefore.set(group, Number((await groupsOk(asker, { info: { group } })).info?.memberCount))
    }

    await deleteAccount(alice)

    // Live, on the devices that were online: bob sees the handover to carol, then alice leaving.
    const handover = await bob.waitFor(notice(admins, NoticeKind.KIND_OWNER_CHANGED, 'alice'))
    expect(handover.groupEntry?.notice?.users).toEqual(['carol'])
    const leftAdmins = await bob.waitFor(notice(admins, NoticeKind.KIND_LEFT, 'alice'))
    expect(Number(leftAdmins.groupEntry?.seq)).toBeGreaterThan(Number(handover.groupEntry?.seq))
    await bob.waitFor(notice(bobs, NoticeKind.KIND_LEFT, 'alice'))
    // Dave, the longest-standing member of "Members", is its owner now: his devices get the role change live.
    const promoted = await dave.waitFor(membership(members, MembershipKind.KIND_ROLE_CHANGED))
    expect(promoted.event?.membership?.role).toBe(ROLE_OWNER)
    await dave.waitFor(notice(members, NoticeKind.KIND_LEFT, 'alice'))

    // The group descriptions agree: owners, member lists and counts.
    const adminsInfo = (await groupsOk(bob, { info: { group: admins } })).info
    expect(adminsInfo?.owner).toBe('carol')
    expect(adminsInfo?.memberCount).toBe(countsBefore.get(admins)! - 1)
    expect(await memberNames(bob, admins)).toEqual(['carol', 'bob', 'erin'])
    const membersInfo = (await groupsOk(dave, { info: { group: members } })).info
    expect(membersInfo?.owner).toBe('dave')
    expect(membersInfo?.myRole).toBe(ROLE_OWNER)
    expect(membersInfo?.memberCount).toBe(countsBefore.get(members)! - 1)
    expect(await memberNames(bob, bobs)).toEqual(['bob', 'frank'])
    expect((await groupsOk(bob, { info: { group: bobs } })).info?.memberCount).toBe(countsBefore.get(bobs)! - 1)

    // Nobody else was in "Solo": it is dissolved.
    const soloNow = await store!.groupInfo('bob', solo, Date.now())
    const soloDissolved = isGroupRefusal(soloNow) ? soloNow.refusal.code === ErrorCode.ERROR_DISSOLVED : soloNow.dissolved
    expect(soloDissolved).toBe(true)

    // Pending requests and invitations by and for alice are gone, and the devices that showed them are told.
    const closedRequest = await bob.waitFor(membership(gated, MembershipKind.KIND_JOIN_REQUEST_CLOSED))
    expect(closedRequest.event?.membership?.user).toBe('alice')
    expect((await groupsOk(bob, { pending: { group: gated } })).joinRequests?.requests ?? []).toEqual([])
    const hugo = await device('hugo', 'h-1')
    const hugoLog = await hugo.request({ sync: { afterSeq: 0, limit: 500 } })
    const hugoKinds = (hugoLog.syncBatch?.events ?? []).filter((event) => event.membership?.group === ginaOwnsWithAlice).map((event) => event.membership?.kind)
    expect(hugoKinds).toEqual([MembershipKind.KIND_INVITED, MembershipKind.KIND_INVITATION_CLOSED])
    expect(await store!.myGroupInvitations('alice')).toEqual([])
    expect(await store!.myGroupInvitations('hugo')).toEqual([])

    // Catch-up: carol was offline. Her log says she owns "Admins"; the group's log holds the handover and the leave.
    const carol = await device('carol', 'c-1')
    const carolLog = await carol.request({ sync: { afterSeq: 0, limit: 500 } })
    const roleChange = (carolLog.syncBatch?.events ?? []).find(
      (event) => event.membership?.group === admins && event.membership.kind === MembershipKind.KIND_ROLE_CHANGED && event.membership.role === ROLE_OWNER
    )
    expect(roleChange?.membership?.actor).toBe('alice')
    const adminsLog = (await groupLogs(carol, [admins])).get(admins) ?? []
    const tail = adminsLog.slice(-2).map((entry) => [entry.notice?.kind, entry.notice?.actor, entry.notice?.users ?? []])
    expect(tail).toEqual([
      [NoticeKind.KIND_OWNER_CHANGED, 'alice', ['carol']],
      [NoticeKind.KIND_LEFT, 'alice', []]
    ])
    expect((await groupsOk(carol, { info: { group: admins } })).info?.myRole).toBe(ROLE_OWNER)

    // The deleted account cannot be brought back into a group.
    const reinvite = await bob.request({ groups: { invite: { group: bobs, users: ['alice'] } } })
    expect(reinvite.error?.code).toBe(ErrorCode.ERROR_USER_NOT_FOUND)

    // Whoever registers the name next inherits nothing: no membership, no past group to read, no ban.
    const reborn = await registerAndLogin(t.server.url, 'alice', 'password-2')
    logins.set('alice', reborn)
    const newAlice = await device('alice', 'a-new')
    expect((await groupsOk(newAlice, { mine: {} })).groups?.groups ?? []).toEqual([])
    const oldHistory = await newAlice.request({ history: { conversation: bobs, chatType: pb.ChatType.CHAT_TYPE_GROUP, limit: 50 } })
    expect(oldHistory.error?.code).toBe(ErrorCode.ERROR_NOT_MEMBER)
    expect((await groupsOk(newAlice, { join: { group: banned } })).done?.pending).toBe(false)
  })

  it('rooms: the deleted account leaves every room; an admin takes over its room, a room with no admin is deleted', async () => {
    logins.set('ivan', await registerAndLogin(t.server.url, 'ivan'))
    const ivan = await device('ivan', 'i-1')
    const bob = await device('bob', 'b-rooms')
    const erin = await device('erin', 'e-rooms')

    const handed = String((await roomsOk(ivan, { create: { name: 'Handed over' } })).done?.room)
    const lonely = String((await roomsOk(ivan, { create: { name: 'No admin' } })).done?.room)
    const bobsRoom = String((await roomsOk(bob, { create: { name: 'Bobs room' } })).done?.room)
    await roomsOk(ivan, { setAdmin: { room: handed, user: 'bob', admin: true } })
    for (const room of [handed, lonely, bobsRoom]) await roomsOk(ivan, { join: { room } })
    await roomsOk(bob, { join: { room: handed } })
    await roomsOk(bob, { join: { room: bobsRoom } })
    await roomsOk(erin, { join: { room: lonely } })
    await roomsOk(erin, { join: { room: handed } })

    await deleteAccount(ivan)

    // "Handed over": bob (the admin) is the owner now, everyone in the room is told, ivan is gone from it.
    const roleChanged = await erin.waitFor(roomMember(handed, RoomMemberKind.KIND_ROLE_CHANGED, 'bob'))
    expect(roleChanged.roomEvent?.member?.role).toBe(ROLE_OWNER)
    await erin.waitFor(roomMember(handed, RoomMemberKind.KIND_LEFT, 'ivan'))
    const handedInfo = (await roomsOk(erin, { info: { room: handed } })).info
    expect(handedInfo?.owner).toBe('bob')
    expect(handedInfo?.memberCount).toBe(2)
    expect((await roomsOk(bob, { info: { room: handed } })).info?.myRole).toBe(ROLE_OWNER)
    // The new owner can run the room.
    await roomsOk(bob, { update: { room: handed, announcement: 'bob runs this now' } })

    // "No admin": deleted, erin is told.
    await erin.waitFor((frame) => frame.roomEvent?.room === lonely && Boolean(frame.roomEvent.deleted))
    expect((await erin.request({ rooms: { info: { room: lonely } } })).error?.code).toBe(ErrorCode.ERROR_NOT_FOUND)

    // Bob's room: ivan left, the count follows.
    const left = await bob.waitFor(roomMember(bobsRoom, RoomMemberKind.KIND_LEFT, 'ivan'))
    expect(left.roomEvent?.member?.memberCount).toBe(1)
    expect((await roomsOk(bob, { members: { room: bobsRoom } })).members?.members?.map((m) => m.user)).toEqual(['bob'])
  })

  it('a deletion through the platform API leaves the groups too', async () => {
    logins.set('jack', await registerAndLogin(t.server.url, 'jack'))
    const jack = await device('jack', 'j-1')
    const bob = await device('bob', 'b-platform')
    const owned = await createGroup(jack, 'Jacks', ['bob'])
    const joined = await createGroup(bob, 'Bobs too', ['jack'])
    await bob.waitFor(membership(owned, MembershipKind.KIND_JOINED))

    const response = await fetch(`${t.server.url}/api/platform/v1/users/jack`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${String(t.server.createdPlatformCredential)}` }
    })
    expect(response.status).toBe(200)
    await bob.waitFor(notice(owned, NoticeKind.KIND_OWNER_CHANGED, 'jack'))
    await bob.waitFor(notice(joined, NoticeKind.KIND_LEFT, 'jack'))
    expect((await groupsOk(bob, { info: { group: owned } })).info).toMatchObject({ owner: 'bob', memberCount: 1 })
    expect(await memberNames(bob, joined)).toEqual(['bob'])
  })
})

describe('account deletion as the other members’ client devices see it', () => {
  const { server, devices } = useServerAndDevices()

  const noticesOn = async (client: ChatClient, group: string): Promise<string[]> =>
    (await client.pageLocal({ type: 'group', id: group }, null, 500)).messages.flatMap((m) =>
      m.content.type === 'notice' ? [`${m.content.kind}:${m.content.actor}>${m.content.users.join(',')}`] : []
    )

  it('a device online sees the handover and the leave live; a device that was away sees them after catch-up', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    const carol = uniqueUser('carol')
    await registerUsers(server, alice, bob, carol)
    const a = devices.create('a')
    const b = devices.create('b')
    const carolDir = makeTempDir()
    const carolDevice = `c-${carol}`
    let c = devices.create('c', {}, { dataDir: carolDir, deviceId: carolDevice })
    await Promise.all([a.login(alice, TEST_PASSWORD), b.login(bob, TEST_PASSWORD), c.login(carol, TEST_PASSWORD)])
    const settings = { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 10 }
    const { group } = await a.groups.create({ name: 'Walkers', description: '', settings, members: [bob, carol] })
    await a.groups.setAdmin(group, carol, true)
    for (const device of [b, c]) {
      await waitFor(`the group on ${device.deviceId}`, async () => (await device.groups.local(group))?.state === 'member')
    }
    await waitFor('carol an admin on her device', async () => (await c.groups.local(group))?.myRole === 'admin')
    await c.whenSynced()
    await c.close()

    await a.deleteAccount(TEST_PASSWORD)

    // Bob's device, online: the notices in the timeline, and the group's description with its new owner and count.
    await waitFor('the notices on bob’s device', async () => {
      const seen = await noticesOn(b, group)
      return seen.includes(`ownerChanged:${alice}>${carol}`) && seen.includes(`left:${alice}>`)
    })
    await waitFor('the new owner and count on bob’s device', async () => {
      const local = await b.groups.local(group)
      return local?.owner === carol && local.memberCount === 2
    })
    expect((await b.groups.members(group)).members.map((m) => [m.user, m.role])).toEqual([
      [carol, 'owner'],
      [bob, 'member']
    ])

    // Carol's device comes back: it learns it owns the group and shows the same notices.
    c = devices.create('c', {}, { dataDir: carolDir, deviceId: carolDevice })
    await c.login(carol, TEST_PASSWORD)
    await waitFor('carol the owner on her device', async () => {
      const local = await c.groups.local(group)
      return local?.myRole === 'owner' && local.owner === carol && local.memberCount === 2
    })
    await waitFor('the notices on carol’s device', async () => {
      const seen = await noticesOn(c, group)
      return seen.includes(`ownerChanged:${alice}>${carol}`) && seen.includes(`left:${alice}>`)
    })
  })
})

describe('account deletion cut by SIGKILL', () => {
  const dataDir = makeTempDir()
  const server = new ServerProcess(dataDir)
  const url = (): string => `http://127.0.0.1:${server.port}`

  beforeAll(async () => {
    await buildBundles()
    await server.start()
  }, 120_000)
  afterAll(async () => {
    await server.stop()
    removeDir(dataDir)
  })

  it('a restart finishes the leaving: every group left exactly once, owned groups handed over', async () => {
    const zoe = await registerAndLogin(url(), 'zoe')
    const yan = await registerAndLogin(url(), 'yan')
    const zoeDevice = await FrameClient.onDevice(url(), zoe, 'z-1')
    const yanDevice = await FrameClient.onDevice(url(), yan, 'y-1')
    const joined: string[] = []
    const owned: string[] = []
    for (let i = 0; i < CRASH_GROUPS_JOINED; i++) joined.push(await createGroup(yanDevice, `yan ${i}`, ['zoe']))
    for (let i = 0; i < CRASH_GROUPS_OWNED; i++) owned.push(await createGroup(zoeDevice, `zoe ${i}`, ['yan']))
    const all = [...joined, ...owned]
    await yanDevice.request({ groups: { mine: {} } })

    // Zoe deletes her account; the first group she leaves reaches yan live, and the server is killed right then.
    zoeDevice.send({ id: zoeDevice.allocateId(), profile: { deleteAccount: { password: 'password-1' } } })
    await yanDevice.waitFor((frame) => frame.groupEntry?.notice?.kind === NoticeKind.KIND_LEFT && frame.groupEntry.notice.actor === 'zoe', SLOW_WAIT_MS)
    await server.kill()
    const leftBeforeKill = new Set(
      yanDevice.received.flatMap((frame) =>
        frame.groupEntry?.notice?.kind === NoticeKind.KIND_LEFT && frame.groupEntry.notice.actor === 'zoe' ? [frame.groupEntry.group ?? ''] : []
      )
    )
    // The kill cut the leaving short (else this test would not test the restart).
    expect(leftBeforeKill.size).toBeGreaterThan(0)
    expect(leftBeforeKill.size).toBeLessThan(all.length)
    zoeDevice.socket.terminate()
    yanDevice.socket.terminate()

    await server.start()
    // The account was marked deleted before any group was left.
    const signIn = await postJson(url(), LOGIN_PATH, { userAccount: 'zoe', userPassword: 'password-1' })
    expect(signIn.status).toBe(403)

    const yanAgain = await FrameClient.onDevice(url(), yan, 'y-2')
    try {
      const mine = (await groupsOk(yanAgain, { mine: {} })).groups?.groups ?? []
      expect(mine.map((group) => group.group).sort()).toEqual([...all].sort())
      for (const info of mine) {
        expect(info.memberCount, `members of ${info.name}`).toBe(1)
        expect(info.owner, `owner of ${info.name}`).toBe('yan')
      }
      const logs = await groupLogs(yanAgain, all)
      for (const group of all) {
        const entries = logs.get(group) ?? []
        const leaves = entries.filter((entry) => entry.notice?.kind === NoticeKind.KIND_LEFT && entry.notice.actor === 'zoe')
        expect(leaves.length, `zoe's leave notices in ${group}`).toBe(1)
        const handovers = entries.filter((entry) => entry.notice?.kind === NoticeKind.KIND_OWNER_CHANGED)
        expect(handovers.length, `handovers in ${group}`).toBe(owned.includes(group) ? 1 : 0)
      }
      // Yan's log tells his devices he owns zoe's groups now.
      const yanLog = await yanAgain.request({ sync: { afterSeq: 0, limit: 1000 } })
      const owns = new Set(
        (yanLog.syncBatch?.events ?? []).flatMap((event) =>
          event.membership?.kind === MembershipKind.KIND_ROLE_CHANGED && event.membership.role === ROLE_OWNER ? [event.membership.group ?? ''] : []
        )
      )
      expect([...owns].sort()).toEqual([...owned].sort())
    } finally {
      await yanAgain.close()
    }
  }, 120_000)
})
