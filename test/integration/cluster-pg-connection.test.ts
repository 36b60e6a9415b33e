// The store's synchronous PostgreSQL connection: a transaction waits on PostgreSQL once per statement (its BEGIN, and
// the write lock, go with the first; a snapshot's COMMIT is not waited for), and keeps its meaning: a snapshot holds
// across its statements, the next transaction sees what committed meanwhile, a write holds the nodes' write lock.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openPostgresConnection, WRITE_LOCK_KEY, type PostgresSyncConnection } from '../../src/server/store/postgres/sync-connection'
import { describeWithEngines } from '../support/engines'
import { createTestDatabase, dropTestDatabase } from '../support/test-database'

describeWithEngines('the store connection to PostgreSQL', () => {
  let url: string
  let db: PostgresSyncConnection
  let other: PostgresSyncConnection

  beforeAll(async () => {
    url = await createTestDatabase()
    db = openPostgresConnection({ url, applicationName: 'parley-connection-test' })
    other = openPostgresConnection({ url, applicationName: 'parley-connection-other' })
    db.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)')
  })
  afterAll(async () => {
    db?.close()
    other?.close()
    if (url) await dropTestDatabase(url)
  })

  it('a transaction waits once per statement: no answer waited for its BEGIN, nor for a snapshot COMMIT', () => {
    const insert = db.prepare<[number, string]>('INSERT INTO notes (id, text) VALUES (?, ?)')
    const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM notes')
    let before = db.waits
    db.atomically(false, () => insert.run(1, 'one'))
    // The insert (with BEGIN and the lock) and the COMMIT, which a write must wait for.
    expect(db.waits - before).toBe(2)
    before = db.waits
    expect(db.atomically(true, () => count.get()?.n)).toBe(1)
    expect(db.waits - before).toBe(1)
    before = db.waits
    db.atomically(true, () => undefined)
    db.atomically(false, () => undefined)
    expect(db.waits - before).toBe(0)
  })

  it('a snapshot holds across its statements; the next one sees what committed meanwhile', () => {
    const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM notes')
    const insertElsewhere = other.prepare<[number, string]>('INSERT INTO notes (id, text) VALUES (?, ?)')
    const seen = db.atomically(true, () => {
      const first = count.get()?.n
      other.atomically(false, () => insertElsewhere.run(2, 'two'))
      return [first, count.get()?.n]
    })
    expect(seen[0]).toBe(seen[1])
    // The snapshot ended (its COMMIT queued ahead of this): the row committed meanwhile is seen now.
    expect(db.atomically(true, () => count.get()?.n)).toBe((seen[0] as number) + 1)
    expect(db.atomically(true, () => count.get()?.n)).toBe((seen[0] as number) + 1)
  })

  it('a write holds the nodes write lock from its first statement to its end, and only then', () => {
    const insert = db.prepare<[number, string]>('INSERT INTO notes (id, text) VALUES (?, ?)')
    const held = other.prepare<[number], { n: number }>(
      "SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = ? AND granted"
    )
    const during = db.atomically(false, () => {
      insert.run(3, 'three')
      return other.atomically(true, () => held.get(WRITE_LOCK_KEY)?.n)
    })
    expect(during).toBe(1)
    expect(other.atomically(true, () => held.get(WRITE_LOCK_KEY)?.n)).toBe(0)
  })

  it('a failed statement rolls its transaction back whole, and the connection goes on', () => {
    const insert = db.prepare<[number, string]>('INSERT INTO notes (id, text) VALUES (?, ?)')
    const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM notes')
    const before = db.atomically(true, () => count.get()?.n)
    expect(() =>
      db.atomically(false, () => {
        insert.run(10, 'ten')
        insert.run(10, 'ten again')
      })
    ).toThrow(/duplicate key/)
    expect(db.atomically(true, () => count.get()?.n)).toBe(before)
    db.atomically(false, () => insert.run(11, 'eleven'))
    expect(db.atomically(true, () => count.get()?.n)).toBe((before as number) + 1)
  })
})
