// `npm run web` honours the variables the README lists for its embedded server (PARLEY_DATA_DIR, PARLEY_PORT,
// PARLEY_HOST, PARLEY_TOKEN_TTL_SEC): resolved by web-config.ts and started by web-run.ts, checked through the
// server's own API (an account made through `npm run web` is there when `npm run server` opens the same folder).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { resolveWebConfig, WebConfigError } from '../../src/host/web-config'
import { startWeb, type RunningWeb } from '../../src/host/web-run'
import { startServer } from '../../src/server/index'
import { loginAccount, registerAccount } from '../../src/main/core/app-server'
import { makeTempDir, removeDir } from '../support/test-server'

const PASSWORD = 'correct horse battery'

let tmp: string
let rendererDir: string
let web: RunningWeb | null = null

beforeEach(() => {
  tmp = makeTempDir()
  rendererDir = path.join(tmp, 'renderer')
  fs.mkdirSync(rendererDir)
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Parley</title>')
})

afterEach(async () => {
  await web?.close()
  web = null
  removeDir(tmp)
})

describe('npm run web configuration', () => {
  it('reads every README server variable for the embedded server', () => {
    const dataDir = path.join(tmp, 'elsewhere')
    const config = resolveWebConfig(
      [],
      { PARLEY_DATA_DIR: dataDir, PARLEY_PORT: '4555', PARLEY_HOST: '127.0.0.1', PARLEY_TOKEN_TTL_SEC: '120' },
      tmp
    )
    expect(config.embeddedServer).toEqual({ host: '127.0.0.1', port: 4555, dataDir, tokenTtlSec: 120 })
    expect(config.hostDataDir).toBe(path.join(dataDir, 'web'))
  })

  it('keeps ./.parley-data/server and ./.parley-data/web (relative to the working folder) by default', () => {
    const config = resolveWebConfig([], {}, tmp)
    expect(config.embeddedServer?.dataDir).toBe(path.join(tmp, '.parley-data', 'server'))
    expect(config.hostDataDir).toBe(path.join(tmp, '.parley-data', 'web'))
    expect(config.embeddedServer?.port).toBe(3210)
    expect(config.hostPort).toBe(3211)
  })

  it('embeds no server when one is given, and refuses malformed values with a sentence', () => {
    expect(resolveWebConfig(['--server', 'http://127.0.0.1:9999'], {}, tmp).embeddedServer).toBeNull()
    expect(() => resolveWebConfig([], { PARLEY_PORT: 'eighty' }, tmp)).toThrow(WebConfigError)
    expect(() => resolveWebConfig([], { PARLEY_TOKEN_TTL_SEC: '-5' }, tmp)).toThrow(/PARLEY_TOKEN_TTL_SEC/)
    expect(() => resolveWebConfig(['--server', 'ftp://x'], {}, tmp)).toThrow(/http:\/\/host:port/)
  })

  it('runs the embedded server on PARLEY_DATA_DIR with PARLEY_TOKEN_TTL_SEC, and writes nothing to ./.parley-data', async () => {
    const dataDir = path.join(tmp, 'chosen-data')
    const ttlSec = 600
    const config = resolveWebConfig(
      ['--port', '0'],
      { PARLEY_DATA_DIR: dataDir, PARLEY_PORT: '0', PARLEY_TOKEN_TTL_SEC: String(ttlSec) },
      tmp
    )
    web = await startWeb(config, { rendererDir, version: 'test' })
    expect(web.embedded).toBe(true)
    await registerAccount(web.serverUrl, 'carol', PASSWORD)
    const before = Date.now()
    const login = await loginAccount(web.serverUrl, 'carol', PASSWORD)
    // The token lives PARLEY_TOKEN_TTL_SEC, not the default day.
    expect(login.expiresAt).toBeGreaterThanOrEqual(before + (ttlSec - 5) * 1000)
    expect(login.expiresAt).toBeLessThanOrEqual(Date.now() + (ttlSec + 5) * 1000)
    await web.close()
    web = null
    expect(fs.existsSync(path.join(tmp, '.parley-data'))).toBe(false)

    // The reference server on its own, on the same folder, knows the account made through `npm run web`.
    const server = await startServer({ port: 0, dataDir })
    try {
      await expect(loginAccount(server.url, 'carol', PASSWORD)).resolves.toMatchObject({ user: 'carol' })
    } finally {
      await server.close()
    }
  })
})
