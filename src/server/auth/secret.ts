// Owns the token signing secret: given explicitly, or generated once and persisted in the data folder
// (mode 0600) so tokens stay valid across server restarts.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

const SECRET_FILE_NAME = 'token-secret'
const SECRET_BYTES = 32

export function loadTokenSecret(dataDir: string, explicit?: string): Buffer {
  if (explicit) return Buffer.from(explicit, 'utf8')
  const file = path.join(dataDir, SECRET_FILE_NAME)
  try {
    const stored = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64')
    if (stored.length >= SECRET_BYTES) return stored
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const secret = crypto.randomBytes(SECRET_BYTES)
  fs.mkdirSync(dataDir, { recursive: true })
  fs.writeFileSync(file, secret.toString('base64'), { mode: 0o600 })
  return secret
}
