// Owns the SQLite side of the platform store: users listed by name prefix, the banned column, reserved names,
// secret replacement, attempt counts read without writing, and a group's owner.
import type { DomainContext } from '../domain-context'
import type { AttemptCount, Synchronous } from '../records'
import type { PlatformStore, PlatformUserRow } from './types'

/** A password hash no password matches: verifyPassword refuses anything but `scrypt$...`. */
const UNUSABLE_PASSWORD_HASH = '!reserved'

/** LIKE's wildcards and its escape character, escaped so a prefix matches literally. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
}

export function openPlatformSqlite(context: DomainContext): Synchronous<PlatformStore> {
  const { db } = context
  const selectUsers = db.prepare<[string, string, number], { name: string; created_at: number; deleted_at: number | null; banned_at: number | null }>(
    `SELECT name, created_at, deleted_at, banned_at FROM users
     WHERE name LIKE ? ESCAPE '\\' AND name > ? AND password_hash <> '${UNUSABLE_PASSWORD_HASH}'
     ORDER BY name LIMIT ?`
  )
  const selectBanned = db.prepare<[string], { banned_at: number | null }>('SELECT banned_at FROM users WHERE name = ?')
  const updateBanned = db.prepare<[number | null, string]>('UPDATE users SET banned_at = ? WHERE name = ?')
  const insertReserved = db.prepare<[string, string, number]>(
    'INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING'
  )
  const upsertSecret = db.prepare<[string, Buffer, number]>(
    'INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value, created_at = excluded.created_at'
  )
  const peekAttempts = db.prepare<[string, number], { count: number; newest: number | null }>(
    'SELECT COUNT(*) AS count, MAX(at) AS newest FROM attempts WHERE key = ? AND at > ?'
  )
  const selectGroupOwner = db.prepare<[string], { owner: string }>('SELECT owner FROM groups WHERE group_id = ?')

  return {
    platformUsers(prefix, after, limit): PlatformUserRow[] {
      return selectUsers.all(likePrefix(prefix), after, limit).map((row) => ({
        user: row.name,
        createdAt: row.created_at,
        deletedAt: row.deleted_at,
        bannedAt: row.banned_at
      }))
    },
    accountBannedAt(user) {
      return selectBanned.get(user)?.banned_at ?? null
    },
    accountSetBanned(user, at) {
      return updateBanned.run(at, user).changes > 0
    },
    platformReserveName(user, at) {
      return insertReserved.run(user, UNUSABLE_PASSWORD_HASH, at).changes > 0 ? 'created' : 'exists'
    },
    secretReplace(name, value) {
      upsertSecret.run(name, Buffer.from(value), Date.now())
    },
    attemptsPeek(key, now, windowMs): AttemptCount {
      const row = peekAttempts.get(key, now - windowMs)
      return { count: row?.count ?? 0, previousAt: row?.newest ?? null }
    },
    platformGroupOwner(group) {
      return selectGroupOwner.get(group)?.owner ?? null
    }
  }
}
