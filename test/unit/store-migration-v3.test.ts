// Unit test for migration 003 on a real version-2 file: mixed-case user ids merge into one conversation keyed by
// (type, canonical id) with nothing lost, unread counts become read pointers, and search is rebuilt.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { openMessageStore } from '../../src/main/core/store'
import { readSchemaVersion, runMigrations } from '../../src/main/core/store/migrate'
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/main/core/store/migrations'
import type { ChatMessage } from '../../src/shared/model'
import { chat, incoming, ME, outgoing, tempDir, type TempDir } from './store-helpers'

/** Writes `message` as a version-2 row (no search key; plain text stored once in `text`). */
function insertV2(db: Database.Database, message: ChatMessage): void {
  db.prepare(
    `INSERT INTO messages (id, server_id, conversation_id, chat_type, sender, recipient, direction, type, body, text,
       timestamp, seq, status, error)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'text', NULL, ?, ?, ?, ?, NULL)`
  ).run(
    message.id,
    message.serverId,
    message.conversationId,
    message.chatType,
    message.from,
    message.to,
    message.direction,
    message.content.type === 'text' ? message.content.text : '',
    message.timestamp,
    message.seq,
    message.status
  )
}

describe('migration 003 on a version-2 database', () => {
  let tmp: TempDir
  beforeEach(() => {
    tmp = tempDir()
  })
  afterEach(() => tmp.remove())

  it('merges BOB and bob into one conversation, loses no message, keeps the unread count and searches the old rows', async () => {
    const file = tmp.file('v2.db')
    const v2 = new Database(file)
    expect(runMigrations(v2, MIGRATIONS.filter((m) => m.version <= 2))).toBe(2)
    // Before canonical ids, starting a chat with 'BOB' and receiving from 'bob' made two conversations.
    const upper = [
      incoming('BOB', 1, 'hello from upper bob', { from: 'BOB' }),
      incoming('BOB', 2, 'second upper message', { from: 'BOB' }),
      { ...incoming('BOB', 3, 'my reply to upper'), from: ME, to: 'BOB', direction: 'out' as const, status: 'sent' as const }
    ]
    const lower = [incoming('bob', 4, 'lower bob speaking'), incoming('bob', 5, 'lower bob again')]
    const pending = { ...outgoing('Bob', 'still in the outbox', 1_790_000_009_000), conversationId: 'Bob' }
    const carol = incoming('carol', 6, 'carol is unaffected')
    for (const message of [...upper, ...lower, pending, carol]) insertV2(v2, message)
    const conversation = v2.prepare(
      `INSERT INTO conversations (id, chat_type, last_message_id, unread_count, updated_at) VALUES (?, 'single', ?, ?, ?)`
    )
    conversation.run('BOB', upper[2]!.id, 2, upper[2]!.timestamp)
    conversation.run('bob', lower[1]!.id, 1, lower[1]!.timestamp)
    conversation.run('Bob', pending.id, 0, pending.timestamp)
    conversation.run('carol', carol.id, 1, carol.timestamp)
    v2.prepare(`INSERT INTO sync_state (key, value) VALUES ('cursor', 6)`).run()
    v2.close()

    const store = await openMessageStore(file)
    const listed = await store.listConversations()
    expect(listed.map((c) => [c.chatType, c.id, c.unreadCount])).toEqual([
      ['single', 'bob', 3],
      ['single', 'carol', 1]
    ])
    // The newest message of the merged conversation is the last one (the unacked one is newer than seq 5).
    expect(listed[0]!.lastMessage?.id).toBe(pending.id)
    // Every message is there once, in order, with canonical ids; 'BOB' finds the same conversation.
    const page = await store.page(chat('BOB'), null, 50)
    expect(page.messages.map((m) => m.id)).toEqual([...upper, ...lower, pending].map((m) => m.id))
    for (const message of page.messages) {
      expect(message.conversationId).toBe('bob')
      expect([message.from, message.to].sort()).toEqual([ME, 'bob'].sort())
    }
    expect((await store.pendingOutbox()).map((m) => m.id)).toEqual([pending.id])
    // Three unread (2 + 1) as a pointer: the three newest incoming messages (2, 4, 5) are after it.
    expect(listed[0]!.readSeq).toBe(1)
    const carolNow = listed[1]!
    expect(carolNow.readSeq).toBe(5)
    expect(await store.getCursor()).toBe(6)
    // Search was rebuilt over the old rows (substring of a word, too).
    expect((await store.search('upper', 10)).map((m) => m.id)).toEqual([upper[2]!.id, upper[1]!.id, upper[0]!.id])
    expect((await store.search('peak', 10)).map((m) => m.id)).toEqual([lower[0]!.id])
    // Reading the merged conversation clears it on every spelling.
    expect(await store.markRead(chat('Bob'))).toMatchObject({ conversation: { id: 'bob', unreadCount: 0 }, readSeq: 5 })
    await store.close()

    const db = new Database(file)
    expect(readSchemaVersion(db)).toBe(LATEST_SCHEMA_VERSION)
    expect(db.pragma('foreign_key_check')).toEqual([])
    expect(db.prepare(`SELECT count(*) AS n FROM messages`).get()).toEqual({ n: 7 })
    db.close()
  })

  it('canonicalises ids on the way in: a message to BOB and one from bob share a conversation', async () => {
    const store = await openMessageStore(':memory:')
    const mine = outgoing(' BOB ', 'typed with capitals')
    await store.addOutgoing(mine)
    await store.applyEvents([incoming('bob', 1, 'answer', { from: 'Bob', conversationId: 'Bob' })], 1)
    const listed = await store.listConversations()
    expect(listed.map((c) => c.id)).toEqual(['bob'])
    const page = await store.page(chat('bob'), null, 50)
    expect(page.messages.map((m) => [m.from, m.to, m.conversationId])).toEqual([
      ['bob', ME, 'bob'],
      [ME, 'bob', 'bob']
    ])
    await expect(store.page({ type: 'single', id: 'not a user!' }, null, 10)).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' })
    await expect(store.page({ type: 'channel', id: 'bob' } as never, null, 10)).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' })
    await store.close()
  })
})
