// Covers the server store through its interface, on the real SQLite worker in temp folders: read pointers, recent
// conversations, token rotation, attempt windows, retention, sequences across restarts and the worker's crash.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openServerStore, type WorkerStoreHandle } from '../../src/server/store/worker-store'
import type { NewMessage, ServerStore } from '../../src/server/store/types'
import { makeTempDir, removeDir } from '../support/test-server'
import { openTestStore } from '../support/test-database'

process.env.PARLEY_LOG ??= 'warn'

const SINGLE = 0
const DAY_MS = 86_400_000

const dirs: string[] = []
const open: ServerStore[] = []

async function openStore(dir = makeTempDir()): Promise<{ store: WorkerStoreHandle; dir: string }> {
  if (!dirs.includes(dir)) dirs.push(dir)
  const store = await openTestStore(dir)
  open.push(store)
  return { store, dir }
}

afterEach(async () => {
  for (const store of open.splice(0)) await store.close()
  for (const dir of dirs.splice(0)) removeDir(dir)
})

function message(sender: string, recipient: string, text: string, timestamp = Date.now()): NewMessage {
  return {
    sender,
    recipient,
    clientId: new Uint8Array(crypto.randomBytes(16)),
    chatType: SINGLE,
    timestamp,
    body: new TextEncoder().encode(text)
  }
}

function text(body: Uint8Array | undefined): string {
  return new TextDecoder().decode(body)
}

async function withUsers(store: ServerStore, ...names: string[]): Promise<void> {
  for (const name of names) await store.createUser(name, 'hash', 1)
}

describe('server store', () => {
  it('keeps event entries (contact, membership, profile) in the user log between messages, with their bytes, across a restart', async () => {
    const { store, dir } = await openStore()
    await withUsers(store, 'alice', 'bob')
    await store.appendMessages([message('alice', 'bob', 'one')])
    const payload = new Uint8Array([8, 2, 18, 5, 97, 108, 105, 99, 101])
    const contactSeq = await store.appendUserEvent('bob', { kind: 'contact', conversation: 'alice', chatType: SINGLE, payload }, 5)
    expect(contactSeq).toBe(2)
    const [after] = await store.appendMessages([message('alice', 'bob', 'two')])
    expect(after?.recipientSeq).toBe(3)
    const membershipSeq = await store.appendUserEvent('bob', { kind: 'membership', conversation: 'g1', chatType: 1, payload: new Uint8Array([1]) }, 6)
    expect(membershipSeq).toBe(4)
    await store.close()
    const { store: reopened } = await openStore(dir)
    const log = await reopened.readLogAfter('bob', 0, 10)
    expect(log.map((entry) => entry.seq)).toEqual([1, 2, 3, 4])
    expect(log[1]?.userEvent).toEqual({ kind: 'contact', conversation: 'alice', chatType: SINGLE, payload })
    expect(log[3]?.userEvent?.kind).toBe('membership')
    expect(text(log[2]?.message?.body)).toBe('two')
    // Alice's log holds her two messages only: an event goes to the log it was appended to.
    expect((await reopened.readLogAfter('alice', 0, 10)).map((entry) => entry.seq)).toEqual([1, 2])
    expect(await reopened.headSeq('bob')).toBe(4)
  })

  it('continues every log after a read-pointer entry: appends and pointers interleaved take consecutive sequences', async () => {
    const { store } = await openStore()
    await withUsers(store, 'alice', 'bob')
    const pointer = (seq: number) => ({ conversation: 'alice', chatType: SINGLE, seq })
    await store.appendMessages([message('alice', 'bob', 'one')])
    expect(await store.setReadPointer('bob', pointer(1))).toEqual({ seq: 1, eventSeq: 2 })
    const [second] = await store.appendMessages([message('alice', 'bob', 'two')])
    expect(second?.recipientSeq).toBe(3)
    expect(await store.setReadPointer('bob', pointer(3))).toEqual({ seq: 3, eventSeq: 4 })
    const [third] = await store.appendMessages([message('bob', 'alice', 'three')])
    expect(third?.message.senderSeq).toBe(5)
    expect(await store.headSeq('bob')).toBe(5)
    expect((await store.getUser('bob'))?.headSeq).toBe(5)
    expect((await store.readLogAfter('bob', 0, 100)).map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5])
    expect(await store.headSeq('alice')).toBe(3)
  })

  it('moves a read pointer only forward, and logs an entry only when it moved', async () => {
    const { store } = await openStore()
    await withUsers(store, 'alice', 'bob')
    await store.appendMessages([message('alice', 'bob', 'one'), message('alice', 'bob', 'two'), message('alice', 'bob', 'three')])
    const pointer = (seq: number) => ({ conversation: 'alice', chatType: SINGLE, seq })

    const first = await store.setReadPointer('bob', pointer(2))
    expect(first).toEqual({ seq: 2, eventSeq: 4 })
    expect(await store.setReadPointer('bob', pointer(2))).toEqual({ seq: 2, eventSeq: 0 })
    expect(await store.setReadPointer('bob', pointer(1))).toEqual({ seq: 2, eventSeq: 0 })
    // A pointer past the end of the log is held at the head: it cannot hide messages that come later.
    expect(await store.setReadPointer('bob', pointer(99))).toEqual({ seq: 4, eventSeq: 5 })

    const log = await store.readLogAfter('bob', 0, 100)
    expect(log.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5])
    expect(log[3]).toEqual({ seq: 4, readPointer: { conversation: 'alice', chatType: SINGLE, seq: 2 } })
    expect(log[4]?.readPointer?.seq).toBe(4)
    expect(await store.headSeq('bob')).toBe(5)
    // History pages hold messages only.
    const page = await store.readConversation('bob', 'alice', 0, 10)
    expect(page.map((entry) => text(entry.message?.body))).toEqual(['three', 'two', 'one'])
    // The sender's log saw no read pointer.
    expect((await store.readLogAfter('alice', 0, 100)).every((entry) => entry.message)).toBe(true)
  })

  it('lists recent conversations newest first with unread counts, page by page', async () => {
    const { store } = await openStore()
    await withUsers(store, 'ann', 'bo', 'cy', 'di')
    await store.appendMessages([message('bo', 'ann', 'b1'), message('bo', 'ann', 'b2')])
    await store.appendMessages([message('cy', 'ann', 'c1')])
    await store.appendMessages([message('ann', 'di', 'd1')])
    await store.appendMessages([message('ann', 'bo', 'to bo')])

    const firstPage = await store.recentConversations('ann', null, 2)
    expect(firstPage.map((row) => row.conversation)).toEqual(['bo', 'di'])
    expect(text(firstPage[0]?.last.message?.body)).toBe('to bo')
    // Unread counts only what others sent: two from bo, none of ann's own.
    expect(firstPage.map((row) => row.unread)).toEqual([2, 0])
    const last = firstPage[1]!
    const secondPage = await store.recentConversations('ann', { lastSeq: last.last.seq, conversation: last.conversation, chatType: last.chatType }, 2)
    expect(secondPage.map((row) => [row.conversation, row.unread])).toEqual([['cy', 1]])

    const b2Seq = (await store.readConversation('ann', 'bo', 0, 10)).find((entry) => text(entry.message?.body) === 'b2')!.seq
    await store.setReadPointer('ann', { conversation: 'bo', chatType: SINGLE, seq: b2Seq - 1 })
    let bo = (await store.recentConversations('ann', null, 10)).find((row) => row.conversation === 'bo')!
    expect([bo.readSeq, bo.unread]).toEqual([b2Seq - 1, 1])
    await store.appendMessages([message('bo', 'ann', 'b3')])
    bo = (await store.recentConversations('ann', null, 1))[0]!
    expect([bo.conversation, bo.unread, text(bo.last.message?.body)]).toEqual(['bo', 2, 'b3'])
  })

  it('rotates a token once; presenting the rotated token again is stale', async () => {
    const { store } = await openStore()
    const now = Date.now()
    await store.createDeviceSession(
      { sessionId: 's1', user: 'alice', deviceId: null, createdAt: now, renewedAt: now, revokedAt: null },
      { tokenHash: 'h1', sessionId: 's1', expiresAt: now + 1000, rotatedAt: null }
    )
    expect(await store.bindSessionDevice('s1', 'laptop')).toBe(true)
    expect(await store.bindSessionDevice('s1', 'laptop')).toBe(true)
    expect(await store.bindSessionDevice('s1', 'phone')).toBe(false)

    const next = { tokenHash: 'h2', sessionId: 's1', expiresAt: now + 2000, rotatedAt: null }
    expect(await store.rotateToken('s1', 'h1', next, now + 10)).toBe('rotated')
    expect(await store.rotateToken('s1', 'h1', { ...next, tokenHash: 'h3' }, now + 20)).toBe('stale')
    expect(await store.findToken('h3')).toBeNull()
    const found = await store.findToken('h1')
    expect(found?.token.rotatedAt).toBe(now + 10)
    expect(found?.session).toMatchObject({ sessionId: 's1', user: 'alice', deviceId: 'laptop', renewedAt: now + 10, revokedAt: null })

    await store.createDeviceSession(
      { sessionId: 's2', user: 'alice', deviceId: 'phone', createdAt: now, renewedAt: now, revokedAt: null },
      { tokenHash: 'p1', sessionId: 's2', expiresAt: now + 1000, rotatedAt: null }
    )
    expect(await store.revokeUserSessions('alice', now + 30, 's2')).toEqual(['s1'])
    expect((await store.findToken('h2'))?.session.revokedAt).toBe(now + 30)
    expect((await store.findToken('p1'))?.session.revokedAt).toBeNull()
    await store.revokeSession('s2', now + 40)
    expect((await store.findToken('p1'))?.session.revokedAt).toBe(now + 40)
  })

  it('counts attempts inside a sliding window and forgets them on reset', async () => {
    const { store } = await openStore()
    const windowMs = 1_000
    expect(await store.countAttempt('login:bob', 10_000, windowMs)).toEqual({ count: 1, previousAt: null })
    expect(await store.countAttempt('login:bob', 10_400, windowMs)).toEqual({ count: 2, previousAt: 10_000 })
    expect(await store.countAttempt('login:eve', 10_500, windowMs)).toEqual({ count: 1, previousAt: null })
    // 10_000 has left the window at 11_100; 10_400 has not.
    expect(await store.countAttempt('login:bob', 11_100, windowMs)).toEqual({ count: 2, previousAt: 10_400 })
    await store.resetAttempts('login:bob')
    expect(await store.countAttempt('login:bob', 11_200, windowMs)).toEqual({ count: 1, previousAt: null })
  })

  it('trims entries past retention but keeps each conversation\'s newest page and the head; oldestSeq says where', async () => {
    const { store } = await openStore()
    await withUsers(store, 'old', 'chatty', 'quiet')
    const longAgo = Date.now() - 30 * DAY_MS
    // 60 old messages with chatty (more than a page) and 3 old ones with quiet (less than a page), then 5 new.
    await store.appendMessages(Array.from({ length: 60 }, (_, i) => message('chatty', 'old', `c${i}`, longAgo + i)))
    await store.appendMessages(Array.from({ length: 3 }, (_, i) => message('quiet', 'old', `q${i}`, longAgo + 100 + i)))
    await store.appendMessages(Array.from({ length: 5 }, (_, i) => message('chatty', 'old', `new${i}`)))
    expect(await store.oldestSeq('old')).toBe(1)

    const dropped = await store.trimLogs(Date.now() - DAY_MS)
    // old: 65 entries with chatty, newest 50 kept -> 15 dropped; chatty's own log the same; quiet keeps all.
    expect(dropped).toBe(30)
    expect(await store.oldestSeq('old')).toBe(16)
    const chattyPage = await store.readConversation('old', 'chatty', 0, 200)
    expect(chattyPage).toHaveLength(50)
    expect(text(chattyPage.at(-1)?.message?.body)).toBe('c15')
    expect(await store.readConversation('old', 'quiet', 0, 200)).toHaveLength(3)
    const log = await store.readLogAfter('old', 0, 200)
    expect(log.map((entry) => entry.seq)).toEqual([...Array.from({ length: 53 }, (_, i) => 16 + i)])
    // Sequences go on from the head.
    const [appended] = await store.appendMessages([message('quiet', 'old', 'after trim')])
    expect(appended?.recipientSeq).toBe(69)
    // A second trim finds nothing more to drop.
    expect(await store.trimLogs(Date.now() - DAY_MS)).toBe(0)
  })

  it('trims every user when there are more users than one retention step takes', async () => {
    const { store } = await openStore()
    const senders = Array.from({ length: 110 }, (_, i) => `u${String(i).padStart(3, '0')}`)
    await withUsers(store, 'hub', ...senders)
    const longAgo = Date.now() - 30 * DAY_MS
    // 52 messages per sender, 51 old and then 1 new (logs are in time order); the newest 50 stay, so 2 go from
    // each side of each conversation.
    await store.appendMessages(
      senders.flatMap((sender, s) => Array.from({ length: 51 }, (_, i) => message(sender, 'hub', `${sender} ${i}`, longAgo + s * 100 + i)))
    )
    await store.appendMessages(senders.map((sender) => message(sender, 'hub', `${sender} new`)))
    expect(await store.trimLogs(Date.now() - DAY_MS)).toBe(110 * 2 * 2)
    expect(await store.oldestSeq('u000')).toBe(3)
    expect(await store.oldestSeq('u109')).toBe(3)
    expect(await store.oldestSeq('hub')).toBe(109 * 51 + 3)
  })

  it('continues sequences after a restart and keeps the named secret', async () => {
    const first = await openStore()
    await withUsers(first.store, 'alice', 'bob')
    await first.store.appendMessages([message('alice', 'bob', 'a'), message('bob', 'alice', 'b')])
    await first.store.setReadPointer('alice', { conversation: 'bob', chatType: SINGLE, seq: 2 })
    const secret = await first.store.getOrCreateSecret('token', () => crypto.randomBytes(32))
    await first.store.close()

    const second = await openStore(first.dir)
    expect(await second.store.headSeq('alice')).toBe(3)
    const [result] = await second.store.appendMessages([message('bob', 'alice', 'c')])
    expect([result?.message.senderSeq, result?.recipientSeq]).toEqual([3, 4])
    expect(await second.store.getOrCreateSecret('token', () => Buffer.from('not this one'))).toEqual(secret)
    const again = await second.store.appendMessages([{ ...message('bob', 'alice', 'c'), clientId: result!.message.clientId }])
    expect(again[0]).toMatchObject({ duplicate: true, recipientSeq: null, message: { serverId: result?.message.serverId } })
  })

  it('groups concurrent appends into shared commits and keeps each caller\'s results', async () => {
    const { store } = await openStore()
    await withUsers(store, 'alice', 'bob')
    const calls = Array.from({ length: 20 }, (_, i) => store.appendMessages([message('alice', 'bob', `m${i}`)]))
    const results = (await Promise.all(calls)).map(([result]) => result?.message.senderSeq)
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    const stats = await store.stats()
    expect(stats.synchronous).toBe('FULL')
    expect(stats.messagesPerCommit).toBeGreaterThan(1)
  })

  it('refuses to open when the database cannot be created, naming the reason', async () => {
    const dir = makeTempDir()
    dirs.push(dir)
    const notAFolder = path.join(dir, 'file')
    fs.writeFileSync(notAFolder, 'not a folder')
    await expect(openServerStore(notAFolder)).rejects.toThrow(/could not be opened/)
  })

  it('rejects the calls in flight when the worker crashes, then serves later calls from a new worker', async () => {
    const { store } = await openStore()
    await withUsers(store, 'alice', 'bob')
    await store.appendMessages([message('alice', 'bob', 'before')])
    // A large batch keeps the worker busy, so the calls behind it are certainly still pending at the crash.
    const large = Array.from({ length: 20_000 }, (_, i) => message('alice', 'bob', `large${i}`))
    const inFlight = [large, ...Array.from({ length: 4 }, (_, i) => [message('alice', 'bob', `during${i}`)])].map((batch) =>
      store.appendMessages(batch)
    )
    const settled = Promise.allSettled(inFlight)
    await store.crashWorkerForTest()
    const outcomes = await settled
    const rejected = outcomes.filter((outcome) => outcome.status === 'rejected')
    expect(rejected.length).toBeGreaterThan(0)
    for (const outcome of rejected) expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/storage worker stopped/)

    const [after] = await store.appendMessages([message('alice', 'bob', 'after')])
    const log = await store.readLogAfter('alice', 0, 30_000)
    // Whatever committed before the crash is there once; the new message follows it without a gap or reuse.
    expect(log.map((entry) => entry.seq)).toEqual(Array.from({ length: log.length }, (_, i) => i + 1))
    expect(after?.message.senderSeq).toBe(log.length)
    expect(text(log.at(-1)?.message?.body)).toBe('after')
  })
})
