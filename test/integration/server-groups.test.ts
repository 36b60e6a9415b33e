// Groups against the real server on port 0: what the other members' devices receive live, what history and
// group_sync return, the join and invitation flows, mute / ban / mute-all / dissolve taking effect at once, the
// join point, read pointers across devices, a group named like a user, and rows written per group message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatTypePb, ErrorCode, pb, type DecodedFrame, type Frame } from '../../src/shared/proto/codec'
import { FrameClient, randomClientId, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

const GROUP = ChatTypePb.CHAT_TYPE_GROUP
const NoticeKind = pb.GroupNotice.Kind
const MembershipKind = pb.MembershipEvent.Kind
/** How long we listen for pushes that must NOT arrive. */
const QUIET_PERIOD_MS = 300

type GroupsOp = NonNullable<Frame['groups']>

let t: TestServer
const accounts = new Map<string, Login>()
const clients: FrameClient[] = []

async function account(name: string): Promise<Login> {
  let login = accounts.get(name)
  if (!login) {
    login = await registerAndLogin(t.server.url, name)
    accounts.set(name, login)
  }
  return login
}

/** A device of `name`, authenticated and subscribed to its groups (one round trip after auth settles the load). */
async function device(name: string, deviceId: string): Promise<FrameClient> {
  const client = await FrameClient.onDevice(t.server.url, await account(name), deviceId)
  clients.push(client)
  await client.request({ groups: { mine: {} } })
  return client
}

async function groups(client: FrameClient, op: GroupsOp): Promise<DecodedFrame> {
  return client.request({ groups: op })
}

async function ok(client: FrameClient, op: GroupsOp): Promise<NonNullable<DecodedFrame['groupsOk']>> {
  const reply = await groups(client, op)
  if (!reply.groupsOk) throw new Error(`expected groups_ok for ${JSON.stringify(op)}, got ${JSON.stringify(reply.error)}`)
  return reply.groupsOk
}

async function createGroup(
  owner: FrameClient,
  name: string,
  members: string[] = [],
  settings: NonNullable<NonNullable<GroupsOp['create']>['settings']> = {}
): Promise<string> {
  const answer = await ok(owner, { create: { name, members, settings } })
  return answer.done?.group as string
}

function sendGroup(client: FrameClient, group: string, text: string, extra: { mentions?: string[]; mentionAll?: boolean } = {}): Promise<DecodedFrame> {
  return client.request({ send: { clientId: randomClientId(), to: group, chatType: GROUP, body: { text: { text, ...extra } } } })
}

async function sendOk(client: FrameClient, group: string, text: string): Promise<number> {
  const reply = await sendGroup(client, group, text)
  if (!reply.sendAck) throw new Error(`expected an ack for "${text}", got ${JSON.stringify(reply.error)}`)
  return Number(reply.sendAck.seq)
}

const entryWithText = (group: string, text: string) => (frame: DecodedFrame): boolean =>
  frame.groupEntry?.group === group && frame.groupEntry.message?.body?.text?.text === text

const entryWithNotice = (group: string, kind: number) => (frame: DecodedFrame): boolean =>
  frame.groupEntry?.group === group && frame.groupEntry.notice?.kind === kind

const membershipEvent = (group: string, kind: number) => (frame: DecodedFrame): boolean =>
  frame.event?.membership?.group === group && frame.event.membership.kind === kind

async function expectNothing(client: FrameClient, match: (frame: DecodedFrame) => boolean): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, QUIET_PERIOD_MS))
  expect(client.received.filter(match)).toEqual([])
}

async function history(client: FrameClient, conversation: string, chatType: number): Promise<DecodedFrame> {
  return client.request({ history: { conversation, chatType, limit: 50 } })
}

function historyTexts(reply: DecodedFrame): string[] {
  return (reply.historyPage?.events ?? []).flatMap((event) => (event.message ? [event.message.body?.text?.text ?? '?'] : []))
}

describe('groups', () => {
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()))
    await t.dispose()
  })

  it('a message is seen by every member device (the sender’s other device too), not by others; the sender gets the ack', async () => {
    const aliceLaptop = await device('alice', 'a-laptop')
    const alicePhone = await device('alice', 'a-phone')
    const bobLaptop = await device('bob', 'b-laptop')
    const bobPhone = await device('bob', 'b-phone')
    const carol = await device('carol', 'c-1')
    const dave = await device('dave', 'd-1')

    const group = await createGroup(aliceLaptop, 'Hikers', ['bob'])
    expect(group).toMatch(/^g[a-z0-9]+$/)
    await bobPhone.waitFor(membershipEvent(group, MembershipKind.KIND_JOINED))
    await bobLaptop.waitFor(entryWithNotice(group, NoticeKind.KIND_ADDED))
    // A device learns it joined (and from which seq) before the group entries after that point reach it.
    const order = (client: FrameClient, match: (frame: DecodedFrame) => boolean): number => client.received.findIndex(match)
    for (const client of [bobLaptop, bobPhone]) {
      expect(order(client, membershipEvent(group, MembershipKind.KIND_JOINED))).toBeLessThan(order(client, entryWithNotice(group, NoticeKind.KIND_ADDED)))
    }
    const invited = await ok(aliceLaptop, { invite: { group, users: ['Carol'] } })
    expect(invited.done?.pending).toBe(false)
    const added = await carol.waitFor(entryWithNotice(group, NoticeKind.KIND_ADDED))
    expect(added.groupEntry?.notice?.users).toEqual(['carol'])
    expect(added.groupEntry?.notice?.actor).toBe('alice')

    const reply = await sendGroup(aliceLaptop, group, 'hello hikers')
    expect(reply.sendAck?.serverId).toBeGreaterThan(0)
    const seq = Number(reply.sendAck?.seq)
    const seen = await Promise.all([alicePhone, bobLaptop, bobPhone, carol].map((client) => client.waitFor(entryWithText(group, 'hello hikers'))))
    for (const frame of seen) {
      expect(Number(frame.groupEntry?.seq)).toBe(seq)
      expect(frame.groupEntry?.message?.from).toBe('alice')
      expect(frame.groupEntry?.message?.chatType).toBe(GROUP)
    }
    await expectNothing(aliceLaptop, entryWithText(group, 'hello hikers'))
    await expectNothing(dave, (frame) => frame.groupEntry?.group === group)
    // A non-member can neither send nor read.
    expect((await sendGroup(dave, group, 'let me in')).error?.code).toBe(ErrorCode.ERROR_NOT_MEMBER)
    expect((await history(dave, group, GROUP)).error?.code).toBe(ErrorCode.ERROR_NOT_MEMBER)
    expect(historyTexts(await history(carol, group, GROUP))).toEqual(['hello hikers'])
  })

  it('join approval: a request waits, the admins see it, approval adds the member; a decline tells the requester', async () => {
    const owner = await device('olga', 'o-1')
    const pat = await device('pat', 'p-1')
    const quinn = await device('quinn', 'q-1')
    const group = await createGroup(owner, 'Book club', [], { isPublic: true, joinNeedsApproval: true })

    const asked = await ok(pat, { join: { group, message: 'I read a lot' } })
    expect(asked.done?.pending).toBe(true)
    expect((await groups(pat, { join: { group } })).error?.code).toBe(ErrorCode.ERROR_CONFLICT)
    expect((await sendGroup(pat, group, 'early')).error?.code).toBe(ErrorCode.ERROR_NOT_MEMBER)
    await ok(quinn, { join: { group, message: 'me too' } })
    expect((await groups(pat, { pending: { group } })).error?.code).toBe(ErrorCode.ERROR_NOT_MEMBER)
    const pending = await ok(owner, { pending: { group } })
    expect(pending.joinRequests?.requests?.map((request) => [request.user, request.message])).toEqual([
      ['pat', 'I read a lot'],
      ['quinn', 'me too']
    ])

    await ok(owner, { decideJoin: { group, user: 'pat', accept: true } })
    const joined = await pat.waitFor(membershipEvent(group, MembershipKind.KIND_JOINED))
    expect(joined.event?.membership?.actor).toBe('olga')
    await ok(owner, { decideJoin: { group, user: 'quinn', accept: false, reason: 'full for now' } })
    const declined = await quinn.waitFor(membershipEvent(group, MembershipKind.KIND_JOIN_DECLINED))
    expect(declined.event?.membership?.text).toBe('full for now')

    await sendOk(owner, group, 'welcome pat')
    await pat.waitFor(entryWithText(group, 'welcome pat'))
    await expectNothing(quinn, entryWithText(group, 'welcome pat'))
    expect((await sendGroup(quinn, group, 'hi')).error?.code).toBe(ErrorCode.ERROR_NOT_MEMBER)
    expect((await ok(owner, { pending: { group } })).joinRequests?.requests ?? []).toEqual([])
  })

  it('invitation consent: the invitee is asked, is no member until they accept, then receives the group', async () => {
    const owner = await device('rita', 'r-1')
    const sam = await device('sam', 's-1')
    const tom = await device('tom', 't-1')
    const group = await createGroup(owner, 'Choir', [], { inviteNeedsConsent: true })
    const invited = await ok(owner, { invite: { group, users: ['sam', 'tom'], message: 'sing with us' } })
    expect(invited.done?.pending).toBe(true)
    const asked = await sam.waitFor(membershipEvent(group, MembershipKind.KIND_INVITED))
    expect(asked.event?.membership?.groupName).toBe('Choir')
    const waiting = await ok(sam, { invitations: {} })
    expect(waiting.invitations?.invitations?.map((invitation) => [invitation.group, invitation.inviter, invitation.message])).toEqual([
      [group, 'rita', 'sing with us']
    ])
    expect((await sendGroup(sam, group, 'early')).error?.code).toBe(ErrorCode.ERROR_NOT_MEMBER)

    await ok(sam, { decideInvitation: { group, accept: true } })
    await sam.waitFor(membershipEvent(group, MembershipKind.KIND_JOINED))
    await ok(tom, { decideInvitation: { group, accept: false } })
    expect((await groups(tom, { decideInvitation: { group, accept: true } })).error?.code).toBe(ErrorCode.ERROR_NOT_FOUND)

    await sendOk(owner, group, 'first song')
    await sam.waitFor(entryWithText(group, 'first song'))
    await expectNothing(tom, entryWithText(group, 'first song'))
    const members = await ok(owner, { members: { group } })
    expect(members.members?.members?.map((member) => member.user)).toEqual(['rita', 'sam'])
  })

  it('mute and ban take effect at once: the next send is refused with MUTED, then BANNED; a ban keeps them out', async () => {
    const owner = await device('uma', 'u-1')
    const vic = await device('vic', 'v-1')
    const vicPhone = await device('vic', 'v-2')
    const group = await createGroup(owner, 'Quiet room', ['vic'], { isPublic: true })
    await sendOk(vic, group, 'before mute')

    await ok(owner, { mute: { group, user: 'vic', until: Date.now() + 60_000 } })
    const muted = await sendGroup(vic, group, 'while muted')
    expect(muted.error?.code).toBe(ErrorCode.ERROR_MUTED)
    await ok(owner, { mute: { group, user: 'vic', until: 0 } })
    await sendOk(vic, group, 'after unmute')

    await ok(owner, { ban: { group, user: 'vic', banned: true } })
    const removed = await vicPhone.waitFor(membershipEvent(group, MembershipKind.KIND_REMOVED))
    // The ban notice (the last entry vic may see) arrives before the event that ends vic's membership.
    const banNotice = vicPhone.received.findIndex(entryWithNotice(group, NoticeKind.KIND_BANNED))
    expect(banNotice).toBeGreaterThanOrEqual(0)
    expect(banNotice).toBeLessThan(vicPhone.received.findIndex(membershipEvent(group, MembershipKind.KIND_REMOVED)))
    expect(Number(removed.event?.membership?.toSeq)).toBeGreaterThan(0)
    expect((await sendGroup(vic, group, 'after ban')).error?.code).toBe(ErrorCode.ERROR_BANNED)
    expect((await groups(vic, { join: { group } })).error?.code).toBe(ErrorCode.ERROR_BANNED)
    expect((await groups(owner, { invite: { group, users: ['vic'] } })).error?.code).toBe(ErrorCode.ERROR_BANNED)
    await sendOk(owner, group, 'without vic')
    await expectNothing(vicPhone, entryWithText(group, 'without vic'))
    // What vic saw stays readable; nothing after the ban.
    expect(historyTexts(await history(vic, group, GROUP))).toEqual(['after unmute', 'before mute'])

    // group_sync gives vic the entries up to the ban (its to_seq) and then says not_member.
    const toSeq = Number(removed.event?.membership?.toSeq)
    const synced = await vic.request({ groupSync: { cursors: [{ group, afterSeq: 0 }] } })
    const batch = synced.groupSyncOk?.groups?.[0]
    expect(batch?.entries?.at(-1)?.notice?.kind).toBe(NoticeKind.KIND_BANNED)
    expect(Number(batch?.entries?.at(-1)?.seq)).toBe(toSeq)
    expect(batch?.notMember).toBe(true)
    const after = await vic.request({ groupSync: { cursors: [{ group, afterSeq: toSeq }] } })
    expect(after.groupSyncOk?.groups?.[0]).toMatchObject({ notMember: true, entries: [] })

    await ok(owner, { ban: { group, user: 'vic', banned: false } })
    await ok(vic, { join: { group } })
    await sendOk(vic, group, 'back again')
  })

  it('mute-all stops plain members (MUTED_ALL) but not admins or the owner', async () => {
    const owner = await device('wes', 'w-1')
    const admin = await device('xena', 'x-1')
    const member = await device('yann', 'y-1')
    const group = await createGroup(owner, 'Announcements', ['xena', 'yann'])
    await ok(owner, { setAdmin: { group, user: 'xena', admin: true } })
    await ok(admin, { muteAll: { group, muted: true } })
    expect((await sendGroup(member, group, 'can I?')).error?.code).toBe(ErrorCode.ERROR_MUTED_ALL)
    await sendOk(admin, group, 'admins can')
    await sendOk(owner, group, 'owner can')
    await member.waitFor(entryWithText(group, 'owner can'))
    await ok(owner, { muteAll: { group, muted: false } })
    await sendOk(member, group, 'now I can')
  })

  it('dissolve removes the group on every device of every member; later sends answer DISSOLVED', async () => {
    const owner = await device('zoe', 'z-1')
    const ownerPhone = await device('zoe', 'z-2')
    const member = await device('abe', 'ab-1')
    const memberPhone = await device('abe', 'ab-2')
    const group = await createGroup(owner, 'Short lived', ['abe'])
    await sendOk(member, group, 'hi all')
    expect((await groups(member, { dissolve: { group } })).error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)
    await ok(owner, { dissolve: { group } })
    await Promise.all([owner, ownerPhone, member, memberPhone].map((client) => client.waitFor(membershipEvent(group, MembershipKind.KIND_DISSOLVED))))
    expect((await sendGroup(member, group, 'anyone?')).error?.code).toBe(ErrorCode.ERROR_DISSOLVED)
    expect((await sendGroup(owner, group, 'anyone?')).error?.code).toBe(ErrorCode.ERROR_DISSOLVED)
    expect((await groups(owner, { info: { group } })).error?.code).toBe(ErrorCode.ERROR_DISSOLVED)
    const synced = await member.request({ groupSync: { cursors: [{ group, afterSeq: 0 }] } })
    expect(synced.groupSyncOk?.groups?.[0]?.notMember).toBe(true)
    expect((await ok(member, { mine: {} })).groups?.groups ?? []).toEqual([])
  })

  it('a member who joins late sees history and group_sync only from the join point', async () => {
    const owner = await device('ben', 'be-1')
    const late = await device('cat', 'ca-1')
    const group = await createGroup(owner, 'Old timers', [])
    for (const text of ['one', 'two', 'three']) await sendOk(owner, group, text)
    await ok(owner, { invite: { group, users: ['cat'] } })
    const joined = await late.waitFor(membershipEvent(group, MembershipKind.KIND_JOINED))
    const fromSeq = Number(joined.event?.membership?.fromSeq)
    expect(fromSeq).toBe(4) // created notice + three messages
    await sendOk(owner, group, 'four')
    expect(historyTexts(await history(late, group, GROUP))).toEqual(['four'])
    expect(historyTexts(await history(owner, group, GROUP))).toEqual(['four', 'three', 'two', 'one'])
    // History carries the notices between the messages, as the timeline shows them ("ben added cat").
    const lateHistory = (await history(late, group, GROUP)).historyPage?.events ?? []
    expect(lateHistory.map((event) => [Number(event.seq), event.kind])).toEqual([[6, 'message'], [5, 'groupNotice']])
    expect(lateHistory[1]?.groupNotice?.kind).toBe(NoticeKind.KIND_ADDED)
    const synced = await late.request({ groupSync: { cursors: [{ group, afterSeq: 0 }] } })
    const batch = synced.groupSyncOk?.groups?.[0]
    expect(batch?.entries?.map((entry) => Number(entry.seq))).toEqual([5, 6])
    expect(batch?.entries?.[0]?.notice?.kind).toBe(NoticeKind.KIND_ADDED)
    expect(batch?.entries?.[1]?.message?.body?.text?.text).toBe('four')
  })

  it('group_sync after a reconnect answers only the groups that moved, paged per group', async () => {
    const owner = await device('dan', 'dn-1')
    let member = await device('eve', 'ev-1')
    const ids = [await createGroup(owner, 'G1', ['eve']), await createGroup(owner, 'G2', ['eve']), await createGroup(owner, 'G3', ['eve'])]
    const first = await member.request({ groupSync: { cursors: ids.map((group) => ({ group, afterSeq: 0 })) } })
    const cursors = (first.groupSyncOk?.groups ?? []).map((batch) => ({ group: batch.group as string, afterSeq: Number(batch.headSeq) }))
    expect(cursors.map((cursor) => cursor.group)).toEqual(ids)
    await member.close()

    for (const text of ['m1', 'm2', 'm3']) await sendOk(owner, ids[1] as string, text)
    member = await device('eve', 'ev-1')
    const again = await member.request({ groupSync: { cursors, limit: 2 } })
    const moved = again.groupSyncOk?.groups ?? []
    expect(moved.map((batch) => batch.group)).toEqual([ids[1]])
    expect(moved[0]?.entries?.map((entry) => entry.message?.body?.text?.text)).toEqual(['m1', 'm2'])
    expect(moved[0]?.hasMore).toBe(true)
    const rest = await member.request({
      groupSync: { cursors: [{ group: ids[1] as string, afterSeq: Number(moved[0]?.entries?.[1]?.seq) }], limit: 2 }
    })
    expect(rest.groupSyncOk?.groups?.[0]?.entries?.map((entry) => entry.message?.body?.text?.text)).toEqual(['m3'])
    expect(rest.groupSyncOk?.groups?.[0]?.hasMore).toBe(false)
  })

  it('read pointers agree on both devices and unread counts only others’ messages after the pointer', async () => {
    const owner = await device('fay', 'f-1')
    const reader = await device('gus', 'g-1')
    const readerPhone = await device('gus', 'g-2')
    const group = await createGroup(owner, 'Readers', ['gus'])
    const seqs: number[] = []
    for (const text of ['r1', 'r2', 'r3']) seqs.push(await sendOk(owner, group, text))
    await sendOk(reader, group, 'mine')

    const unreadOf = async (client: FrameClient): Promise<number | undefined> => {
      const recent = await client.request({ recent: {} })
      const summary = recent.recentOk?.conversations?.find((entry) => entry.conversation === group && entry.chatType === GROUP)
      return summary?.unread ?? undefined
    }
    expect(await unreadOf(reader)).toBe(3)
    expect(await unreadOf(owner)).toBe(1)

    const marked = await reader.request({ markRead: { conversation: group, chatType: GROUP, seq: seqs[1] } })
    expect(Number(marked.markReadOk?.seq)).toBe(seqs[1])
    const pointer = await readerPhone.waitFor((frame) => frame.event?.readPointer?.conversation === group)
    expect(Number(pointer.event?.readPointer?.seq)).toBe(seqs[1])
    expect(pointer.event?.readPointer?.chatType).toBe(GROUP)
    expect(await unreadOf(reader)).toBe(1)
    expect(await unreadOf(readerPhone)).toBe(1)
    // A pointer past the group's head is held at the head; one going back does not move.
    const far = await readerPhone.request({ markRead: { conversation: group, chatType: GROUP, seq: 10_000 } })
    expect(Number(far.markReadOk?.seq)).toBe(seqs[2] as number + 1)
    const back = await reader.request({ markRead: { conversation: group, chatType: GROUP, seq: seqs[0] } })
    expect(Number(back.markReadOk?.seq)).toBe(seqs[2] as number + 1)
    expect(Number(back.markReadOk?.eventSeq)).toBe(0)
    expect(await unreadOf(reader)).toBe(0)
  })

  it('a group named like a user stays apart from that user’s conversation', async () => {
    const alice = await device('hal', 'h-1')
    const bob = await device('bob', 'b-3')
    const group = await createGroup(alice, 'bob', ['bob'])
    await sendOk(alice, group, 'to the group called bob')
    const direct = await alice.request({ send: { clientId: randomClientId(), to: 'bob', body: { text: { text: 'to bob himself' } } } })
    expect(direct.sendAck).toBeTruthy()
    expect(historyTexts(await history(alice, 'bob', ChatTypePb.CHAT_TYPE_SINGLE))).toEqual(['to bob himself'])
    expect(historyTexts(await history(alice, group, GROUP))).toEqual(['to the group called bob'])
    expect((await history(alice, 'bob', GROUP)).error?.code).toBe(ErrorCode.ERROR_NOT_FOUND)
    const recent = await bob.request({ recent: {} })
    const keys = (recent.recentOk?.conversations ?? []).map((entry) => `${entry.chatType}:${entry.conversation}`)
    expect(keys).toContain(`${GROUP}:${group}`)
    expect(keys).toContain(`${ChatTypePb.CHAT_TYPE_SINGLE}:hal`)
    const info = await ok(bob, { info: { group } })
    expect(info.info?.name).toBe('bob')
  })

  it('mentions: only owner and admins may @all; mentions of non-members are dropped', async () => {
    const owner = await device('ivy', 'i-1')
    const member = await device('jon', 'j-1')
    await account('kim')
    const group = await createGroup(owner, 'Mentions', ['jon'])
    expect((await sendGroup(member, group, '@all look', { mentionAll: true })).error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)
    expect((await sendGroup(owner, group, '@all look', { mentionAll: true })).sendAck).toBeTruthy()
    await sendGroup(owner, group, 'hey @jon @kim', { mentions: ['Jon', 'kim'] })
    const pushed = await member.waitFor(entryWithText(group, 'hey @jon @kim'))
    expect(pushed.groupEntry?.message?.body?.text?.mentions).toEqual(['jon'])
    const stored = await history(member, group, GROUP)
    expect(stored.historyPage?.events?.[0]?.message?.body?.text?.mentions).toEqual(['jon'])
  })

  it('directory: public groups only, found by name in any case or by id, paged; members paged owner, admins, members', async () => {
    const owner = await device('mia', 'mi-1')
    const seeker = await device('ned', 'n-1')
    const hiking = await createGroup(owner, 'Hiking Club', [], { isPublic: true })
    const hikers = await createGroup(owner, 'weekend HIKERS', [], { isPublic: true })
    await createGroup(owner, 'Hidden hikes', [], { isPublic: false })
    const first = await ok(seeker, { directory: { query: 'hik', limit: 1 } })
    expect(first.directory?.groups?.map((group) => group.name)).toEqual(['Hiking Club'])
    expect(first.directory?.next).toBeTruthy()
    const second = await ok(seeker, { directory: { query: 'hik', limit: 1, after: first.directory?.next ?? '' } })
    expect(second.directory?.groups?.map((group) => group.group)).toEqual([hikers])
    expect(second.directory?.next ?? '').toBe('')
    const byId = await ok(seeker, { directory: { query: hiking.toUpperCase() } })
    expect(byId.directory?.groups?.map((group) => group.group)).toEqual([hiking])
    expect(byId.directory?.groups?.[0]?.myRole).toBe(0)

    const names = ['p01', 'p02', 'p03', 'p04']
    for (const name of names) await account(name)
    const big = await createGroup(owner, 'Paged', ['p04', 'p03', 'p02', 'p01'])
    await ok(owner, { setAdmin: { group: big, user: 'p03', admin: true } })
    const pages: string[][] = []
    let afterUser = ''
    for (;;) {
      const page = await ok(owner, { members: { group: big, afterUser, limit: 2 } })
      const users = page.members?.members?.map((member) => member.user ?? '') ?? []
      pages.push(users)
      expect(page.members?.memberCount).toBe(5)
      if (!page.members?.hasMore) break
      afterUser = users.at(-1) as string
    }
    expect(pages).toEqual([['mia', 'p03'], ['p01', 'p02'], ['p04']])
    expect((await ok(owner, { mine: {} })).groups?.groups?.map((group) => group.name).sort()).toEqual(
      ['Hidden hikes', 'Hiking Club', 'Paged', 'weekend HIKERS']
    )
  })

  it('transfer, announcement, pins and leave: notices in the log, role changes on the members’ devices', async () => {
    const owner = await device('ola', 'ol-1')
    const heir = await device('per', 'pe-1')
    const group = await createGroup(owner, 'Handover', ['per'])
    const serverId = Number((await sendGroup(owner, group, 'pin this')).sendAck?.serverId)
    await ok(owner, { pin: { group, serverId, pinned: true } })
    await ok(owner, { update: { group, announcement: 'Meet at nine', name: 'Handed over' } })
    await ok(owner, { transfer: { group, user: 'per' } })
    const promoted = await heir.waitFor(membershipEvent(group, MembershipKind.KIND_ROLE_CHANGED))
    expect(promoted.event?.membership?.role).toBe(pb.GroupRole.GROUP_ROLE_OWNER)
    const demoted = await owner.waitFor(membershipEvent(group, MembershipKind.KIND_ROLE_CHANGED))
    expect(demoted.event?.membership?.role).toBe(pb.GroupRole.GROUP_ROLE_ADMIN)
    const info = await ok(heir, { info: { group } })
    expect(info.info).toMatchObject({ owner: 'per', announcement: 'Meet at nine', name: 'Handed over', myRole: pb.GroupRole.GROUP_ROLE_OWNER })
    expect(info.info?.pinned?.map(Number)).toEqual([serverId])
    expect((await groups(heir, { leave: { group } })).error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)
    await ok(owner, { leave: { group } })
    const left = await owner.waitFor(membershipEvent(group, MembershipKind.KIND_LEFT))
    expect(Number(left.event?.membership?.toSeq)).toBeGreaterThan(0)
    const kinds = (await heir.request({ groupSync: { cursors: [{ group, afterSeq: 0 }] } })).groupSyncOk?.groups?.[0]?.entries?.map(
      (entry) => entry.notice?.kind ?? 'message'
    )
    // The heir was added right after the group was created: their history starts after the created notice.
    expect(kinds).toEqual([
      NoticeKind.KIND_ADDED,
      'message',
      NoticeKind.KIND_PINNED,
      NoticeKind.KIND_INFO_CHANGED,
      NoticeKind.KIND_ANNOUNCEMENT,
      NoticeKind.KIND_OWNER_CHANGED,
      NoticeKind.KIND_LEFT
    ])
    expect((await ok(heir, { info: { group } })).info?.memberCount).toBe(1)
  })

  it('group sequences continue after a restart (heads come from the database)', async () => {
    const owner = await device('quin', 'qu-1')
    const group = await createGroup(owner, 'Restarted', [])
    const before = await sendOk(owner, group, 'before restart')
    await owner.close()
    await t.restart()
    const again = await device('quin', 'qu-1')
    expect(await sendOk(again, group, 'after restart')).toBe(before + 1)
    expect(historyTexts(await history(again, group, GROUP))).toEqual(['after restart', 'before restart'])
  })

  it('stores a group message as two rows whatever the group size (one messages row, one group_log row)', async () => {
    const owner = await device('lea', 'l-1')
    const names = ['m01', 'm02', 'm03', 'm04', 'm05', 'm06']
    for (const name of names) await account(name)
    const group = await createGroup(owner, 'Counted', names)
    const total = (counts: Record<string, number>): number => Object.values(counts).reduce((sum, n) => sum + n, 0)
    const before = await t.server.storeRowCounts()
    const messages = 20
    for (let i = 0; i < messages; i++) await sendOk(owner, group, `counted ${i}`)
    const after = await t.server.storeRowCounts()
    expect((total(after) - total(before)) / messages).toBe(2)
    expect((after.group_log ?? 0) - (before.group_log ?? 0)).toBe(messages)
    expect((after.messages ?? 0) - (before.messages ?? 0)).toBe(messages)
  })
})
