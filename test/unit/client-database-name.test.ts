// An account database named after the id as typed by an older version ('Alice.sqlite') moves to the canonical
// name ('alice.sqlite') with its WAL, so a case-sensitive file system does not hide the history.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { accountDatabasePath, adoptLegacyDatabase } from '../../src/main/core/session/account-files'

describe('account database name', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
  })

  function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-dbname-'))
    dirs.push(dir)
    return dir
  }

  it('moves a legacy spelling and its WAL to the canonical name', () => {
    const dir = tempDir()
    const legacy = accountDatabasePath(dir, 'Alice')
    fs.writeFileSync(legacy, 'db')
    fs.writeFileSync(legacy + '-wal', 'wal')
    adoptLegacyDatabase(dir, 'alice', ['  Alice '])
    const canonical = accountDatabasePath(dir, 'alice')
    expect(fs.readFileSync(canonical, 'utf8')).toBe('db')
    expect(fs.readFileSync(canonical + '-wal', 'utf8')).toBe('wal')
    expect(fs.readdirSync(dir).sort()).toEqual(['alice.sqlite', 'alice.sqlite-wal'])
  })

  it('never overwrites an existing canonical database', () => {
    const dir = tempDir()
    fs.writeFileSync(accountDatabasePath(dir, 'alice'), 'current')
    fs.writeFileSync(accountDatabasePath(dir, 'ALICE'), 'old')
    adoptLegacyDatabase(dir, 'alice', ['ALICE'])
    expect(fs.readFileSync(accountDatabasePath(dir, 'alice'), 'utf8')).toBe('current')
  })
})
