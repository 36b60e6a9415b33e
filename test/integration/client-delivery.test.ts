// Delivery and sync correctness with the real server: order per conversation across a reconnect, a transient
// server error retried, a new device that signs in from the conversation list, read state shared by devices,
// canonical user ids, user lookup, sign-out, and entries from a newer version kept and shown after an upgrade.
// The server is read through its store interface (wrapStore captures it), never through its SQLite file.
import { randomBytes } from 'node:crypto'
import $protobuf from 'protobufjs/minimal.js'
import { afterEach, describe, expect, it } from 'vitest'
import { PREFETCH_PAGE_SIZE } from '../../src/main/core/session/prefetch'
import { decodeLogEntry, type LogEntryDecoder } from '../../src/main/core/protocol/log-entry'
import { pb } from '../../src/shared/proto/codec'
import type { ServerStore } from '../../src/server/store/types'
import { Devices, localHistory, makeTempDir, registerUsers, signInPair, TEST_PASSWORD, TestServer, textOf, uniqueUser, waitFor } from './helpers/env'

/** The server's log of one conversation as `user` sees it, oldest first, as texts (through the store interface). */
async function serverLog(store: ServerStore, user: string, peer: string): Promise<string[]> {
  const entries = await store.readConversation(user, peer, 0, 10_000)
  return entries
    .filter((e) => e.message)
    .reverse()
    .map((e) => pb.Body.decode(e.message!.body).text?.text ?? '<non-text>')
}

describe('delivery and sync against the real server', () => {
  let server: TestServer
  let devices: Devices
  let store: ServerStore
  /** Armed by a test: the next appendMessages call fails (a failed group commit), once. */
  let failNextAppend = false
  let appendFailures = 0
  /** While true every sync read fails (the server answers the sync request with an error). */
  let failSync = false
  let syncFailures = 0
  /** Armed by a test: the next read-pointer write fails (the server answers mark_read with an error), once. */
  let failNextReadPointer = false
  let readPointerFailures = 0

  async function start(): Promise<void> {
    server = new TestServer({
      testHooks: {
        wrapStore: (inner) => {
          store = new Proxy(inner, {
            get(target, property, receiver) {
              if (property === 'appendMessages') {
                return async (...args: Parameters<ServerStore['appendMessages']>) => {
                  if (failNextAppend) {
                    failNextAppend = false
                    appendFailures += 1
                    throw new Error('test: the group commit failed')
                  }
                  return target.appendMessages(...args)
                }
              }
              if (property === 'setReadPointer') {
                return async (...args: Parameters<ServerStore['setReadPointer']>) => {
                  if (!failNextReadPointer) return target.setReadPointer(...args)
                  failNextReadPointer = false
                  readPointerFailures += 1
                  throw new Error('test: the read pointer could not be stored')
                }
              }
              if (property === 'readLogAfter') {
                return async (...args: Parameters<ServerStore['readLogAfter']>) => {
                  if (failSync) {
                    syncFailures += 1
                    throw new Error('test: the log cannot be read')
                  }
                  return target.readLogAfter(...args)
                }
              }
              const value: unknown = Reflect.get(target, property, receiver)
              return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
            }
          })
          return store
        }
      }
    })
    await server.start()
    devices = new Devices(server)
  }

  afterEach(async () => {
    await devices.dispose()
    await server.dispose()
    failNextAppend = false
    appendFailures = 0
    failSync = false
    syncFailures = 0
  })

  it('messages queued offline go out before one typed at the moment of reconnect (server log and peer agree)', async () => {
    await start()
    const { alice, bob, a, b } = await signInPair(server, devices)
    await a.sendText(bob, 'online first')
    await waitFor('first delivered', async () => (await localHistory(b, alice)).length === 1)

    await server.stop()
    await waitFor('offline', () => a.status.state !== 'connected')
    for (let i = 0; i < 5; i++) await a.sendText(bob, `queued ${i}`)
    // Type the moment the link is back (before any catch-up or flush could run).
    let typed: Promise<unknown> | null = null
    const off = a.on('connection', (status) => {
      if (status.state === 'connected' && !typed) typed = a.sendText(bob, 'typed at reconnect')
    })
    await server.start()
    await waitFor('typed', () => typed !== null)
    off()
    await typed
    const expected = ['online first', ...Array.from({ length: 5 }, (_, i) => `queued ${i}`), 'typed at reconnect']
    await waitFor('all delivered', async () => (await localHistory(b, alice)).length === expected.length)
    expect(await serverLog(store, alice, bob)).toEqual(expected)
    expect((await localHistory(b, alice)).map(textOf)).toEqual(expected)
    expect((await localHistory(a, bob)).map(textOf)).toEqual(expected)
  })

  it('a failing catch-up does not hold the outbox: a message queued in the last run is sent while sync keeps failing', async () => {
    await start()
    const { alice, bob, b } = await signInPair(server, devices)
    const aDir = makeTempDir()
    const deviceId = `a-${alice}`
    const a = devices.create('a', {}, { dataDir: aDir, deviceId })
    await a.login(alice, TEST_PASSWORD)
    await server.stop()
    await waitFor('offline', () => a.status.state !== 'connected' && b.status.state !== 'connected')
    const queued = await a.sendText(bob, 'queued in the last run')
    const saved = a.credentials!
    await a.close()

    failSync = true
    await server.start()
    // Bob's device gets the message as a live push, which needs it online (its own catch-up fails too): wait for its
    // reconnect, whose jittered backoff may otherwise land after the send.
    await waitFor('bob back online', () => b.status.state === 'connected', 15_000)
    const again = devices.create('a-again', {}, { dataDir: aDir, deviceId })
    await again.resume(saved)
    await waitFor('sent although catch-up fails', async () => (await again.pageLocal(bob, null, 10)).messages[0]?.status === 'sent')
    expect(syncFailures).toBeGreaterThan(0)
    await waitFor('delivered', async () => (await localHistory(b, alice)).some((m) => m.id === queued.id))
    const failing = await again.diagnostics()
    expect(failing.lastSyncError).not.toBeNull()
    expect(failing.catchUpFailures).toBeGreaterThan(0)

    failSync = false
    await waitFor('catch-up recovers by itself', async () => (await again.diagnostics()).lastSyncError === null)
  })

  it('a log entry no check can accept is quarantined: the cursor moves past it and the messages after it arrive', async () => {
    await start()
    const { alice, bob, a, b } = await signInPair(server, devices)
    // An entry whose client id is 3 bytes: no message of ours can have it (a corrupt row, a buggy server).
    await store.appendMessages([
      { sender: alice, clientId: Uint8Array.from([1, 2, 3]), recipient: bob, chatType: 0, timestamp: Date.now(), body: pb.Body.encode({ text: { text: 'poison' } }).finish() }
    ])
    await a.sendText(bob, 'after the poison')
    await waitFor('the next message arrives', async () => (await localHistory(b, alice)).some((m) => textOf(m) === 'after the poison'))
    expect((await localHistory(b, alice)).map(textOf)).toEqual(['after the poison'])
    expect(b.syncCursor).toBe(await store.headSeq(bob))
    expect((await b.diagnostics()).quarantinedEvents).toBe(1)
  })

  it('ERROR_INTERNAL (a failed group commit) is retried: the message is sent once, in order, not failed', async () => {
    await start()
    const { alice, bob, a, b } = await signInPair(server, devices)
    failNextAppend = true
    const first = await a.sendText(bob, 'the commit of this one fails once')
    const second = await a.sendText(bob, 'and this one waits behind it')
    await waitFor('both sent', async () => (await localHistory(a, bob)).every((m) => m.status === 'sent'))
    expect(appendFailures).toBe(1)
    expect((await a.pageLocal(bob, null, 10)).messages.map((m) => [m.id, m.status])).toEqual([
      [first.id, 'sent'],
      [second.id, 'sent']
    ])
    await waitFor('delivered', async () => (await localHistory(b, alice)).length === 2)
    expect(await serverLog(store, alice, bob)).toEqual([
      'the commit of this one fails once',
      'and this one waits behind it'
    ])
  })

  it('a new device signs in from the conversation list without downloading 5,000 messages, then pages older history', async () => {
    await start()
    const alice = uniqueUser('alice')
    const peers = [uniqueUser('bob'), uniqueUser('carol')]
    await registerUsers(server, alice, ...peers)
    const TOTAL = 5_000
    const CHUNK = 500
    for (let n = 0; n < TOTAL; n += CHUNK) {
      await store.appendMessages(
        Array.from({ length: CHUNK }, (_, i) => ({
          sender: peers[(n + i) % peers.length]!,
          clientId: randomBytes(16),
          recipient: alice,
          chatType: 0,
          timestamp: Date.now(),
          body: pb.Body.encode({ text: { text: `old ${n + i}` } }).finish()
        }))
      )
    }
    const a = devices.create('a')
    await a.login(alice, TEST_PASSWORD)
    const counters = a.syncCounters!
    expect(counters.recentRequests).toBe(1)
    expect(counters.syncRequests).toBe(1) // only the (empty) log after the head
    expect(counters.eventsFetched).toBe(0)
    expect(a.syncCursor).toBe(await store.headSeq(alice))
    const conversations = await a.listConversations()
    expect(conversations.map((c) => c.id).sort()).toEqual([...peers].sort())
    const bob = peers[(TOTAL - 1) % peers.length]!
    const bobRow = conversations.find((c) => c.id === bob)!
    expect(textOf(bobRow.lastMessage!)).toBe(`old ${TOTAL - 1}`)
    expect(bobRow.unreadCount).toBe(TOTAL / peers.length)

    // In the background, the newest page of each top conversation arrives (bounded: one request each).
    await waitFor('prefetch', async () => {
      const pages = await Promise.all(peers.map((peer) => a.pageLocal(peer, null, PREFETCH_PAGE_SIZE)))
      return pages.every((page) => page.messages.length === PREFETCH_PAGE_SIZE)
    })
    expect(a.syncCounters!.historyRequests).toBe(peers.length)

    // Older history comes from the server page by page as the user scrolls.
    const newest = await a.page(bob, null, 20)
    expect(newest.messages.map(textOf).at(-1)).toBe(`old ${TOTAL - 1}`)
    expect(newest.messages).toHaveLength(20)
    const oldestShown = newest.messages[0]!.seq!
    const older = await a.page(bob, oldestShown, PREFETCH_PAGE_SIZE)
    expect(older.messages).toHaveLength(PREFETCH_PAGE_SIZE)
    expect(older.messages.every((m) => m.seq! < oldestShown)).toBe(true)
    expect(older.hasMore).toBe(true)
    expect(a.syncCounters!.historyRequests).toBe(peers.length + 1)
    expect(a.syncCounters!.eventsFetched).toBe(0)
  })

  it('reading on one device clears the unread count on the other (read pointer synced through the server)', async () => {
    await start()
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a1 = devices.create('a1')
    const a2 = devices.create('a2')
    const b = devices.create('b')
    await Promise.all([a1.login(alice, TEST_PASSWORD), a2.login(alice, TEST_PASSWORD), b.login(bob, TEST_PASSWORD)])
    for (let i = 0; i < 3; i++) await b.sendText(alice, `unread ${i}`)
    const unreadOn = async (client: typeof a1): Promise<number | undefined> =>
      (await client.listConversations()).find((c) => c.id === bob)?.unreadCount
    await waitFor('both see 3 unread', async () => (await unreadOn(a1)) === 3 && (await unreadOn(a2)) === 3)

    await a1.markRead(bob)
    expect(await unreadOn(a1)).toBe(0)
    await waitFor('a2 sees it read', async () => (await unreadOn(a2)) === 0)
    // A device that signs in later derives the same count from the server's pointer.
    const a3 = devices.create('a3')
    await a3.login(alice, TEST_PASSWORD)
    expect(await unreadOn(a3)).toBe(0)

    await b.sendText(alice, 'one more')
    await waitFor('one unread everywhere', async () =>
      (await Promise.all([a1, a2, a3].map(unreadOn))).every((count) => count === 1)
    )
  })

  it('a read pointer the server failed to store is sent again while the link stays up (no reconnect, no new read)', async () => {
    await start()
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a1 = devices.create('a1')
    const a2 = devices.create('a2')
    const b = devices.create('b')
    await Promise.all([a1.login(alice, TEST_PASSWORD), a2.login(alice, TEST_PASSWORD), b.login(bob, TEST_PASSWORD)])
    for (let i = 0; i < 3; i++) await b.sendText(alice, `unread ${i}`)
    const unreadOn = async (client: typeof a1): Promise<number | undefined> =>
      (await client.listConversations()).find((c) => c.id === bob)?.unreadCount
    await waitFor('both see 3 unread', async () => (await unreadOn(a1)) === 3 && (await unreadOn(a2)) === 3)

    failNextReadPointer = true
    await a1.markRead(bob)
    expect(await unreadOn(a1)).toBe(0)
    await waitFor('a2 sees it read without any reconnect or further read', async () => (await unreadOn(a2)) === 0)
    expect(readPointerFailures).toBe(1)
    expect(a1.status.state).toBe('connected')
  })

  it('a conversation read while offline is read on the other devices once the reader is back, even after a restart', async () => {
    await start()
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a1Dir = makeTempDir()
    const a1 = devices.create('a1', {}, { dataDir: a1Dir, deviceId: `a1-${alice}` })
    const a2 = devices.create('a2')
    const b = devices.create('b')
    await Promise.all([a1.login(alice, TEST_PASSWORD), a2.login(alice, TEST_PASSWORD), b.login(bob, TEST_PASSWORD)])
    for (let i = 0; i < 2; i++) await b.sendText(alice, `unread ${i}`)
    const unreadOn = async (client: typeof a1): Promise<number | undefined> =>
      (await client.listConversations()).find((c) => c.id === bob)?.unreadCount
    await waitFor('both see 2 unread', async () => (await unreadOn(a1)) === 2 && (await unreadOn(a2)) === 2)

    await server.stop()
    await waitFor('a1 offline', () => a1.status.state !== 'connected')
    await a1.markRead(bob) // offline: the pointer moves in a1's store and waits there
    expect(await unreadOn(a1)).toBe(0)
    const saved = a1.credentials!
    await a1.close() // and the app is closed before the link comes back
    await server.start()
    await waitFor('a2 reconnected', () => a2.status.state === 'connected')
    expect(await unreadOn(a2)).toBe(2)

    const a1Again = devices.create('a1-again', {}, { dataDir: a1Dir, deviceId: `a1-${alice}` })
    await a1Again.resume(saved)
    await waitFor('a2 sees it read', async () => (await unreadOn(a2)) === 0)
  })

  it('BOB and bob are one conversation; lookupUser answers the canonical id or USER_NOT_FOUND', async () => {
    await start()
    const { alice, bob, a, b } = await signInPair(server, devices)
    await expect(a.lookupUser(`  ${bob.toUpperCase()} `)).resolves.toBe(bob)
    await expect(a.lookupUser(uniqueUser('ghost'))).rejects.toMatchObject({ code: 'USER_NOT_FOUND' })
    await a.sendText(bob.toUpperCase(), 'to BOB')
    await a.sendText(bob, 'to bob')
    await waitFor('both acked', async () => (await localHistory(a, bob)).filter((m) => m.status === 'sent').length === 2)
    expect((await a.listConversations()).map((c) => c.id)).toEqual([bob])
    await waitFor('delivered', async () => (await localHistory(b, alice)).length === 2)
    expect((await b.listConversations()).map((c) => c.id)).toEqual([alice])
  })

  it('sign-out revokes the session on the server: the saved token no longer resumes', async () => {
    await start()
    const alice = uniqueUser('alice')
    await registerUsers(server, alice)
    const a = devices.create('a', {}, { deviceId: 'alice-laptop' })
    await a.login(alice, TEST_PASSWORD)
    const saved = a.credentials!
    await a.signOut()
    expect(a.session).toBeNull()
    const again = devices.create('a-again', {}, { deviceId: 'alice-laptop' })
    await expect(again.resume(saved)).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' })
  })

  it('a message body from a newer version is kept (not an empty text) and shown after an upgrade without refetching', async () => {
    await start()
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const bobDir = makeTempDir()
    const a = devices.create('a')
    const b = devices.create('b', {}, { dataDir: bobDir })
    await a.login(alice, TEST_PASSWORD)
    await b.login(bob, TEST_PASSWORD)
    // A future content type: Body field 19 (a "sticker" name), which this version does not know.
    const futureBody = $protobuf.Writer.create().uint32((19 << 3) | 2).string('cat').finish()
    await store.appendMessages([
      { sender: alice, clientId: randomBytes(16), recipient: bob, chatType: 0, timestamp: Date.now(), body: futureBody }
    ])
    await a.sendText(bob, 'and a text after it')
    await waitFor('b has both', async () => (await localHistory(b, alice)).length === 2)
    const kept = (await localHistory(b, alice))[0]!
    expect(kept.content.type).toBe('unsupported')
    const cursor = b.syncCursor!
    const saved = b.credentials!
    await b.close()

    // The "upgraded" app knows stickers: the stored bytes are decoded again at start, nothing is fetched.
    const newer: LogEntryDecoder = (raw, me) => {
      const entry = decodeLogEntry(raw, me)
      if (entry.kind !== 'unsupportedMessage') return entry
      return { kind: 'message', seq: entry.seq, bytes: entry.bytes, message: { ...entry.message, content: { type: 'text', text: '[sticker]' } } }
    }
    const upgraded = devices.create('b-upgraded', {}, { dataDir: bobDir, decoder: newer, deviceId: b.deviceId })
    await upgraded.resume(saved)
    expect(upgraded.syncCursor).toBe(cursor)
    expect((await localHistory(upgraded, alice)).map(textOf)).toEqual(['[sticker]', 'and a text after it'])
    expect(upgraded.syncCounters!.eventsFetched).toBe(0)
  })
})
