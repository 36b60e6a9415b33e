// PostgreSQL restarting under a running server (a clean restart and a crash): sends turn into retries and none is
// lost or duplicated, the server recovers by itself; a transaction whose connection drops never half-commits; a
// server started while PostgreSQL is down fails with a sentence instead of hanging. Runs its own PostgreSQL cluster.
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import { pb } from '../../src/shared/proto/codec'
import { startServer } from '../../src/server'
import { openPostgresConnection, PostgresError } from '../../src/server/store/postgres/sync-connection'
import type { ServerStore } from '../../src/server/store/types'
import { describeWithEngines } from '../support/engines'
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres'
import { Devices, localHistory, makeTempDir, removeDir, signInPair, TestServer, textOf, waitFor } from './helpers/env'

const MESSAGES_PER_SENDER = 50
const SEND_GAP_MS = 25
/** When the restarts happen, counted from the first send: both fall in the middle of the traffic. */
const FAST_RESTART_AFTER_MS = 300
const CRASH_AFTER_FAST_MS = 600
/** A server start against a stopped PostgreSQL must give up within this. */
const START_DOWN_BOUND_MS = 30_000

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** One direction of a conversation on the server, oldest first, as texts (read through the store interface). */
async function serverTexts(store: ServerStore, user: string, peer: string): Promise<string[]> {
  const entries = await store.readConversation(user, peer, 0, 10_000)
  return entries
    .filter((entry) => entry.message)
    .reverse()
    .map((entry) => pb.Body.decode(entry.message!.body).text?.text ?? '<non-text>')
}

/** Sends `count` numbered texts one after another; the outbox takes each, and retries it until it is acked. */
async function sendSeries(client: ChatClient, to: string, prefix: string, count: number, refused: string[]): Promise<string[]> {
  const texts: string[] = []
  for (let i = 0; i < count; i++) {
    const text = `${prefix}${i}`
    await client.sendText(to, text).then(
      () => texts.push(text),
      (err: unknown) => refused.push(`${text}: ${String(err)}`)
    )
    await sleep(SEND_GAP_MS)
  }
  return texts
}

describeWithEngines('PostgreSQL restarts under a running server', () => {
  let cluster: PrivatePostgres

  beforeAll(async () => {
    cluster = await startPrivatePostgres()
  })
  afterAll(async () => {
    await cluster?.dispose()
  })

  it('sends during a clean restart and a crash of PostgreSQL are retried until acked: none lost or doubled', async () => {
    let serverStore: ServerStore | null = null
    /** Appends the store failed during the outages: proof the restarts hit the traffic. */
    let failedAppends = 0
    const server = new TestServer({
      databaseUrl: cluster.url,
      testHooks: {
        wrapStore: (inner) => {
          serverStore = inner
          return {
            ...inner,
            appendMessages: (messages) =>
              inner.appendMessages(messages).catch((err: unknown) => {
                failedAppends++
                throw err
              })
          }
        }
      }
    })
    const devices = new Devices(server)
    try {
      await server.start()
      const { alice, bob, a, b } = await signInPair(server, devices)
      const refused: string[] = []
      const sending = Promise.all([
        sendSeries(a, bob, 'a', MESSAGES_PER_SENDER, refused),
        sendSeries(b, alice, 'b', MESSAGES_PER_SENDER, refused)
      ])
      await sleep(FAST_RESTART_AFTER_MS)
      await cluster.restart('fast')
      await sleep(CRASH_AFTER_FAST_MS)
      await cluster.restart('immediate')
      const [fromAlice, fromBob] = await sending
      // The outbox took every send: a store outage is a retry, never a refusal.
      expect(refused).toEqual([])
      expect(failedAppends).toBeGreaterThan(0)

      // Every message reaches the server exactly once, in each sender's order.
      const store = serverStore as ServerStore | null
      if (!store) throw new Error('the server store was not captured')
      const inOrder = (texts: string[], prefix: string): string[] => texts.filter((text) => text.startsWith(prefix))
      // Reads may still meet the end of the outage (the store fails calls for a moment after a failed connect): retried.
      await waitFor(
        'every message stored',
        async () => (await serverTexts(store, alice, bob).catch(() => [])).length >= 2 * MESSAGES_PER_SENDER,
        60_000
      )
      const stored = await serverTexts(store, alice, bob)
      expect(stored).toHaveLength(2 * MESSAGES_PER_SENDER)
      expect(inOrder(stored, 'a')).toEqual(fromAlice)
      expect(inOrder(stored, 'b')).toEqual(fromBob)

      // Both devices end with the server's history, everything acked, nothing twice.
      await waitFor('both devices have every message, acked', async () => {
        const [onA, onB] = [await localHistory(a, bob), await localHistory(b, alice)]
        const own = [...onA.filter((m) => m.from === alice), ...onB.filter((m) => m.from === bob)]
        return onA.length === stored.length && onB.length === stored.length && own.every((m) => m.status === 'sent')
      }, 60_000)
      expect((await localHistory(a, bob)).map(textOf).sort()).toEqual([...stored].sort())
      expect((await localHistory(b, alice)).map(textOf).sort()).toEqual([...stored].sort())

      // The server recovered by itself: a new send goes through at once, both ways.
      await a.sendText(bob, 'after the restarts')
      await b.sendText(alice, 'heard you')
      await waitFor('bob gets the new message', async () => (await localHistory(b, alice)).some((m) => textOf(m) === 'after the restarts'))
      await waitFor('alice gets the answer', async () => (await localHistory(a, bob)).some((m) => textOf(m) === 'heard you'))
    } finally {
      await devices.dispose()
      await server.dispose()
    }
  })

  it('a transaction whose connection drops between two statements fails whole: nothing of it commits', () => {
    const db = openPostgresConnection({ url: cluster.url, applicationName: 'parley-drop-test' })
    try {
      db.execute('CREATE TABLE IF NOT EXISTS drop_test (step TEXT PRIMARY KEY)')
      const insert = db.prepare<[string]>('INSERT INTO drop_test (step) VALUES (?)')
      const pause = new Int32Array(new SharedArrayBuffer(4))
      expect(() =>
        db.atomically(false, () => {
          insert.run('before')
          // Another session ends this one while it sits idle in its transaction, as a PostgreSQL restart does.
          terminateBackends(cluster.url, 'parley-drop-test')
          // Time for the I/O thread to see the connection go before the next statement arrives.
          Atomics.wait(pause, 0, 0, 300)
          insert.run('after')
        })
      ).toThrow(PostgresError)
      // Neither half committed; the connection works again for the next transaction.
      expect(db.execute('SELECT step FROM drop_test ORDER BY step')).toEqual([])
      db.atomically(false, () => insert.run('next'))
      expect(db.execute('SELECT step FROM drop_test ORDER BY step')).toEqual([{ step: 'next' }])
    } finally {
      db.close()
    }
  })

  it('a server started while PostgreSQL is down fails with a sentence, within a bound, and starts once it is up', async () => {
    const dataDir = makeTempDir()
    await cluster.stop('fast')
    try {
      const started = Date.now()
      const failure = await startServer({ host: '127.0.0.1', port: 0, dataDir, databaseUrl: cluster.url }).then(
        async (handle) => {
          await handle.close()
          throw new Error('the server started without its database')
        },
        (err: unknown) => err as Error
      )
      expect(Date.now() - started).toBeLessThan(START_DOWN_BOUND_MS)
      expect(failure.message).toMatch(/database/i)
      await cluster.start()
      const handle = await startServer({ host: '127.0.0.1', port: 0, dataDir, databaseUrl: cluster.url })
      await handle.close()
    } finally {
      await cluster.start().catch(() => {})
      removeDir(dataDir)
    }
  })
})

/** Ends the connections of one application name from another session (psql, synchronous: called inside a transaction). */
function terminateBackends(url: string, applicationName: string): void {
  execFileSync('psql', [url, '-Atc', `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${applicationName}'`])
}
