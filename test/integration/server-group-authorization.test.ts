// Every group operation, asked by each role (owner, admin, member, non-member) against the real server: the answer
// is what the authorisation table decides, and a refused operation leaves the group's log and members unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatTypePb, ErrorCode, type DecodedFrame, type Frame } from '../../src/shared/proto/codec'
import {
  decideGroupOperation,
  decideTargetOperation,
  type GroupOperation,
  type GroupRoleName,
  type GroupTargetOperation
} from '../../src/server/store/groups/authorization'
import { FrameClient, randomClientId, registerAndLogin } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

const GROUP = ChatTypePb.CHAT_TYPE_GROUP
type GroupsOp = NonNullable<Frame['groups']>
type Settings = NonNullable<NonNullable<GroupsOp['create']>['settings']>

/** Who plays each role: alice owns every group, bob is made admin, carol and erin are members, dan is outside. */
const ACTOR: Readonly<Record<GroupRoleName, string>> = { owner: 'alice', admin: 'bob', member: 'carol', none: 'dan' }
const ROLES: readonly GroupRoleName[] = ['owner', 'admin', 'member', 'none']
/** The member every operation aimed at someone targets; frank asks to join or is invited. */
const TARGET = 'erin'

interface Fixture {
  group: string
  /** A message in the group (for pin). */
  serverId: number
}

interface Case {
  /** Group settings the operation needs to be meaningful (a join request needs approval, ...). */
  settings?: Settings
  /** Runs before the operation (as the owner or the actor): puts a request or invitation in place. */
  prepare?: (fixture: Fixture, actor: string) => Promise<void>
  run: (client: FrameClient, fixture: Fixture) => Promise<DecodedFrame>
  target?: GroupTargetOperation
}

let t: TestServer
const clients = new Map<string, FrameClient>()

function client(name: string): FrameClient {
  const found = clients.get(name)
  if (!found) throw new Error(`no client for ${name}`)
  return found
}

function groupsRequest(who: FrameClient, op: GroupsOp): Promise<DecodedFrame> {
  return who.request({ groups: op })
}

async function expectOk(reply: Promise<DecodedFrame>): Promise<DecodedFrame> {
  const frame = await reply
  if (frame.error) throw new Error(`setup step failed: ${JSON.stringify(frame.error)}`)
  return frame
}

const CASES: Record<Exclude<GroupOperation, 'create' | 'directory' | 'mine' | 'invitations'>, Case> = {
  info: { run: (c, f) => groupsRequest(c, { info: { group: f.group } }) },
  update: { run: (c, f) => groupsRequest(c, { update: { group: f.group, announcement: 'Meet at nine' } }) },
  dissolve: { run: (c, f) => groupsRequest(c, { dissolve: { group: f.group } }) },
  transfer: { run: (c, f) => groupsRequest(c, { transfer: { group: f.group, user: TARGET } }), target: 'transfer' },
  setAdmin: { run: (c, f) => groupsRequest(c, { setAdmin: { group: f.group, user: TARGET, admin: true } }), target: 'setAdmin' },
  invite: { run: (c, f) => groupsRequest(c, { invite: { group: f.group, users: ['frank'] } }) },
  remove: { run: (c, f) => groupsRequest(c, { remove: { group: f.group, user: TARGET } }), target: 'remove' },
  join: { run: (c, f) => groupsRequest(c, { join: { group: f.group } }) },
  decideJoin: {
    settings: { isPublic: true, joinNeedsApproval: true },
    prepare: async (f) => {
      await expectOk(groupsRequest(client('frank'), { join: { group: f.group, message: 'please' } }))
    },
    run: (c, f) => groupsRequest(c, { decideJoin: { group: f.group, user: 'frank', accept: true } })
  },
  decideInvitation: {
    // Consent is switched on after the members are in, so the invitation waits for the actor's answer.
    prepare: async (f, actor) => {
      const settings = { isPublic: true, inviteNeedsConsent: true }
      await expectOk(groupsRequest(client('alice'), { update: { group: f.group, settings, setSettings: true } }))
      await expectOk(groupsRequest(client('alice'), { invite: { group: f.group, users: [actor] } }))
    },
    run: (c, f) => groupsRequest(c, { decideInvitation: { group: f.group, accept: true } })
  },
  mute: { run: (c, f) => groupsRequest(c, { mute: { group: f.group, user: TARGET, until: Date.now() + 60_000 } }), target: 'mute' },
  muteAll: { run: (c, f) => groupsRequest(c, { muteAll: { group: f.group, muted: true } }) },
  ban: { run: (c, f) => groupsRequest(c, { ban: { group: f.group, user: TARGET, banned: true } }), target: 'ban' },
  pin: { run: (c, f) => groupsRequest(c, { pin: { group: f.group, serverId: f.serverId, pinned: true } }) },
  leave: { run: (c, f) => groupsRequest(c, { leave: { group: f.group } }) },
  members: { run: (c, f) => groupsRequest(c, { members: { group: f.group } }) },
  pending: { run: (c, f) => groupsRequest(c, { pending: { group: f.group } }) },
  send: {
    run: (c, f) => c.request({ send: { clientId: randomClientId(), to: f.group, chatType: GROUP, body: { text: { text: 'hi' } } } })
  },
  mentionAll: {
    run: (c, f) =>
      c.request({ send: { clientId: randomClientId(), to: f.group, chatType: GROUP, body: { text: { text: '@all', mentionAll: true } } } })
  },
  history: { run: (c, f) => c.request({ history: { conversation: f.group, chatType: GROUP } }) },
  markRead: { run: (c, f) => c.request({ markRead: { conversation: f.group, chatType: GROUP, seq: 1 } }) },
  // Recall and edit (services/message-ops): the actor's own message (a non-member has none: alice's stands in).
  recallOwn: {
    prepare: ownMessage,
    run: (c, f) => c.request({ recall: { conversation: f.group, chatType: GROUP, serverId: f.serverId } })
  },
  recallOthers: { run: (c, f) => c.request({ recall: { conversation: f.group, chatType: GROUP, serverId: f.serverId } }) },
  edit: {
    prepare: ownMessage,
    run: (c, f) => c.request({ edit: { conversation: f.group, chatType: GROUP, serverId: f.serverId, text: 'fixed' } })
  },
  setDisappearTimer: {
    run: (c, f) => c.request({ conversationSettings: { conversation: f.group, chatType: GROUP, set: true, disappearAfterSec: 3600 } })
  }
}

/** Makes the fixture's message one the actor sent (when the actor may send at all). */
async function ownMessage(f: Fixture, actor: string): Promise<void> {
  const sent = await client(actor).request({ send: { clientId: randomClientId(), to: f.group, chatType: GROUP, body: { text: { text: 'mine' } } } })
  if (sent.sendAck) f.serverId = Number(sent.sendAck.serverId)
}

/** A fresh group: alice owner, bob admin, carol and erin members, one message from alice. */
async function fixture(settings: Settings): Promise<Fixture> {
  const alice = client('alice')
  const created = await expectOk(groupsRequest(alice, { create: { name: 'Cells', members: ['bob', 'carol', TARGET], settings } }))
  const group = created.groupsOk?.done?.group as string
  await expectOk(groupsRequest(alice, { setAdmin: { group, user: 'bob', admin: true } }))
  const sent = await expectOk(alice.request({ send: { clientId: randomClientId(), to: group, chatType: GROUP, body: { text: { text: 'pin me' } } } }))
  return { group, serverId: Number(sent.sendAck?.serverId) }
}

/** What the owner sees of the group: its log head and members (a refusal must change neither). */
async function snapshot(group: string): Promise<string> {
  const info = await groupsRequest(client('alice'), { info: { group } })
  const members = await groupsRequest(client('alice'), { members: { group } })
  return JSON.stringify([Number(info.groupsOk?.info?.headSeq), members.groupsOk?.members?.members?.map((m) => [m.user, m.role, Number(m.mutedUntil) > 0])])
}

describe('groups authorisation against the server', () => {
  beforeAll(async () => {
    t = await startTestServer()
    for (const name of ['alice', 'bob', 'carol', 'dan', 'erin', 'frank']) {
      const login = await registerAndLogin(t.server.url, name)
      clients.set(name, await FrameClient.onDevice(t.server.url, login, `${name}-device`))
    }
  })
  afterAll(async () => {
    await Promise.all([...clients.values()].map((c) => c.close()))
    await t.dispose()
  })

  for (const [operation, spec] of Object.entries(CASES) as [keyof typeof CASES, Case][]) {
    it(`${operation}: each role gets what the table decides; a refusal changes nothing`, async () => {
      for (const role of ROLES) {
        const actor = ACTOR[role]
        const setup = await fixture({ isPublic: true, ...spec.settings })
        await spec.prepare?.(setup, actor)
        let expected = decideGroupOperation(operation, role, 'normal')
        if (expected.allowed && spec.target) expected = decideTargetOperation(spec.target, role, 'member', false)
        const before = await snapshot(setup.group)
        const reply = await spec.run(client(actor), setup)
        const where = `${operation} as ${role}`
        if (expected.allowed) {
          expect(reply.error, where).toBeFalsy()
        } else {
          expect(reply.error?.code, where).toBe(expected.code)
          expect(await snapshot(setup.group), `${where} changed the group`).toBe(before)
        }
      }
    })
  }

  it('states and targets: a muted admin cannot send, an admin cannot remove an admin or mute the owner', async () => {
    const setup = await fixture({ isPublic: true })
    const alice = client('alice')
    const bob = client('bob')
    await expectOk(groupsRequest(alice, { setAdmin: { group: setup.group, user: 'carol', admin: true } }))
    expect((await groupsRequest(bob, { remove: { group: setup.group, user: 'carol' } })).error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)
    expect((await groupsRequest(bob, { mute: { group: setup.group, user: 'alice', until: Date.now() + 60_000 } })).error?.code).toBe(
      ErrorCode.ERROR_FORBIDDEN
    )
    expect((await groupsRequest(bob, { remove: { group: setup.group, user: 'dan' } })).error?.code).toBe(ErrorCode.ERROR_NOT_MEMBER)
    await expectOk(groupsRequest(alice, { mute: { group: setup.group, user: 'bob', until: Date.now() + 60_000 } }))
    const send = await bob.request({ send: { clientId: randomClientId(), to: setup.group, chatType: GROUP, body: { text: { text: 'x' } } } })
    expect(send.error?.code).toBe(ErrorCode.ERROR_MUTED)
    expect((await groupsRequest(alice, { leave: { group: setup.group } })).error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)
    expect((await groupsRequest(alice, { create: { name: 'x'.repeat(129) } })).error?.code).toBe(ErrorCode.ERROR_LIMIT_EXCEEDED)
    expect((await groupsRequest(alice, { create: { name: 'big', settings: { maxMembers: 3_001 } } })).error?.code).toBe(
      ErrorCode.ERROR_LIMIT_EXCEEDED
    )
    const small = await expectOk(groupsRequest(alice, { create: { name: 'Pair', members: ['bob'], settings: { maxMembers: 2, isPublic: true } } }))
    const pair = small.groupsOk?.done?.group as string
    expect((await groupsRequest(client('dan'), { join: { group: pair } })).error?.code).toBe(ErrorCode.ERROR_FULL)
  })
})
