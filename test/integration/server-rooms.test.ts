// Covers chat rooms on the real server: join/leave, the recent window on join, live fan-out (not to the sending
// device), offline members missing live traffic, the grace-period leave, kick / mute / ban at once, attribute limits
// and ownership, and a slow reader whose room frames are dropped (and who is told) while the others get everything.
import type net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatTypePb, ErrorCode, MAX_FRAME_BYTES, MAX_TEXT_BYTES, type DecodedFrame } from '../../src/shared/proto/codec'
import { ROOM_SOCKET_BACKLOG_LIMIT_BYTES } from '../../src/server/config'
import { FrameClient, randomClientId, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'
import { createRoom, join, MemberKind, okRooms, say, waitMember, waitText, type RoomsRequestProps } from '../support/room-frames'

process.env.PARLEY_LOG ??= 'warn'
/** Small numbers so the window and the grace period can be seen in a test (read by the server at start). */
const WINDOW = 5
const GRACE_MS = 1_000
process.env.PARLEY_ROOM_RECENT_WINDOW = String(WINDOW)
process.env.PARLEY_ROOM_GRACE_SEC = String(GRACE_MS / 1000)

/** How long we listen for frames that must NOT arrive. */
const QUIET_PERIOD_MS = 300

async function rooms(client: FrameClient, request: RoomsRequestProps): Promise<DecodedFrame> {
  return client.request({ rooms: request })
}

function roomTexts(client: FrameClient, room: string): string[] {
  return client.received
    .filter((frame) => frame.roomEvent?.room === room && frame.roomEvent.message)
    .map((frame) => String(frame.roomEvent?.message?.body?.text?.text))
}

function memberChanges(client: FrameClient, room: string, kind: number, user: string): DecodedFrame[] {
  return client.received.filter((f) => f.roomEvent?.room === room && f.roomEvent.member?.kind === kind && f.roomEvent.member.user === user)
}

const quiet = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, QUIET_PERIOD_MS))

/** The TCP stream under a client's WebSocket: pausing it stops reading, so the server's send buffer fills up. */
function tcpOf(client: FrameClient): net.Socket {
  // ws keeps its net.Socket in a private field; a slow reader needs exactly that socket paused.
  return (client.socket as unknown as { _socket: net.Socket })._socket
}

describe('chat rooms', () => {
  let t: TestServer
  const users: Record<string, Login> = {}
  const open: FrameClient[] = []
  /** The first device of each user signs in with the login's own token; other devices log in again. */
  const device = async (name: string, deviceId = `${name}-1`): Promise<FrameClient> => {
    const login = users[name] as Login
    const client = deviceId === `${name}-1` ? await FrameClient.authenticated(t.server.url, login.token, deviceId) : await FrameClient.onDevice(t.server.url, login, deviceId)
    open.push(client)
    return client
  }

  beforeAll(async () => {
    t = await startTestServer({ attemptLimits: { address: { freeAttempts: Infinity } } })
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) users[name] = await registerAndLogin(t.server.url, name)
  })
  afterAll(async () => {
    await Promise.all(open.map((client) => client.close()))
    await t.dispose()
  })

  it('join and leave: members see each other come and go, count and member list follow', async () => {
    const alice = await device('alice')
    const bob = await device('bob')
    const room = await createRoom(alice, 'Lobby')
    const first = await join(alice, room)
    expect(first.info?.memberCount).toBe(1)
    expect(first.info?.myRole).toBe(3) // owner
    const second = await join(bob, room)
    expect(second.info?.memberCount).toBe(2)
    expect(second.info?.myRole).toBe(1) // member
    const joined = await waitMember(alice, room, MemberKind.JOINED, 'bob')
    expect(joined.roomEvent?.member?.memberCount).toBe(2)
    const page = await okRooms(alice, { members: { room } })
    expect(page.members?.memberCount).toBe(2)
    expect(page.members?.members?.map((m) => [m.user, m.role])).toEqual([
      ['alice', 3],
      ['bob', 1]
    ])
    await okRooms(bob, { leave: { room } })
    const left = await waitMember(alice, room, MemberKind.LEFT, 'bob')
    expect(left.roomEvent?.member?.memberCount).toBe(1)
    expect((await okRooms(alice, { info: { room } })).info?.memberCount).toBe(1)
    // Gone means gone: bob's send is refused until he joins again.
    expect((await say(bob, room, 'still here?')).error?.code).toBe(ErrorCode.ERROR_NOT_MEMBER)
    const directory = await okRooms(bob, { directory: { query: 'lob' } })
    expect(directory.directory?.rooms?.map((r) => r.room)).toContain(room)
  })

  it('a joining member gets the recent window, oldest first, at most N', async () => {
    const alice = await device('alice', 'alice-window')
    const room = await createRoom(alice, 'Window')
    await join(alice, room)
    for (let i = 0; i < WINDOW + 2; i++) expect((await say(alice, room, `m${i}`)).body).toBe('sendAck')
    const carol = await device('carol', 'carol-window')
    const joined = await join(carol, room)
    expect(joined.recent?.map((m) => m.body?.text?.text)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6'])
    expect(joined.recent?.every((m) => m.chatType === ChatTypePb.CHAT_TYPE_ROOM && m.to === room && m.from === 'alice')).toBe(true)
    const again = await okRooms(carol, { recent: { room } })
    expect(again.joined?.recent?.map((m) => m.body?.text?.text)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6'])
  })

  it('members see each other live; not the sending device, yes its other device in the room; resends are one message', async () => {
    const alice = await device('alice', 'alice-live')
    const aliceOther = await device('alice', 'alice-live-2')
    const bob = await device('bob', 'bob-live')
    const room = await createRoom(alice, 'Live')
    await join(alice, room)
    await join(aliceOther, room)
    await join(bob, room)
    const clientId = randomClientId()
    const ack = await say(alice, room, 'hello room', clientId)
    expect(Number(ack.sendAck?.seq)).toBe(0)
    expect(Number(ack.sendAck?.serverId)).toBeGreaterThan(0)
    const atBob = await waitText(bob, room, 'hello room')
    expect(atBob.roomEvent?.message?.from).toBe('alice')
    expect(Number(atBob.roomEvent?.message?.serverId)).toBe(Number(ack.sendAck?.serverId))
    await waitText(aliceOther, room, 'hello room')
    expect((await say(bob, room, 'hi alice')).body).toBe('sendAck')
    await waitText(alice, room, 'hi alice')
    const resent = await say(alice, room, 'hello room', clientId)
    expect(Number(resent.sendAck?.serverId)).toBe(Number(ack.sendAck?.serverId))
    await quiet()
    expect(roomTexts(alice, room)).toEqual(['hi alice'])
    expect(roomTexts(bob, room)).toEqual(['hello room'])
    expect(roomTexts(aliceOther, room)).toEqual(['hello room', 'hi alice'])
  })

  it('a member who is offline misses live messages and sees them on re-join only while they are in the window', async () => {
    const alice = await device('alice', 'alice-offline')
    const room = await createRoom(alice, 'Offline')
    await join(alice, room)
    let dave = await device('dave', 'dave-offline')
    await join(dave, room)
    await dave.close()
    await say(alice, room, 'while away 1')
    dave = await device('dave', 'dave-offline')
    expect(roomTexts(dave, room)).toEqual([])
    const back = await join(dave, room)
    expect(back.recent?.map((m) => m.body?.text?.text)).toEqual(['while away 1'])
    await dave.close()
    for (let i = 0; i < WINDOW + 1; i++) await say(alice, room, `later ${i}`)
    dave = await device('dave', 'dave-offline')
    const late = await join(dave, room)
    // 'while away 1' and 'later 0' fell out of the window: a room has no catch-up beyond it.
    expect(late.recent?.map((m) => m.body?.text?.text)).toEqual(['later 1', 'later 2', 'later 3', 'later 4', 'later 5'])
    await quiet()
    expect(roomTexts(dave, room)).toEqual([])
  })

  it('a member whose devices are gone longer than the grace period leaves; one back within it stays', async () => {
    const alice = await device('alice', 'alice-grace')
    const room = await createRoom(alice, 'Grace')
    await join(alice, room)
    let erin = await device('erin', 'erin-grace')
    await join(erin, room)
    await erin.close()
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS / 3))
    erin = await device('erin', 'erin-grace')
    const rejoined = await join(erin, room)
    expect(rejoined.info?.memberCount).toBe(2)
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + QUIET_PERIOD_MS))
    expect(memberChanges(alice, room, MemberKind.LEFT, 'erin')).toEqual([])
    expect(memberChanges(alice, room, MemberKind.JOINED, 'erin')).toHaveLength(1) // the re-join was not a new join
    await erin.close()
    const left = await waitMember(alice, room, MemberKind.LEFT, 'erin', GRACE_MS * 5)
    expect(left.roomEvent?.member?.memberCount).toBe(1)
    expect((await okRooms(alice, { info: { room } })).info?.memberCount).toBe(1)
  })

  it('kick and mute take effect at once; mute-all spares owner and admins; ban refuses join; full refuses join', async () => {
    const alice = await device('alice', 'alice-mod')
    const bob = await device('bob', 'bob-mod')
    const carol = await device('carol', 'carol-mod')
    const frank = await device('frank', 'frank-mod')
    const room = await createRoom(alice, 'Moderated', 4)
    for (const client of [alice, bob, carol, frank]) await join(client, room)
    // A member may not moderate.
    expect((await rooms(bob, { kick: { room, user: 'carol' } })).error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)

    // Targets are named in any spelling of their id (canonicalUserId); the member changes name the canonical id.
    await okRooms(alice, { kick: { room, user: 'Bob' } })
    await waitMember(bob, room, MemberKind.KICKED, 'bob')
    expect((await say(bob, room, 'kicked?')).error?.code).toBe(ErrorCode.ERROR_NOT_MEMBER)

    await okRooms(alice, { mute: { room, user: ' CAROL ', until: Date.now() + 60_000 } })
    await waitMember(carol, room, MemberKind.MUTED, 'carol')
    expect((await say(carol, room, 'muted?')).error?.code).toBe(ErrorCode.ERROR_MUTED)
    await okRooms(alice, { mute: { room, user: 'carol', until: 0 } })
    expect((await say(carol, room, 'unmuted')).body).toBe('sendAck')

    await okRooms(alice, { setAdmin: { room, user: 'Carol', admin: true } })
    expect((await rooms(carol, { setAdmin: { room, user: 'frank', admin: true } })).error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)
    await okRooms(alice, { muteAll: { room, muted: true } })
    expect((await say(frank, room, 'all muted?')).error?.code).toBe(ErrorCode.ERROR_MUTED_ALL)
    expect((await say(carol, room, 'admin speaks')).body).toBe('sendAck')
    expect((await say(alice, room, 'owner speaks')).body).toBe('sendAck')
    await okRooms(alice, { muteAll: { room, muted: false } })
    expect((await say(frank, room, 'free again')).body).toBe('sendAck')
    // An admin cannot act on the owner.
    expect((await rooms(carol, { kick: { room, user: 'ALICE' } })).error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)

    await okRooms(carol, { ban: { room, user: 'Frank', banned: true } })
    await waitMember(frank, room, MemberKind.BANNED, 'frank')
    expect((await rooms(frank, { join: { room } })).error?.code).toBe(ErrorCode.ERROR_BANNED)
    expect((await say(frank, room, 'banned?')).error?.code).toBe(ErrorCode.ERROR_BANNED)

    // alice, carol + bob again = 3 of 4; dave makes 4; erin finds it full.
    await join(bob, room)
    const dave = await device('dave', 'dave-mod')
    await join(dave, room)
    const erin = await device('erin', 'erin-mod')
    expect((await rooms(erin, { join: { room } })).error?.code).toBe(ErrorCode.ERROR_FULL)
    await okRooms(carol, { ban: { room, user: 'frank', banned: false } })
    await okRooms(dave, { leave: { room } })
    await join(frank, room)

    await okRooms(alice, { delete: { room } })
    await bob.waitFor((f) => f.roomEvent?.room === room && f.roomEvent.deleted != null, 5_000, 'deleted notice')
    expect((await rooms(bob, { join: { room } })).error?.code).toBe(ErrorCode.ERROR_NOT_FOUND)
  })

  it('attributes: 100 keys, 128-character keys and 4 KB values at most; members own their keys, admins replace on request', async () => {
    const alice = await device('alice', 'alice-attr')
    const bob = await device('bob', 'bob-attr')
    const carol = await device('carol', 'carol-attr')
    const room = await createRoom(alice, 'Attributes')
    for (const client of [alice, bob, carol]) await join(client, room)

    const longestKey = 'k'.repeat(128)
    const biggestValue = 'v'.repeat(4096)
    await okRooms(bob, { setAttributes: { room, attributes: { mine: 'bob', [longestKey]: biggestValue } } })
    expect((await rooms(bob, { setAttributes: { room, attributes: { ['k'.repeat(129)]: 'x' } } })).error?.code).toBe(
      ErrorCode.ERROR_LIMIT_EXCEEDED
    )
    expect((await rooms(bob, { setAttributes: { room, attributes: { big: 'v'.repeat(4097) } } })).error?.code).toBe(
      ErrorCode.ERROR_LIMIT_EXCEEDED
    )
    const many = Object.fromEntries(Array.from({ length: 98 }, (_, i) => [`key${i}`, String(i)]))
    await okRooms(alice, { setAttributes: { room, attributes: many } })
    const hundredFirst = await rooms(alice, { setAttributes: { room, attributes: { onemore: 'x' } } })
    expect(hundredFirst.error?.code).toBe(ErrorCode.ERROR_LIMIT_EXCEEDED)
    let listed = await okRooms(carol, { attributes: { room } })
    expect(listed.attributes?.attributes).toHaveLength(100)

    // Ownership: carol may not touch bob's key; alice (owner) only with overwrite_others.
    expect((await rooms(carol, { setAttributes: { room, attributes: { mine: 'carol' } } })).error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)
    expect((await rooms(carol, { removeAttributes: { room, keys: ['mine'] } })).error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)
    expect((await rooms(alice, { setAttributes: { room, attributes: { mine: 'alice' } } })).error?.code).toBe(ErrorCode.ERROR_CONFLICT)
    await okRooms(alice, { setAttributes: { room, attributes: { mine: 'alice' }, overwriteOthers: true } })
    listed = await okRooms(carol, { attributes: { room } })
    expect(listed.attributes?.attributes?.find((a) => a.key === 'mine')).toMatchObject({ value: 'alice', owner: 'alice' })
    await okRooms(bob, { removeAttributes: { room, keys: [longestKey] } })
    listed = await okRooms(carol, { attributes: { room } })
    expect(listed.attributes?.attributes).toHaveLength(99)
    // Others in the room hear about changes.
    await carol.waitFor((f) => f.roomEvent?.room === room && (f.roomEvent.attributes?.attributes ?? []).some((a) => a.key === longestKey && a.value === ''))
    // An outsider reads nothing.
    const dave = await device('dave', 'dave-attr')
    expect((await rooms(dave, { attributes: { room } })).error?.code).toBe(ErrorCode.ERROR_NOT_MEMBER)
  })

  it('a slow reader gets its room frames dropped and a notice when it drains; the others get everything; its backlog stays bounded', async () => {
    const alice = await device('alice', 'alice-slow')
    const room = await createRoom(alice, 'Firehose')
    await join(alice, room)
    const bob = await device('bob', 'bob-slow') // the slow reader
    const carol = await device('carol', 'carol-slow') // a fast reader
    await join(bob, room)
    await join(carol, room)
    const senders = [alice, await device('dave', 'dave-slow'), await device('erin', 'erin-slow'), await device('frank', 'frank-slow')]
    for (const sender of senders.slice(1)) await join(sender, room)
    const droppedBefore = t.server.roomStats().droppedFrames

    tcpOf(bob).pause()
    // 4 senders × 900 messages × 5 KB = 18 MB: far beyond the kernel's socket buffers and the 1 MiB bound. 900 keeps
    // each sender inside the gateway's per-connection request burst. They send in rounds and a round ends when the
    // fast reader has it all: a reader that keeps up (in this busy test process too) is never over the bound.
    const PER_SENDER = 900
    const PER_ROUND = 25
    const text = 'x'.repeat(MAX_TEXT_BYTES - 16)
    const total = senders.length * PER_SENDER
    for (let sent = 0; sent < PER_SENDER; sent += PER_ROUND) {
      const acks = await Promise.all(
        senders.flatMap((sender, s) => Array.from({ length: PER_ROUND }, (_, i) => say(sender, room, `${s}:${sent + i}:${text}`)))
      )
      expect(acks.every((ack) => ack.body === 'sendAck')).toBe(true)
      const expected = (sent + PER_ROUND) * senders.length
      await carol.waitFor(() => roomTexts(carol, room).length >= expected, 10_000, `${expected} messages at carol`).catch(() => undefined)
    }
    // The fast reader got every message.
    expect(roomTexts(carol, room)).toHaveLength(total)

    const stats = t.server.roomStats()
    expect(stats.droppedFrames - droppedBefore).toBeGreaterThan(0)
    // The server never held more than the bound plus one frame for the slow reader (and did not cut it off).
    expect(stats.peakBacklogBytes).toBeLessThanOrEqual(ROOM_SOCKET_BACKLOG_LIMIT_BYTES + MAX_FRAME_BYTES)
    expect(bob.isOpen).toBe(true)

    tcpOf(bob).resume()
    const notice = await bob.waitFor((f) => f.roomEvent?.room === room && f.roomEvent.dropped != null, 30_000, 'drop notice')
    const dropped = Number(notice.roomEvent?.dropped?.count)
    expect(dropped).toBeGreaterThan(0)
    await quiet()
    // Every message either reached bob or was counted in the notice; exactly one notice.
    expect(roomTexts(bob, room).length + dropped).toBe(total)
    expect(bob.received.filter((f) => f.roomEvent?.dropped != null)).toHaveLength(1)
    const window = await okRooms(bob, { recent: { room } })
    expect(window.joined?.recent).toHaveLength(WINDOW)
    // Room traffic flows to bob again after the notice.
    await say(alice, room, 'after the drain')
    await waitText(bob, room, 'after the drain')
  })
})

describe('room creation setting and directory', () => {
  let t: TestServer
  beforeAll(async () => {
    // Read once at start: only alice may create rooms on this server.
    process.env.PARLEY_ROOM_CREATORS = 'Alice'
    try {
      t = await startTestServer()
    } finally {
      delete process.env.PARLEY_ROOM_CREATORS
    }
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('PARLEY_ROOM_CREATORS lets only the listed users create; the directory pages and searches', async () => {
    const alice = await registerAndLogin(t.server.url, 'alice')
    const bob = await registerAndLogin(t.server.url, 'bob')
    const aliceClient = await FrameClient.authenticated(t.server.url, alice.token, 'alice-1')
    const bobClient = await FrameClient.authenticated(t.server.url, bob.token, 'bob-1')
    expect((await rooms(bobClient, { create: { name: 'Mine' } })).error?.code).toBe(ErrorCode.ERROR_FORBIDDEN)
    const ids = [await createRoom(aliceClient, 'Chess club'), await createRoom(aliceClient, 'Chess openings'), await createRoom(aliceClient, 'Go')]
    expect((await rooms(aliceClient, { create: { name: 'n'.repeat(129) } })).error?.code).toBe(ErrorCode.ERROR_LIMIT_EXCEEDED)

    const first = await okRooms(bobClient, { directory: { query: 'CHESS', limit: 1 } })
    expect(first.directory?.rooms).toHaveLength(1)
    expect(first.directory?.next).not.toBe('')
    const second = await okRooms(bobClient, { directory: { query: 'chess', limit: 1, after: first.directory?.next ?? '' } })
    expect(second.directory?.rooms).toHaveLength(1)
    expect(second.directory?.next).toBe('') // the last page
    const found = [...(first.directory?.rooms ?? []), ...(second.directory?.rooms ?? [])].map((r) => r.name).sort()
    expect(found).toEqual(['Chess club', 'Chess openings'])
    const all = await okRooms(bobClient, { directory: {} })
    expect(all.directory?.rooms?.map((r) => r.room).sort()).toEqual([...ids].sort())
    await aliceClient.close()
    await bobClient.close()
  })
})
