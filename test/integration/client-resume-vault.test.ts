// "Stay signed in" at the IPC level: a CoreSession with a FileSessionVault saves the sign-in, a second
// CoreSession (the app restarted) answers auth.session without a password, logout and refusals clear it.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CoreSession, type CoreSessionOptions } from '../../src/main/core/api/session'
import { FileSessionVault } from '../../src/main/core/api/session-vault'
import type { InvokeReply } from '../../src/shared/ipc/contract'
import type { Conversation, SessionInfo } from '../../src/shared/model'
import { makeTempDir, registerUsers, removeDir, TEST_PASSWORD, TestServer, uniqueUser, waitFor } from './helpers/env'

/**
 * Renewal comes TTL - WARN seconds after sign-in; the renewed token must still be valid when the second run resumes
 * after the original expired (TTL - WARN seconds later), with room for a worker start on a loaded machine. With a
 * 4 s TTL the tokens rotated every second and the margin was under 2 s, which a busy CI machine overran.
 */
const TOKEN_TTL_SEC = 8
const TOKEN_WARN_BEFORE_SEC = 3

async function call<T>(session: CoreSession, method: string, args?: unknown): Promise<T> {
  const reply: InvokeReply = await session.invoke(method, args)
  if (!reply.ok) throw new Error(`${method} failed: ${reply.error.code} ${reply.error.message}`)
  return reply.result as T
}

interface Installs {
  /** One install of the desktop app: data folder, device id and session file survive "restarts". */
  install(): { options: CoreSessionOptions; vaultFile: string; start: () => CoreSession }
  /** Dispose every CoreSession started so far. */
  closeAll(): Promise<void>
  removeAll(): void
}

function installsFor(server: TestServer): Installs {
  const dirs: string[] = []
  const open: CoreSession[] = []
  return {
    install() {
      const userData = makeTempDir()
      dirs.push(userData)
      const vaultFile = path.join(userData, 'session.bin')
      const options: CoreSessionOptions = {
        shell: 'electron',
        version: 'test',
        defaultServerUrl: server.url,
        deviceId: `desktop-${randomUUID()}`,
        dataDir: path.join(userData, 'accounts'),
        vault: new FileSessionVault(vaultFile)
      }
      const start = (): CoreSession => {
        const session = new CoreSession(options)
        open.push(session)
        return session
      }
      return { options, vaultFile, start }
    },
    closeAll: async () => {
      await Promise.all(open.splice(0).map((s) => s.dispose()))
    },
    removeAll: () => dirs.splice(0).forEach(removeDir)
  }
}

function suiteHooks(server: TestServer, installs: Installs): void {
  beforeAll(() => server.start())
  afterEach(() => installs.closeAll())
  afterAll(async () => {
    installs.removeAll()
    await server.dispose()
  })
}

describe('CoreSession with a session vault', () => {
  const server = new TestServer()
  const installs = installsFor(server)
  const install = installs.install
  suiteHooks(server, installs)

  it('a restarted session is signed in without a password; logout clears the saved sign-in', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const app = install()

    const firstRun = app.start()
    expect(await call<SessionInfo | null>(firstRun, 'auth.session')).toBeNull()
    await call(firstRun, 'auth.login', { username: alice, password: TEST_PASSWORD })
    await call(firstRun, 'messages.sendText', { to: { type: 'single', id: bob }, text: 'remember me' })
    expect(fs.statSync(app.vaultFile).mode & 0o777).toBe(0o600)
    await firstRun.dispose() // quitting the app keeps the saved sign-in
    expect(await app.options.vault!.load()).toMatchObject({ user: alice, deviceId: app.options.deviceId })

    const secondRun = app.start()
    // Two windows asking at once share one resume.
    const [a, b] = await Promise.all([
      call<SessionInfo | null>(secondRun, 'auth.session'),
      call<SessionInfo | null>(secondRun, 'auth.session')
    ])
    expect(a).toEqual({ user: alice, serverUrl: server.url, deviceId: app.options.deviceId })
    expect(b).toEqual(a)
    const conversations = await call<Conversation[]>(secondRun, 'conversations.list')
    expect(conversations.map((c) => c.id)).toEqual([bob])
    expect(await call<{ state: string }>(secondRun, 'connection.status')).toMatchObject({ state: 'connected' })

    await call(secondRun, 'auth.logout')
    expect(fs.existsSync(app.vaultFile)).toBe(false)
    expect(await call<SessionInfo | null>(secondRun, 'auth.session')).toBeNull()
    await secondRun.dispose()

    const thirdRun = app.start()
    expect(await call<SessionInfo | null>(thirdRun, 'auth.session')).toBeNull()
  })

  it('a saved token the server refuses is cleared and auth.session answers null (sign-in is shown)', async () => {
    const carol = uniqueUser('carol')
    await registerUsers(server, carol)
    const app = install()
    const firstRun = app.start()
    await call(firstRun, 'auth.login', { username: carol, password: TEST_PASSWORD })
    await firstRun.dispose()
    const saved = (await app.options.vault!.load())!
    await app.options.vault!.save({ ...saved, token: saved.token.slice(0, -4) + 'AAAA' })

    const secondRun = app.start()
    expect(await call<SessionInfo | null>(secondRun, 'auth.session')).toBeNull()
    expect(await app.options.vault!.load()).toBeNull()
    await expect(secondRun.invoke('conversations.list', undefined)).resolves.toMatchObject({
      ok: false,
      error: { code: 'NOT_SIGNED_IN' }
    })
    await expect(call(secondRun, 'auth.login', { username: carol, password: TEST_PASSWORD })).resolves.toMatchObject({
      user: carol
    })
    expect(await app.options.vault!.load()).toMatchObject({ user: carol })
  })

  it('ignores a saved sign-in of another device id or past its expiry, and forgets it', async () => {
    const dave = uniqueUser('dave')
    await registerUsers(server, dave)
    const app = install()
    const firstRun = app.start()
    await call(firstRun, 'auth.login', { username: dave, password: TEST_PASSWORD })
    await firstRun.dispose()
    const saved = (await app.options.vault!.load())!

    await app.options.vault!.save({ ...saved, deviceId: 'desktop-someone-else' })
    expect(await call<SessionInfo | null>(app.start(), 'auth.session')).toBeNull()
    expect(await app.options.vault!.load()).toBeNull()

    await app.options.vault!.save({ ...saved, expiresAt: Date.now() - 1 })
    expect(await call<SessionInfo | null>(app.start(), 'auth.session')).toBeNull()
    expect(await app.options.vault!.load()).toBeNull()
  })
})

describe('CoreSession with a session vault and short-lived tokens', () => {
  const server = new TestServer({ tokenTtlSec: TOKEN_TTL_SEC, tokenWarnBeforeSec: TOKEN_WARN_BEFORE_SEC })
  const installs = installsFor(server)
  const install = installs.install
  suiteHooks(server, installs)

  it('saves each renewed token, and the app resumes with the newest one', async () => {
    const erin = uniqueUser('erin')
    await registerUsers(server, erin)
    const app = install()
    const firstRun = app.start()
    await call(firstRun, 'auth.login', { username: erin, password: TEST_PASSWORD })
    const original = (await app.options.vault!.load())!
    await waitFor('a renewed token in the vault', async () => (await app.options.vault!.load())?.token !== original.token, 10_000)
    const renewed = (await app.options.vault!.load())!
    expect(renewed.expiresAt).toBeGreaterThan(original.expiresAt)
    await firstRun.dispose()
    await waitFor('the original token to expire', () => Date.now() > original.expiresAt + 200, 10_000)

    const secondRun = app.start()
    expect(await call<SessionInfo | null>(secondRun, 'auth.session')).toMatchObject({ user: erin })
  })
})
