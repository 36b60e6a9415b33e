// End-to-end: the parts of the window that are not on the first screen (settings, contacts, rooms, group info and
// the dialogs) are chunks of their own, which the start-up page does not load; settings load when opened; and a
// part whose chunk cannot be fetched says so on screen, with a way to reload, instead of leaving an empty space.
import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { appForFile, RENDERER_DIR } from './app-fixture'
import { waitVisible } from './helpers'

/** Components loaded when first shown (lazy-component.ts); each must be a chunk named after it. */
const LAZY_PARTS = ['SettingsDialog', 'ContactsPane', 'RoomLobby', 'RoomView', 'GroupInfoPanel', 'ProfileDialog'] as const

/** The files the start-up page loads: index.html's scripts and module preloads, and what those import statically. */
function startupScripts(): Set<string> {
  const html = fs.readFileSync(path.join(RENDERER_DIR, 'index.html'), 'utf8')
  const queue = [...html.matchAll(/(?:src|href)="\.\/assets\/([^"]+\.js)"/g)].map((match) => match[1]!)
  const seen = new Set<string>()
  while (queue.length > 0) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    const code = fs.readFileSync(path.join(RENDERER_DIR, 'assets', file), 'utf8')
    // Static imports only (`from"./x.js"`, `import"./x.js"`): dynamic `import("./x.js")` is what stays lazy.
    for (const match of code.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) queue.push(match[1]!)
  }
  return seen
}

const running = appForFile()

describe('parts of the window loaded when first shown', () => {
  it('are chunks of their own that the start-up page does not load', () => {
    const assets = fs.readdirSync(path.join(RENDERER_DIR, 'assets'))
    const startup = startupScripts()
    expect(startup.size).toBeGreaterThan(0)
    for (const part of LAZY_PARTS) {
      const chunk = assets.find((file) => file.startsWith(`${part}-`) && file.endsWith('.js'))
      expect(chunk, `${part} has a chunk of its own`).toBeDefined()
      expect(startup.has(chunk!), `${part} is not loaded at start-up`).toBe(false)
    }
  })

  it('loads settings when they are opened, not before', async () => {
    const page = await running.app.openPerson('lazy')
    const requested: string[] = []
    page.on('request', (request) => requested.push(new URL(request.url()).pathname))
    await waitVisible(page.getByTestId('open-settings'))
    expect(requested.some((file) => file.includes('/SettingsDialog-'))).toBe(false)
    await page.getByTestId('open-settings').click()
    await waitVisible(page.getByTestId('settings-dialog'))
    expect(requested.some((file) => file.includes('/SettingsDialog-'))).toBe(true)
    expect(running.app.pageErrors).toEqual([])
  })

  it('says so, with a reload button, when a part cannot be fetched', async () => {
    const page = await running.app.openPerson('unfetched')
    await page.route(/\/assets\/SettingsDialog-[^/]*\.js$/, (route) => route.abort())
    await waitVisible(page.getByTestId('open-settings'))
    await page.getByTestId('open-settings').click()
    const alert = page.getByRole('alert').filter({ hasText: 'This part of Parley could not be loaded.' })
    await waitVisible(alert)
    await waitVisible(alert.getByRole('button', { name: 'Reload window' }))
    // On screen, not where the dialog would have been (after the window's full-height shell).
    const box = await alert.boundingBox()
    const viewport = page.viewportSize()
    expect(box).not.toBeNull()
    expect(box!.y).toBeGreaterThanOrEqual(0)
    expect(box!.y + box!.height).toBeLessThanOrEqual(viewport!.height)
    // Closing it leaves the window as it was.
    await alert.getByRole('button', { name: 'Close' }).click()
    expect(await alert.count()).toBe(0)
  })
})
