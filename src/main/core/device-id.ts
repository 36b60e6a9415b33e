// Owns this installation's device id: created once, kept in a small file in the app's data folder.
// The server uses (user, device id) to tell one device's connection from another's.
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/

export function loadOrCreateDeviceId(filePath: string, prefix = 'desktop'): string {
  try {
    const existing = readFileSync(filePath, 'utf8').trim()
    if (DEVICE_ID_PATTERN.test(existing)) return existing
  } catch {
    // Missing or unreadable: make a new one below.
  }
  const id = `${prefix}-${randomBytes(9).toString('base64url')}`
  mkdirSync(dirname(filePath), { recursive: true })
  writeFileSync(filePath, id + '\n', { mode: 0o600 })
  return id
}
