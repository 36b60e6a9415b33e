// Covers contacts on the real server across two users with two devices each: requests (send, cancel, decline,
// accept, asking back), remarks, removal and the blocklist, each answered with its specific error when refused, and
// every change reaching every device of both users (pushes agree with the users' logs and contact lists).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode, pb, type DecodedFrame } from '../../src/shared/proto/codec'
import { FrameClient, randomClientId, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

const Kind = pb.ContactEvent.Kind
type ContactsOp = NonNullable<Parameters<FrameClient['request']>[0]['contacts']>

async function contactsOp(client: FrameClient, op: ContactsOp): Promise<DecodedFrame> {
  return client.request({ contacts: op })
}

/** Performs an op that must succeed; returns the seq of the acting user's last new entry. */
async function ok(client: FrameClient, op: ContactsOp): Promise<number> {
  const answer = await contactsOp(client, op)
  if (answer.body !== 'contactsOk') throw new Error(`contacts op failed: ${JSON.stringify(answer.error)}`)
  return Number(answer.contactsOk?.done?.eventSeq ?? 0)
}

async function refused(client: FrameClient, op: ContactsOp): Promise<{ code: number; message: string }> {
  const answer = await contactsOp(client, op)
  expect(answer.body).toBe('error')
  return { code: answer.error?.code ?? 0, message: answer.error?.message ?? '' }
}

async function list(client: FrameClient): Promise<NonNullable<NonNullable<DecodedFrame['contactsOk']>['list']>> {
  const answer = await client.request({ contacts: { list: {} } })
  if (!answer.contactsOk?.list) throw new Error(`list failed: ${JSON.stringify(answer.error)}`)
  return answer.contactsOk.list
}

/** The contact events of the user's log as [seq, kind, peer] (read through sync, as a new device would). */
async function loggedContactEvents(client: FrameClient): Promise<[number, number, string][]> {
  const answer = await client.request({ sync: { afterSeq: 0, limit: 500 } })
  return (answer.syncBatch?.events ?? [])
    .filter((event) => event.contact)
    .map((event) => [Number(event.seq), event.contact?.kind ?? 0, event.contact?.peer ?? ''])
}

/** Contact events pushed to this device so far, as [seq, kind, peer]. */
function pushedContactEvents(client: FrameClient): [number, number, string][] {
  return client.received
    .filter((frame) => frame.id === 0 && frame.event?.contact)
    .map((frame) => [Number(frame.event?.seq), frame.event?.contact?.kind ?? 0, frame.event?.contact?.peer ?? ''])
}

function waitContact(client: FrameClient, kind: number, peer: string, afterSeq: number): Promise<DecodedFrame> {
  return client.waitFor(
    (frame) => frame.event?.contact?.kind === kind && frame.event.contact.peer === peer && Number(frame.event.seq) > afterSeq,
    5_000,
    `contact event ${Kind[kind]} with ${peer} after seq ${afterSeq}`
  )
}

async function send(client: FrameClient, to: string, text: string): Promise<DecodedFrame> {
  return client.request({ send: { clientId: randomClientId(), to, body: { text: { text } } } })
}

describe('contacts across two users with two devices each', () => {
  let t: TestServer
  let alice: Login
  let bob: Login
  let a1: FrameClient
  let a2: FrameClient
  let b1: FrameClient
  let b2: FrameClient
  /** Seqs each device learnt from its own answers (the acting device gets its entries in the answer, not pushed). */
  const answered = new Map<FrameClient, number[]>()
  const act = async (client: FrameClient, op: ContactsOp): Promise<number> => {
    const seq = await ok(client, op)
    if (seq > 0) answered.set(client, [...(answered.get(client) ?? []), seq])
    return seq
  }

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

  it('refuses requests to oneself, to unknown users, duplicates, and decisions on requests that do not exist', async () => {
    expect((await refused(a1, { request: { to: 'ALICE' } })).code).toBe(ErrorCode.ERROR_BAD_REQUEST)
    const unknown = await refused(a1, { request: { to: 'nobody' } })
    expect(unknown.code).toBe(ErrorCode.ERROR_USER_NOT_FOUND)
    expect(unknown.message).toContain('nobody')
    expect((await refused(b1, { decide: { from: 'carol', accept: true } })).code).toBe(ErrorCode.ERROR_NOT_FOUND)
    expect((await refused(a1, { cancelRequest: { peer: 'bob' } })).code).toBe(ErrorCode.ERROR_NOT_FOUND)
    expect((await refused(a1, { remove: { peer: 'bob' } })).code).toBe(ErrorCode.ERROR_NOT_FRIENDS)
    expect((await refused(a1, { remark: { peer: 'bob', remark: 'B' } })).code).toBe(ErrorCode.ERROR_NOT_FRIENDS)
    expect((await refused(a1, { request: { to: 'bob', message: 'x'.repeat(257) } })).code).toBe(ErrorCode.ERROR_TEXT_TOO_LONG)
    // Nothing of that changed anything: no contact entries in either log.
    expect(await loggedContactEvents(a1)).toEqual([])
    expect(await loggedContactEvents(b1)).toEqual([])

    const seq = await act(a1, { request: { to: ' Bob ', message: 'hi, it is Alice' } })
    expect(seq).toBeGreaterThan(0)
    const duplicate = await refused(a2, { request: { to: 'bob' } })
    expect(duplicate.code).toBe(ErrorCode.ERROR_CONFLICT)
    // Both devices of bob see the request with its message; alice's other device sees it sent.
    for (const device of [b1, b2]) {
      const pushed = await waitContact(device, Kind.KIND_REQUEST_RECEIVED, 'alice', 0)
      expect(pushed.event?.contact?.message).toBe('hi, it is Alice')
    }
    await waitContact(a2, Kind.KIND_REQUEST_SENT, 'bob', 0)
    expect((await list(b2)).incoming?.map((r) => [r.from, r.message])).toEqual([['alice', 'hi, it is Alice']])
    expect((await list(a2)).outgoing?.map((r) => r.to)).toEqual(['bob'])
  })

  it('cancels, declines and accepts; asking someone who already asked you makes you friends', async () => {
    const cancelled = await act(a2, { cancelRequest: { peer: 'bob' } })
    await waitContact(a1, Kind.KIND_REQUEST_CANCELLED, 'bob', 0)
    for (const device of [b1, b2]) await waitContact(device, Kind.KIND_REQUEST_CANCELLED, 'alice', 0)
    expect((await list(b1)).incoming ?? []).toEqual([])
    expect((await list(a1)).outgoing ?? []).toEqual([])

    await act(a1, { request: { to: 'bob', message: 'again' } })
    await waitContact(b2, Kind.KIND_REQUEST_RECEIVED, 'alice', cancelled)
    await act(b2, { decide: { from: 'alice', accept: false } })
    for (const device of [a1, a2]) await waitContact(device, Kind.KIND_REQUEST_DECLINED, 'bob', 0)
    await waitContact(b1, Kind.KIND_REQUEST_DECLINED, 'alice', 0)
    expect((await refused(b1, { decide: { from: 'alice', accept: true } })).code).toBe(ErrorCode.ERROR_NOT_FOUND)

    await act(a1, { request: { to: 'bob', message: 'third time' } })
    await act(b1, { decide: { from: 'alice', accept: true } })
    for (const device of [a1, a2]) await waitContact(device, Kind.KIND_FRIEND_ADDED, 'bob', 0)
    await waitContact(b2, Kind.KIND_FRIEND_ADDED, 'alice', 0)
    expect((await list(a2)).friends?.map((f) => f.user)).toEqual(['bob'])
    expect((await list(b2)).friends?.map((f) => f.user)).toEqual(['alice'])
    expect((await refused(a1, { request: { to: 'bob' } })).code).toBe(ErrorCode.ERROR_CONFLICT)

    // A remark is mine alone: alice's devices get it, bob's get nothing.
    const remarked = await act(a2, { remark: { peer: 'bob', remark: 'Bobby 🐻' } })
    const onA1 = await waitContact(a1, Kind.KIND_REMARK_CHANGED, 'bob', 0)
    expect(onA1.event?.contact?.remark).toBe('Bobby 🐻')
    expect(Number(onA1.event?.seq)).toBe(remarked)
    expect((await list(a1)).friends?.map((f) => [f.user, f.remark])).toEqual([['bob', 'Bobby 🐻']])
    expect((await list(b1)).friends?.map((f) => [f.user, f.remark])).toEqual([['alice', '']])
    // The same remark again changes nothing.
    expect(await ok(a1, { remark: { peer: 'bob', remark: 'Bobby 🐻' } })).toBe(0)

    // Removing is for both sides.
    await act(b2, { remove: { peer: 'alice' } })
    for (const device of [a1, a2]) await waitContact(device, Kind.KIND_FRIEND_REMOVED, 'bob', 0)
    await waitContact(b1, Kind.KIND_FRIEND_REMOVED, 'alice', 0)
    expect((await list(a1)).friends ?? []).toEqual([])

    // bob asks, then alice asks bob: that is an accept, not a second request.
    const asked = await act(b1, { request: { to: 'alice', message: 'sorry' } })
    await waitContact(a2, Kind.KIND_REQUEST_RECEIVED, 'bob', 0)
    const accepted = await act(a2, { request: { to: 'bob', message: 'ok' } })
    for (const device of [b1, b2]) await waitContact(device, Kind.KIND_FRIEND_ADDED, 'alice', asked)
    const onOtherDevice = await waitContact(a1, Kind.KIND_FRIEND_ADDED, 'bob', accepted - 1)
    expect(Number(onOtherDevice.event?.seq)).toBe(accepted)
    const aliceList = await list(a1)
    expect(aliceList.friends?.map((f) => f.user)).toEqual(['bob'])
    expect(aliceList.incoming ?? []).toEqual([])
    expect(aliceList.outgoing ?? []).toEqual([])
  })

  it('leaves both devices of each user with the same contact list and every entry of their log', async () => {
    for (const [first, second] of [
      [a1, a2],
      [b1, b2]
    ] as const) {
      const [listOne, listTwo] = [await list(first), await list(second)]
      expect(listOne).toEqual(listTwo)
      const logged = await loggedContactEvents(first)
      expect(Number(listOne.headSeq)).toBe(logged.at(-1)?.[0])
      for (const device of [first, second]) {
        // What a device holds = what was pushed to it + what it was answered for its own changes: the whole log.
        const pushedSeqs = pushedContactEvents(device).map(([seq]) => seq)
        const held = [...pushedSeqs, ...(answered.get(device) ?? [])].sort((x, y) => x - y)
        expect(held).toEqual(logged.map(([seq]) => seq))
        // No entry arrives twice, and pushes carry what the log holds.
        expect(new Set(pushedSeqs).size).toBe(pushedSeqs.length)
        for (const entry of pushedContactEvents(device)) expect(logged).toContainEqual(entry)
      }
    }
    expect((await loggedContactEvents(a1)).map(([, kind]) => Kind[kind])).toEqual([
      'KIND_REQUEST_SENT',
      'KIND_REQUEST_CANCELLED',
      'KIND_REQUEST_SENT',
      'KIND_REQUEST_DECLINED',
      'KIND_REQUEST_SENT',
      'KIND_FRIEND_ADDED',
      'KIND_REMARK_CHANGED',
      'KIND_FRIEND_REMOVED',
      'KIND_REQUEST_RECEIVED',
      'KIND_FRIEND_ADDED'
    ])
  })
})

describe('the blocklist', () => {
  let t: TestServer
  let carol: FrameClient
  let carol2: FrameClient
  let dave: FrameClient
  let dave2: FrameClient
  beforeAll(async () => {
    t = await startTestServer()
    const carolLogin = await registerAndLogin(t.server.url, 'carol')
    const daveLogin = await registerAndLogin(t.server.url, 'dave')
    carol = await FrameClient.onDevice(t.server.url, carolLogin, 'c1')
    carol2 = await FrameClient.onDevice(t.server.url, carolLogin, 'c2')
    dave = await FrameClient.onDevice(t.server.url, daveLogin, 'd1')
    dave2 = await FrameClient.onDevice(t.server.url, daveLogin, 'd2')
  })
  afterAll(async () => {
    for (const client of [carol, carol2, dave, dave2]) await client?.close()
    await t.dispose()
  })

  it('refuses the blocked user’s messages and requests with ERROR_BLOCKED, cancels a pending request, and unblocking restores', async () => {
    expect((await send(carol, 'dave', 'before')).body).toBe('sendAck')
    await ok(carol, { request: { to: 'dave', message: 'friends?' } })
    await waitContact(dave2, Kind.KIND_REQUEST_RECEIVED, 'carol', 0)

    await ok(dave, { block: { peer: 'carol', blocked: true } })
    // The pending request is gone for both, on every device; dave's other device learns of the block.
    for (const device of [carol, carol2]) await waitContact(device, Kind.KIND_REQUEST_CANCELLED, 'dave', 0)
    await waitContact(dave2, Kind.KIND_REQUEST_CANCELLED, 'carol', 0)
    await waitContact(dave2, Kind.KIND_BLOCKED, 'carol', 0)
    expect((await list(dave2)).blocked).toEqual(['carol'])
    expect((await list(dave2)).incoming ?? []).toEqual([])
    expect((await list(carol2)).outgoing ?? []).toEqual([])

    const message = await send(carol2, 'dave', 'are you there?')
    expect(message.error?.code).toBe(ErrorCode.ERROR_BLOCKED)
    expect(message.error?.message).toMatch(/dave does not accept messages from you/)
    const request = await refused(carol, { request: { to: 'dave' } })
    expect(request.code).toBe(ErrorCode.ERROR_BLOCKED)
    // The blocker may still write to the one they blocked (AgoraChat's rule), but not send them a request.
    expect((await send(dave, 'carol', 'I blocked you')).body).toBe('sendAck')
    expect((await refused(dave, { request: { to: 'carol' } })).code).toBe(ErrorCode.ERROR_BLOCKED)
    // Nothing carol sent after the block reached dave's log.
    const daveLog = await dave2.request({ sync: { afterSeq: 0, limit: 500 } })
    const texts = (daveLog.syncBatch?.events ?? []).map((e) => e.message?.body?.text?.text).filter(Boolean)
    expect(texts).toEqual(['before', 'I blocked you'])
    // Blocking twice changes nothing.
    expect(await ok(dave2, { block: { peer: 'carol', blocked: true } })).toBe(0)

    await ok(dave2, { block: { peer: 'carol', blocked: false } })
    await waitContact(dave, Kind.KIND_UNBLOCKED, 'carol', 0)
    expect((await list(dave)).blocked ?? []).toEqual([])
    expect((await send(carol2, 'dave', 'hello again')).body).toBe('sendAck')
    await ok(carol, { request: { to: 'dave', message: 'friends now?' } })
    await ok(dave, { decide: { from: 'carol', accept: true } })
    // Blocking a friend keeps the friendship (the blocklist is apart), but refuses their messages.
    await ok(dave, { block: { peer: 'carol', blocked: true } })
    expect((await list(dave)).friends?.map((f) => f.user)).toEqual(['carol'])
    expect((await send(carol, 'dave', 'blocked friend')).error?.code).toBe(ErrorCode.ERROR_BLOCKED)
  })
})

describe('PARLEY_ALLOW_STRANGERS=false', () => {
  let t: TestServer
  beforeAll(async () => {
    process.env.PARLEY_ALLOW_STRANGERS = 'false'
    try {
      t = await startTestServer()
    } finally {
      delete process.env.PARLEY_ALLOW_STRANGERS
    }
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('answers ERROR_NOT_FRIENDS to a send to a non-friend, lets friends write, and refuses again after removal', async () => {
    const erin = await FrameClient.onDevice(t.server.url, await registerAndLogin(t.server.url, 'erin'), 'e1')
    const frank = await FrameClient.onDevice(t.server.url, await registerAndLogin(t.server.url, 'frank'), 'f1')
    const refusedSend = await send(erin, 'frank', 'hi stranger')
    expect(refusedSend.error?.code).toBe(ErrorCode.ERROR_NOT_FRIENDS)
    expect(refusedSend.error?.message).toMatch(/friend request/)
    expect((await send(erin, 'erin', 'note to self')).body).toBe('sendAck')

    await ok(erin, { request: { to: 'frank', message: 'may I?' } })
    await ok(frank, { decide: { from: 'erin', accept: true } })
    expect((await send(erin, 'frank', 'hi friend')).body).toBe('sendAck')
    expect((await send(frank, 'erin', 'hi back')).body).toBe('sendAck')

    await ok(frank, { remove: { peer: 'erin' } })
    expect((await send(erin, 'frank', 'still there?')).error?.code).toBe(ErrorCode.ERROR_NOT_FRIENDS)
    await erin.close()
    await frank.close()
  })
})
