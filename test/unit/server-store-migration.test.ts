// Covers the server schema's upgrade from version 1 (seed servers): a database written with the version-1 schema
// is opened by the current store and read back through the ServerStore interface only.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { MIGRATIONS } from '../../src/server/store/migrations'
import { DATABASE_FILE_NAME, openSqliteStore } from '../../src/server/store/sqlite'
import type { ServerStore } from '../../src/server/store/types'
import { makeTempDir, removeDir } from '../support/test-server'

const dirs: string[] = []
const stores: ServerStore[] = []

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  for (const dir of dirs.splice(0)) removeDir(dir)
})

/** Writes what a version-1 server left behind: alice sent bob two messages, bob answered once. */
function writeVersionOneDatabase(dir: string): void {
  fs.mkdirSync(dir, { recursive: true })
  const db = new Database(path.join(dir, DATABASE_FILE_NAME))
  db.exec(MIGRATIONS[0] as string)
  db.pragma('user_version = 1')
  const user = db.prepare('INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?)')
  user.run('alice', 'h', 1)
  user.run('bob', 'h', 1)
  const message = db.prepare(
    'INSERT INTO messages (sender, client_id, recipient, chat_type, ts, body, sender_seq) VALUES (?, ?, ?, 0, ?, ?, ?)'
  )
  const log = db.prepare('INSERT INTO user_log (user, seq, conversation, server_id) VALUES (?, ?, ?, ?)')
  const rows: [string, string, number, number][] = [
    ['alice', 'bob', 1, 1],
    ['alice', 'bob', 2, 2],
    ['bob', 'alice', 3, 3]
  ]
  rows.forEach(([sender, recipient, senderSeq, recipientSeq], index) => {
    const serverId = index + 1
    message.run(sender, Buffer.alloc(16, serverId), recipient, 1000 + serverId, Buffer.from(`m${serverId}`), senderSeq)
    log.run(sender, senderSeq, recipient, serverId)
    log.run(recipient, recipientSeq, sender, serverId)
  })
  db.close()
}

describe('server schema upgrade', () => {
  it('keeps a version-1 log readable, counts what it held as read, and continues its sequences', async () => {
    const dir = makeTempDir()
    dirs.push(dir)
    writeVersionOneDatabase(dir)
    const store = openSqliteStore(dir)
    stores.push(store)

    const bobLog = await store.readLogAfter('bob', 0, 10)
    expect(bobLog.map((entry) => [entry.seq, entry.message?.sender, new TextDecoder().decode(entry.message?.body)])).toEqual([
      [1, 'alice', 'm1'],
      [2, 'alice', 'm2'],
      [3, 'bob', 'm3']
    ])
    const [conversation] = await store.recentConversations('bob', null, 10)
    expect(conversation).toMatchObject({ conversation: 'alice', readSeq: 3, unread: 0, last: { seq: 3 } })

    const [next] = await store.appendMessages([
      { sender: 'alice', recipient: 'bob', clientId: new Uint8Array(16).fill(9), chatType: 0, timestamp: 2000, body: new Uint8Array([1]) }
    ])
    expect([next?.message.senderSeq, next?.recipientSeq]).toEqual([4, 4])
    expect((await store.recentConversations('bob', null, 10))[0]).toMatchObject({ unread: 1, last: { seq: 4 } })
    // The resend check still covers messages from before the upgrade.
    const [resend] = await store.appendMessages([
      { sender: 'alice', recipient: 'bob', clientId: new Uint8Array(16).fill(1), chatType: 0, timestamp: 3000, body: new Uint8Array([2]) }
    ])
    expect(resend).toMatchObject({ duplicate: true, message: { serverId: 1, senderSeq: 1 } })
  })
})
