// The device settings file: settings migration (a v0 file, the old localStorage theme choice, becomes a v1 file),
// a first start in the system's language, patches checked with clear sentences, corrupt files kept aside, atomic saves.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DeviceSettingsStore, languagesOfAcceptLanguage, localeOfLanguages, migrateSettings } from '../../src/main/core/settings'
import { DEVICE_SETTINGS_VERSION, defaultDeviceSettings, type DeviceSettings } from '../../src/shared/model/settings'
import { AppError } from '../../src/shared/errors'

let dir: string
let file: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-settings-'))
  file = join(dir, 'settings.json')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function onDisk(): DeviceSettings {
  return JSON.parse(readFileSync(file, 'utf8')) as DeviceSettings
}

async function refusal(work: Promise<unknown>): Promise<AppError> {
  try {
    await work
  } catch (err) {
    return AppError.from(err)
  }
  throw new Error('the patch was accepted')
}

describe('settings migration', () => {
  it('turns a v0 file (the old localStorage theme choice) into a v1 file with that theme and the defaults', async () => {
    writeFileSync(file, JSON.stringify({ 'parley.theme': 'dark' }))
    const store = await DeviceSettingsStore.open({ file, systemLanguages: ['en-GB'] })
    const expected = defaultDeviceSettings()
    expected.appearance.theme = 'dark'
    expect(store.current).toEqual(expected)
    expect(onDisk()).toEqual(expected)
    expect(onDisk().version).toBe(DEVICE_SETTINGS_VERSION)
  })

  it('takes the theme under its v0 name too, and the language from the system as a first start does', async () => {
    writeFileSync(file, JSON.stringify({ theme: 'light' }))
    const store = await DeviceSettingsStore.open({ file, systemLanguages: ['zh-Hans-CN', 'en-US'] })
    expect(store.current.appearance).toEqual({ ...defaultDeviceSettings().appearance, theme: 'light', locale: 'zh-CN' })
    expect(onDisk().version).toBe(1)
  })

  it('ignores a v0 theme it does not know and refuses versions it cannot read', () => {
    const migrated = migrateSettings({ theme: 'purple' })
    expect(migrated.ok && (migrated.settings as unknown as DeviceSettings).appearance.theme).toBe('system')
    expect(migrateSettings({ version: DEVICE_SETTINGS_VERSION + 1 })).toMatchObject({ ok: false })
    expect(migrateSettings({ version: 'one' })).toMatchObject({ ok: false })
  })
})

describe('device settings file', () => {
  it('starts a fresh device with the defaults in the system language and writes them', async () => {
    const store = await DeviceSettingsStore.open({ file, systemLanguages: ['zh-CN'] })
    expect(store.current.appearance.locale).toBe('zh-CN')
    expect(onDisk()).toEqual(store.current)
  })

  it('keeps settings in memory only when there is no file (nothing written)', async () => {
    const store = await DeviceSettingsStore.open({ file: null, systemLanguages: ['zh-CN'] })
    expect(store.current.appearance.locale).toBe('zh-CN')
    expect((await store.update({ appearance: { theme: 'dark' } })).appearance.theme).toBe('dark')
    expect(store.current.appearance.theme).toBe('dark')
    expect(readdirSync(dir)).toEqual([])
  })

  it('reads POSIX locales as well as language tags for the first start', async () => {
    expect(localeOfLanguages(['zh_CN.UTF-8'])).toBe('zh-CN')
    expect(localeOfLanguages(['fr-FR', 'zh-TW'])).toBe('zh-CN')
    expect(localeOfLanguages(['fr-FR', 'en_GB.UTF-8', 'zh-CN'])).toBe('en')
    expect(localeOfLanguages(['zu-ZA'])).toBe('en')
    expect(localeOfLanguages([])).toBe('en')
  })

  it("reads a browser's Accept-Language, best first (a browser tab's first start)", () => {
    expect(languagesOfAcceptLanguage('zh-CN,zh;q=0.9,en;q=0.8')).toEqual(['zh-CN', 'zh', 'en'])
    expect(languagesOfAcceptLanguage('en;q=0.5, zh-TW;q=0.7, fr')).toEqual(['fr', 'zh-TW', 'en'])
    expect(languagesOfAcceptLanguage('*, de;q=0, <script>')).toEqual([])
    expect(languagesOfAcceptLanguage(undefined)).toEqual([])
    expect(localeOfLanguages(languagesOfAcceptLanguage('de-DE,zh-CN;q=0.8,en;q=0.5'))).toBe('zh-CN')
  })

  it('keeps an update across a reopen, and tells listeners', async () => {
    const store = await DeviceSettingsStore.open({ file })
    const heard: DeviceSettings[] = []
    store.onChange((settings) => heard.push(settings))
    const updated = await store.update({ appearance: { theme: 'dark', fontSizePx: 18 }, notifications: { content: 'senderOnly' } })
    expect(updated.appearance).toMatchObject({ theme: 'dark', fontSizePx: 18 })
    expect(heard).toHaveLength(1)
    const reopened = await DeviceSettingsStore.open({ file })
    expect(reopened.current).toEqual(updated)
    expect(reopened.current.notifications.content).toBe('senderOnly')
    // Nothing but the settings file is left in the folder (the temporary file was renamed over it).
    expect(readdirSync(dir)).toEqual(['settings.json'])
  })

  it('applies patches sent at once one after another, losing none (each merges onto the one before)', async () => {
    const store = await DeviceSettingsStore.open({ file })
    const results = await Promise.all([
      store.update({ appearance: { theme: 'dark' } }),
      store.update({ appearance: { fontSizePx: 15 } }),
      store.update({ notifications: { sound: false } }),
      store.update({ appearance: { fontSizePx: 16 } })
    ])
    expect(results.map((settings) => settings.appearance)).toEqual([
      { theme: 'dark', fontSizePx: 14, locale: 'en' },
      { theme: 'dark', fontSizePx: 15, locale: 'en' },
      { theme: 'dark', fontSizePx: 15, locale: 'en' },
      { theme: 'dark', fontSizePx: 16, locale: 'en' }
    ])
    const expected = { theme: 'dark', fontSizePx: 16, sound: false }
    for (const settings of [store.current, onDisk(), (await DeviceSettingsStore.open({ file })).current]) {
      expect({ theme: settings.appearance.theme, fontSizePx: settings.appearance.fontSizePx, sound: settings.notifications.sound }).toEqual(expected)
    }
  })

  it('refuses bad patches with a sentence naming the field, and keeps the settings as they were', async () => {
    const store = await DeviceSettingsStore.open({ file })
    const before = store.current
    const cases: Array<[unknown, RegExp]> = [
      [{ appearance: { fontSizePx: 40 } }, /appearance\.fontSizePx: The font size must be at most 24 pixels/],
      [{ appearance: { fontSizePx: 3 } }, /at least 11 pixels/],
      [{ network: { proxyMode: 'manual', proxyUrl: 'ftp://proxy.example:21' } }, /network\.proxyUrl: The proxy address must look like http:\/\/host:port/],
      [{ network: { proxyMode: 'manual' } }, /network\.proxyUrl: A manual proxy needs its address/],
      [{ downloads: { folder: 'relative/dir' } }, /downloads\.folder: The download folder must be an absolute path/],
      [{ downloads: { autoDownloadMaxBytes: -1 } }, /cannot be negative/],
      [{ downloads: { autoDownloadMaxBytes: 10 * 1024 * 1024 * 1024 } }, /at most 100 MB/],
      [{ network: { serverUrl: 'not a url' } }, /network\.serverUrl: The server address must look like/],
      [{ appearance: { theme: 'purple' } }, /light, dark or system/],
      [{ appearance: { colour: 'red' } }, /colour/],
      [{ version: 7 }, /version/]
    ]
    for (const [patch, sentence] of cases) {
      const error = await refusal(store.update(patch))
      expect(error.code).toBe('BAD_ARGUMENT')
      expect(error.message).toMatch(sentence)
    }
    expect(store.current).toEqual(before)
    expect(onDisk()).toEqual(before)
  })

  it('accepts every allowed proxy scheme and an absolute download folder on each OS', async () => {
    const store = await DeviceSettingsStore.open({ file })
    for (const proxyUrl of ['http://10.0.0.1:3128', 'https://proxy.example:443', 'socks4://10.0.0.2:1080', 'socks5://10.0.0.3:1080']) {
      expect((await store.update({ network: { proxyMode: 'manual', proxyUrl } })).network.proxyUrl).toBe(proxyUrl)
    }
    for (const folder of ['/home/me/Downloads', 'C:\\Users\\me\\Downloads', 'D:/files']) {
      expect((await store.update({ downloads: { folder } })).downloads.folder).toBe(folder)
    }
  })

  it.each([
    ['not JSON', '{"version": 1, "appearance": '],
    ['an invalid value', JSON.stringify({ ...defaultDeviceSettings(), appearance: { theme: 'dark', fontSizePx: 400, locale: 'en' } })],
    ['a newer version', JSON.stringify({ ...defaultDeviceSettings(), version: 99 })],
    ['not an object', '[1, 2, 3]']
  ])('recovers from a corrupt file (%s): defaults used, the file kept aside as settings.json.bad', async (_, content) => {
    writeFileSync(file, content)
    const store = await DeviceSettingsStore.open({ file, systemLanguages: ['zh-CN'] })
    expect(store.current).toEqual(defaultDeviceSettings())
    expect(readFileSync(join(dir, 'settings.json.bad'), 'utf8')).toBe(content)
    expect(onDisk()).toEqual(defaultDeviceSettings())
    // The next start reads the good file and has nothing more to put aside.
    rmSync(join(dir, 'settings.json.bad'))
    await DeviceSettingsStore.open({ file })
    expect(existsSync(join(dir, 'settings.json.bad'))).toBe(false)
  })
})
