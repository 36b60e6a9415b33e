// Unit tests of CoreSession's boundary: argument validation, method mapping, sign-in rules and event mapping.
// The engine is a small in-file fake; the real ChatClient is covered by the integration tests.
import { describe, expect, it } from 'vitest'
import { CoreSession, type CoreSessionOptions } from '../../src/main/core/api/session'
import type { ChatClientApi, ChatClientEvents, ChatClientOptions, ConversationRef } from '../../src/main/core/types'
import type { ChatMessage, ConnectionStatus, Conversation, MessagePage, SessionInfo } from '../../src/shared/model'
import type { PushEventName } from '../../src/shared/ipc/contract'
import { AppError } from '../../src/shared/errors'
import { MAX_FIRST_PAGE_CONVERSATIONS } from '../../src/shared/limits'

const DEFAULT_URL = 'http://127.0.0.1:3210'
const MESSAGE_ID = 'a'.repeat(32)
const BOB = { type: 'single', id: 'bob' } as const

/** How the fake client records a conversation it was given: 'single:bob'. */
function refText(ref: ConversationRef): string {
  return typeof ref === 'string' ? `single:${ref}` : `${ref.type}:${ref.id}`
}

function message(overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: MESSAGE_ID,
    serverId: null,
    conversationId: 'bob',
    chatType: 'single',
    from: 'alice',
    to: 'bob',
    direction: 'out',
    content: { type: 'text', text: 'hi' },
    timestamp: 1,
    seq: null,
    status: 'sending',
    error: null,
    ...overrides
  }
}

type Call = [string, ...unknown[]]

class FakeClient implements ChatClientApi {
  session: SessionInfo | null = null
  status: ConnectionStatus = { state: 'connecting', nextRetryAt: null, reason: null }
  readonly calls: Call[] = []
  loggedOut = false
  closed = false
  private readonly handlers = new Map<string, Set<(payload: never) => void>>()

  constructor(
    readonly options: ChatClientOptions,
    private readonly passwords: Record<string, string>
  ) {}

  async login(username: string, password: string): Promise<SessionInfo> {
    this.calls.push(['login', username])
    if (this.passwords[username] !== password) {
      throw new AppError('INVALID_CREDENTIALS', 'The username or password is incorrect.')
    }
    this.session = { user: username, serverUrl: this.options.serverUrl, deviceId: this.options.deviceId }
    return this.session
  }
  async logout(): Promise<void> {
    this.calls.push(['logout'])
    this.loggedOut = true
    this.session = null
  }
  /** Closes here only: the session stays valid on the server (ChatClient.close). */
  async close(): Promise<void> {
    this.calls.push(['close'])
    this.closed = true
    this.session = null
  }
  async sendText(to: ConversationRef, text: string): Promise<ChatMessage> {
    this.calls.push(['sendText', refText(to), text])
    const id = typeof to === 'string' ? to : to.id
    return message({ to: id, conversationId: id, content: { type: 'text', text } })
  }
  async retry(messageId: string): Promise<ChatMessage> {
    this.calls.push(['retry', messageId])
    return message({ id: messageId })
  }
  async listConversations(limit?: number): Promise<Conversation[]> {
    this.calls.push(limit === undefined ? ['listConversations'] : ['listConversations', limit])
    return [{ id: 'bob', chatType: 'single', title: null, lastMessage: null, unreadCount: 2, readSeq: 0, draft: null, updatedAt: 5 }]
  }
  async page(conversation: ConversationRef, beforeSeq: number | null, limit: number): Promise<MessagePage> {
    this.calls.push(['page', refText(conversation), beforeSeq, limit])
    return { messages: [message()], hasMore: false }
  }
  async markRead(conversation: ConversationRef, uptoSeq?: number): Promise<void> {
    this.calls.push(['markRead', refText(conversation), uptoSeq])
  }
  async lookupUser(username: string): Promise<{ user: string } | null> {
    this.calls.push(['lookupUser', username])
    return username === 'bob' ? { user: 'bob' } : null
  }
  async setDraft(conversation: ConversationRef, text: string | null): Promise<void> {
    this.calls.push(['setDraft', refText(conversation), text])
  }
  async diagnostics(): Promise<{ syncCursor: number; pendingOutbox: number; quarantinedEvents: number }> {
    return { syncCursor: 42, pendingOutbox: 3, quarantinedEvents: 1 }
  }
  setActiveConversation(conversation: ConversationRef | null): void {
    this.calls.push(['setActiveConversation', conversation === null ? null : refText(conversation)])
  }
  on<K extends keyof ChatClientEvents>(event: K, listener: (payload: ChatClientEvents[K]) => void): () => void {
    let set = this.handlers.get(event)
    if (!set) this.handlers.set(event, (set = new Set()))
    set.add(listener as (payload: never) => void)
    return () => set.delete(listener as (payload: never) => void)
  }
  emit<K extends keyof ChatClientEvents>(event: K, payload: ChatClientEvents[K]): void {
    for (const listener of this.handlers.get(event) ?? []) (listener as (p: ChatClientEvents[K]) => void)(payload)
  }
  listenerCount(): number {
    return [...this.handlers.values()].reduce((sum, set) => sum + set.size, 0)
  }
}

function setup(overrides: Partial<CoreSessionOptions> = {}) {
  const clients: FakeClient[] = []
  const registered: Array<[string, string, string]> = []
  const passwords: Record<string, string> = { alice: 'secret-a', bob: 'secret-b' }
  const session = new CoreSession({
    shell: 'browser',
    version: '9.9.9',
    defaultServerUrl: DEFAULT_URL,
    deviceId: 'web-tab12345',
    dataDir: '/nonexistent/parley-test',
    // Nothing touches the disk: the device's settings stay in memory.
    settingsFile: null,
    createClient: (options) => {
      const client = new FakeClient(options, passwords)
      clients.push(client)
      return client
    },
    register: async (serverUrl, username, password) => {
      if (username === 'taken') throw new AppError('USERNAME_TAKEN', 'That username is taken.')
      registered.push([serverUrl, username, password])
    },
    ...overrides
  })
  const events: Array<[PushEventName, unknown]> = []
  session.onEvent((event, payload) => events.push([event, payload]))
  return { session, clients, registered, events }
}

async function signIn(session: CoreSession, username = 'alice', password = 'secret-a') {
  const reply = await session.invoke('auth.login', { username, password })
  expect(reply.ok).toBe(true)
  return reply
}

describe('CoreSession validation', () => {
  it('answers app.info without signing in, with or without null args', async () => {
    const { session } = setup()
    const expected = { ok: true, result: { version: '9.9.9', shell: 'browser', defaultServerUrl: DEFAULT_URL } }
    expect(await session.invoke('app.info', undefined)).toEqual(expected)
    expect(await session.invoke('app.info', null)).toEqual(expected)
  })

  it('refuses an unknown method with UNKNOWN_METHOD and never throws', async () => {
    const { session } = setup()
    const reply = await session.invoke('files.delete', {})
    expect(reply).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
    const proto = await session.invoke('__proto__', {})
    expect(proto).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
  })

  it('refuses bad arguments with BAD_ARGUMENT and a sentence naming the field', async () => {
    const { session } = setup()
    await signIn(session)
    const empty = await session.invoke('messages.sendText', { to: BOB, text: '' })
    expect(empty.ok).toBe(false)
    if (empty.ok) return
    expect(empty.error.code).toBe('BAD_ARGUMENT')
    expect(empty.error.message).toMatch(/^Invalid arguments for messages\.sendText: "text"/)
    expect(await session.invoke('messages.retry', { messageId: 'not-hex' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_ARGUMENT' }
    })
    expect(await session.invoke('auth.login', 'alice')).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } })
    expect(await session.invoke('auth.login', { username: 'alice', password: 'x', serverUrl: 'ftp://x' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_ARGUMENT' }
    })
    expect(await session.invoke('app.info', { extra: true })).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } })
  })

  it('answers NOT_SIGNED_IN for account methods before sign-in, and offline status', async () => {
    const { session } = setup()
    for (const [method, args] of [
      ['conversations.list', undefined],
      ['conversations.markRead', { conversation: BOB }],
      ['messages.page', { conversation: BOB }],
      ['messages.sendText', { to: BOB, text: 'hi' }],
      ['messages.retry', { messageId: MESSAGE_ID }],
      ['conversations.setActive', { conversation: BOB }],
      ['drafts.set', { conversation: BOB, text: 'x' }],
      ['users.lookup', { username: 'bob' }]
    ] as const) {
      expect(await session.invoke(method, args)).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } })
    }
    expect(await session.invoke('auth.session', undefined)).toEqual({ ok: true, result: null })
    expect(await session.invoke('connection.status', undefined)).toEqual({
      ok: true,
      result: { state: 'disconnected', nextRetryAt: null, reason: null }
    })
  })
})

describe('CoreSession sign-in', () => {
  it('registers against the default server unless one is given', async () => {
    const { session, registered } = setup()
    expect(await session.invoke('auth.register', { username: ' carol ', password: 'pw' })).toEqual({
      ok: true,
      result: undefined
    })
    await session.invoke('auth.register', { username: 'dave', password: 'pw', serverUrl: 'http://10.0.0.1:9000' })
    expect(registered).toEqual([
      [DEFAULT_URL, 'carol', 'pw'],
      ['http://10.0.0.1:9000', 'dave', 'pw']
    ])
    expect(await session.invoke('auth.register', { username: 'taken', password: 'pw' })).toEqual({
      ok: false,
      error: { code: 'USERNAME_TAKEN', message: 'That username is taken.' }
    })
  })

  it('creates the client with this device and the chosen server, then signs in', async () => {
    const { session, clients } = setup()
    const reply = await session.invoke('auth.login', { username: 'alice', password: 'secret-a' })
    expect(reply).toEqual({ ok: true, result: { user: 'alice', serverUrl: DEFAULT_URL, deviceId: 'web-tab12345' } })
    expect(clients).toHaveLength(1)
    expect(clients[0]!.options).toEqual({
      serverUrl: DEFAULT_URL,
      deviceId: 'web-tab12345',
      dataDir: '/nonexistent/parley-test',
      platform: 'web',
      // The device's network route (proxy setting) and auto-download size come from its settings.
      agent: expect.anything(),
      autoDownloadMaxBytes: expect.any(Function),
      // A renewed token is saved (the vault, when there is one) before the client acknowledges it.
      keepRenewedToken: expect.any(Function)
    })
    expect(await session.invoke('auth.session', undefined)).toEqual({ ok: true, result: reply.ok && reply.result })
  })

  it('closes the client when sign-in fails, and a later sign-in works', async () => {
    const { session, clients } = setup()
    expect(await session.invoke('auth.login', { username: 'alice', password: 'wrong' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CREDENTIALS' }
    })
    expect(clients[0]!.closed).toBe(true)
    expect(clients[0]!.listenerCount()).toBe(0)
    await signIn(session)
    expect(clients).toHaveLength(2)
  })

  it('returns the same session for the same user and refuses another user', async () => {
    const { session, clients } = setup()
    const first = await signIn(session)
    expect(await session.invoke('auth.login', { username: 'Alice', password: 'anything' })).toEqual(first)
    const other = await session.invoke('auth.login', { username: 'bob', password: 'secret-b' })
    expect(other).toMatchObject({ ok: false, error: { code: 'ALREADY_SIGNED_IN' } })
    if (!other.ok) expect(other.error.message).toContain('alice')
    expect(clients).toHaveLength(1)
  })

  it('creates only one client when two sign-ins race', async () => {
    const { session, clients } = setup()
    const [a, b] = await Promise.all([
      session.invoke('auth.login', { username: 'alice', password: 'secret-a' }),
      session.invoke('auth.login', { username: 'alice', password: 'secret-a' })
    ])
    expect(a).toEqual(b)
    expect(clients).toHaveLength(1)
  })

  it('signs out: closes the client, then account methods are refused', async () => {
    const { session, clients, events } = setup()
    await signIn(session)
    expect(await session.invoke('auth.logout', undefined)).toEqual({ ok: true, result: undefined })
    expect(clients[0]!.loggedOut).toBe(true)
    expect(events.at(-1)).toEqual(['connection.status', { state: 'disconnected', nextRetryAt: null, reason: null }])
    expect(await session.invoke('conversations.list', undefined)).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } })
    expect(await session.invoke('auth.logout', undefined)).toEqual({ ok: true, result: undefined })
    await signIn(session, 'bob', 'secret-b')
    expect(clients).toHaveLength(2)
  })

  it('treats an ended session as signed out and lets the user sign in again', async () => {
    const { session, clients, events } = setup()
    await signIn(session)
    const error = { code: 'NOT_SIGNED_IN' as const, params: { reason: 'sessionReplaced' } }
    clients[0]!.emit('sessionEnded', { reason: 'Signed in on another device.', error })
    expect(events).toContainEqual(['session.ended', { reason: 'Signed in on another device.', error }])
    expect(await session.invoke('auth.session', undefined)).toEqual({ ok: true, result: null })
    expect(await session.invoke('conversations.list', undefined)).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } })
    await signIn(session)
    expect(clients[0]!.closed).toBe(true)
    expect(clients).toHaveLength(2)
  })

  it('turns an unexpected engine failure into an INTERNAL reply', async () => {
    const { session } = setup({
      createClient: () => {
        throw new Error('disk on fire')
      }
    })
    const reply = await session.invoke('auth.login', { username: 'alice', password: 'secret-a' })
    expect(reply).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong: disk on fire' } })
  })
})

describe('CoreSession mapping', () => {
  it('looks users up by their canonical id and answers USER_NOT_FOUND with the name as a param', async () => {
    const { session, clients } = setup()
    await signIn(session)
    expect(await session.invoke('users.lookup', { username: ' BOB ' })).toEqual({ ok: true, result: { user: 'bob' } })
    expect(await session.invoke('users.lookup', { username: 'Nobody' })).toEqual({
      ok: false,
      error: { code: 'USER_NOT_FOUND', message: 'There is no user named nobody.', params: { user: 'nobody' } }
    })
    expect(await session.invoke('users.lookup', { username: 'no spaces' })).toMatchObject({ ok: false, error: { code: 'INVALID_USERNAME' } })
    expect(clients[0]!.calls.filter(([name]) => name === 'lookupUser')).toEqual([['lookupUser', 'bob'], ['lookupUser', 'nobody']])
  })

  it('reports diagnostics from the client, and empty ones while signed out', async () => {
    const { session } = setup()
    expect(await session.invoke('app.diagnostics', undefined)).toMatchObject({
      ok: true,
      result: { syncCursor: null, pendingOutbox: 0, quarantinedEvents: null, connection: { state: 'disconnected' } }
    })
    await signIn(session)
    expect(await session.invoke('app.diagnostics', undefined)).toMatchObject({
      ok: true,
      result: { syncCursor: 42, pendingOutbox: 3, quarantinedEvents: 1 }
    })
  })

  it('maps every account method onto the client', async () => {
    const { session, clients } = setup()
    await signIn(session)
    const client = clients[0]!
    client.calls.length = 0
    expect(await session.invoke('conversations.list', undefined)).toMatchObject({ ok: true, result: [{ id: 'bob' }] })
    expect(await session.invoke('conversations.firstPage', { limit: 40 })).toMatchObject({ ok: true, result: [{ id: 'bob' }] })
    // The first screen is a few dozen rows: nothing that reads the whole list in one go, nothing empty.
    for (const limit of [0, MAX_FIRST_PAGE_CONVERSATIONS + 1, 2.5, '40']) {
      expect(await session.invoke('conversations.firstPage', { limit })).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } })
    }
    await session.invoke('conversations.markRead', { conversation: BOB })
    await session.invoke('conversations.markRead', { conversation: BOB, uptoSeq: 17 })
    await session.invoke('conversations.setActive', { conversation: { type: 'single', id: 'BOB' } })
    await session.invoke('conversations.setActive', { conversation: null })
    await session.invoke('drafts.set', { conversation: BOB, text: 'half a thought' })
    await session.invoke('drafts.set', { conversation: BOB, text: '' })
    await session.invoke('messages.page', { conversation: BOB })
    await session.invoke('messages.page', { conversation: BOB, beforeSeq: 40, limit: 10 })
    const sent = await session.invoke('messages.sendText', { to: BOB, text: 'hello' })
    expect(sent).toMatchObject({ ok: true, result: { to: 'bob', content: { text: 'hello' }, status: 'sending' } })
    await session.invoke('messages.retry', { messageId: MESSAGE_ID })
    expect(client.calls).toEqual([
      ['listConversations'],
      ['listConversations', 40],
      ['markRead', 'single:bob', undefined],
      ['markRead', 'single:bob', 17],
      ['setActiveConversation', 'single:bob'],
      ['setActiveConversation', null],
      ['setDraft', 'single:bob', 'half a thought'],
      ['setDraft', 'single:bob', null],
      ['page', 'single:bob', null, 50],
      ['page', 'single:bob', 40, 10],
      ['sendText', 'single:bob', 'hello'],
      ['retry', MESSAGE_ID]
    ])
  })

  it('signs out on the server only when the user signs out', async () => {
    const { session, clients } = setup()
    await signIn(session)
    await session.invoke('auth.logout', undefined)
    expect(clients[0]!.calls.filter(([name]) => name === 'logout' || name === 'close')).toEqual([['logout']])
  })

  it('pushes client events as renderer events, and stops after dispose', async () => {
    const { session, clients, events } = setup()
    await signIn(session)
    const client = clients[0]!
    events.length = 0
    const status: ConnectionStatus = { state: 'connected', nextRetryAt: null, reason: null }
    const conversation: Conversation = { id: 'bob', chatType: 'single', title: null, lastMessage: null, unreadCount: 0, readSeq: 0, draft: null, updatedAt: 1 }
    client.emit('connection', status)
    client.emit('message', message())
    client.emit('conversation', conversation)
    client.emit('tokenRenewed', { expiresAt: 99 })
    expect(events).toEqual([
      ['connection.status', status],
      ['message.upsert', message()],
      ['conversation.upsert', conversation]
    ])
    expect(await session.invoke('connection.status', undefined)).toEqual({ ok: true, result: client.status })
    await session.dispose()
    // Quitting the app (or a tab session going idle) closes the client but signs nothing out on the server.
    expect(client.closed).toBe(true)
    expect(client.loggedOut).toBe(false)
    expect(client.listenerCount()).toBe(0)
    const afterDispose = events.length
    client.emit('message', message())
    expect(events).toHaveLength(afterDispose)
    expect(await session.invoke('auth.login', { username: 'alice', password: 'secret-a' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_SIGNED_IN' }
    })
  })

  it('keeps delivering to other listeners when one throws', async () => {
    const { session, clients, events } = setup()
    session.onEvent(() => {
      throw new Error('bad listener')
    })
    await signIn(session)
    clients[0]!.emit('message', message())
    expect(events.some(([event]) => event === 'message.upsert')).toBe(true)
  })
})
