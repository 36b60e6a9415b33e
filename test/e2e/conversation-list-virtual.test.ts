// End-to-end: the conversation list with many chats in the real renderer. Bob's other device (a core client in this
// process, to create them quickly) makes GROUPS groups; in the browser the list holds them all but renders only the
// rows in view (the DOM stays bounded), keyboard users still reach every row (Home/End, arrows past the rendered
// ones), and the selected chat stays marked after its row scrolled out of view and back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ChatClient } from '../../src/main/core/client'
import { E2eApp, PASSWORD, createAccountAndSignIn } from './app-fixture'
import { eventually } from './helpers'

const suffix = randomBytes(3).toString('hex')
const bob = `bob_${suffix}`
/** Enough rows for several screens of the list. */
const GROUPS = 80
/** The list counts as settled when its size has not changed for this long. */
const SETTLED_MS = 3_000
const SETTLE_STEP_MS = 250
/** Groups that must have reached the browser device before the list is checked. */
const MIN_LISTED = 70
/** What the list may render at once in a 760 px window: about a screen of rows plus overscan, far below GROUPS. */
const MAX_RENDERED_ROWS = 40
/** The budget bench:ui holds the app to at 1,000 chats (issue 8). */
const MAX_DOM_NODES = 3_000

let app: E2eApp
let otherDevice: ChatClient | undefined
let otherDir: string

beforeAll(async () => {
  app = await E2eApp.start()
})

afterAll(async () => {
  await otherDevice?.close()
  if (otherDir) fs.rmSync(otherDir, { recursive: true, force: true })
  await app?.close()
})

describe('a long conversation list', () => {
  it('renders only the rows in view, reaches every row from the keyboard and keeps the selection', async () => {
    const page = await app.openPerson('bob')
    await createAccountAndSignIn(page, bob)

    otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-list-'))
    otherDevice = new ChatClient({ serverUrl: app.server.url, deviceId: `bob-2-${suffix}`, dataDir: otherDir, platform: 'desktop' })
    await otherDevice.login(bob, PASSWORD)
    const settings = { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 50 }
    for (let i = 1; i <= GROUPS; i++) await otherDevice.groups.create({ name: `Team ${i}`, description: '', settings, members: [] })

    // Every group reaches this device through sync; at least MIN_LISTED of them must be listed (the test reads the
    // count from the list: it is about the list, not about how fast sync delivers the last ones).
    const entries = page.locator('nav[aria-label="Conversations"] li.conversation-list__entry')
    await eventually(async () => expect(Number(await entries.first().getAttribute('aria-setsize'))).toBeGreaterThanOrEqual(MIN_LISTED), 120_000)
    // Then until the count has stopped changing (all of them, or what sync delivered), so the keys below see one list.
    let listed = Number(await entries.first().getAttribute('aria-setsize'))
    for (let stableFor = 0; listed < GROUPS && stableFor < SETTLED_MS; stableFor += SETTLE_STEP_MS) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_STEP_MS))
      const now = Number(await entries.first().getAttribute('aria-setsize'))
      if (now !== listed) stableFor = -SETTLE_STEP_MS
      listed = now
    }
    const rendered = await entries.count()
    expect(rendered).toBeGreaterThan(0)
    expect(rendered).toBeLessThanOrEqual(MAX_RENDERED_ROWS)
    // Page scripts as strings: this project's Node typings have no DOM.
    expect(await page.evaluate<number>("document.querySelectorAll('*').length")).toBeLessThanOrEqual(MAX_DOM_NODES)

    /** Where the focused conversation button sits in the whole list (1-based), from its entry's aria-posinset. */
    const focusedPosition = (): Promise<number> =>
      page.evaluate<number>("Number(document.activeElement?.closest('li.conversation-list__entry')?.getAttribute('aria-posinset') ?? -1)")
    // The keyboard reaches the last row, which was not rendered, and comes back to the first.
    await entries.first().locator('button.conversation-item').focus()
    await page.keyboard.press('End')
    await eventually(async () => expect(await focusedPosition()).toBe(listed))
    await page.keyboard.press('ArrowUp')
    await eventually(async () => expect(await focusedPosition()).toBe(listed - 1))
    await page.keyboard.press('Home')
    await eventually(async () => expect(await focusedPosition()).toBe(1))
    // Arrow keys walk past the rows rendered at first.
    for (let i = 0; i < MAX_RENDERED_ROWS; i++) await page.keyboard.press('ArrowDown')
    await eventually(async () => expect(await focusedPosition()).toBe(MAX_RENDERED_ROWS + 1))

    // Selecting a chat, scrolling it out of view (its row leaves the DOM) and back keeps it marked as selected.
    const key = await page.evaluate<string>("document.activeElement?.dataset.conversationKey ?? ''")
    expect(key).not.toBe('')
    await page.keyboard.press('Enter')
    const selectedRow = page.locator(`button.conversation-item[data-conversation-key="${key}"]`)
    await eventually(async () => expect(await selectedRow.getAttribute('aria-current')).toBe('true'))
    const nav = page.getByRole('navigation', { name: 'Conversations' })
    const position = await nav.evaluate((el) => el.scrollTop)
    await nav.evaluate((el) => (el.scrollTop = 0))
    await eventually(async () => expect(await selectedRow.count()).toBe(0))
    await nav.evaluate((el) => (el.scrollTop = el.scrollHeight))
    await nav.evaluate((el, top) => (el.scrollTop = top), position)
    await eventually(async () => expect(await selectedRow.getAttribute('aria-current')).toBe('true'))
    expect(app.pageErrors).toEqual([])
  }, 240_000)
})
