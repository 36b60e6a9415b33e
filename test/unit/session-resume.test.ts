// Unit tests of CoreSession's "stay signed in" rules with a fake engine and an in-memory vault: when the
// sign-in is saved, resumed (once), kept, or forgotten. The real path is in test/integration/client-resume*.
import { describe, expect, it } from 'vitest'
import { CoreSession } from '../../src/main/core/api/session'
import type { SavedSession, SessionVault } from '../../src/main/core/api/session-vault'
import type { ChatClientApi, ChatClientEvents, ChatClientOptions, SessionCredentials } from '../../src/main/core/types'
import type { ConnectionStatus, SessionInfo } from '../../src/shared/model'
import { AppError } from '../../src/shared/errors'
import { TypedEmitter } from '../../src/shared/typed-emitter'

const SERVER = 'http://127.0.0.1:3210'
const DEVICE = 'desktop-unit1234'
const HOUR_MS = 3_600_000

class MemoryVault implements SessionVault {
  saved: SavedSession | null = null
  readonly log: string[] = []
  failSaves = false
  async load(): Promise<SavedSession | null> {
    this.log.push('load')
    return this.saved
  }
  async save(session: SavedSession): Promise<void> {
    this.log.push('save')
    if (this.failSaves) throw new AppError('STORE_ERROR', 'Could not save the sign-in on this device.')
    this.saved = { ...session }
  }
  async clear(): Promise<void> {
    this.log.push('clear')
    this.saved = null
  }
}

type ResumeOutcome = 'ok' | AppError

class FakeClient extends TypedEmitter<ChatClientEvents> implements ChatClientApi {
  session: SessionInfo | null = null
  status: ConnectionStatus = { state: 'disconnected', nextRetryAt: null, reason: null }
  credentials: SessionCredentials | null = null
  resumeCalls = 0
  closed = false

  constructor(
    readonly options: ChatClientOptions,
    private readonly resumeOutcome: ResumeOutcome
  ) {
    super()
  }

  private signIn(user: string, token: string, expiresAt: number): SessionInfo {
    this.session = { user, serverUrl: this.options.serverUrl, deviceId: this.options.deviceId }
    this.credentials = { user, token, expiresAt }
    return this.session
  }
  async login(username: string): Promise<SessionInfo> {
    return this.signIn(username, `token-of-${username}`, Date.now() + HOUR_MS)
  }
  async resume(saved: SessionCredentials): Promise<SessionInfo> {
    this.resumeCalls++
    await new Promise((resolve) => setTimeout(resolve, 10))
    if (this.resumeOutcome !== 'ok') throw this.resumeOutcome
    this.status = { state: 'reconnecting', nextRetryAt: Date.now() + 1000, reason: null }
    return this.signIn(saved.user, saved.token, saved.expiresAt)
  }
  /** As the real client: the new token is used at once, and saved through the shell's hook before it is acknowledged. */
  renew(token: string, expiresAt: number, user = this.session!.user): Promise<void> {
    this.credentials = { user, token, expiresAt }
    this.emit('tokenRenewed', { expiresAt })
    return this.options.keepRenewedToken?.({ user, token, expiresAt }) ?? Promise.resolve()
  }
  end(reason: string): void {
    this.emit('sessionEnded', { reason, error: { code: 'NOT_SIGNED_IN', params: { reason: 'sessionRevoked' } } })
  }
  /** What happens while the app closes the client (a renew answer arriving then). */
  duringClose: (() => Promise<void>) | null = null
  async close(): Promise<void> {
    this.closed = true
    await this.duringClose?.()
  }
  async logout(): Promise<void> {
    this.closed = true
    this.session = null
    this.credentials = null
  }
  sendText = (): never => {
    throw new Error('not used')
  }
  retry = this.sendText
  page = this.sendText
  async listConversations(): Promise<[]> {
    return []
  }
  async markRead(): Promise<void> {}
  setActiveConversation(): void {}
}

function setup(options: { vault?: MemoryVault | null; resume?: ResumeOutcome } = {}) {
  const vault = options.vault === null ? undefined : (options.vault ?? new MemoryVault())
  const clients: FakeClient[] = []
  const session = new CoreSession({
    shell: 'electron',
    version: '1.0.0',
    defaultServerUrl: SERVER,
    deviceId: DEVICE,
    dataDir: '/nonexistent/parley-test',
    // Nothing touches the disk: the device's settings stay in memory.
    settingsFile: null,
    ...(vault ? { vault } : {}),
    createClient: (clientOptions) => {
      const client = new FakeClient(clientOptions, options.resume ?? 'ok')
      clients.push(client)
      return client
    }
  })
  return { session, vault: vault!, clients }
}

function saved(overrides: Partial<SavedSession> = {}): SavedSession {
  return { serverUrl: SERVER, user: 'alice', token: 'saved-token', expiresAt: Date.now() + HOUR_MS, deviceId: DEVICE, ...overrides }
}

async function sessionOf(session: CoreSession): Promise<unknown> {
  const reply = await session.invoke('auth.session', undefined)
  if (!reply.ok) throw new Error(reply.error.message)
  return reply.result
}

describe('CoreSession and the session vault', () => {
  it('saves after login, saves renewed tokens, and clears on logout', async () => {
    const { session, vault, clients } = setup()
    await session.invoke('auth.login', { username: 'alice', password: 'secret-pw' })
    expect(vault.saved).toMatchObject({ user: 'alice', token: 'token-of-alice', serverUrl: SERVER, deviceId: DEVICE })
    // Saved by the time the hook resolves: only then does the client tell the server it holds the new token.
    await clients[0]!.renew('renewed-token', 42)
    expect(vault.saved).toMatchObject({ token: 'renewed-token', expiresAt: 42, serverUrl: SERVER, deviceId: DEVICE })
    await session.invoke('auth.logout', undefined)
    expect(vault.saved).toBeNull()
  })

  it('saves a renewal answered while the app quits, never one answered after a sign-out or a session end', async () => {
    const quitting = setup()
    await quitting.session.invoke('auth.login', { username: 'alice', password: 'secret-pw' })
    const client = quitting.clients[0]!
    client.duringClose = () => client.renew('answered-while-closing', 43, 'alice')
    await quitting.session.dispose()
    expect(quitting.vault.saved).toMatchObject({ token: 'answered-while-closing', expiresAt: 43 })

    const signedOut = setup()
    await signedOut.session.invoke('auth.login', { username: 'alice', password: 'secret-pw' })
    await signedOut.session.invoke('auth.logout', undefined)
    await signedOut.clients[0]!.renew('answered-after-sign-out', 44, 'alice')
    expect(signedOut.vault.saved).toBeNull()

    const ended = setup()
    await ended.session.invoke('auth.login', { username: 'alice', password: 'secret-pw' })
    ended.clients[0]!.end('This sign-in was ended (signed out, or the session was revoked). Please sign in again.')
    await ended.clients[0]!.renew('answered-after-the-end', 45, 'alice')
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(ended.vault.saved).toBeNull()
  })

  it('clears when the session ends, but keeps the sign-in when the app merely quits', async () => {
    const ended = setup()
    await ended.session.invoke('auth.login', { username: 'alice', password: 'secret-pw' })
    ended.clients[0]!.end('Your session has expired. Please sign in again.')
    await ended.session.dispose()
    expect(ended.vault.saved).toBeNull()

    const quit = setup()
    await quit.session.invoke('auth.login', { username: 'alice', password: 'secret-pw' })
    await quit.session.dispose()
    expect(quit.vault.saved).toMatchObject({ user: 'alice' })
  })

  it('a failing vault never fails a sign-in', async () => {
    const { session, vault } = setup()
    vault.failSaves = true
    expect(await session.invoke('auth.login', { username: 'alice', password: 'secret-pw' })).toMatchObject({ ok: true })
    expect(vault.log).toContain('save')
  })

  it('resumes the saved sign-in once for concurrent auth.session calls, even while offline', async () => {
    const { session, vault, clients } = setup()
    vault.saved = saved()
    const answers = await Promise.all([sessionOf(session), sessionOf(session), sessionOf(session)])
    const expected = { user: 'alice', serverUrl: SERVER, deviceId: DEVICE }
    expect(answers).toEqual([expected, expected, expected])
    expect(clients).toHaveLength(1)
    expect(clients[0]!.resumeCalls).toBe(1)
    expect(await sessionOf(session)).toEqual(expected)
    expect(clients[0]!.resumeCalls).toBe(1)
    expect(vault.saved).toMatchObject({ token: 'saved-token' })
  })

  it.each([
    ['TOKEN_EXPIRED', new AppError('TOKEN_EXPIRED', 'Your session has expired. Please sign in again.')],
    ['NOT_SIGNED_IN', new AppError('NOT_SIGNED_IN', 'The server refused this sign-in. Please sign in again.')]
  ])('a refused token (%s) is forgotten and auth.session answers null', async (_code, refusal) => {
    const { session, vault, clients } = setup({ resume: refusal })
    vault.saved = saved()
    expect(await sessionOf(session)).toBeNull()
    expect(vault.saved).toBeNull()
    expect(clients[0]!.closed).toBe(true)
  })

  it('any other resume failure shows sign-in but keeps the saved sign-in for the next start', async () => {
    const { session, vault, clients } = setup({ resume: new AppError('STORE_ERROR', 'Could not open the message database.') })
    vault.saved = saved()
    expect(await sessionOf(session)).toBeNull()
    expect(vault.saved).toMatchObject({ user: 'alice' })
    expect(clients[0]!.closed).toBe(true)
  })

  it.each([
    ['another device', saved({ deviceId: 'desktop-other' })],
    ['an expired token', saved({ expiresAt: Date.now() - 1 })]
  ])('does not resume a sign-in of %s, and forgets it', async (_label, stored) => {
    const { session, vault, clients } = setup()
    vault.saved = stored
    expect(await sessionOf(session)).toBeNull()
    expect(clients).toHaveLength(0)
    expect(vault.saved).toBeNull()
  })

  it('without a vault nothing is resumed', async () => {
    const { session, clients } = setup({ vault: null })
    expect(await sessionOf(session)).toBeNull()
    expect(clients).toHaveLength(0)
  })

  it('resumes against the saved server, not the default one', async () => {
    const { session, vault, clients } = setup()
    vault.saved = saved({ serverUrl: 'https://chat.example.com' })
    expect(await sessionOf(session)).toMatchObject({ serverUrl: 'https://chat.example.com' })
    expect(clients[0]!.options.serverUrl).toBe('https://chat.example.com')
  })
})
