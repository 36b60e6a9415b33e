// The PostgreSQL store's batched append reads its tables by index however young the tables were when its statements
// were first planned: a generic plan made while messages and user_log were nearly empty once scanned them whole on
// every batch, for the life of the connection (bench:cluster's throughput halved and its p99 reached seconds).
import crypto from 'node:crypto'
import pg from 'pg'
import { afterEach, expect, it } from 'vitest'
import { openServerStore } from '../../src/server/store/worker-store'
import type { NewMessage } from '../../src/server/store/types'
import { describeWithEngines } from '../support/engines'
import { createTestDatabase, dropTestDatabase } from '../support/test-database'
import { makeTempDir, removeDir } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

const USERS = 200
/** Small batches first: PostgreSQL settles on a prepared statement's generic plan after five runs. */
const WARM_UP_BATCHES = 8
const BULK_BATCHES = 20
const BULK_BATCH_SIZE = 500
const STATS_WAIT_MS = 15_000

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function message(sender: string, recipient: string): NewMessage {
  return {
    sender,
    recipient,
    clientId: new Uint8Array(crypto.randomBytes(16)),
    chatType: 0,
    timestamp: Date.now(),
    body: new TextEncoder().encode('hello')
  }
}

interface TableScans {
  seqTupRead: number
  inserted: number
}

async function tableScans(client: pg.Client, table: string): Promise<TableScans> {
  await client.query('SELECT pg_stat_clear_snapshot()')
  const { rows } = await client.query<{ seq_tup_read: string; n_tup_ins: string }>(
    'SELECT seq_tup_read, n_tup_ins FROM pg_stat_user_tables WHERE relname = $1',
    [table]
  )
  return { seqTupRead: Number(rows[0]?.seq_tup_read ?? 0), inserted: Number(rows[0]?.n_tup_ins ?? 0) }
}

describeWithEngines('PostgreSQL store: query plans as the tables grow', () => {
  it('never scans messages or user_log whole while appending, after its statements were planned on empty tables', async () => {
    const databaseUrl = await createTestDatabase()
    cleanups.push(() => dropTestDatabase(databaseUrl))
    const dir = makeTempDir()
    cleanups.push(() => removeDir(dir))
    const admin = new pg.Client({ connectionString: databaseUrl })
    await admin.connect()
    cleanups.push(() => admin.end())

    const store = await openServerStore(dir, { databaseUrl })
    let open = true
    cleanups.push(async () => {
      if (open) await store.close()
    })
    // Autovacuum's ANALYZE would refresh the plans part-way; the bug lives in the time before it runs.
    await admin.query('ALTER TABLE messages SET (autovacuum_enabled = false)')
    await admin.query('ALTER TABLE user_log SET (autovacuum_enabled = false)')

    const users = Array.from({ length: USERS }, (_, i) => `user${i}`)
    for (const user of users) await store.createUser(user, 'hash', 1)
    for (let batch = 0; batch < WARM_UP_BATCHES; batch++) await store.appendMessages([message('user0', 'user1')])
    for (let batch = 0; batch < BULK_BATCHES; batch++) {
      const messages = Array.from({ length: BULK_BATCH_SIZE }, (_, i) => message(users[i % USERS] as string, users[(i * 7 + 1) % USERS] as string))
      const results = await store.appendMessages(messages)
      expect(results.every((result) => !result.duplicate)).toBe(true)
    }
    const expected = WARM_UP_BATCHES + BULK_BATCHES * BULK_BATCH_SIZE
    // The store's connection reports its table statistics when it ends.
    await store.close()
    open = false

    let messages = await tableScans(admin, 'messages')
    const deadline = Date.now() + STATS_WAIT_MS
    while (messages.inserted < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      messages = await tableScans(admin, 'messages')
    }
    expect(messages.inserted).toBe(expected)
    const userLog = await tableScans(admin, 'user_log')
    // One whole read of either table over the run would already pass these bounds.
    expect(messages.seqTupRead).toBeLessThan(expected)
    expect(userLog.seqTupRead).toBeLessThan(expected)
  })
})
