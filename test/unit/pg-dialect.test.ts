// Checks the SQLite-to-PostgreSQL translation of the store's statements: each rewrite the store relies on, and that
// quoted text is never touched.
import { describe, expect, it } from 'vitest'
import { toPostgres } from '../../src/server/store/postgres/dialect'

describe('toPostgres', () => {
  it('numbers positional placeholders and quotes the reserved column "user"', () => {
    expect(toPostgres('SELECT seq FROM user_log WHERE user = ? AND seq > ?').text).toBe(
      'SELECT seq FROM user_log WHERE "user" = $1 AND seq > $2'
    )
  })

  it('leaves string literals and quoted identifiers alone', () => {
    const { text } = toPostgres(`SELECT 'user ? @x' AS "user", name FROM users WHERE name = ?`)
    expect(text).toBe(`SELECT 'user ? @x' AS "user", name FROM users WHERE name = $1`)
  })

  it('maps named parameters to placeholders in first-use order, the same name to the same one', () => {
    const translated = toPostgres('UPDATE t SET a = @a WHERE user = @user AND b = @a')
    expect(translated.text).toBe('UPDATE t SET a = $1 WHERE "user" = $2 AND b = $1')
    expect(translated.parameterNames).toEqual(['a', 'user'])
  })

  it('refuses SQL that mixes both kinds of parameter', () => {
    expect(() => toPostgres('SELECT 1 FROM t WHERE a = ? AND b = @b')).toThrow(/mixes/)
  })

  it('turns INSERT OR IGNORE into ON CONFLICT DO NOTHING, before RETURNING', () => {
    expect(toPostgres('INSERT OR IGNORE INTO blocks (user, blocked) VALUES (?, ?)').text).toBe(
      'INSERT INTO blocks ("user", blocked) VALUES ($1, $2) ON CONFLICT DO NOTHING'
    )
    expect(toPostgres('INSERT OR IGNORE INTO t (a) VALUES (?) RETURNING a').text).toBe(
      'INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING RETURNING a'
    )
  })

  it('makes scalar MAX/MIN of two values GREATEST/LEAST and keeps the aggregates', () => {
    expect(toPostgres('SELECT MAX(seq) AS head, MAX(a, MIN(b, c)) AS x, MIN(seq) FROM t').text).toBe(
      'SELECT MAX(seq) AS head, GREATEST(a, LEAST(b, c)) AS x, MIN(seq) FROM t'
    )
  })

  it('makes LIKE case-insensitive as SQLite’s is, instr strpos, INTEGER casts 64-bit', () => {
    expect(toPostgres("SELECT 1 FROM g WHERE name LIKE ? ESCAPE '\\' AND instr(n, ?) > 0 AND CAST(x AS INTEGER) = 1").text).toBe(
      "SELECT 1 FROM g WHERE name ILIKE $1 ESCAPE '\\' AND strpos(n, $2) > 0 AND CAST(x AS BIGINT) = 1"
    )
  })

  it('returns the generated key of a message insert (lastInsertRowid)', () => {
    const translated = toPostgres('INSERT INTO messages (sender) VALUES (?) ON CONFLICT (sender, client_id) DO NOTHING')
    expect(translated.returnsKey).toBe('server_id')
    expect(translated.text.endsWith('DO NOTHING RETURNING server_id')).toBe(true)
    expect(toPostgres('INSERT INTO contacts (user) VALUES (?)').returnsKey).toBeNull()
  })

  it('writes blob literals as bytea', () => {
    expect(toPostgres("UPDATE messages SET body = X'', b = X'00ff' WHERE server_id = ?").text).toBe(
      "UPDATE messages SET body = '\\x'::bytea, b = '\\x00ff'::bytea WHERE server_id = $1"
    )
  })

  it('answers the catalog query from information_schema', () => {
    expect(toPostgres("SELECT name FROM sqlite_master WHERE type = 'table'").text).toMatch(/information_schema\.tables/)
  })
})
