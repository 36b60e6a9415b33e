// Covers the one migration runner shared by the client store and the server: order, one transaction per step,
// user_version, and the refusal of a database newer than the list, as each side reports it.
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { migrate, SCHEMA_VERSION } from '../../src/server/store/migrations'
import { openSqliteStore } from '../../src/server/store/sqlite'
import {
  readSchemaVersion,
  runSchemaMigrations,
  SchemaMigrationError,
  SchemaTooNewError,
  type SchemaMigration
} from '../../src/shared/sqlite-migrations'
import { makeTempDir, removeDir } from '../support/test-server'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir)
})

const tableNames = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (row) => row.name
  )

describe('shared migration runner', () => {
  it('applies SQL and JS steps in version order, whatever the list order, and records each version', () => {
    const db = new Database(':memory:')
    const seen: number[] = []
    const steps: SchemaMigration[] = [
      {
        version: 2,
        up(target) {
          seen.push(readSchemaVersion(target))
          target.exec("INSERT INTO t VALUES ('two')")
        }
      },
      {
        version: 1,
        up(target) {
          seen.push(readSchemaVersion(target))
          target.exec('CREATE TABLE t (x TEXT)')
        }
      }
    ]
    expect(runSchemaMigrations(db, steps)).toEqual({ from: 0, to: 2 })
    expect(seen).toEqual([0, 1])
    expect(runSchemaMigrations(db, steps)).toEqual({ from: 2, to: 2 })
    expect(db.prepare('SELECT x FROM t').pluck().all()).toEqual(['two'])
    db.close()
  })

  it('rolls a failing step back whole and keeps the cause', () => {
    const db = new Database(':memory:')
    const steps: SchemaMigration[] = [
      { version: 1, up: (target) => target.exec('CREATE TABLE one (x INTEGER)') },
      { version: 2, up: (target) => target.exec('CREATE TABLE half_done (x INTEGER); THIS IS NOT SQL') }
    ]
    const error = (() => {
      try {
        runSchemaMigrations(db, steps)
      } catch (err) {
        return err
      }
      return null
    })()
    expect(error).toBeInstanceOf(SchemaMigrationError)
    expect((error as SchemaMigrationError).version).toBe(2)
    expect((error as SchemaMigrationError).cause).toBeInstanceOf(Error)
    expect(readSchemaVersion(db)).toBe(1)
    expect(tableNames(db)).toEqual(['one'])
    db.close()
  })

  it('refuses a list with two steps of one version before touching the database', () => {
    const db = new Database(':memory:')
    const step: SchemaMigration = { version: 1, up: (target) => target.exec('CREATE TABLE t (x)') }
    expect(() => runSchemaMigrations(db, [step, step])).toThrow(/Two migrations claim schema version 1/)
    expect(readSchemaVersion(db)).toBe(0)
    db.close()
  })

  it('the server refuses a database newer than its schema, with a typed error and a sentence, and leaves it as is', async () => {
    const db = new Database(':memory:')
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    expect(() => migrate(db)).toThrow(SchemaTooNewError)
    expect(() => migrate(db)).toThrow(
      `The server database is version ${SCHEMA_VERSION + 1}, newer than this server understands (${SCHEMA_VERSION}).`
    )
    expect(tableNames(db)).toEqual([])
    db.close()

    // And a current one opens through the store, at the latest version.
    const dir = makeTempDir()
    dirs.push(dir)
    const store = openSqliteStore(dir)
    expect((await store.stats()).authRows).toEqual({ tokens: 0, deviceSessions: 0, attempts: 0 })
    await store.close()
  })
})
