// The renderer's browser-host bridge against a real WebSocket server on 127.0.0.1: numbered invokes and
// replies, typed rejections, events, queueing until open, DISCONNECTED on drops, reconnect, bad frames.
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import type { AddressInfo } from 'node:net'
import { HOST_CLOSE_REPLACED, type HostClientMessage, type HostServerMessage } from '../../src/shared/ipc/contract'
import { createSocketBridge, type BridgeSocket, type BridgeSocketHandlers, type SocketBridge } from '../../src/renderer/src/bridge/socket-bridge'
import type { ConnectionStatus } from '../../src/shared/model'

const FAST_RECONNECT_MS = [20, 40]
const WAIT_STEP_MS = 10
const WAIT_LIMIT_MS = 5_000

function openNodeSocket(url: string, handlers: BridgeSocketHandlers): BridgeSocket {
  const socket = new WebSocket(url)
  socket.on('open', () => handlers.onOpen())
  socket.on('message', (data, isBinary) => handlers.onMessage(isBinary ? data : data.toString()))
  socket.on('close', (code) => handlers.onClose(code))
  socket.on('error', () => undefined) // 'close' follows
  return {
    get isOpen() {
      return socket.readyState === WebSocket.OPEN
    },
    send: (data) => socket.send(data),
    close: (code, reason) => socket.close(code, reason)
  }
}

interface FakeHost {
  url: string
  received: HostClientMessage[]
  sockets: WebSocket[]
  connections: number
  onInvoke: (message: HostClientMessage, socket: WebSocket) => void
  close(): Promise<void>
}

async function startHost(): Promise<FakeHost> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const host: FakeHost = {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/bridge?token=t&tab=x`,
    received: [],
    sockets: [],
    connections: 0,
    onInvoke: () => undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of host.sockets) socket.terminate()
        server.close(() => resolve())
      })
  }
  server.on('connection', (socket) => {
    host.connections += 1
    host.sockets.push(socket)
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as HostClientMessage
      host.received.push(message)
      host.onInvoke(message, socket)
    })
  })
  return host
}

function reply(socket: WebSocket, frame: HostServerMessage): void {
  socket.send(JSON.stringify(frame))
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS))
  }
}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function setup(extra: { onReplaced?: () => void; ready?: Promise<void>; isTokenCurrent?: () => Promise<boolean> } = {}): Promise<{ host: FakeHost; bridge: SocketBridge }> {
  const host = await startHost()
  const bridge = createSocketBridge({ url: host.url, createSocket: openNodeSocket, reconnectDelaysMs: FAST_RECONNECT_MS, ...extra })
  cleanups.push(() => host.close(), () => bridge.close())
  return { host, bridge }
}

describe('renderer socket bridge', () => {
  it('sends numbered invokes and resolves or rejects with the reply', async () => {
    const { host, bridge } = await setup()
    host.onInvoke = (message, socket) => {
      if (message.method === 'conversations.markRead') {
        reply(socket, { kind: 'reply', id: message.id, reply: { ok: false, error: { code: 'NOT_SIGNED_IN', message: 'Sign in first.' } } })
      } else {
        reply(socket, { kind: 'reply', id: message.id, reply: { ok: true, result: { echo: message.args } as never } })
      }
    }
    const first = bridge.invoke('app.info')
    const second = bridge.invoke('messages.page', { conversation: { type: 'single', id: 'bob' }, beforeSeq: 7 })
    await expect(first).resolves.toEqual({ echo: undefined })
    await expect(second).resolves.toEqual({ echo: { conversation: { type: 'single', id: 'bob' }, beforeSeq: 7 } })
    await expect(bridge.invoke('conversations.markRead', { conversation: { type: 'single', id: 'bob' } })).rejects.toEqual({
      code: 'NOT_SIGNED_IN',
      message: 'Sign in first.'
    })
    const ids = host.received.map((m) => m.id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(new Set(ids).size).toBe(3)
    expect(host.received.map((m) => m.kind)).toEqual(['invoke', 'invoke', 'invoke'])
  })

  it('carries the params of an error to the renderer, so it can build the sentence from the code', async () => {
    const { host, bridge } = await setup()
    host.onInvoke = (message, socket) =>
      reply(socket, {
        kind: 'reply',
        id: message.id,
        reply: { ok: false, error: { code: 'USER_NOT_FOUND', message: 'There is no user named zed.', params: { user: 'zed' } } }
      })
    await expect(bridge.invoke('app.info')).rejects.toEqual({
      code: 'USER_NOT_FOUND',
      message: 'There is no user named zed.',
      params: { user: 'zed' }
    })
  })

  it('stops instead of reconnecting when the host says a newer page took this tab id', async () => {
    let replaced = 0
    const { host, bridge } = await setup({ onReplaced: () => (replaced += 1) })
    await until(() => host.sockets.length === 1 && bridge.connected)
    host.sockets[0]!.close(HOST_CLOSE_REPLACED, 'Replaced by a newer connection from the same tab')
    await until(() => replaced === 1)
    await new Promise((resolve) => setTimeout(resolve, FAST_RECONNECT_MS[1]! * 3))
    expect(host.connections).toBe(1)
    await expect(bridge.invoke('app.info')).rejects.toMatchObject({ code: 'DISCONNECTED' })
  })

  it('connects only once ready (the tab id claim), holding invokes until then', async () => {
    let becomeReady = (): void => undefined
    const ready = new Promise<void>((resolve) => (becomeReady = resolve))
    const { host, bridge } = await setup({ ready })
    host.onInvoke = (message, socket) => reply(socket, { kind: 'reply', id: message.id, reply: { ok: true, result: null as never } })
    const early = bridge.invoke('app.info')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(host.connections).toBe(0)
    becomeReady()
    await expect(early).resolves.toBeNull()
    expect(host.connections).toBe(1)
  })

  it('queues invokes made before the socket opens', async () => {
    const { host, bridge } = await setup()
    host.onInvoke = (message, socket) => reply(socket, { kind: 'reply', id: message.id, reply: { ok: true, result: null as never } })
    expect(bridge.connected).toBe(false)
    await expect(bridge.invoke('auth.session')).resolves.toBeNull()
    expect(bridge.connected).toBe(true)
  })

  it('dispatches events to listeners until they unsubscribe, and ignores malformed frames', async () => {
    const { host, bridge } = await setup()
    const seen: string[] = []
    const off = bridge.on('session.ended', ({ reason }) => seen.push(reason))
    await until(() => host.sockets.length === 1 && bridge.connected)
    const socket = host.sockets[0]!
    socket.send('not json {')
    socket.send(JSON.stringify({ kind: 'mystery' }))
    socket.send(JSON.stringify({ kind: 'reply', id: 999, reply: { ok: true, result: 1 } }))
    reply(socket, { kind: 'event', event: 'session.ended', payload: { reason: 'Signed in elsewhere.' } })
    await until(() => seen.length === 1)
    off()
    reply(socket, { kind: 'event', event: 'session.ended', payload: { reason: 'again' } })
    // A later invoke round-trip proves the second event was processed (and ignored) by now.
    host.onInvoke = (message, s) => reply(s, { kind: 'reply', id: message.id, reply: { ok: true, result: 'ok' as never } })
    await expect(bridge.invoke('app.info')).resolves.toBe('ok')
    expect(seen).toEqual(['Signed in elsewhere.'])
  })

  it('rejects in-flight invokes with DISCONNECTED on a drop, reports it, reconnects and refreshes the status', async () => {
    const { host, bridge } = await setup()
    const statuses: ConnectionStatus[] = []
    bridge.on('connection.status', (status) => statuses.push(status))
    let dropNext = true
    host.onInvoke = (message, socket) => {
      if (message.method === 'messages.sendText' && dropNext) {
        dropNext = false
        socket.terminate()
        return
      }
      const result = message.method === 'connection.status' ? { state: 'connected', nextRetryAt: null, reason: null } : 'fine'
      reply(socket, { kind: 'reply', id: message.id, reply: { ok: true, result: result as never } })
    }
    const inFlight = bridge.invoke('messages.sendText', { to: { type: 'single', id: 'bob' }, text: 'hi' })
    await expect(inFlight).rejects.toMatchObject({ code: 'DISCONNECTED' })
    await until(() => host.connections === 2 && statuses.length === 2)
    expect(statuses[0]).toMatchObject({ state: 'reconnecting' })
    expect(statuses[1]).toEqual({ state: 'connected', nextRetryAt: null, reason: null })
    await expect(bridge.invoke('app.info')).resolves.toBe('fine')
  })

  it('stops and says so when a refused reconnect meets a host that no longer takes its token (restarted)', async () => {
    let asked = 0
    const { host, bridge } = await setup({ isTokenCurrent: async () => (++asked, false) })
    const statuses: ConnectionStatus[] = []
    bridge.on('connection.status', (status) => statuses.push(status))
    host.onInvoke = (message, socket) => reply(socket, { kind: 'reply', id: message.id, reply: { ok: true, result: 'fine' as never } })
    await expect(bridge.invoke('app.info')).resolves.toBe('fine')
    // The host goes away; the next attempt is refused before it opens.
    await host.close()
    await until(() => statuses.some((status) => status.state === 'disconnected'))
    expect(statuses.at(-1)).toEqual({
      state: 'disconnected',
      nextRetryAt: null,
      reason: "Parley was restarted, so this page's address no longer works. Open the new address printed by `npm run web`."
    })
    expect(asked).toBe(1)
    // No more attempts: the bridge stopped, and new invokes are refused at once.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(asked).toBe(1)
    await expect(bridge.invoke('app.info')).rejects.toMatchObject({ code: 'DISCONNECTED' })
  })

  it('rejects a queued invoke with DISCONNECTED when the host never answers the connection', async () => {
    const host = await startHost()
    const unreachable = host.url
    await host.close()
    const bridge = createSocketBridge({
      url: unreachable,
      createSocket: openNodeSocket,
      reconnectDelaysMs: FAST_RECONNECT_MS,
      queuedInvokeTimeoutMs: 200
    })
    cleanups.push(() => bridge.close())
    await expect(bridge.invoke('app.info')).rejects.toMatchObject({ code: 'DISCONNECTED' })
  })

  it('rejects everything pending on close and refuses new invokes', async () => {
    const { host, bridge } = await setup()
    await until(() => bridge.connected)
    const pending = bridge.invoke('auth.logout')
    await until(() => host.received.length === 1)
    bridge.close()
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' })
    await expect(bridge.invoke('app.info')).rejects.toMatchObject({ code: 'DISCONNECTED' })
  })
})
