// Unit tests for the store's schema migrations: fresh and existing databases, STRICT tables, rollback of a
// failing migration, and refusing databases from a newer Parley or files that are not databases.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import Database from 'better-sqlite3'
import { openMessageStore, StoreError, LATEST_SCHEMA_VERSION } from '../../src/main/core/store'
import { runMigrations, readSchemaVersion } from '../../src/main/core/store/migrate'
import { MIGRATIONS } from '../../src/main/core/store/migrations'
import { incoming, tempDir, type TempDir } from './store-helpers'

function tableNames(db: Database.Database): string[] {
  return (db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map(
    (row) => row.name
  )
}

describe('store migrations', () => {
  let tmp: TempDir
  beforeEach(() => {
    tmp = tempDir()
  })
  afterEach(() => tmp.remove())

  it('knows its migrations in order, one per version, starting at 1', () => {
    // Issue 7 pre-allocated numbers per branch (008-013): a version may be missing until its branch is merged.
    const versions = MIGRATIONS.map((m) => m.version)
    expect(versions[0]).toBe(1)
    for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1]!)
    expect(LATEST_SCHEMA_VERSION).toBe(versions.at(-1))
  })

  it('creates the latest schema on a fresh database, with STRICT tables', () => {
    const db = new Database(':memory:')
    expect(readSchemaVersion(db)).toBe(0)
    expect(runMigrations(db)).toBe(LATEST_SCHEMA_VERSION)
    expect(readSchemaVersion(db)).toBe(LATEST_SCHEMA_VERSION)
    const tables = tableNames(db)
    for (const name of ['messages', 'conversations', 'sync_state', 'messages_fts', 'messages_cjk', 'unknown_events', 'quarantined_events']) {
      expect(tables).toContain(name)
    }
    const strict = db.prepare(`SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table'`).all() as {
      name: string
      strict: number
    }[]
    for (const name of ['messages', 'conversations', 'sync_state', 'unknown_events', 'quarantined_events']) {
      expect(strict.find((t) => t.name === name)?.strict).toBe(1)
    }
    // STRICT really is enforced: a string where an INTEGER belongs is refused.
    expect(() =>
      db.prepare(`INSERT INTO conversations (id, chat_type, unread_count, updated_at) VALUES ('x', 'single', 'lots', 0)`).run()
    ).toThrow(/cannot store TEXT value in INTEGER column/)
    const triggers = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'trigger'`).all() as { name: string }[]
    // Five keep the search indexes in step; one (migration 013) keeps messages deleted for me from coming back.
    expect(triggers).toHaveLength(6)
    expect(triggers.map((t) => t.name)).toContain('messages_not_deleted_for_me')
    // Running again is a no-op.
    expect(runMigrations(db)).toBe(LATEST_SCHEMA_VERSION)
    db.close()
  })

  it('opens a file store in WAL mode, creating its folder', async () => {
    const file = tmp.file('nested/folder/alice.db')
    const store = await openMessageStore(file)
    expect(fs.existsSync(file)).toBe(true)
    await store.close()
    const db = new Database(file)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
  })

  it('upgrades an existing version-1 database without losing its rows', async () => {
    const file = tmp.file('old.db')
    const v1 = new Database(file)
    expect(runMigrations(v1, MIGRATIONS.filter((m) => m.version === 1))).toBe(1)
    const old = incoming('bob', 7, 'written before search existed')
    v1.prepare(
      `INSERT INTO messages (id, server_id, conversation_id, chat_type, sender, recipient, direction, type, body, text,
         timestamp, seq, status, error)
       VALUES (?, ?, ?, 'single', ?, ?, 'in', 'text', ?, ?, ?, ?, 'received', NULL)`
    ).run(old.id, old.serverId, old.conversationId, old.from, old.to, null, 'written before search existed', old.timestamp, old.seq)
    v1.prepare(`INSERT INTO sync_state (key, value) VALUES ('cursor', 7)`).run()
    expect(tableNames(v1)).not.toContain('messages_fts')
    v1.close()

    const store = await openMessageStore(file)
    expect(await store.getMessage(old.id)).toEqual(old)
    expect(await store.getCursor()).toBe(7)
    // The search migration indexed the row that already existed.
    expect((await store.search('search existed', 10)).map((m) => m.id)).toEqual([old.id])
    await store.close()

    const db = new Database(file)
    expect(readSchemaVersion(db)).toBe(LATEST_SCHEMA_VERSION)
    db.close()
  })

  it('refuses a database written by a newer version, and leaves it untouched', async () => {
    const file = tmp.file('future.db')
    const future = new Database(file)
    runMigrations(future)
    future.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`)
    future.close()

    const error = await openMessageStore(file).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).code).toBe('STORE_NEWER_VERSION')
    expect((error as StoreError).message).toMatch(/newer version of Parley/)
    expect((error as StoreError).toAppError().code).toBe('STORE_ERROR')

    const db = new Database(file)
    expect(readSchemaVersion(db)).toBe(LATEST_SCHEMA_VERSION + 1)
    db.close()
  })

  it('rolls back a failing migration as a whole', () => {
    const db = new Database(':memory:')
    const broken = [
      ...MIGRATIONS.filter((m) => m.version === 1),
      {
        version: 2,
        up(target: Database.Database) {
          target.exec('CREATE TABLE half_done (x INTEGER) STRICT')
          target.exec('THIS IS NOT SQL')
        }
      }
    ]
    expect(() => runMigrations(db, broken)).toThrow(StoreError)
    expect(readSchemaVersion(db)).toBe(1)
    expect(tableNames(db)).not.toContain('half_done')
    db.close()
  })

  it('reports a file that is not a database as corrupt', async () => {
    const file = tmp.file('garbage.db')
    fs.writeFileSync(file, Buffer.alloc(8192, 0x5a))
    const error = await openMessageStore(file).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).code).toBe('STORE_CORRUPT')
  })
})
