// Covers the auth cleanup on the real SQLite worker store: tokens past their retention, emptied sessions and expired
// attempts are deleted, while a rotated token still inside its retention keeps revoking its session when reused.
import { afterEach, describe, expect, it } from 'vitest'
import { pruneAuthRows, TOKEN_RETENTION_AFTER_EXPIRY_MS } from '../../src/server/auth/cleanup'
import { createTokenService, hashToken, TOKEN_ROTATION_GRACE_MS, type TokenGrant } from '../../src/server/auth/tokens'
import type { WorkerStoreHandle } from '../../src/server/store/worker-store'
import { makeTempDir, removeDir } from '../support/test-server'
import { openTestStore } from '../support/test-database'

process.env.PARLEY_LOG ??= 'warn'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
const TTL_SEC = 86_400
const IDLE_MS = 30 * DAY_MS
const DEVICE = 'device-a'
/** The test's clock: every call gets an explicit `now`. */
const T0 = Date.UTC(2026, 0, 1)

const dirs: string[] = []
const stores: WorkerStoreHandle[] = []

async function openStore(): Promise<WorkerStoreHandle> {
  const dir = makeTempDir()
  dirs.push(dir)
  const store = await openTestStore(dir)
  stores.push(store)
  return store
}

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  for (const dir of dirs.splice(0)) removeDir(dir)
})

async function grantOf(
  tokens: ReturnType<typeof createTokenService>,
  token: string,
  now: number,
  deviceId = DEVICE
): Promise<TokenGrant> {
  const checked = await tokens.check(token, { deviceId, now })
  if (!checked.ok) throw new Error(`token refused: ${checked.reason}`)
  return checked.grant
}

describe('auth cleanup', () => {
  it('deletes tokens past their retention, while a rotated token inside it still revokes its session on reuse', async () => {
    const store = await openStore()
    const tokens = createTokenService(store, TTL_SEC, IDLE_MS)

    // A device renews every 6 hours for a day and a half: six rotated tokens and one current.
    const first = await tokens.issue('alice', DEVICE, T0)
    const chain = [first.token]
    let grant = await grantOf(tokens, first.token, T0)
    for (let renew = 1; renew <= 6; renew++) {
      const rotated = await tokens.rotate(grant, T0 + renew * 6 * HOUR_MS)
      if (!rotated.ok) throw new Error(`rotate refused: ${rotated.reason}`)
      chain.push(rotated.issued.token)
      grant = rotated.grant
    }
    // A second session, signed out at once: its only token expires after a day like the others.
    const signedOut = await tokens.issue('bob', 'device-b', T0)
    const bobGrant = await grantOf(tokens, signedOut.token, T0, 'device-b')
    await tokens.revoke('bob', bobGrant.sessionId, false, T0)
    // One attempt still inside its window at cleanup time, and two expiring an hour after T0 (counted last: counting
    // prunes what expired by its own time).
    const now = T0 + 2 * DAY_MS + HOUR_MS
    await store.countAttempt('login:carol', now - 1, HOUR_MS)
    await store.countAttempt('login:alice', T0, HOUR_MS)
    await store.countAttempt('login:alice', T0 + 1, HOUR_MS)
    expect((await store.stats()).authRows).toEqual({ tokens: 8, deviceSessions: 2, attempts: 3 })

    const deleted = await pruneAuthRows(store, now)

    // Retention ends at expiry (issue + 1 day) + TOKEN_RETENTION_AFTER_EXPIRY_MS (1 day): tokens issued before
    // now - 2 days = T0 + 1 hour are gone, i.e. alice's first and bob's only token (and bob's emptied session).
    expect(TOKEN_RETENTION_AFTER_EXPIRY_MS).toBeGreaterThanOrEqual(TOKEN_ROTATION_GRACE_MS)
    expect(deleted).toEqual({ tokens: 2, deviceSessions: 1, attempts: 2 })
    expect((await store.stats()).authRows).toEqual({ tokens: 6, deviceSessions: 1, attempts: 1 })
    expect(await store.findToken(hashToken(chain[0] as string))).toBeNull()
    expect(await store.findToken(hashToken(signedOut.token))).toBeNull()
    expect(await tokens.check(chain[0] as string, { deviceId: DEVICE, now })).toEqual({ ok: false, reason: 'invalid' })

    // The current token still works; the second token (rotated, expired, inside its retention) is still recognised,
    // and presenting it is a reuse: the session ends, and with it the current token.
    expect((await tokens.check(chain[6] as string, { deviceId: DEVICE, now })).ok).toBe(true)
    const reused = await tokens.check(chain[1] as string, { deviceId: DEVICE, now })
    expect(reused).toMatchObject({ ok: false, reason: 'revoked', user: 'alice', sessionId: grant.sessionId })
    expect(await tokens.check(chain[6] as string, { deviceId: DEVICE, now })).toMatchObject({ ok: false, reason: 'revoked' })

    // Once every token of the revoked session is past its retention, the session goes too.
    const later = T0 + 36 * HOUR_MS + DAY_MS + TOKEN_RETENTION_AFTER_EXPIRY_MS + 1
    expect(await pruneAuthRows(store, later)).toEqual({ tokens: 6, deviceSessions: 1, attempts: 1 })
    expect((await store.stats()).authRows).toEqual({ tokens: 0, deviceSessions: 0, attempts: 0 })
  })

  it('keeps a token rotated just before its expiry recoverable as a lost renew answer through the grace', async () => {
    const store = await openStore()
    const tokens = createTokenService(store, TTL_SEC, IDLE_MS)
    const issued = await tokens.issue('alice', DEVICE, T0)
    const grant = await grantOf(tokens, issued.token, T0)
    // Renewed a minute before expiry; the answer is lost, and the device comes back after its token expired.
    const renewAt = issued.expiresAt - 60_000
    const rotated = await tokens.rotate(grant, renewAt)
    expect(rotated.ok).toBe(true)
    const back = renewAt + TOKEN_ROTATION_GRACE_MS - 1
    await pruneAuthRows(store, back)
    const recovered = await tokens.check(issued.token, { deviceId: DEVICE, now: back })
    expect(recovered.ok).toBe(true)
  })

  it('deletes a backlog larger than one step', async () => {
    const store = await openStore()
    const tokens = createTokenService(store, TTL_SEC, IDLE_MS)
    const sessions = 1_100
    await Promise.all(Array.from({ length: sessions }, (_, i) => tokens.issue(`user${i}`, null, T0)))
    const deleted = await pruneAuthRows(store, T0 + DAY_MS + TOKEN_RETENTION_AFTER_EXPIRY_MS + 1)
    expect(deleted).toEqual({ tokens: sessions, deviceSessions: sessions, attempts: 0 })
    expect((await store.stats()).authRows).toEqual({ tokens: 0, deviceSessions: 0, attempts: 0 })
  })
})
