// FileSessionVault: round trips (plain and encrypted), owner-only atomic files, and every unreadable
// file (corrupt, foreign key, failing cipher) treated as "no saved sign-in" instead of an error.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileSessionVault, type SavedSession, type SessionCipher } from '../../src/main/core/api/session-vault'

const IV_BYTES = 12
const TAG_BYTES = 16

/** A real authenticated cipher (AES-256-GCM), like the OS keychain: a wrong key or a changed byte fails. */
function aesCipher(key = randomBytes(32)): SessionCipher {
  return {
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body])
    },
    decrypt(data) {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES))
      decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
      return Buffer.concat([decipher.update(data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
    }
  }
}

const SAVED: SavedSession = {
  serverUrl: 'http://127.0.0.1:3210',
  user: 'alice',
  token: 'eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl',
  expiresAt: 1_900_000_000_000,
  deviceId: 'desktop-abcdefgh'
}

describe('FileSessionVault', () => {
  let dir: string
  let file: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-vault-'))
    file = join(dir, 'nested', 'session.bin')
  })

  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('has nothing saved at first, then round-trips a session (plain)', async () => {
    const vault = new FileSessionVault(file)
    expect(await vault.load()).toBeNull()
    await vault.save({ ...SAVED, extra: 'not kept' } as SavedSession)
    expect(await vault.load()).toEqual(SAVED)
    expect(await new FileSessionVault(file).load()).toEqual(SAVED)
  })

  it('keeps the gateway list and the last good address (cluster fail-over); a damaged list is dropped, not the sign-in', async () => {
    const vault = new FileSessionVault(file)
    const clustered: SavedSession = { ...SAVED, gateways: ['ws://10.0.0.1:3210/ws', 'ws://10.0.0.2:3210/ws'], lastGoodGateway: 'ws://10.0.0.2:3210/ws' }
    await vault.save(clustered)
    expect(await vault.load()).toEqual(clustered)
    await vault.save({ ...SAVED, gateways: ['ws://10.0.0.1:3210/ws'], lastGoodGateway: 'ws://elsewhere/ws' })
    expect(await vault.load()).toEqual({ ...SAVED, gateways: ['ws://10.0.0.1:3210/ws'], lastGoodGateway: null })
    writeFileSync(file, JSON.stringify({ version: 1, ...SAVED, gateways: 'ws://10.0.0.1:3210/ws' }))
    expect(await vault.load()).toEqual(SAVED)
  })

  it('encrypts with the given cipher: the token is not on disk and another key cannot read it', async () => {
    const key = randomBytes(32)
    await new FileSessionVault(file, aesCipher(key)).save(SAVED)
    const onDisk = readFileSync(file)
    expect(onDisk.includes(Buffer.from(SAVED.token))).toBe(false)
    expect(onDisk.includes(Buffer.from(SAVED.user))).toBe(false)
    expect(await new FileSessionVault(file, aesCipher(key)).load()).toEqual(SAVED)
    expect(await new FileSessionVault(file, aesCipher()).load()).toBeNull()
  })

  it('writes owner-only files atomically, replacing a looser older file, with no temp files left', async () => {
    const vault = new FileSessionVault(file)
    await vault.save(SAVED)
    chmodSync(file, 0o644)
    await vault.save({ ...SAVED, token: 'newer.token' })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readdirSync(join(dir, 'nested'))).toEqual(['session.bin'])
    expect((await vault.load())?.token).toBe('newer.token')
  })

  it.each([
    ['garbage bytes', Buffer.from([0xff, 0x00, 0x13, 0x37])],
    ['truncated JSON', Buffer.from('{"version":1,"user":"al')],
    ['JSON of the wrong shape', Buffer.from(JSON.stringify({ version: 1, user: 'alice' }))],
    ['a future format', Buffer.from(JSON.stringify({ ...SAVED, version: 99 }))],
    ['an expiry that is not a number', Buffer.from(JSON.stringify({ ...SAVED, version: 1, expiresAt: 'soon' }))],
    ['an empty file', Buffer.alloc(0)],
    ['a huge file', Buffer.alloc(1024 * 1024, 0x7b)]
  ])('treats %s as no saved session', async (_label, content) => {
    const vault = new FileSessionVault(file)
    await vault.save(SAVED)
    writeFileSync(file, content)
    expect(await vault.load()).toBeNull()
  })

  it('treats a changed byte in an encrypted file as no saved session', async () => {
    const cipher = aesCipher()
    const vault = new FileSessionVault(file, cipher)
    await vault.save(SAVED)
    const data = readFileSync(file)
    data[data.length - 1] = data[data.length - 1]! ^ 0x01
    writeFileSync(file, data)
    expect(await vault.load()).toBeNull()
  })

  it('a throwing cipher never crashes: load gives null, save rejects with a typed error and keeps the old file', async () => {
    const good = aesCipher()
    await new FileSessionVault(file, good).save(SAVED)
    const broken: SessionCipher = {
      encrypt: () => {
        throw new Error('keychain locked')
      },
      decrypt: () => {
        throw new Error('keychain locked')
      }
    }
    const vault = new FileSessionVault(file, broken)
    expect(await vault.load()).toBeNull()
    await expect(vault.save({ ...SAVED, token: 'other.token' })).rejects.toMatchObject({ code: 'STORE_ERROR' })
    expect(await new FileSessionVault(file, good).load()).toEqual(SAVED)
    expect(readdirSync(join(dir, 'nested'))).toEqual(['session.bin'])
  })

  it('clear removes the file, is safe to repeat, and wins over a save issued just before it', async () => {
    const vault = new FileSessionVault(file)
    await vault.save(SAVED)
    await vault.clear()
    expect(await vault.load()).toBeNull()
    await vault.clear()
    const saving = vault.save(SAVED)
    const clearing = vault.clear()
    await Promise.all([saving, clearing])
    expect(await vault.load()).toBeNull()
    expect(readdirSync(join(dir, 'nested'))).toEqual([])
  })

  it('a save to an impossible place rejects with a typed error', async () => {
    writeFileSync(join(dir, 'not-a-dir'), 'x')
    const vault = new FileSessionVault(join(dir, 'not-a-dir', 'session.bin'))
    await expect(vault.save(SAVED)).rejects.toMatchObject({ code: 'STORE_ERROR' })
    expect(await vault.load()).toBeNull()
  })
})
