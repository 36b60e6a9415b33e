// The client store's worker thread dying for real (an uncaught exception, an exit, a terminate as an out-of-memory
// kill would) while two devices send and sync against the real server: the proxy restarts it on the same database
// and the session goes on. Nothing the server acked is lost, nothing is shown twice, and chat works afterwards.
// The server is read through its store interface (wrapStore captures it), never through its SQLite file.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatClient } from '../../src/main/core/client'
import { openWorkerMessageStore, type WorkerMessageStore } from '../../src/main/core/store/worker/worker-store'
import { pb } from '../../src/shared/proto/codec'
import type { ServerStore } from '../../src/server/store/types'
import { FAST_TIMINGS, localHistory, makeTempDir, registerUsers, removeDir, TEST_PASSWORD, TestServer, textOf, uniqueUser, waitFor } from './helpers/env'

const MESSAGES = 40
/** Crashes spread over the sends: each one hits whatever is in flight (a send's outbox write, a push, a catch-up). */
const CRASHES_PER_DEVICE = 3
const CRASH_EVERY_MS = 400

/** The server's log of one conversation as `user` sees it, oldest first, as texts (through the store interface). */
async function serverTexts(store: ServerStore, user: string, peer: string): Promise<string[]> {
  const entries = await store.readConversation(user, peer, 0, 10_000)
  return entries
    .filter((e) => e.message)
    .reverse()
    .map((e) => pb.Body.decode(e.message!.body).text?.text ?? '<non-text>')
}

describe('the client store worker dies during sync and sending', () => {
  let server: TestServer
  let serverStore: ServerStore
  const dirs: string[] = []
  const clients: ChatClient[] = []

  beforeAll(async () => {
    server = new TestServer({
      testHooks: {
        wrapStore: (inner) => {
          serverStore = inner
          return inner
        }
      }
    })
    await server.start()
  })
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()))
    for (const dir of dirs) removeDir(dir)
    await server.dispose()
  })

  /** A device whose store is the worker store (as in the shells), with a handle on it to kill its thread. */
  function device(label: string): { client: ChatClient; store: () => WorkerMessageStore } {
    const dataDir = makeTempDir()
    dirs.push(dataDir)
    let opened: WorkerMessageStore | null = null
    const client = new ChatClient({
      serverUrl: server.url,
      deviceId: `${label}-${randomUUID()}`,
      dataDir,
      platform: 'desktop',
      timings: FAST_TIMINGS,
      openStore: async (path, options) => (opened = await openWorkerMessageStore(path, options))
    })
    clients.push(client)
    return {
      client,
      store: () => {
        if (!opened) throw new Error('the store is not open')
        return opened
      }
    }
  }

  it('restarts the worker; every acked message arrives once on both devices; chat goes on', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = device('a')
    const b = device('b')
    await a.client.login(alice, TEST_PASSWORD)
    await b.client.login(bob, TEST_PASSWORD)

    // Alice sends while both devices' store threads are killed now and then (alice's outbox writes and acks,
    // bob's live pushes and the catch-ups that follow a failed one).
    const accepted: string[] = []
    const refused: string[] = []
    const sending = (async () => {
      for (let i = 0; i < MESSAGES; i++) {
        const text = `m${i}`
        await a.client.sendText(bob, text).then(
          () => accepted.push(text),
          (err: unknown) => refused.push(`${text}: ${String(err)}`)
        )
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()
    const crashing = (async () => {
      const ways = ['throw', 'terminate', 'exit'] as const
      for (let i = 0; i < CRASHES_PER_DEVICE; i++) {
        await new Promise((resolve) => setTimeout(resolve, CRASH_EVERY_MS))
        await Promise.all([a.store().crashWorkerForTest(ways[i % ways.length]), b.store().crashWorkerForTest(ways[(i + 1) % ways.length])])
        // The next crash hits a running store again, not one still opening (a call waits for the restart).
        await Promise.all([a.store().getCursor(), b.store().getCursor()])
      }
    })()
    await Promise.all([sending, crashing])
    expect(a.store().restarts).toBe(CRASHES_PER_DEVICE)
    expect(b.store().restarts).toBe(CRASHES_PER_DEVICE)
    // The outbox retries a write the crash interrupted: no send the user made is refused.
    expect(refused).toEqual([])

    // Every accepted message reaches the server once, in the order written.
    await waitFor('every accepted message on the server', async () => (await serverTexts(serverStore, alice, bob)).length >= accepted.length)
    const onServer = await serverTexts(serverStore, alice, bob)
    expect(onServer).toEqual(accepted)

    // Both devices show exactly the server's log: sent on alice's, received on bob's, nothing twice.
    await waitFor('alice sees every message sent', async () => {
      const history = await localHistory(a.client, bob)
      return history.length === onServer.length && history.every((m) => m.status === 'sent')
    })
    await waitFor('bob has every message', async () => (await localHistory(b.client, alice)).length >= onServer.length)
    expect((await localHistory(a.client, bob)).map(textOf)).toEqual(onServer)
    expect((await localHistory(b.client, alice)).map(textOf)).toEqual(onServer)

    // The session keeps working after the restarts: both ways.
    // One after the other (the reply once it arrived), so the expected order is the order the server gave them.
    await b.client.sendText(alice, 'still here')
    await waitFor('alice gets the reply', async () => (await localHistory(a.client, bob)).some((m) => textOf(m) === 'still here'))
    await a.client.sendText(bob, 'me too')
    await waitFor('bob gets the last message', async () => (await localHistory(b.client, alice)).some((m) => textOf(m) === 'me too'))
    const last = await localHistory(b.client, alice)
    expect(last.map(textOf)).toEqual([...onServer, 'still here', 'me too'])
  })
})
