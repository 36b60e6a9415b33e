// End-to-end: the two ends of a long chat from the keyboard, in the real renderer through the browser host against the
// real server. Bob's other device (a core client in this process, to write a long history quickly) sends Alice 400
// messages; in the browser Bob opens the chat at the newest, presses Ctrl+Home in the message log and sees the chat's first message
// with the DOM still bounded, then End takes him back to the newest and the chat is live again (a new message shows).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ChatClient } from '../../src/main/core/client'
import { registerAccount } from '../../src/main/core/app-server'
import { E2eApp, PASSWORD, conversationButton, createAccountAndSignIn, messageLog } from './app-fixture'
import { eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`
/** More than the pages scrolling up would load before the first (50 + 50 + 100 + 200). */
const HISTORY = 400
const FIRST = 'the very first message of this chat'
/** Rows the virtualised list may render at once: a screen and its overscan, far below the history. */
const MAX_RENDERED_ROWS = 80

let app: E2eApp
let aliceClient: ChatClient | undefined
let bobPhone: ChatClient | undefined
const dirs: string[] = []

function coreClient(user: string, device: string): ChatClient {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `parley-e2e-${device}-`))
  dirs.push(dataDir)
  return new ChatClient({ serverUrl: app.server.url, deviceId: `${device}-${suffix}`, dataDir, platform: 'desktop' })
}

beforeAll(async () => {
  app = await E2eApp.start()
})

afterAll(async () => {
  await aliceClient?.close()
  await bobPhone?.close()
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  await app?.close()
})

describe('the two ends of a long chat', () => {
  it('Ctrl+Home shows the first message, End returns to the newest and live messages', async () => {
    const page = await app.openPerson('bob')
    await createAccountAndSignIn(page, bob)

    await registerAccount(app.server.url, alice, PASSWORD)
    aliceClient = coreClient(alice, 'alice')
    await aliceClient.login(alice, PASSWORD)
    // Written by Bob himself (nothing unread), so the chat opens at the newest page, not at a first unread message.
    bobPhone = coreClient(bob, 'bob-phone')
    await bobPhone.login(bob, PASSWORD)
    await bobPhone.sendText(alice, FIRST)
    for (let i = 1; i < HISTORY; i++) await bobPhone.sendText(alice, `history line ${i}`)
    // Opened once the whole history is on this device (opened earlier, the rest would arrive live, not paged).
    await eventually(async () => expect(await conversationButton(page, alice).getAttribute('aria-label')).toMatch(/history line 399$/))
    await conversationButton(page, alice).click()
    const log = messageLog(page)
    const newest = log.getByText(`history line ${HISTORY - 1}`, { exact: true })
    await waitVisible(newest)
    expect(await log.getAttribute('aria-keyshortcuts')).toContain('Control+Home')

    await log.focus()
    await page.keyboard.press('Control+Home')
    await waitVisible(log.getByRole('article').filter({ hasText: FIRST }))
    await waitVisible(log.getByText(`This is the beginning of your chat with ${alice}.`))
    await eventually(async () => expect(await log.evaluate((el) => el.scrollTop)).toBeLessThan(40))
    expect(await log.locator('[data-key]').count()).toBeLessThanOrEqual(MAX_RENDERED_ROWS)
    expect(await newest.count()).toBe(0)
    // Far back in the history, the way to the newest is offered.
    await waitVisible(page.getByRole('button', { name: 'Latest messages' }))

    // Scrolling down from the start pages newer messages in below.
    await eventually(async () => {
      await log.evaluate((el) => (el.scrollTop = el.scrollHeight))
      // The second page (lines 50-99) or a later one is at the bottom now.
      expect(await log.getByText(/^history line (9\d|[1-3]\d\d)$/).count()).toBeGreaterThan(0)
    })
    expect(await log.locator('[data-key]').count()).toBeLessThanOrEqual(MAX_RENDERED_ROWS)

    await log.focus()
    await page.keyboard.press('End')
    await waitVisible(newest)
    expect(await log.locator('[data-key]').count()).toBeLessThanOrEqual(MAX_RENDERED_ROWS)
    await eventually(async () => expect(await page.getByRole('button', { name: 'Latest messages' }).count()).toBe(0))
    // Live again: a new message shows at the bottom.
    await aliceClient.sendText(bob, 'a message after the jumps')
    await waitVisible(log.getByRole('article').filter({ hasText: 'a message after the jumps' }))
    expect(await log.evaluate((el) => el.ownerDocument.querySelectorAll('*').length)).toBeLessThanOrEqual(3_000)
    expect(app.pageErrors).toEqual([])
  })
})
