// Owns the accounts as the store core sees them: creating a user, reading one back with its log head, and telling
// which names exist.
import type { ServerStore, StoredUser, Synchronous } from '../types'
import type { StoreCoreContext } from './context'

export function createAccountStore({ db, heads }: StoreCoreContext): Pick<Synchronous<ServerStore>, 'createUser' | 'getUser' | 'existingUsers'> {
  const { headOf } = heads
  const insertUser = db.prepare(
    'INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING'
  )
  const selectUser = db.prepare<[string], { name: string; password_hash: string }>(
    'SELECT name, password_hash FROM users WHERE name = ?'
  )
  const userExists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM users WHERE name = ?')

  return {
    createUser(name, passwordHash, createdAt) {
      return insertUser.run(name, passwordHash, createdAt).changes === 1 ? 'created' : 'exists'
    },
    getUser(name): StoredUser | null {
      const row = selectUser.get(name)
      return row ? { name: row.name, passwordHash: row.password_hash, headSeq: headOf(row.name) } : null
    },
    existingUsers(names) {
      return new Set(names.filter((name) => userExists.get(name) !== undefined))
    }
  }
}
