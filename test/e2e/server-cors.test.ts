// End-to-end: a web page on another origin (a second loopback port) registers and signs in against the server's
// app-server routes with fetch in CORS mode, in Chromium, as a page built from the seed's quick start does.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser } from 'playwright-core'
import { LOGIN_PATH, REGISTER_PATH } from '../../src/server/api/app-server'
import { CORS_MAX_AGE_SEC } from '../../src/server/config'
import { startTestServer, type TestServer } from '../support/test-server'
import { CHROMIUM_ARGS, CHROMIUM_PATH, eventually } from './helpers'

process.env.PARLEY_LOG ??= 'warn'

/** The quick-start page: register, then log in, with JSON bodies (so the browser sends a preflight first). */
function quickStartPage(serverUrl: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Quick start</title></head>
<body><output id="result">running</output>
<script>
async function post(path, body) {
  const response = await fetch(${JSON.stringify(serverUrl)} + path, {
    mode: 'cors',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  return { status: response.status, body: await response.json() }
}
(async () => {
  const out = document.getElementById('result')
  try {
    const account = { userAccount: 'WebUser', userPassword: 'password-1' }
    const registered = await post(${JSON.stringify(REGISTER_PATH)}, account)
    const signedIn = await post(${JSON.stringify(LOGIN_PATH)}, account)
    out.textContent = JSON.stringify({ registered, signedIn })
  } catch (err) {
    out.textContent = 'error: ' + err.message
  }
})()
</script></body></html>`
}

interface PageServer {
  /** The page's origin: another loopback port than the server's. */
  url: string
  html: string
  close(): Promise<void>
}

/** Serves one HTML page (set `html` before opening it) on its own loopback port. */
async function servePage(): Promise<PageServer> {
  const page: PageServer = { url: '', html: '', close: async () => {} }
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(page.html)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  page.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  page.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return page
}

describe('app-server CORS from a page on another origin', () => {
  let browser: Browser
  const cleanups: (() => Promise<void>)[] = []
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS })
  })
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
    await browser.close()
  })

  /** Opens the quick-start page against `server` and returns what the page wrote once it finished. */
  async function runQuickStart(server: TestServer, served?: PageServer): Promise<string> {
    const page = served ?? (await servePage())
    if (!served) cleanups.push(page.close)
    page.html = quickStartPage(server.url)
    const tab = await browser.newPage()
    try {
      await tab.goto(page.url)
      const result = tab.locator('#result')
      await eventually(async () => expect(await result.textContent()).not.toBe('running'))
      return (await result.textContent()) ?? ''
    } finally {
      await tab.close()
    }
  }

  it('registers and signs in with fetch in CORS mode (any origin by default)', async () => {
    const server = await startTestServer()
    cleanups.push(() => server.dispose())
    const outcome = JSON.parse(await runQuickStart(server)) as {
      registered: { status: number; body: Record<string, unknown> }
      signedIn: { status: number; body: Record<string, unknown> }
    }
    expect(outcome.registered).toEqual({ status: 200, body: { code: 'RES_OK' } })
    expect(outcome.signedIn.status).toBe(200)
    expect(outcome.signedIn.body.chatUserName).toBe('webuser')
    expect(typeof outcome.signedIn.body.accessToken).toBe('string')

    // The preflight the browser sent, as seen from outside: 204, the allowed method and header, a max age, no cookies.
    const preflight = await fetch(server.url + LOGIN_PATH, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:9', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' }
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type')
    expect(preflight.headers.get('access-control-max-age')).toBe(String(CORS_MAX_AGE_SEC))
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull()
  })

  it('answers only the configured origins when PARLEY_CORS_ORIGINS names some', async () => {
    const elsewhere = await startTestServer({ corsOrigins: ['http://app.example.com'] })
    cleanups.push(() => elsewhere.dispose())
    expect(await runQuickStart(elsewhere)).toMatch(/^error: Failed to fetch/)

    // The page's own origin in the list: allowed. Its port is only known once served, so serve first, then start.
    const page = await servePage()
    cleanups.push(page.close)
    const allowed = await startTestServer({ corsOrigins: ['http://app.example.com', page.url] })
    cleanups.push(() => allowed.dispose())
    const preflight = await fetch(allowed.url + REGISTER_PATH, {
      method: 'OPTIONS',
      headers: { origin: page.url, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' }
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(page.url)
    const outcome = JSON.parse(await runQuickStart(allowed, page)) as { registered: { status: number } }
    expect(outcome.registered.status).toBe(200)
  })
})
