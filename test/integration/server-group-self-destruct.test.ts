// Self-destruct in groups against the real server on port 0: the disappearing timer is set by owner and admins only
// (the groups table's setDisappearTimer row; a member is refused with ERROR_FORBIDDEN and nothing changes), new
// messages expire for every member at sent + timer; burn after reading burns each member's copy after their own read
// (the sender's with the first reader's), the others keep theirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatTypePb, ErrorCode, pb, type DecodedFrame } from '../../src/shared/proto/codec'
import { FrameClient, randomClientId, registerAndLogin } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

const GROUP = ChatTypePb.CHAT_TYPE_GROUP
const EXPIRED = pb.MessageChangeKind.MESSAGE_CHANGE_EXPIRED
const EXPIRY_SET = pb.MessageChangeKind.MESSAGE_CHANGE_EXPIRY_SET
/** alice owns each group, bob is an admin, carol and dave are members. */
const NAMES = ['alice', 'bob', 'carol', 'dave'] as const
type Name = (typeof NAMES)[number]

let t: TestServer
const clients = new Map<Name, FrameClient>()
const c = (name: Name): FrameClient => clients.get(name) as FrameClient

async function newGroup(): Promise<string> {
  const created = await c('alice').request({ groups: { create: { name: 'Fading', members: ['bob', 'carol', 'dave'], settings: {} } } })
  const group = created.groupsOk?.done?.group as string
  expect(group).toBeTruthy()
  expect((await c('alice').request({ groups: { setAdmin: { group, user: 'bob', admin: true } } })).error).toBeFalsy()
  return group
}

function setTimer(who: Name, group: string, seconds: number): Promise<DecodedFrame> {
  return c(who).request({ conversationSettings: { conversation: group, chatType: GROUP, set: true, disappearAfterSec: seconds } })
}

async function timerOf(who: Name, group: string): Promise<number> {
  const reply = await c(who).request({ conversationSettings: { conversation: group, chatType: GROUP } })
  return Number(reply.conversationSettingsOk?.settings?.disappearAfterSec ?? -1)
}

async function send(who: Name, group: string, text: string, burnAfterReadSec = 0): Promise<{ serverId: number; seq: number }> {
  const reply = await c(who).request({ send: { clientId: randomClientId(), to: group, chatType: GROUP, body: { text: { text }, burnAfterReadSec } } })
  if (!reply.sendAck) throw new Error(`send refused: ${JSON.stringify(reply.error)}`)
  return { serverId: Number(reply.sendAck.serverId), seq: Number(reply.sendAck.seq) }
}

/** The MessageChange of `kind` about `serverId` pushed to the device (from its own user log). */
function changeFor(who: Name, serverId: number, kind: number, timeoutMs = 8_000): Promise<DecodedFrame> {
  return c(who).waitFor(
    (frame) => frame.event?.messageChange?.kind === kind && Number(frame.event.messageChange.serverId) === serverId,
    timeoutMs,
    `${who}: change ${kind} of ${serverId}`
  )
}

async function historyIds(who: Name, group: string): Promise<number[]> {
  const page = await c(who).request({ history: { conversation: group, chatType: GROUP, limit: 50 } })
  return (page.historyPage?.events ?? []).flatMap((event) => (event.message ? [Number(event.message.serverId)] : []))
}

/** The group's unread count in the conversation list the server gives `who` (what a new device starts from). */
async function unreadOf(who: Name, group: string): Promise<number> {
  const recent = await c(who).request({ recent: {} })
  const summary = (recent.recentOk?.conversations ?? []).find((entry) => entry.conversation === group && entry.chatType === GROUP)
  if (!summary) throw new Error(`${who}: no summary of ${group}`)
  return Number(summary.unread ?? 0)
}

beforeAll(async () => {
  t = await startTestServer()
  for (const name of NAMES) clients.set(name, await FrameClient.onDevice(t.server.url, await registerAndLogin(t.server.url, name), `${name}-1`))
})

afterAll(async () => {
  for (const client of clients.values()) await client.close()
  await t.dispose()
})

describe('self-destruct in groups', () => {
  it('an admin sets the timer: every member hears of it and new messages expire for everyone at sent + timer', async () => {
    const group = await newGroup()
    const set = await setTimer('bob', group, 1)
    expect(set.error).toBeFalsy()
    expect(Number(set.conversationSettingsOk?.settings?.disappearAfterSec)).toBe(1)
    for (const name of NAMES) {
      const told = await c(name).waitFor((f) => f.event?.conversationSettings?.conversation === group, 5_000, `${name}: settings`)
      expect(told.event?.conversationSettings?.disappearAfterSec).toBe(1)
      expect(await timerOf(name, group)).toBe(1)
    }
    const sent = await send('carol', group, 'gone soon')
    const keeper = await c('dave').waitFor((f) => Number(f.groupEntry?.message?.serverId) === sent.serverId, 5_000, 'dave: the entry')
    expect(keeper.groupEntry?.message?.body?.text?.text).toBe('gone soon')
    // Every member's devices are told it expired, and no member's history has it any more.
    for (const name of NAMES) await changeFor(name, sent.serverId, EXPIRED)
    for (const name of NAMES) expect(await historyIds(name, group)).not.toContain(sent.serverId)
    // Nor is it unread any more: dave never read the group, and its only message expired.
    expect(await unreadOf('dave', group)).toBe(0)
    // The owner turns it off again: later messages stay.
    expect((await setTimer('alice', group, 0)).error).toBeFalsy()
    const kept = await send('carol', group, 'stays')
    expect(await historyIds('dave', group)).toContain(kept.serverId)
  })

  it('a member cannot set the timer: ERROR_FORBIDDEN, and the timer and the logs are unchanged', async () => {
    const group = await newGroup()
    expect((await setTimer('alice', group, 3600)).error).toBeFalsy()
    await c('carol').waitFor((f) => f.event?.conversationSettings?.conversation === group && f.event.conversationSettings.disappearAfterSec === 3600)
    const refused = await setTimer('carol', group, 5)
    expect(refused.error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)
    for (const name of NAMES) expect(await timerOf(name, group)).toBe(3600)
    // No settings event of 5 s reached anyone (a message sent after shows the log moved only by it).
    const after = await send('alice', group, 'still an hour')
    await c('dave').waitFor((f) => Number(f.groupEntry?.message?.serverId) === after.serverId)
    for (const name of NAMES) {
      expect(c(name).received.some((f) => f.event?.conversationSettings?.conversation === group && f.event.conversationSettings.disappearAfterSec === 5)).toBe(false)
    }
  })

  it('burn after reading: a member\'s copy burns after their own read, the sender\'s with it; the others keep theirs', async () => {
    const group = await newGroup()
    const sent = await send('alice', group, 'read me once', 1)
    const entry = await c('carol').waitFor((f) => Number(f.groupEntry?.message?.serverId) === sent.serverId)
    expect(entry.groupEntry?.message?.body?.burnAfterReadSec).toBe(1)
    expect((await c('carol').request({ markRead: { conversation: group, chatType: GROUP, seq: sent.seq } })).error).toBeFalsy()
    await changeFor('carol', sent.serverId, EXPIRY_SET)
    await changeFor('alice', sent.serverId, EXPIRY_SET)
    await changeFor('carol', sent.serverId, EXPIRED)
    await changeFor('alice', sent.serverId, EXPIRED)
    expect(await historyIds('carol', group)).not.toContain(sent.serverId)
    expect(await historyIds('alice', group)).not.toContain(sent.serverId)
    // bob has not read it: his copy stays until he does.
    expect(await historyIds('bob', group)).toContain(sent.serverId)
    expect(c('bob').received.some((f) => f.event?.messageChange?.kind === EXPIRED && Number(f.event.messageChange.serverId) === sent.serverId)).toBe(false)
    expect((await c('bob').request({ markRead: { conversation: group, chatType: GROUP, seq: sent.seq } })).error).toBeFalsy()
    await changeFor('bob', sent.serverId, EXPIRED)
    expect(await historyIds('bob', group)).not.toContain(sent.serverId)
    expect(await historyIds('dave', group)).toContain(sent.serverId)
  })
})
