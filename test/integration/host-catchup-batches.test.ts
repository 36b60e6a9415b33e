// A long catch-up through the browser host (real engine, real server, a tab's socket as the page opens it): the
// tab gets ONE push per stored batch, not one per message (a renderer handles each push in a task of its own: 100k
// of them kept bench:ui's page minutes behind, and the replies queued behind them timed out), with every message of
// the conversation it has open and each changed conversation once; the catch-up finishes and searches answer.
import fs from 'node:fs'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { startHost, type RunningHost } from '../../src/host/index'
import { FileSessionVault } from '../../src/main/core/api/session-vault'
import type { HostServerMessage } from '../../src/shared/ipc/contract'
import type { ChatMessage, Conversation } from '../../src/shared/model'
import type { ServerStore } from '../../src/server/store/types'
import { HostTab } from './helpers/host-tab'
import { Devices, makeTempDir, registerUsers, TEST_PASSWORD, TestServer, uniqueUser, waitFor } from './helpers/env'

/** Messages my other device sends to each peer while this tab's host is down: one catch-up of them all. */
const PER_PEER = 120
const PEERS = 3
/** Message and conversation pushes the catch-up (one stored chunk) may cause: never one per message. */
const MAX_CHAT_PUSHES = 3
const CATCH_UP_WAIT_MS = 60_000

type EventFrame = Extract<HostServerMessage, { kind: 'event' }>

describe('a long catch-up through the browser host', () => {
  let server: TestServer
  let devices: Devices
  let host: RunningHost | null = null
  let tmp: string
  /** While set, the server's reads of this user's log wait (the catch-up holds until the tab has opened its chat). */
  let holdLogOf: string | null = null
  let releaseLog: () => void = () => undefined
  let logReleased: Promise<void> = Promise.resolve()

  function holdLog(user: string): void {
    holdLogOf = user
    logReleased = new Promise<void>((resolve) => {
      releaseLog = () => {
        holdLogOf = null
        resolve()
      }
    })
  }

  afterEach(async () => {
    releaseLog()
    await host?.close()
    host = null
    await devices.dispose()
    await server.dispose()
    fs.rmSync(tmp, { recursive: true, force: true })
  })

  async function openHost(): Promise<RunningHost> {
    const rendererDir = path.join(tmp, 'renderer')
    fs.mkdirSync(rendererDir, { recursive: true })
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Parley</title>')
    return startHost({
      port: 0,
      rendererDir,
      dataDir: path.join(tmp, 'web'),
      defaultServerUrl: server.url,
      version: '0.0.1',
      sessionOverrides: { vault: new FileSessionVault(path.join(tmp, 'saved-sign-in.json')) }
    })
  }

  it('pushes one batch per stored chunk with the open chat whole, finishes, and answers searches meanwhile', { timeout: 120_000 }, async () => {
    server = new TestServer({
      testHooks: {
        wrapStore: (inner) =>
          new Proxy(inner, {
            get(target, property, receiver) {
              if (property === 'readLogAfter') {
                return async (...args: Parameters<ServerStore['readLogAfter']>) => {
                  if (holdLogOf !== null && args[0] === holdLogOf) await logReleased
                  return target.readLogAfter(...args)
                }
              }
              const value: unknown = Reflect.get(target, property, receiver)
              return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
            }
          })
      }
    })
    await server.start()
    devices = new Devices(server)
    tmp = makeTempDir()
    const me = uniqueUser('me')
    const peers = Array.from({ length: PEERS }, (_, i) => uniqueUser(`peer${i}`))
    await registerUsers(server, me, ...peers)
    const openPeer = peers[0]!

    // The tab signs in ("stay signed in"), opens the chat with the first peer, and the host goes away.
    host = await openHost()
    const tabId = `tab-${randomUUID()}`
    let tab = await HostTab.open(host, tabId)
    await tab.call('auth.login', { username: me, password: TEST_PASSWORD })
    const other = devices.create('other')
    await other.login(me, TEST_PASSWORD)
    await other.sendText(openPeer, 'hello before')
    await waitFor('the tab to list the first chat', async () => (await tab.call<Conversation[]>('conversations.list')).length === 1)
    await host.close()
    host = null

    // My other device writes to every peer meanwhile: outgoing on this device too, so none of it notifies.
    const sent: ChatMessage[] = []
    for (let i = 0; i < PER_PEER; i++) for (const peer of peers) sent.push(await other.sendText(peer, `the news ${i} for ${peer}`))
    await other.whenSynced()
    const head = (await other.diagnostics()).syncCursor

    holdLog(me)
    host = await openHost()
    tab = await HostTab.open(host, tabId)
    // The page shows the list and loads the open chat's newest page while the catch-up's read waits on the server.
    await tab.call('auth.session')
    await tab.call('messages.page', { conversation: { type: 'single', id: openPeer }, beforeSeq: null, limit: 50 })
    const before = tab.messages.length
    releaseLog()
    const searched: boolean[] = []
    let searching = true
    const searches = (async () => {
      while (searching) {
        const reply = await tab.invoke('search.messages', { query: 'news', limit: 50 })
        searched.push(reply.ok)
      }
    })()
    await waitFor(
      'the catch-up to reach the log head',
      async () => ((await tab.call<{ syncCursor: number | null }>('app.diagnostics')).syncCursor ?? 0) >= head,
      CATCH_UP_WAIT_MS
    )
    searching = false
    await searches

    const chatKinds = new Set(['message.upsert', 'conversation.upsert', 'sync.batch'])
    const events = tab.messages.slice(before).filter((m): m is EventFrame => m.kind === 'event' && chatKinds.has(m.event))
    const items = events.flatMap((e): Array<{ message?: ChatMessage; conversation?: Conversation }> => {
      if (e.event === 'message.upsert') return [{ message: e.payload as ChatMessage }]
      if (e.event === 'conversation.upsert') return [{ conversation: e.payload as Conversation }]
      if (e.event !== 'sync.batch') return []
      const batch = e.payload as { messages: ChatMessage[]; conversations: Conversation[] }
      return [...batch.messages.map((message) => ({ message })), ...batch.conversations.map((conversation) => ({ conversation }))]
    })
    const messagesPushed = items.flatMap((item) => (item.message ? [item.message] : []))
    // The open chat got every message it missed; the others none (they load their newest page when opened).
    const missedInOpenChat = sent.filter((m) => m.conversationId === openPeer).map((m) => m.id)
    expect(new Set(messagesPushed.filter((m) => m.conversationId === openPeer).map((m) => m.id))).toEqual(new Set(missedInOpenChat))
    expect(messagesPushed.filter((m) => m.conversationId !== openPeer)).toEqual([])
    // The list as the pushes left it is the list the store has: newest message and unread count of every chat.
    const pushedList = new Map<string, Conversation>()
    for (const item of items) if (item.conversation) pushedList.set(item.conversation.id, item.conversation)
    const stored = await tab.call<Conversation[]>('conversations.list')
    expect(stored.map((c) => c.id).sort()).toEqual([...peers].sort())
    for (const conversation of stored) {
      expect(pushedList.get(conversation.id)?.lastMessage?.id).toBe(conversation.lastMessage?.id)
      expect(pushedList.get(conversation.id)?.unreadCount).toBe(conversation.unreadCount)
    }
    // A push per batch, not per message.
    expect(events.length).toBeLessThanOrEqual(MAX_CHAT_PUSHES)
    expect(searched.length).toBeGreaterThan(0)
    expect(searched.every(Boolean)).toBe(true)
  })
})
