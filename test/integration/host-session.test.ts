// Integration test of the browser host with the real engine and the real server (port 0, temp SQLite):
// two tabs register, sign in and chat over the bridge; a reload re-attaches; idle tabs are disposed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { WebSocket } from 'ws'
import { startHost, type RunningHost } from '../../src/host/index'
import { startServer } from '../../src/server/index'
import type { HostServerMessage, InvokeReply } from '../../src/shared/ipc/contract'
import type { ChatMessage, Conversation } from '../../src/shared/model'

const GRACE_MS = 1_500
const WAIT_STEP_MS = 20

let tmp: string
let server: Awaited<ReturnType<typeof startServer>>
let host: RunningHost
const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`

class Tab {
  readonly messages: HostServerMessage[] = []
  private nextId = 1
  private constructor(
    readonly id: string,
    readonly ws: WebSocket
  ) {
    ws.on('message', (data) => this.messages.push(JSON.parse(data.toString()) as HostServerMessage))
  }

  static open(id: string): Promise<Tab> {
    const url = `ws://127.0.0.1:${host.port}/bridge?token=${host.token}&tab=${id}`
    const ws = new WebSocket(url, { origin: `http://127.0.0.1:${host.port}` })
    const tab = new Tab(id, ws)
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(tab))
      ws.once('error', reject)
    })
  }

  async invoke(method: string, args?: unknown): Promise<InvokeReply> {
    const id = this.nextId++
    this.ws.send(JSON.stringify({ kind: 'invoke', id, method, args }))
    const reply = await this.waitFor((m) => m.kind === 'reply' && m.id === id)
    return (reply as Extract<HostServerMessage, { kind: 'reply' }>).reply
  }

  /** The result of a successful invoke; fails the test with the error sentence otherwise. */
  async call<T>(method: string, args?: unknown): Promise<T> {
    const reply = await this.invoke(method, args)
    if (!reply.ok) throw new Error(`${method} failed: ${reply.error.code} ${reply.error.message}`)
    return reply.result as T
  }

  event<T>(name: string, match: (payload: T) => boolean): Promise<T> {
    return this.waitFor((m) => m.kind === 'event' && m.event === name && match(m.payload as T)).then(
      (m) => (m as Extract<HostServerMessage, { kind: 'event' }>).payload as T
    )
  }

  waitFor(match: (message: HostServerMessage) => boolean): Promise<HostServerMessage> {
    return new Promise((resolve) => {
      const check = (): void => {
        const found = this.messages.find(match)
        if (found) resolve(found)
        else setTimeout(check, WAIT_STEP_MS)
      }
      check()
    })
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve())
      this.ws.close()
    })
  }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'))
  const rendererDir = path.join(tmp, 'renderer')
  fs.mkdirSync(rendererDir)
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Parley</title>')
  server = await startServer({ port: 0, dataDir: path.join(tmp, 'server') })
  host = await startHost({
    port: 0,
    rendererDir,
    dataDir: path.join(tmp, 'web'),
    defaultServerUrl: server.url,
    version: '0.0.1',
    sessionGraceMs: GRACE_MS
  })
})

afterAll(async () => {
  await host?.close()
  await server?.close()
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('browser host with the real engine', () => {
  it('two tabs register, sign in, chat live, and a reload re-attaches to the signed-in session', async () => {
    const aliceTab = await Tab.open(`alice-tab-${suffix}`)
    const bobTab = await Tab.open(`bob-tab-${suffix}`)
    await aliceTab.call('auth.register', { username: alice, password: 'alice-password' })
    await bobTab.call('auth.register', { username: bob, password: 'bob-password' })
    expect(await bobTab.invoke('auth.register', { username: bob, password: 'other-password' })).toMatchObject({
      ok: false,
      error: { code: 'USERNAME_TAKEN' }
    })
    expect(await aliceTab.invoke('auth.login', { username: alice, password: 'wrong' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CREDENTIALS' }
    })

    const session = await aliceTab.call('auth.login', { username: alice, password: 'alice-password' })
    expect(session).toEqual({ user: alice, serverUrl: server.url, deviceId: `web-alice-tab-${suffix}` })
    await bobTab.call('auth.login', { username: bob, password: 'bob-password' })
    expect(await aliceTab.invoke('auth.login', { username: bob, password: 'bob-password' })).toMatchObject({
      ok: false,
      error: { code: 'ALREADY_SIGNED_IN' }
    })

    const sent = await aliceTab.call<ChatMessage>('messages.sendText', { to: bob, text: 'hello bob' })
    expect(sent).toMatchObject({ to: bob, direction: 'out', content: { text: 'hello bob' } })
    await aliceTab.event<ChatMessage>('message.upsert', (m) => m.id === sent.id && m.status === 'sent')
    const received = await bobTab.event<ChatMessage>('message.upsert', (m) => m.id === sent.id)
    expect(received).toMatchObject({ from: alice, direction: 'in', status: 'received', content: { text: 'hello bob' } })
    await bobTab.event<Conversation>('conversation.upsert', (c) => c.id === alice && c.unreadCount === 1)

    await bobTab.call('conversations.markRead', { conversationId: alice })
    const bobList = await bobTab.call<Conversation[]>('conversations.list')
    expect(bobList).toEqual([expect.objectContaining({ id: alice, unreadCount: 0 })])
    const reply = await bobTab.call<ChatMessage>('messages.sendText', { to: alice, text: 'hi alice' })
    await aliceTab.event<ChatMessage>('message.upsert', (m) => m.id === reply.id && m.direction === 'in')

    // A page reload: the old socket closes and the same tab id connects again within the grace period.
    await aliceTab.close()
    const reloaded = await Tab.open(aliceTab.id)
    expect(await reloaded.call('auth.session')).toEqual(session)
    const page = await reloaded.call<{ messages: ChatMessage[] }>('messages.page', { conversationId: bob })
    expect(page.messages.map((m) => m.content.text)).toEqual(['hello bob', 'hi alice'])

    // Another tab is another device: it starts signed out.
    const stranger = await Tab.open(`stranger-${suffix}`)
    expect(await stranger.call('auth.session')).toBeNull()

    expect(await bobTab.call('auth.logout')).toBeUndefined()
    expect(await bobTab.call('auth.session')).toBeNull()
    await Promise.all([reloaded.close(), bobTab.close(), stranger.close()])
  })

  it('disposes a tab session once its page has been gone longer than the grace period', async () => {
    const carol = `carol_${suffix}`
    const tabId = `carol-tab-${suffix}`
    const first = await Tab.open(tabId)
    await first.call('auth.register', { username: carol, password: 'carol-password' })
    await first.call('auth.login', { username: carol, password: 'carol-password' })
    await first.close()
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS * 2))
    const later = await Tab.open(tabId)
    expect(await later.call('auth.session')).toBeNull()
    // The disposed session closed its store, so signing in again on the same device folder works.
    expect(await later.call('auth.login', { username: carol, password: 'carol-password' })).toMatchObject({ user: carol })
    await later.close()
  })
})
