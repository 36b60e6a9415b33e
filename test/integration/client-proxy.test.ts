// The core's network route through a proxy, against the real server: with a manual (or system) proxy the sign-in
// HTTP, the chat socket and the attachment HTTP all go through it; loopback never does. The "remote" server is a
// name only the test proxy knows (chat.example.test), which it maps to the real server on 127.0.0.1.
import { createServer, request as httpRequest, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatClient } from '../../src/main/core/client'
import { registerAccount } from '../../src/main/core/app-server'
import { requestText } from '../../src/main/core/attachments/http'
import { createProxyAgent } from '../../src/main/core/net/proxy'
import type { NetworkSettings } from '../../src/shared/model/settings'
import { FAST_TIMINGS, makeTempDir, removeDir, TEST_PASSWORD, uniqueUser, useServerAndDevices } from './helpers/env'

const REMOTE_HOST = 'chat.example.test'

/** A forward proxy on 127.0.0.1 (plain requests and CONNECT tunnels) that only knows REMOTE_HOST. */
class TestProxy {
  readonly seen: string[] = []
  private readonly server: Server
  private readonly sockets = new Set<Socket>()
  port = 0

  constructor(private readonly targetPort: () => number) {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/')
      this.seen.push(`${req.method} ${url.host}${url.pathname}`)
      if (url.hostname !== REMOTE_HOST) {
        res.writeHead(502).end()
        return
      }
      const upstream = httpRequest(
        { host: '127.0.0.1', port: this.targetPort(), method: req.method, path: url.pathname + url.search, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        }
      )
      upstream.on('error', () => res.destroy())
      req.pipe(upstream)
    })
    this.server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    this.server.on('connect', (req, client: Socket, head) => {
      this.seen.push(`CONNECT ${req.url ?? ''}`)
      if (!(req.url ?? '').startsWith(`${REMOTE_HOST}:`)) {
        client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')
        return
      }
      const upstream = connect(this.targetPort(), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        if (head.length > 0) upstream.write(head)
        upstream.pipe(client)
        client.pipe(upstream)
      })
      this.sockets.add(upstream)
      upstream.on('close', () => this.sockets.delete(upstream))
      upstream.on('error', () => client.destroy())
      client.on('error', () => upstream.destroy())
    })
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

describe('the core through a proxy', () => {
  const { server } = useServerAndDevices()
  const proxy = new TestProxy(() => Number(new URL(server.url).port))
  const dirs: string[] = []
  const clients: ChatClient[] = []

  beforeAll(() => proxy.start())
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()))
    await proxy.close()
    dirs.forEach(removeDir)
  })

  function remoteUrl(): string {
    return `http://${REMOTE_HOST}:${new URL(server.url).port}`
  }

  function network(mode: NetworkSettings['proxyMode']): NetworkSettings {
    return { serverUrl: null, proxyMode: mode, proxyUrl: mode === 'manual' ? proxy.url : null }
  }

  it('signs in, holds the chat socket and uploads through a manual proxy', async () => {
    const agent = createProxyAgent(() => network('manual'), async () => {
      throw new Error('the system is not asked in manual mode')
    })
    const user = uniqueUser('proxied')
    await registerAccount(remoteUrl(), user, TEST_PASSWORD, agent)
    const dataDir = makeTempDir()
    dirs.push(dataDir)
    const client = new ChatClient({ serverUrl: remoteUrl(), deviceId: `proxy-${randomUUID()}`, dataDir, platform: 'desktop', timings: FAST_TIMINGS, agent })
    clients.push(client)
    await client.login(user, TEST_PASSWORD)
    expect(client.status.state).toBe('connected')
    const token = client.credentials?.token ?? ''
    const answer = await requestText({ baseUrl: remoteUrl(), token: () => token, agent }, 'POST', '/attachments/uploads', { name: 'a.txt', mime: 'text/plain', size: 3 })
    expect(answer.status).toBe(201)
    expect(proxy.seen).toEqual(
      expect.arrayContaining([
        `POST ${REMOTE_HOST}:${new URL(server.url).port}/app/chat/user/register`,
        `POST ${REMOTE_HOST}:${new URL(server.url).port}/app/chat/user/login`,
        `CONNECT ${REMOTE_HOST}:${new URL(server.url).port}`,
        `POST ${REMOTE_HOST}:${new URL(server.url).port}/attachments/uploads`
      ])
    )
  })

  it("uses the system's answer in system mode, and never proxies loopback", async () => {
    const asked: string[] = []
    const agent = createProxyAgent(() => network('system'), async (url) => {
      asked.push(url)
      return proxy.url
    })
    const before = proxy.seen.length
    await registerAccount(remoteUrl(), uniqueUser('sys'), TEST_PASSWORD, agent)
    expect(asked).toEqual([`${remoteUrl()}/app/chat/user/register`])
    expect(proxy.seen.slice(before)).toEqual([`POST ${REMOTE_HOST}:${new URL(server.url).port}/app/chat/user/register`])

    // The real server's loopback address: straight there, neither the system nor the proxy asked.
    const manual = createProxyAgent(() => network('manual'), async () => proxy.url)
    const seenBefore = proxy.seen.length
    await registerAccount(server.url, uniqueUser('direct'), TEST_PASSWORD, manual)
    await registerAccount(server.url, uniqueUser('direct'), TEST_PASSWORD, agent)
    expect(proxy.seen.length).toBe(seenBefore)
    expect(asked).toHaveLength(1)
  })
})
