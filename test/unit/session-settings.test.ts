// settings.* through CoreSession, before any sign-in: read, change (pushed as settings.changed, kept in the file),
// bad patches refused with a sentence, and the server address in the settings used as the sign-in default.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CoreSession } from '../../src/main/core/api/session'
import type { ChatClientApi, ChatClientOptions } from '../../src/main/core/types'
import type { PushEventName } from '../../src/shared/ipc/contract'
import { defaultDeviceSettings, type DeviceSettings } from '../../src/shared/model/settings'
import type { InvokeReply } from '../../src/shared/ipc/contract'

/** The settings an ok reply carries (fails the test otherwise). */
function settingsOf(reply: InvokeReply): DeviceSettings {
  if (!reply.ok) throw new Error(`refused: ${reply.error.message}`)
  return reply.result as DeviceSettings
}
import { AppError } from '../../src/shared/errors'

const SHELL_SERVER = 'http://127.0.0.1:3210'
const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })))

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'parley-session-settings-'))
  dirs.push(dir)
  const created: ChatClientOptions[] = []
  const registered: string[] = []
  const session = new CoreSession({
    shell: 'browser',
    version: '1.0.0',
    defaultServerUrl: SHELL_SERVER,
    deviceId: 'web-tab1',
    dataDir: dir,
    systemLanguages: ['zh-CN'],
    createClient: (options) => {
      created.push(options)
      // Sign-in fails at once: the test only looks at the options the client was made with.
      return { login: async () => Promise.reject(new AppError('INVALID_CREDENTIALS', 'no')), logout: async () => undefined, on: () => () => undefined } as unknown as ChatClientApi
    },
    register: async (serverUrl) => {
      registered.push(serverUrl)
    }
  })
  const events: Array<[PushEventName, unknown]> = []
  session.onEvent((event, payload) => events.push([event, payload]))
  return { session, dir, created, registered, events }
}

describe('settings through CoreSession', () => {
  it('answers settings.get before sign-in: a first start in the system language, saved in the device folder', async () => {
    const { session, dir } = setup()
    const reply = await session.invoke('settings.get', undefined)
    const expected = defaultDeviceSettings()
    expected.appearance.locale = 'zh-CN'
    expect(reply).toEqual({ ok: true, result: expected })
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toEqual(expected)
  })

  it('applies a patch, pushes settings.changed and keeps it for the next session of the device', async () => {
    const { session, dir, events } = setup()
    const reply = await session.invoke('settings.update', { appearance: { theme: 'dark', fontSizePx: 17 }, badge: { countMuted: true } })
    expect(settingsOf(reply).appearance).toMatchObject({ theme: 'dark', fontSizePx: 17 })
    expect(events.filter(([name]) => name === 'settings.changed')).toEqual([['settings.changed', reply.ok && reply.result]])
    await session.dispose()
    const next = new CoreSession({ shell: 'browser', version: '1', defaultServerUrl: SHELL_SERVER, deviceId: 'web-tab1', dataDir: dir })
    const again = await next.invoke('settings.get', undefined)
    expect(settingsOf(again).appearance.theme).toBe('dark')
    expect(settingsOf(again).badge.countMuted).toBe(true)
  })

  it('refuses a bad patch with BAD_ARGUMENT and a sentence naming the field; nothing is pushed', async () => {
    const { session, events } = setup()
    expect(await session.invoke('settings.update', { appearance: { fontSizePx: 99 } })).toEqual({
      ok: false,
      error: { code: 'BAD_ARGUMENT', message: 'Invalid arguments for settings.update: "appearance.fontSizePx": The font size must be at most 24 pixels.' }
    })
    const proxy = await session.invoke('settings.update', { network: { proxyMode: 'manual', proxyUrl: 'gopher://x:70' } })
    expect(proxy).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } })
    expect(!proxy.ok && proxy.error.message).toMatch(/proxy address must look like http:\/\/host:port/)
    expect(events.some(([name]) => name === 'settings.changed')).toBe(false)
  })

  it("uses the settings' server address as the sign-in default (app.info, auth.login, auth.register)", async () => {
    const { session, created, registered } = setup()
    const remote = 'http://10.9.8.7:4000'
    await session.invoke('settings.update', { network: { serverUrl: remote } })
    expect(await session.invoke('app.info', undefined)).toMatchObject({ ok: true, result: { defaultServerUrl: remote } })
    await session.invoke('auth.login', { username: 'alice', password: 'pw' })
    expect(created[0]?.serverUrl).toBe(remote)
    expect(created[0]?.autoDownloadMaxBytes?.()).toBe(defaultDeviceSettings().downloads.autoDownloadMaxBytes)
    await session.invoke('settings.update', { downloads: { autoDownloadMaxBytes: 0 } })
    expect(created[0]?.autoDownloadMaxBytes?.()).toBe(0)
    await session.invoke('auth.register', { username: 'bob', password: 'pw' })
    expect(registered).toEqual([remote])
  })

  it('says the download folder picker and the cache need the desktop app / a sign-in', async () => {
    const { session } = setup()
    expect(await session.invoke('settings.chooseDownloadFolder', undefined)).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } })
    expect(await session.invoke('settings.storage', undefined)).toEqual({ ok: true, result: { databaseBytes: null, cacheBytes: null } })
    expect(await session.invoke('settings.clearCache', undefined)).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } })
  })
})
