// Covers reactions, one-to-one pins and the account's conversation state on the real server: two users with two
// devices each see every reaction (pushed, and in their logs for a device that syncs later), a group's members see
// them live, the 21st distinct emoji is refused with its own code, and pin / unread / delete reach the other device.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatTypePb, ErrorCode, type DecodedFrame } from '../../src/shared/proto/codec'
import { FrameClient, randomClientId, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

/** 21 different emoji: one more than a message may carry. */
const EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🙏', '🎉', '🔥', '👀', '💯', '✅', '🤔', '👏', '😍', '🙌', '😅', '🤝', '🚀', '⭐', '🍕', '🌈']

async function sendText(client: FrameClient, to: string, text: string, chatType = ChatTypePb.CHAT_TYPE_SINGLE): Promise<number> {
  const answer = await client.request({ send: { clientId: randomClientId(), to, chatType, body: { text: { text } } } })
  if (!answer.sendAck) throw new Error(`send failed: ${JSON.stringify(answer.error)}`)
  return Number(answer.sendAck.serverId)
}

async function react(client: FrameClient, conversation: string, serverId: number, emoji: string, remove = false, chatType = ChatTypePb.CHAT_TYPE_SINGLE): Promise<DecodedFrame> {
  return client.request({ react: { conversation, chatType, serverId, emoji, remove } })
}

function reactionPushed(client: FrameClient, serverId: number, emoji: string, user: string, removed = false): Promise<DecodedFrame> {
  return client.waitFor(
    (frame) => {
      const event = frame.event?.reaction ?? frame.reactionUpdate
      return !!event && Number(event.serverId) === serverId && event.emoji === emoji && event.user === user && (event.removed ?? false) === removed
    },
    5_000,
    `reaction ${emoji} by ${user}${removed ? ' removed' : ''}`
  )
}

async function reactionsOf(client: FrameClient, conversation: string, serverId: number, chatType = ChatTypePb.CHAT_TYPE_SINGLE): Promise<Array<[string, string[]]>> {
  const answer = await client.request({ reactions: { conversation, chatType, serverIds: [serverId] } })
  if (!answer.reactionsOk) throw new Error(`reactions failed: ${JSON.stringify(answer.error)}`)
  return (answer.reactionsOk.messages?.[0]?.reactions ?? []).map((reaction) => [reaction.emoji ?? '', reaction.users ?? []])
}

describe('reactions, pins and conversation state', () => {
  let t: TestServer
  let alice: Login
  let bob: Login
  let a1: FrameClient
  let a2: FrameClient
  let b1: FrameClient
  let b2: FrameClient

  beforeAll(async () => {
    t = await startTestServer()
    alice = await registerAndLogin(t.server.url, 'alice')
    bob = await registerAndLogin(t.server.url, 'bob')
    await registerAndLogin(t.server.url, 'carol')
    a1 = await FrameClient.onDevice(t.server.url, alice, 'a1')
    a2 = await FrameClient.onDevice(t.server.url, alice, 'a2')
    b1 = await FrameClient.onDevice(t.server.url, bob, 'b1')
    b2 = await FrameClient.onDevice(t.server.url, bob, 'b2')
  })
  afterAll(async () => {
    for (const client of [a1, a2, b1, b2]) await client?.close()
    await t.dispose()
  })

  it('shows reactions of two users on both devices of each, live and from the logs', async () => {
    const serverId = await sendText(a1, 'bob', 'lunch?')
    const seen = [a1, a2, b1, b2]
    const fromBob = seen.filter((c) => c !== b1).map((c) => reactionPushed(c, serverId, '👍', 'bob'))
    expect((await react(b1, 'alice', serverId, '👍')).reactOk?.eventSeq).toBeGreaterThan(0)
    await Promise.all(fromBob)
    const fromAlice = seen.filter((c) => c !== a2).map((c) => reactionPushed(c, serverId, '🎉', 'alice'))
    const answer = await react(a2, 'bob', serverId, '🎉')
    expect(answer.reactOk?.reactions?.reactions?.map((r) => r.emoji)).toEqual(['👍', '🎉'])
    await Promise.all(fromAlice)
    // Alice adds 👍 too: one emoji, two users, first first.
    await react(a1, 'bob', serverId, '👍')
    expect(await reactionsOf(b2, 'alice', serverId)).toEqual([['👍', ['bob', 'alice']], ['🎉', ['alice']]])
    // Removing her own takes only hers; the same again changes nothing and appends nothing.
    const removed = reactionPushed(b2, serverId, '🎉', 'alice', true)
    await react(a1, 'bob', serverId, '🎉', true)
    await removed
    expect(Number((await react(a1, 'bob', serverId, '🎉', true)).reactOk?.eventSeq ?? 0)).toBe(0)
    expect(await reactionsOf(a2, 'bob', serverId)).toEqual([['👍', ['bob', 'alice']]])
    // Each user's log holds the changes (a device that was away learns them by syncing), as its own view names them.
    const bobLog = await b1.request({ sync: { afterSeq: 0, limit: 500 } })
    const bobReactions = (bobLog.syncBatch?.events ?? []).filter((e) => e.reaction).map((e) => [e.reaction?.conversation, e.reaction?.user, e.reaction?.emoji, e.reaction?.removed ?? false])
    expect(bobReactions).toEqual([
      ['alice', 'bob', '👍', false],
      ['alice', 'alice', '🎉', false],
      ['alice', 'alice', '👍', false],
      ['alice', 'alice', '🎉', true]
    ])
  })

  it('refuses the 21st distinct emoji with its own code, but not another user of an emoji already there', async () => {
    const serverId = await sendText(b1, 'alice', 'react to me')
    for (const emoji of EMOJI.slice(0, 20)) expect((await react(a1, 'bob', serverId, emoji)).body).toBe('reactOk')
    const refused = await react(b1, 'alice', serverId, EMOJI[20]!)
    expect(refused.body).toBe('error')
    expect(refused.error?.code).toBe(ErrorCode.ERROR_TOO_MANY_REACTIONS)
    expect(refused.error?.message).toContain('20')
    expect((await react(b1, 'alice', serverId, EMOJI[3]!)).body).toBe('reactOk')
    expect((await reactionsOf(a1, 'bob', serverId)).length).toBe(20)
  })

  it('refuses reactions on messages of other conversations and text that is not an emoji', async () => {
    const carol = await FrameClient.onDevice(t.server.url, { user: 'carol', password: 'password-1', token: '', expiresAt: 0 } as Login, 'c1')
    try {
      const serverId = await sendText(a1, 'bob', 'private')
      expect((await react(carol, 'alice', serverId, '👍')).error?.code).toBe(ErrorCode.ERROR_NOT_FOUND)
      expect((await react(b1, 'alice', serverId, 'ok')).error?.code).toBe(ErrorCode.ERROR_BAD_REQUEST)
      expect(await reactionsOf(carol, 'alice', serverId)).toEqual([])
    } finally {
      await carol.close()
    }
  })

  it('sends group reactions live to the members\' devices', async () => {
    const created = await a1.request({ groups: { create: { name: 'Lunch', members: ['bob'], settings: {} } } })
    const group = created.groupsOk?.done?.group as string
    expect(group).toBeTruthy()
    const serverId = await sendText(b1, group, 'pizza?', ChatTypePb.CHAT_TYPE_GROUP)
    const live = [a1, a2, b2].map((c) => reactionPushed(c, serverId, '🍕', 'bob'))
    expect((await react(b1, group, serverId, '🍕', false, ChatTypePb.CHAT_TYPE_GROUP)).body).toBe('reactOk')
    await Promise.all(live)
    expect(await reactionsOf(a2, group, serverId, ChatTypePb.CHAT_TYPE_GROUP)).toEqual([['🍕', ['bob']]])
  })

  it('pins a one-to-one message for both people and all their devices', async () => {
    const serverId = await sendText(a1, 'bob', 'the address is 1 Main St')
    const pushed = b2.waitFor((f) => Number(f.event?.messagePin?.serverId) === serverId && f.event?.messagePin?.pinned === true)
    const answer = await b1.request({ messagePin: { conversation: 'alice', serverId, pinned: true } })
    expect(answer.messagePinOk?.pinned?.map(Number)).toEqual([serverId])
    await pushed
    expect((await a2.request({ messagePin: { conversation: 'bob', serverId: 0 } })).messagePinOk?.pinned?.map(Number)).toEqual([serverId])
  })

  it('carries pin, mark-unread and delete of a conversation to the account\'s other device', async () => {
    const state = (frame: DecodedFrame) => frame.event?.conversationState?.state
    let pushed = a2.waitFor((f) => state(f)?.conversation === 'bob' && state(f)?.pinned === true)
    expect((await a1.request({ conversationState: { conversation: 'bob', pinned: true } })).conversationStateOk?.eventSeq).toBeGreaterThan(0)
    await pushed
    pushed = a2.waitFor((f) => state(f)?.conversation === 'bob' && state(f)?.markedUnread === true)
    await a1.request({ conversationState: { conversation: 'bob', markedUnread: true } })
    await pushed
    pushed = a2.waitFor((f) => Number(state(f)?.deletedThroughSeq ?? 0) === 7)
    await a1.request({ conversationState: { conversation: 'bob', deleteThroughSeq: 7 } })
    const deleted = state(await pushed)
    expect(deleted?.pinned ?? false).toBe(false)
    // Bob's devices are not told: it is Alice's own view.
    expect(b1.received.some((f) => f.event?.conversationState)).toBe(false)
    const list = await a2.request({ conversationState: { list: true } })
    expect(list.conversationStateOk?.states?.map((s) => [s.conversation, s.pinned ?? false, Number(s.deletedThroughSeq)])).toEqual([['bob', false, 7]])
  })
})
