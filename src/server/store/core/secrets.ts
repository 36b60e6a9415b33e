// Owns the server's named secrets in the database: read one, or store a new one unless a secret of that name
// already exists (the callback that creates it cannot cross into the worker thread, so this is the worker's half).
import type { StoreCoreContext } from './context'
import { asBuffer } from './log-rows'

export interface SecretStore {
  readSecret(name: string): Uint8Array | null
  /** Stores `value` unless a secret of that name exists; returns the secret in force. */
  insertSecretIfAbsent(name: string, value: Uint8Array): Uint8Array
}

export function createSecretStore({ db, inTransaction }: StoreCoreContext): SecretStore {
  const selectSecret = db.prepare<[string], { value: Buffer }>('SELECT value FROM secrets WHERE name = ?')
  const insertSecret = db.prepare<[string, Buffer, number]>(
    'INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING'
  )

  return {
    readSecret(name) {
      const row = selectSecret.get(name)
      return row ? new Uint8Array(row.value) : null
    },
    insertSecretIfAbsent(name, value) {
      return inTransaction(() => {
        insertSecret.run(name, asBuffer(value), Date.now())
        return new Uint8Array((selectSecret.get(name) as { value: Buffer }).value)
      })
    }
  }
}
