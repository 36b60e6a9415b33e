// Integration tests of the browser host over real sockets: static serving and its guards (traversal,
// headers, Host), the bridge's upgrade checks (token, Origin, tab), and invokes through a real CoreSession.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import http from 'node:http'
import { WebSocket } from 'ws'
import { startHost, type RunningHost } from '../../src/host/index'
import { MAX_BRIDGE_PAYLOAD_BYTES } from '../../src/host/bridge'
import { HostTab } from './helpers/host-tab'

const META_CSP = "default-src 'self'; script-src 'self'; connect-src 'self' ws: wss:"
const INDEX_HTML = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${META_CSP}">
<title>Parley</title></head><body><div id="app"></div><script type="module" src="./assets/app.js"></script></body></html>`
const SECRET = 'top-secret-do-not-serve'

let tmp: string
let rendererDir: string
let host: RunningHost

interface RawResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** A request with the path sent exactly as written (fetch would normalise "..") and an explicit Host. */
function rawGet(rawPath: string, hostHeader = `127.0.0.1:${host.port}`): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: host.port, path: rawPath, headers: { host: hostHeader } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

function bridgeUrl(params: { token?: string; tab?: string }): string {
  const query = new URLSearchParams()
  if (params.token !== undefined) query.set('token', params.token)
  if (params.tab !== undefined) query.set('tab', params.tab)
  return `ws://127.0.0.1:${host.port}/bridge?${query.toString()}`
}

const ownOrigin = (): string => `http://127.0.0.1:${host.port}`

/** Resolves with the HTTP status when the upgrade is refused, or 101 when it succeeds. */
function upgradeStatus(url: string, origin: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin })
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      res.resume()
      ws.terminate()
    })
    ws.on('open', () => {
      resolve(101)
      ws.close()
    })
    ws.on('error', (err) => reject(err))
  })
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'))
  rendererDir = path.join(tmp, 'renderer')
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true })
  fs.writeFileSync(path.join(rendererDir, 'index.html'), INDEX_HTML)
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log("parley")\n')
  fs.writeFileSync(path.join(tmp, 'secret.txt'), SECRET)
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(rendererDir, 'assets', 'link.txt'))
  host = await startHost({
    port: 0,
    rendererDir,
    dataDir: path.join(tmp, 'web'),
    defaultServerUrl: 'http://127.0.0.1:3999',
    version: '1.2.3'
  })
})

afterAll(async () => {
  await host?.close()
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('browser host: static files', () => {
  it('listens on loopback and returns an address carrying a 64-hex-digit token', () => {
    expect(host.token).toMatch(/^[0-9a-f]{64}$/)
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`)
  })

  it('serves index.html for / with the security headers and the host CSP (not the one in the HTML)', async () => {
    const res = await rawGet(`/?token=${host.token}`)
    expect(res.status).toBe(200)
    expect(res.body).toBe(INDEX_HTML)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    // The host's own policy (src/shared/csp.ts), whatever the page declares: only its bridge may be reached.
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port};`)
    expect(csp).not.toMatch(/(^|[\s;])wss?:(\s|;|$)/)
    expect(csp).toContain("frame-ancestors 'none'")
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
  })

  it('serves assets with their MIME type and 404s for missing files', async () => {
    const js = await rawGet('/assets/app.js')
    expect(js.status).toBe(200)
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect((await rawGet('/assets/missing.js')).status).toBe(404)
    expect((await rawGet('/assets')).status).toBe(404)
  })

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    `/${encodeURIComponent(path.join(tmp ?? '/tmp', 'secret.txt'))}`,
    '/assets/link.txt',
    '/%00index.html',
    '/%E0%A4%A'
  ])('refuses a path outside the renderer folder: %s', async (rawPath) => {
    const res = await rawGet(rawPath)
    expect(res.status).toBe(404)
    expect(res.body).not.toContain(SECRET)
  })

  it('refuses requests for a foreign Host name (DNS rebinding)', async () => {
    const res = await rawGet('/', `evil.example:${host.port}`)
    expect(res.status).toBe(403)
    expect(res.body).not.toContain('<div id="app">')
  })

  it('refuses to start without a built renderer, saying what to run', async () => {
    await expect(
      startHost({ port: 0, rendererDir: path.join(tmp, 'nope'), dataDir: tmp, defaultServerUrl: 'x', version: '0' })
    ).rejects.toThrow('run `npm run build` first')
  })
})

describe('browser host: bridge upgrade guards', () => {
  const tab = 'tab-guards-1'

  it('accepts the right token from its own origin (127.0.0.1 and localhost)', async () => {
    expect(await upgradeStatus(bridgeUrl({ token: host.token, tab }), ownOrigin())).toBe(101)
    expect(await upgradeStatus(bridgeUrl({ token: host.token, tab }), `http://localhost:${host.port}`)).toBe(101)
  })

  it('refuses a wrong or missing token with 403', async () => {
    expect(await upgradeStatus(bridgeUrl({ token: 'f'.repeat(64), tab }), ownOrigin())).toBe(403)
    expect(await upgradeStatus(bridgeUrl({ token: host.token.slice(0, 63), tab }), ownOrigin())).toBe(403)
    expect(await upgradeStatus(bridgeUrl({ tab }), ownOrigin())).toBe(403)
  })

  it('tells a refused page whether its token is still the host\'s (204) or not (403: the host was restarted)', async () => {
    const check = (token: string) => fetch(`http://127.0.0.1:${host.port}/bridge/token?token=${token}`).then((res) => res.status)
    expect(await check(host.token)).toBe(204)
    expect(await check('f'.repeat(64))).toBe(403)
    expect(await check('')).toBe(403)
  })

  it('refuses a foreign or missing Origin with 403', async () => {
    const url = bridgeUrl({ token: host.token, tab })
    expect(await upgradeStatus(url, 'http://evil.example')).toBe(403)
    expect(await upgradeStatus(url, `http://127.0.0.1:${host.port + 1}`)).toBe(403)
    expect(await upgradeStatus(url, 'null')).toBe(403)
    expect(await upgradeStatus(url, undefined)).toBe(403)
  })

  it('refuses a malformed tab id and other paths', async () => {
    expect(await upgradeStatus(bridgeUrl({ token: host.token, tab: 'short' }), ownOrigin())).toBe(400)
    expect(await upgradeStatus(bridgeUrl({ token: host.token, tab: '../../etc/x' }), ownOrigin())).toBe(400)
    expect(await upgradeStatus(bridgeUrl({ token: host.token }), ownOrigin())).toBe(400)
    const otherPath = `ws://127.0.0.1:${host.port}/other?token=${host.token}&tab=${tab}`
    expect(await upgradeStatus(otherPath, ownOrigin())).toBe(404)
  })
})

describe('browser host: invokes over the bridge', () => {
  it('answers app.info, refuses unknown methods and bad args, and survives garbage', async () => {
    const client = await HostTab.open(host, 'tab-invoke-1')
    expect(await client.send('app.info')).toEqual({
      kind: 'reply',
      id: 1,
      reply: { ok: true, result: { version: '1.2.3', shell: 'browser', defaultServerUrl: 'http://127.0.0.1:3999' } }
    })
    client.ws.send('{not json')
    client.ws.send(JSON.stringify({ kind: 'subscribe', id: 9 }))
    client.ws.send(JSON.stringify({ kind: 'invoke', id: 'x', method: 'app.info' }))
    client.ws.send(JSON.stringify(null))
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true })
    expect(await client.send('files.delete', {})).toMatchObject({ reply: { ok: false, error: { code: 'UNKNOWN_METHOD' } } })
    expect(await client.send('messages.sendText', { to: 'bob' })).toMatchObject({
      reply: { ok: false, error: { code: 'BAD_ARGUMENT' } }
    })
    expect(await client.send('conversations.list')).toMatchObject({ reply: { ok: false, error: { code: 'NOT_SIGNED_IN' } } })
    expect(client.messages.filter((m) => m.kind === 'reply')).toHaveLength(4)
    client.ws.close()
  })

  it('closes a connection that sends more than the payload limit, and the host keeps serving', async () => {
    const client = await HostTab.open(host, 'tab-oversize-1')
    const closed = client.closed()
    client.ws.send(JSON.stringify({ kind: 'invoke', id: 1, method: 'app.info', args: 'x'.repeat(MAX_BRIDGE_PAYLOAD_BYTES + 1024) }))
    expect(await closed).toBe(1009)
    const again = await HostTab.open(host, 'tab-oversize-1')
    expect(await again.send('app.info')).toMatchObject({ reply: { ok: true } })
    again.ws.close()
  })

  it("starts a new tab's settings in the browser's language and keeps them in the tab's folder", async () => {
    const chinese = await HostTab.open(host, 'tab-lang-zh', { 'Accept-Language': 'de-DE,zh-CN;q=0.9,en;q=0.8' })
    const settings = await chinese.invoke('settings.get')
    expect(settings).toMatchObject({ ok: true, result: { appearance: { locale: 'zh-CN' } } })
    const file = JSON.parse(fs.readFileSync(path.join(tmp, 'web', 'tabs', 'tab-lang-zh', 'settings.json'), 'utf8')) as { appearance: { locale: string } }
    expect(file.appearance.locale).toBe('zh-CN')
    chinese.ws.close()
    const english = await HostTab.open(host, 'tab-lang-en', { 'Accept-Language': 'en-GB,zh;q=0.5' })
    expect(await english.invoke('settings.get')).toMatchObject({ ok: true, result: { appearance: { locale: 'en' } } })
    english.ws.close()
  })

  it('a reconnecting tab replaces its older connection', async () => {
    const first = await HostTab.open(host, 'tab-replace-1')
    const firstClosed = first.closed()
    const second = await HostTab.open(host, 'tab-replace-1')
    expect(await firstClosed).toBe(4000)
    expect(await second.send('app.info')).toMatchObject({ reply: { ok: true } })
    second.ws.close()
  })
})
