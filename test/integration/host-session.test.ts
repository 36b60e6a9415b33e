// Integration test of the browser host with the real engine and the real server (port 0, temp SQLite):
// two tabs register, sign in and chat over the bridge; a reload re-attaches; idle tabs are disposed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { startHost, type RunningHost } from '../../src/host/index'
import { HostTab } from './helpers/host-tab'
import { startServer } from '../../src/server/index'
import type { ChatMessage, Conversation } from '../../src/shared/model'

const GRACE_MS = 1_500

let tmp: string
let server: Awaited<ReturnType<typeof startServer>>
let host: RunningHost
const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`

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
    const aliceTab = await HostTab.open(host, `alice-tab-${suffix}`)
    const bobTab = await HostTab.open(host, `bob-tab-${suffix}`)
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

    const sent = await aliceTab.call<ChatMessage>('messages.sendText', { to: { type: 'single', id: bob }, text: 'hello bob' })
    expect(sent).toMatchObject({ to: bob, direction: 'out', content: { text: 'hello bob' } })
    await aliceTab.event<ChatMessage>('message.upsert', (m) => m.id === sent.id && m.status === 'sent')
    const received = await bobTab.event<ChatMessage>('message.upsert', (m) => m.id === sent.id)
    expect(received).toMatchObject({ from: alice, direction: 'in', status: 'received', content: { text: 'hello bob' } })
    await bobTab.event<Conversation>('conversation.upsert', (c) => c.id === alice && c.unreadCount === 1)

    await bobTab.call('conversations.markRead', { conversation: { type: 'single', id: alice } })
    const bobList = await bobTab.call<Conversation[]>('conversations.list')
    expect(bobList).toEqual([expect.objectContaining({ id: alice, unreadCount: 0 })])
    const reply = await bobTab.call<ChatMessage>('messages.sendText', { to: { type: 'single', id: alice }, text: 'hi alice' })
    await aliceTab.event<ChatMessage>('message.upsert', (m) => m.id === reply.id && m.direction === 'in')

    // A page reload: the old socket closes and the same tab id connects again within the grace period.
    await aliceTab.close()
    const reloaded = await HostTab.open(host, aliceTab.id)
    expect(await reloaded.call('auth.session')).toEqual(session)
    const page = await reloaded.call<{ messages: ChatMessage[] }>('messages.page', { conversation: { type: 'single', id: bob } })
    expect(page.messages.map((m) => (m.content.type === 'text' ? m.content.text : null))).toEqual(['hello bob', 'hi alice'])

    // Another tab is another device: it starts signed out.
    const stranger = await HostTab.open(host, `stranger-${suffix}`)
    expect(await stranger.call('auth.session')).toBeNull()

    expect(await bobTab.call('auth.logout')).toBeUndefined()
    expect(await bobTab.call('auth.session')).toBeNull()
    await Promise.all([reloaded.close(), bobTab.close(), stranger.close()])
  })

  it('disposes a tab session once its page has been gone longer than the grace period', async () => {
    const carol = `carol_${suffix}`
    const tabId = `carol-tab-${suffix}`
    const first = await HostTab.open(host, tabId)
    await first.call('auth.register', { username: carol, password: 'carol-password' })
    await first.call('auth.login', { username: carol, password: 'carol-password' })
    await first.close()
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS * 2))
    const later = await HostTab.open(host, tabId)
    expect(await later.call('auth.session')).toBeNull()
    // The disposed session closed its store, so signing in again on the same device folder works.
    expect(await later.call('auth.login', { username: carol, password: 'carol-password' })).toMatchObject({ user: carol })
    await later.close()
  })
})
