// End-to-end: the settings view in the browser host against the real server — theme, text size, spelling and a
// notification option survive a reload of the tab (and are in the tab's settings file); switching the language to Simplified
// Chinese changes the view's text; at 400 px every section button stays on screen; the old localStorage theme moves into the settings; settings open before sign-in
// (server address checked with a sentence); the notification options change what a web Notification shows.
import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { appForFile, createAccountAndSignIn, PASSWORD } from './app-fixture'
import { eventually, waitVisible } from './helpers'
import type { DeviceSettings } from '../../src/shared/model/settings'
import { FrameClient, randomClientId, registerAndLogin } from '../bench/lib/frame-client'

/** Runs in the page before the app (plain JavaScript): a Notification that only records what it is asked to show. */
const RECORD_NOTIFICATIONS = `
  window.__shown = []
  class RecordingNotification extends EventTarget {
    static get permission() { return 'granted' }
    static async requestPermission() { return 'granted' }
    constructor(title, options = {}) {
      super()
      window.__shown.push({ title, body: options.body ?? '', silent: options.silent === true })
    }
    close() {}
  }
  Object.defineProperty(window, 'Notification', { value: RecordingNotification, configurable: true, writable: true })
`
interface Shown {
  title: string
  body: string
  silent: boolean
}

const suffix = randomBytes(3).toString('hex')
const user = (name: string): string => `${name}_${suffix}`

const running = appForFile()

function settingsDialog(page: Page) {
  return page.getByTestId('settings-dialog')
}

async function openSettings(page: Page, section: string): Promise<void> {
  await page.getByTestId('open-settings').click()
  await waitVisible(settingsDialog(page))
  await settingsDialog(page).getByRole('button', { name: section, exact: true }).click()
}

async function pageState(page: Page): Promise<{ theme: string; fontSize: string }> {
  return page.evaluate<{ theme: string; fontSize: string }>(
    '({ theme: document.documentElement.dataset.theme, fontSize: document.documentElement.style.getPropertyValue("--font-size") })'
  )
}

/** Every tab's settings file on the host (one folder per tab id). */
function tabSettingsFiles(): DeviceSettings[] {
  const tabs = path.join(running.app.tmp, 'web', 'tabs')
  if (!fs.existsSync(tabs)) return []
  return fs
    .readdirSync(tabs)
    .map((tab) => path.join(tabs, tab, 'settings.json'))
    .filter((file) => fs.existsSync(file))
    .map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as DeviceSettings)
}

describe('settings', () => {
  it('keeps theme, text size and a notification option across a reload of the tab', async () => {
    const page = await running.app.openPerson('ada')
    await createAccountAndSignIn(page, user('ada'))

    await openSettings(page, 'Appearance')
    const dialog = settingsDialog(page)
    await dialog.getByLabel('Dark', { exact: true }).check()
    await dialog.getByLabel('Light', { exact: true }).check()
    await dialog.getByLabel('Dark', { exact: true }).check()
    const slider = dialog.getByLabel('Text size', { exact: true })
    await slider.focus()
    for (let step = 0; step < 4; step++) await slider.press('ArrowRight')
    await eventually(async () => expect(await pageState(page)).toEqual({ theme: 'dark', fontSize: '18px' }))
    await dialog.getByLabel('Check spelling while I type', { exact: true }).uncheck()
    await expect(dialog.getByText('18 px', { exact: true }).isVisible()).resolves.toBe(true)

    await dialog.getByRole('button', { name: 'Notifications', exact: true }).click()
    await dialog.getByLabel('Sender only', { exact: true }).check()
    await dialog.getByLabel('Play a sound', { exact: true }).uncheck()
    await eventually(async () => {
      const mine = tabSettingsFiles().find((settings) => settings.appearance.theme === 'dark')
      expect(mine?.appearance.fontSizePx).toBe(18)
      expect(mine?.notifications).toMatchObject({ content: 'senderOnly', sound: false })
      expect(mine?.spellcheck.enabled).toBe(false)
    })

    await page.reload()
    await waitVisible(page.getByRole('navigation', { name: 'Conversations' }))
    await eventually(async () => expect(await pageState(page)).toEqual({ theme: 'dark', fontSize: '18px' }))
    await openSettings(page, 'Notifications')
    await eventually(async () => expect(await settingsDialog(page).getByLabel('Sender only', { exact: true }).isChecked()).toBe(true))
    expect(await settingsDialog(page).getByLabel('Play a sound', { exact: true }).isChecked()).toBe(false)
    await settingsDialog(page).getByRole('button', { name: 'Appearance', exact: true }).click()
    expect(await settingsDialog(page).getByLabel('Dark', { exact: true }).isChecked()).toBe(true)
    expect(await settingsDialog(page).getByLabel('Text size', { exact: true }).inputValue()).toBe('18')
    expect(await settingsDialog(page).getByLabel('Check spelling while I type', { exact: true }).isChecked()).toBe(false)

    // Account: the profile editor opens over the settings, and Escape closes only it.
    await settingsDialog(page).getByRole('button', { name: 'Account', exact: true }).click()
    await waitVisible(settingsDialog(page).getByText(`Signed in as ${user('ada')}`, { exact: true }))
    await settingsDialog(page).getByRole('button', { name: 'Edit profile…', exact: true }).click()
    await waitVisible(page.getByRole('dialog', { name: 'My profile' }))
    await page.keyboard.press('Escape')
    await eventually(async () => expect(await page.getByRole('dialog', { name: 'My profile' }).count()).toBe(0))
    expect(await settingsDialog(page).isVisible()).toBe(true)
    await waitVisible(settingsDialog(page).getByTestId('device-row'))
    expect(running.app.pageErrors).toEqual([])
  })

  it('switches the settings view to Simplified Chinese and back, before signing in', async () => {
    const page = await running.app.openPerson('bea')
    await waitVisible(page.getByRole('heading', { level: 1, name: 'Parley' }))
    await openSettings(page, 'Appearance')
    const dialog = settingsDialog(page)
    await dialog.getByLabel('Language', { exact: true }).selectOption('zh-CN')
    await waitVisible(page.getByRole('dialog', { name: '设置' }))
    await waitVisible(dialog.getByRole('button', { name: '外观', exact: true }))
    await waitVisible(dialog.getByRole('heading', { name: '外观' }))
    await waitVisible(dialog.getByLabel('深色', { exact: true }))
    expect(await dialog.getByRole('button', { name: 'Appearance', exact: true }).count()).toBe(0)
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('zh-CN')

    // It stays Chinese after a reload, and goes back to English when chosen.
    await page.reload()
    await openSettings(page, '外观')
    await settingsDialog(page).getByLabel('语言', { exact: true }).selectOption('en')
    await waitVisible(page.getByRole('dialog', { name: 'Settings' }))
    await waitVisible(settingsDialog(page).getByRole('heading', { name: 'Appearance' }))
    expect(running.app.pageErrors).toEqual([])
  })

  it('shows every section button inside a narrow window (they wrap, none is off-screen)', async () => {
    const page = await running.app.openPerson('nia')
    await page.setViewportSize({ width: 400, height: 720 })
    await waitVisible(page.getByRole('heading', { level: 1, name: 'Parley' }))
    await openSettings(page, 'Appearance')
    const buttons = settingsDialog(page).getByRole('navigation').getByRole('button')
    expect(await buttons.count()).toBeGreaterThanOrEqual(7)
    for (const button of await buttons.all()) {
      const box = await button.boundingBox()
      expect(box, await button.innerText()).not.toBeNull()
      expect(box!.x).toBeGreaterThanOrEqual(0)
      expect(box!.x + box!.width).toBeLessThanOrEqual(400)
    }
    expect(running.app.pageErrors).toEqual([])
  })

  it('moves the old localStorage theme choice into the settings once', async () => {
    const page = await running.app.openPerson('dee')
    await waitVisible(page.getByRole('heading', { level: 1, name: 'Parley' }))
    expect((await pageState(page)).theme).toBe('light')
    const before = tabSettingsFiles().filter((settings) => settings.appearance.theme === 'dark').length
    await page.evaluate('localStorage.setItem("parley.theme", "dark")')
    await page.reload()
    await eventually(async () => expect((await pageState(page)).theme).toBe('dark'))
    await eventually(async () => expect(await page.evaluate<string | null>('localStorage.getItem("parley.theme")')).toBeNull())
    expect(tabSettingsFiles().filter((settings) => settings.appearance.theme === 'dark')).toHaveLength(before + 1)
    await openSettings(page, 'Appearance')
    expect(await settingsDialog(page).getByLabel('Dark', { exact: true }).isChecked()).toBe(true)
    expect(running.app.pageErrors).toEqual([])
  })

  it('notifies as chosen in Settings: sender only, silent, nothing but "New message", or not at all', async () => {
    const eve = user('eve')
    const frank = user('frank')
    const page = await running.app.openPerson('eve')
    await page.addInitScript(RECORD_NOTIFICATIONS)
    await page.reload()
    await createAccountAndSignIn(page, eve)
    const frankRaw = await FrameClient.onDevice(running.app.server.url, await registerAndLogin(running.app.server.url, frank, PASSWORD), `frank-raw-${suffix}`)
    const shown = (): Promise<Shown[]> => page.evaluate<Shown[]>('window.__shown')
    const send = async (text: string): Promise<void> => {
      const ack = await frankRaw.request({ send: { clientId: randomClientId(), to: eve, body: { text: { text } } } })
      expect(ack.body).toBe('sendAck')
    }
    const choose = async (label: string, check = true): Promise<void> => {
      await openSettings(page, 'Notifications')
      const control = settingsDialog(page).getByLabel(label, { exact: true })
      if (check) await control.check()
      else await control.uncheck()
      // Saved once the control is enabled again (it is disabled while its change is on its way).
      await eventually(async () => expect([await control.isChecked(), await control.isEnabled()]).toEqual([check, true]))
      await page.keyboard.press('Escape')
      await eventually(async () => expect(await settingsDialog(page).count()).toBe(0))
    }
    try {
      await choose('Sender only')
      await choose('Play a sound', false)
      await send('first secret')
      await eventually(async () => expect((await shown()).at(-1)).toMatchObject({ title: frank, silent: true }))
      expect((await shown()).some((n) => n.body.includes('secret'))).toBe(false)

      await choose('Nothing but "New message"')
      await send('second secret')
      await eventually(async () => expect(await shown()).toHaveLength(2))
      const nothing = (await shown()).at(-1)!
      expect(`${nothing.title} ${nothing.body}`).not.toContain(frank)
      expect(nothing.body).not.toContain('secret')

      // Off: nothing shows; on again, the next message does (so the one in between was not merely late).
      await choose('Show notifications for new messages', false)
      await send('third, while off')
      await waitVisible(page.getByRole('navigation', { name: 'Conversations' }).getByText('third, while off'))
      await choose('Show notifications for new messages')
      await send('fourth')
      await eventually(async () => expect(await shown()).toHaveLength(3))
      expect(running.app.pageErrors).toEqual([])
    } finally {
      await frankRaw.close()
    }
  }, 120_000)

  it('checks a server address before saving it, and the sign-in form starts with a saved one', async () => {
    const page = await running.app.openPerson('cy')
    await waitVisible(page.getByRole('heading', { level: 1, name: 'Parley' }))
    await openSettings(page, 'Network')
    const dialog = settingsDialog(page)
    const field = dialog.getByLabel('Server address', { exact: true })
    await field.fill('not an address')
    await dialog.getByRole('button', { name: 'Save', exact: true }).first().click()
    await waitVisible(dialog.getByRole('alert').filter({ hasText: 'The server address must look like http://host:port.' }))
    await field.fill('http://127.0.0.1:9')
    await dialog.getByRole('button', { name: 'Save', exact: true }).first().click()
    await waitVisible(dialog.getByText('Saved.', { exact: true }))
    await page.keyboard.press('Escape')
    await eventually(async () => expect(await page.getByLabel('Server address', { exact: true }).inputValue()).toBe('http://127.0.0.1:9'))
    expect(running.app.pageErrors).toEqual([])
  })
})
