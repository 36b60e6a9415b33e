// Chat rooms through ChatClient against the real server: two users see each other's room messages live, the recent
// window on join, a device that loses its link re-joins within the grace period and gets what it missed, and kick /
// mute take effect on the member's device at once.
import type net from 'node:net'
import { describe, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import type { RoomEvent, RoomInfo } from '../../src/shared/model/rooms'
import { MAX_TEXT_BYTES } from '../../src/shared/limits'
import { makeTempDir, registerUsers, signInPair, TEST_PASSWORD, textOf, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'

process.env.PARLEY_LOG ??= 'warn'
/** Small numbers so the window can be seen in a test (read by the server at start). */
const WINDOW = 5
process.env.PARLEY_ROOM_RECENT_WINDOW = String(WINDOW)
process.env.PARLEY_ROOM_GRACE_SEC = '30'

function roomTexts(client: ChatClient, room: string): string[] {
  return (client.rooms.list().find((joined) => joined.info.id === room)?.messages ?? []).map(textOf)
}

/** The TCP stream under a client's WebSocket: pausing it stops reading, so the server's send buffer fills up. */
function tcpOf(client: ChatClient): net.Socket {
  // Private fields on purpose: a slow reader needs exactly the socket under the live connection paused.
  const internals = client as unknown as { active: { connection: { ws: { _socket: net.Socket } } } }
  return internals.active.connection.ws._socket
}

function recordRoomEvents(client: ChatClient): RoomEvent[] {
  const events: RoomEvent[] = []
  client.on('roomEvent', (event) => events.push(event))
  return events
}

describe('chat rooms through the client', () => {
  const { server, devices } = useServerAndDevices()

  it('two users in a room see each other’s messages live, in order, once each', async () => {
    const { alice, bob, a, b } = await signInPair(server, devices)
    const room = await a.rooms.create('Lobby', 'for the test', 0)
    await a.rooms.join(room)
    const joined = await b.rooms.join(room)
    expect(joined.info).toMatchObject({ id: room, name: 'Lobby', memberCount: 2, myRole: 'member', owner: alice })
    await waitFor('alice to see bob join', () => a.rooms.list()[0]?.info.memberCount === 2)

    const sent = await a.rooms.sendText(room, 'hello from alice')
    expect(sent).toMatchObject({ status: 'sent', chatType: 'room', conversationId: room, direction: 'out' })
    expect(sent.serverId).toBeGreaterThan(0)
    await b.rooms.sendText(room, 'hello from bob')
    for (let i = 0; i < 20; i++) await (i % 2 ? b : a).rooms.sendText(room, `m${i}`)

    const expected = ['hello from alice', 'hello from bob', ...Array.from({ length: 20 }, (_, i) => `m${i}`)]
    await waitFor('both to hold all 22 messages', () => roomTexts(a, room).length === 22 && roomTexts(b, room).length === 22)
    expect(roomTexts(a, room)).toEqual(expected)
    expect(roomTexts(b, room)).toEqual(expected)
    const onBob = b.rooms.list()[0]!.messages
    expect(onBob.find((m) => textOf(m) === 'hello from alice')).toMatchObject({ from: alice, direction: 'in', status: 'received' })
    expect(onBob.find((m) => textOf(m) === 'hello from bob')).toMatchObject({ from: bob, direction: 'out', status: 'sent' })
    // Room messages are live only: nothing goes into the message store or the conversation list.
    expect((await b.listConversations()).some((c) => c.chatType === 'room')).toBe(false)
  })

  it('a member joining later gets the recent window: the last N messages, oldest first', async () => {
    const { a, b } = await signInPair(server, devices)
    const room = await a.rooms.create('Window', '', 0)
    await a.rooms.join(room)
    for (let i = 1; i <= WINDOW + 2; i++) await a.rooms.sendText(room, `early ${i}`)
    const joined = await b.rooms.join(room)
    const expected = Array.from({ length: WINDOW }, (_, i) => `early ${i + 3}`)
    expect(joined.messages.map(textOf)).toEqual(expected)
    expect(roomTexts(b, room)).toEqual(expected)
  })

  it('a device that loses its link re-joins within the grace period and gets what it missed, without duplicates', async () => {
    // Bob's first reconnect waits up to a second, so Alice's messages are sent while his link is down.
    const { bob, a, b } = await signInPair(server, devices, { firstReconnectWindowMs: 1_000, backoffBaseMs: 300 })
    const room = await a.rooms.create('Flaky', '', 0)
    await a.rooms.join(room)
    await b.rooms.join(room)
    await a.rooms.sendText(room, 'before')
    await waitFor('bob to see "before"', () => roomTexts(b, room).includes('before'))
    const bobEvents = recordRoomEvents(b)
    const aliceEvents = recordRoomEvents(a)

    b.dropConnectionForTest()
    await a.rooms.sendText(room, 'missed 1')
    await a.rooms.sendText(room, 'missed 2')
    await waitFor('bob to be back online', () => b.status.state === 'connected', 10_000)
    await waitFor('bob to have the missed messages', () => roomTexts(b, room).includes('missed 2'), 10_000)
    // Back in the room: live messages reach the new connection.
    await a.rooms.sendText(room, 'after')
    await waitFor('bob to see "after" live', () => roomTexts(b, room).includes('after'), 10_000)
    expect(roomTexts(b, room)).toEqual(['before', 'missed 1', 'missed 2', 'after'])
    expect(bobEvents.some((event) => event.kind === 'snapshot' && event.room === room)).toBe(true)
    expect(bobEvents.some((event) => event.kind === 'exit')).toBe(false)
    // Within the grace period Bob never left: Alice saw no departure and the server lists him.
    expect(aliceEvents.some((event) => event.kind === 'member' && event.change.user === bob && event.change.kind === 'left')).toBe(false)
    const members = await a.rooms.members(room, null, 50)
    expect(members.members.map((m) => m.user)).toContain(bob)
    expect(members.memberCount).toBe(2)
  })

  it('mute stops a member’s sends with a sentence; kick takes them out of the room on their device', async () => {
    const { alice, bob, a, b } = await signInPair(server, devices)
    const room = await a.rooms.create('Moderated', '', 0)
    await a.rooms.join(room)
    await b.rooms.join(room)
    const bobEvents = recordRoomEvents(b)

    await a.rooms.mute(room, bob, 60_000)
    await waitFor('bob to be told he is muted', () => (b.rooms.list()[0]?.info.myMutedUntil ?? 0) > Date.now())
    await expect(b.rooms.sendText(room, 'can I talk?')).rejects.toMatchObject({ code: 'MUTED', message: 'You are muted here for now.' })
    const failed = b.rooms.list()[0]!.messages.find((m) => textOf(m) === 'can I talk?')
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'MUTED', params: { wire: 'ERROR_MUTED' } } })
    await a.rooms.muteAll(room, true)
    await a.rooms.mute(room, bob, 0)
    await expect(b.rooms.sendText(room, 'now?')).rejects.toMatchObject({ code: 'MUTED', message: 'Only the owner and admins can send here right now.' })
    await a.rooms.muteAll(room, false)
    await b.rooms.sendText(room, 'thanks')
    await waitFor('alice to see bob’s message', () => roomTexts(a, room).includes('thanks'))
    // Nothing Bob sent while muted reached Alice.
    expect(roomTexts(a, room)).toEqual(['thanks'])

    await a.rooms.kick(room, bob)
    await waitFor('bob to be out of the room', () => b.rooms.list().length === 0)
    expect(bobEvents.find((event) => event.kind === 'exit')).toMatchObject({ room, reason: 'kicked', message: 'You were removed from the room.' })
    await expect(b.rooms.sendText(room, 'still here?')).rejects.toMatchObject({ code: 'NOT_MEMBER' })
    const members = await a.rooms.members(room, null, 50)
    expect(members.members.map((m) => m.user)).toEqual([alice])
  })

  it('a device that fell behind is told its room frames were dropped and reads the recent window again', async () => {
    // Bob's link must stay up while he does not read: no heartbeat verdict within the test.
    const patient = { heartbeatMinMs: 60_000, heartbeatMaxMs: 60_000, pongTimeoutMs: 60_000 }
    const { a, b } = await signInPair(server, devices, patient)
    const senders = [a]
    for (const name of ['carol', 'dave']) {
      const user = uniqueUser(name)
      await registerUsers(server, user)
      const device = devices.create(name)
      await device.login(user, TEST_PASSWORD)
      senders.push(device)
    }
    const room = await a.rooms.create('Firehose', '', 0)
    for (const client of [...senders, b]) await client.rooms.join(room)
    const bobEvents = recordRoomEvents(b)
    const bobStates: string[] = []
    b.on('connection', (status) => bobStates.push(status.state))

    tcpOf(b).pause()
    // 3 senders x 700 messages x 5 KB = 10 MB: beyond the kernel's buffers and the server's 1 MiB bound per socket.
    const PER_SENDER = 700
    const PER_ROUND = 25
    const text = 'x'.repeat(MAX_TEXT_BYTES - 32)
    for (let sent = 0; sent < PER_SENDER; sent += PER_ROUND) {
      await Promise.all(senders.flatMap((sender, s) => Array.from({ length: PER_ROUND }, (_, i) => sender.rooms.sendText(room, `${s}:${sent + i}:${text}`))))
    }
    const last = `2:${PER_SENDER - 1}:${text}`
    tcpOf(b).resume()

    await waitFor('bob to read the recent window again', () => bobEvents.some((event) => event.kind === 'snapshot'), 30_000)
    await waitFor('bob to hold the newest message', () => roomTexts(b, room).includes(last), 30_000)
    const texts = roomTexts(b, room)
    expect(new Set(texts).size).toBe(texts.length)
    expect(b.rooms.list()[0]?.info.id).toBe(room)
    expect(bobEvents.some((event) => event.kind === 'exit')).toBe(false)
    // The same connection all along: the window came from the drop notice, not from a re-join after a reconnect.
    expect(bobStates).toEqual([])
  })

  it('after a restart within the grace period the device is in its rooms again; after signing out it is not', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = devices.create('a')
    await a.login(alice, TEST_PASSWORD)
    const bobDir = makeTempDir()
    const b = devices.create('b', {}, { dataDir: bobDir, deviceId: `b-${bob}` })
    await b.login(bob, TEST_PASSWORD)
    const room = await a.rooms.create('Sticky', '', 0)
    await a.rooms.join(room)
    await b.rooms.join(room)
    // Bob's join reaches alice on its own path (a fan-out, written after bob's answer): wait for it before recording.
    await waitFor('alice to see bob join', () => a.rooms.list().find((entry) => entry.info.id === room)?.info.memberCount === 2)
    const aliceEvents = recordRoomEvents(a)

    // The app quits and starts again (same device, same database, saved sign-in).
    const saved = b.credentials!
    await b.close()
    await a.rooms.sendText(room, 'said while bob restarted')
    const restarted = devices.create('b', {}, { dataDir: bobDir, deviceId: `b-${bob}` })
    await restarted.resume(saved)
    await waitFor('bob’s restarted app to be in the room with what was said', () => roomTexts(restarted, room).includes('said while bob restarted'), 10_000)
    expect(aliceEvents.some((event) => event.kind === 'member' && event.change.user === bob)).toBe(false)
    expect((await a.rooms.members(room, null, 50)).memberCount).toBe(2)

    // Signing out forgets the rooms: the next sign-in on this device joins none by itself.
    await restarted.signOut()
    const again = devices.create('b', {}, { dataDir: bobDir, deviceId: `b-${bob}` })
    await again.login(bob, TEST_PASSWORD)
    await again.whenSynced()
    await a.rooms.sendText(room, 'ping')
    await waitFor('alice to hold her ping', () => roomTexts(a, room).includes('ping'))
    expect(again.rooms.list()).toEqual([])
  })

  it('owner and admin actions reach the members: admin role, announcement, mute all, attributes, ban, delete', async () => {
    const { bob, a, b } = await signInPair(server, devices)
    const room = await a.rooms.create('Managed', 'first description', 0)
    await a.rooms.join(room)
    await b.rooms.join(room)
    const bobEvents = recordRoomEvents(b)
    const info = (): RoomInfo => b.rooms.list()[0]!.info

    await a.rooms.setAdmin(room, bob, true)
    await waitFor('bob to be told he is an admin', () => info().myRole === 'admin')
    await a.rooms.update(room, { announcement: 'Be kind' })
    await waitFor('bob to see the announcement', () => info().announcement === 'Be kind')
    // A broadcast info carries no viewer: bob is still an admin after it.
    expect(info()).toMatchObject({ myRole: 'admin', description: 'first description', name: 'Managed' })
    await a.rooms.muteAll(room, true)
    await waitFor('bob to see the room muted for members', () => info().mutedAll)
    await b.rooms.sendText(room, 'admins may still talk')

    // Attributes: bob sets his own key, alice sees the change pushed; limits answer a sentence.
    await b.rooms.setAttributes(room, { topic: 'rooms' })
    expect(await a.rooms.attributes(room)).toEqual([{ key: 'topic', value: 'rooms', owner: bob }])
    await expect(b.rooms.setAttributes(room, { ['k'.repeat(129)]: 'x' })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' })
    expect((await a.rooms.removeAttributes(room, ['topic'])).map((attribute) => attribute.key)).toEqual(['topic'])
    await waitFor('bob to be told the key was removed', () =>
      bobEvents.some((event) => event.kind === 'attributes' && event.attributes.some((attribute) => attribute.key === 'topic' && attribute.value === ''))
    )

    // A ban takes bob out at once and keeps him out.
    await a.rooms.setAdmin(room, bob, false)
    await a.rooms.ban(room, bob, true)
    await waitFor('bob to be out', () => b.rooms.list().length === 0)
    expect(bobEvents.find((event) => event.kind === 'exit')).toMatchObject({ reason: 'banned', message: 'You were banned from the room.' })
    await expect(b.rooms.join(room)).rejects.toMatchObject({ code: 'BANNED' })
    await a.rooms.ban(room, bob, false)
    await b.rooms.join(room)

    // Deleting the room takes everyone out.
    await a.rooms.delete(room)
    await waitFor('bob to be told the room is gone', () => b.rooms.list().length === 0)
    expect(bobEvents.filter((event) => event.kind === 'exit').at(-1)).toMatchObject({ reason: 'deleted', message: 'The room was deleted.' })
    expect(a.rooms.list()).toEqual([])
    await expect(b.rooms.join(room)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
