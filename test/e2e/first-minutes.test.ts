// End-to-end: what a new user meets in the first minutes, through the real renderer, browser host and server:
// "New chat" checks the name, drafts survive switching and reloads, one pane at a time in a narrow window, the
// first unread message with its divider and "New messages ↓", nothing read while away, right-to-left text, the
// byte counter, the sign-in form, a duplicated tab as a new device, the diagnostics dialog and the bridge-only CSP.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { ChatClient } from '../../src/main/core/client'
import { registerAccount } from '../../src/main/core/app-server'
import {
  composer,
  conversationButton,
  createAccountAndSignIn,
  E2eApp,
  messageLog,
  opensChatWith,
  PASSWORD,
  seesMessage,
  send,
  startChat
} from './app-fixture'
import { eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
/** A fresh username per test, so tests do not depend on each other's accounts. */
const user = (name: string): string => `${name}_${suffix}`

let app: E2eApp
const phones: ChatClient[] = []

beforeAll(async () => {
  app = await E2eApp.start()
})

afterEach(async () => {
  // Each test opens its own pages; closing them keeps the 2-core machine free for the next one.
  await app.closePages()
})

afterAll(async () => {
  for (const phone of phones) await phone.close().catch(() => undefined)
  await app?.close()
})

/** Another device of `name` (the real core, signed in directly): sends many messages fast. */
async function phoneOf(name: string): Promise<ChatClient> {
  const phone = new ChatClient({ serverUrl: app.server.url, deviceId: `e2e-phone-${name}`, dataDir: path.join(app.tmp, `phone-${name}`) })
  phones.push(phone)
  await phone.login(name, PASSWORD)
  return phone
}

async function noSidewaysScroll(page: Page): Promise<void> {
  // Strings, not functions: the test program has no DOM types (the expressions run in the page).
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    '({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth })'
  )
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth)
}

/** Whether the element's box is at least partly inside the message log's visible box. */
async function inView(page: Page, text: string): Promise<boolean> {
  const article = messageLog(page).getByRole('article').filter({ hasText: text })
  if ((await article.count()) === 0) return false
  const [box, logBox] = await Promise.all([article.first().boundingBox(), messageLog(page).boundingBox()])
  return box !== null && logBox !== null && box.y + box.height > logBox.y && box.y < logBox.y + logBox.height
}

describe('what a new user meets first', () => {
  it('"New chat" says when there is no such user, adds nothing, and BOB opens the existing bob chat', async () => {
    const [ann, bob] = [user('ann'), user('bob')]
    await registerAccount(app.server.url, bob, PASSWORD)
    const page = await app.openPerson('ann')
    await createAccountAndSignIn(page, ann)

    await startChat(page, user('nobody'))
    const dialog = page.getByRole('dialog', { name: 'New chat' })
    await waitVisible(dialog.getByRole('alert').filter({ hasText: `There is no user named ${user('nobody')}.` }))
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click()
    expect(await conversationButton(page, user('nobody')).count()).toBe(0)

    await startChat(page, bob.toUpperCase())
    await opensChatWith(page, bob)
    await send(page, 'hello in lower case')
    await startChat(page, `  ${bob.toUpperCase()} `)
    await opensChatWith(page, bob)
    await seesMessage(page, 'hello in lower case')
    // One conversation (each row is a list item holding the conversation's button and its actions menu).
    const rows = page.getByRole('navigation', { name: 'Conversations' }).getByRole('listitem')
    expect(await rows.allTextContents()).toHaveLength(1)
    expect(app.pageErrors).toEqual([])
  })

  it('keeps a draft per conversation across switching and a reload, shown in the list as "Draft: …"', async () => {
    const [cat, dan, eve] = [user('cat'), user('dan'), user('eve')]
    await registerAccount(app.server.url, dan, PASSWORD)
    await registerAccount(app.server.url, eve, PASSWORD)
    const page = await app.openPerson('cat')
    await createAccountAndSignIn(page, cat)
    await startChat(page, dan)
    await opensChatWith(page, dan)
    await composer(page).fill('half a thought for dan')
    await startChat(page, eve)
    await opensChatWith(page, eve)
    expect(await composer(page).inputValue()).toBe('')
    await eventually(async () => expect(await conversationButton(page, dan).getAttribute('aria-label')).toContain('Draft: half a thought for dan'))
    await waitVisible(conversationButton(page, dan).getByText('Draft: half a thought for dan'))

    await page.reload()
    await waitVisible(conversationButton(page, dan))
    await eventually(async () => expect(await conversationButton(page, dan).getAttribute('aria-label')).toContain('Draft: half a thought for dan'))
    await conversationButton(page, dan).click()
    await opensChatWith(page, dan)
    await eventually(async () => expect(await composer(page).inputValue()).toBe('half a thought for dan'))

    // Sending it clears the draft.
    await composer(page).press('Enter')
    await seesMessage(page, 'half a thought for dan')
    await startChat(page, eve)
    await opensChatWith(page, eve)
    await eventually(async () => expect(await conversationButton(page, dan).getAttribute('aria-label')).toContain('last message: You: half a thought'))
    expect(app.pageErrors).toEqual([])
  })

  it('shows one pane at a time with a Back control in a narrow window; nothing scrolls sideways at 360 px, chat works at 500 px', async () => {
    const [fay, gus] = [user('fay'), user('gus')]
    await registerAccount(app.server.url, gus, PASSWORD)
    const page = await app.openPerson('fay', { viewport: { width: 360, height: 720 } })
    await noSidewaysScroll(page)
    await createAccountAndSignIn(page, fay)
    await noSidewaysScroll(page)
    await startChat(page, gus)
    await opensChatWith(page, gus)
    // The chat alone: the list is gone, and Back brings it back.
    expect(await page.getByRole('navigation', { name: 'Conversations' }).count()).toBe(0)
    await send(page, `a long unbroken word ${'x'.repeat(300)}`)
    await send(page, 'short one')
    await noSidewaysScroll(page)
    await page.getByRole('button', { name: 'Back to conversations', exact: true }).click()
    await waitVisible(conversationButton(page, gus))
    // The keyboard user lands on the chat they left.
    await eventually(async () => expect(await conversationButton(page, gus).evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true))
    expect(await page.getByRole('log', { name: 'Messages' }).count()).toBe(0)
    await noSidewaysScroll(page)

    await page.setViewportSize({ width: 500, height: 720 })
    await conversationButton(page, gus).click()
    await opensChatWith(page, gus)
    const logBox = await messageLog(page).boundingBox()
    const inputBox = await composer(page).boundingBox()
    expect(logBox?.width ?? 0).toBeGreaterThanOrEqual(480)
    expect(inputBox?.width ?? 0).toBeGreaterThanOrEqual(300)
    await send(page, 'typed at 500 px')
    await noSidewaysScroll(page)

    // Wide again: both panes, no Back.
    await page.setViewportSize({ width: 1000, height: 720 })
    await waitVisible(conversationButton(page, gus))
    expect(await page.getByRole('button', { name: 'Back to conversations', exact: true }).count()).toBe(0)
    expect(app.pageErrors).toEqual([])
  })

  it('opens at the first unread message under a divider, offers "New messages ↓" while scrolled up, and reads only what is seen', async () => {
    const [hal, ivy] = [user('hal'), user('ivy')]
    await registerAccount(app.server.url, ivy, PASSWORD)
    const page = await app.openPerson('hal')
    await createAccountAndSignIn(page, hal)
    const ivyPhone = await phoneOf(ivy)
    const UNREAD = 60
    for (let index = 1; index <= UNREAD; index += 1) await ivyPhone.sendText(hal, `unread number ${index}`)
    const fromIvy = conversationButton(page, ivy)
    await eventually(async () => expect(await fromIvy.getAttribute('aria-label')).toMatch(new RegExp(`\\b${UNREAD} unread\\b`)))

    await fromIvy.click()
    await opensChatWith(page, ivy)
    await waitVisible(messageLog(page).getByRole('separator', { name: 'Unread messages' }))
    await eventually(async () => expect(await inView(page, 'unread number 1')).toBe(true))
    expect(await inView(page, `unread number ${UNREAD}`)).toBe(false)
    // What is on screen is read (the read pointer moves to it); what is below is not seen yet, so not read yet.
    const unreadNow = async (): Promise<number> => Number(/\b(\d+) unread\b/.exec((await fromIvy.getAttribute('aria-label')) ?? '')?.[1] ?? 0)
    await eventually(async () => expect(await unreadNow()).toBeLessThan(UNREAD))
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    expect(await unreadNow()).toBeGreaterThan(0)

    await ivyPhone.sendText(hal, 'arrived while scrolled up')
    const jump = page.getByRole('button', { name: 'New messages', exact: true })
    await waitVisible(jump)
    await jump.click()
    await eventually(async () => expect(await inView(page, 'arrived while scrolled up')).toBe(true))
    await eventually(async () => expect(await fromIvy.getAttribute('aria-label')).not.toMatch(/\bunread\b/))

    expect(app.pageErrors).toEqual([])
  })

  it('does not read the open chat while the window is in the background, and reads it when the user is back', async () => {
    const [sam, tia] = [user('sam'), user('tia')]
    await registerAccount(app.server.url, tia, PASSWORD)
    const page = await app.openPerson('sam')
    await createAccountAndSignIn(page, sam)
    await startChat(page, tia)
    await opensChatWith(page, tia)
    await send(page, 'hi tia')
    const tiaPhone = await phoneOf(tia)
    await tiaPhone.sendText(sam, 'hi sam, seen at once')
    await seesMessage(page, 'hi sam, seen at once')
    const toTia = conversationButton(page, tia)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await toTia.getAttribute('aria-label')).not.toMatch(/\bunread\b/)

    // The window loses focus: what arrives now is unread until the user is back.
    await page.evaluate("window.dispatchEvent(new Event('blur'))")
    await tiaPhone.sendText(sam, 'sent while you were away')
    await seesMessage(page, 'sent while you were away')
    await eventually(async () => expect(await toTia.getAttribute('aria-label')).toMatch(/\b1 unread\b/))
    expect(await page.title()).toBe('(1) Parley')
    await page.evaluate("window.dispatchEvent(new Event('focus'))")
    await eventually(async () => expect(await toTia.getAttribute('aria-label')).not.toMatch(/\bunread\b/))
    expect(await page.title()).toBe('Parley')
    expect(app.pageErrors).toEqual([])
  })

  it('lays right-to-left text out right to left, in bubbles and list previews', async () => {
    const [jon, kim] = [user('jon'), user('kim')]
    await registerAccount(app.server.url, kim, PASSWORD)
    const page = await app.openPerson('jon')
    await createAccountAndSignIn(page, jon)
    await startChat(page, kim)
    await opensChatWith(page, kim)
    const hebrew = 'שלום עולם, מה שלומך?'
    await send(page, hebrew)
    await send(page, 'and some English')
    const bubbleText = messageLog(page).getByRole('article').filter({ hasText: hebrew }).getByText(hebrew, { exact: true })
    expect(await bubbleText.getAttribute('dir')).toBe('auto')
    expect(await bubbleText.evaluate((el) => el.matches(':dir(rtl)'))).toBe(true)
    const english = messageLog(page).getByRole('article').filter({ hasText: 'and some English' }).getByText('and some English', { exact: true })
    expect(await english.evaluate((el) => el.matches(':dir(ltr)'))).toBe(true)

    const kimPhone = await phoneOf(kim)
    await kimPhone.sendText(jon, 'مرحبا بالعالم')
    await page.getByRole('button', { name: 'New chat', exact: true }).click()
    await page.getByRole('dialog', { name: 'New chat' }).getByRole('button', { name: 'Cancel', exact: true }).click()
    const preview = page.getByRole('navigation', { name: 'Conversations' }).getByText('مرحبا بالعالم', { exact: true })
    await waitVisible(preview)
    expect(await preview.getAttribute('dir')).toBe('auto')
    expect(await preview.evaluate((el) => el.matches(':dir(rtl)'))).toBe(true)
    expect(app.pageErrors).toEqual([])
  })

  it('counts bytes as the text nears the limit and refuses an over-long message before Enter, with a sentence', async () => {
    const [lea, max] = [user('lea'), user('max')]
    await registerAccount(app.server.url, max, PASSWORD)
    const page = await app.openPerson('lea')
    await createAccountAndSignIn(page, lea)
    await startChat(page, max)
    await opensChatWith(page, max)
    await composer(page).fill('a'.repeat(100))
    expect(await page.getByText(/ bytes$/).count()).toBe(0)
    await composer(page).fill('a'.repeat(4_200))
    await waitVisible(page.getByText('4,200 / 5,120 bytes', { exact: true }))
    // 2,000 emoji: only 4,000 UTF-16 units, but 8,000 bytes.
    await composer(page).fill('👋'.repeat(2_000))
    await waitVisible(page.getByText('8,000 / 5,120 bytes', { exact: true }))
    await waitVisible(page.getByRole('alert').filter({ hasText: 'This message is too long: the limit is 5120 bytes. Please shorten it.' }))
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true)
    await composer(page).press('Enter')
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await messageLog(page).getByRole('article').count()).toBe(0)
    expect(await composer(page).inputValue()).toBe('👋'.repeat(2_000))
    expect(app.pageErrors).toEqual([])
  })

  it('keeps the password after a failed sign-in and states exactly what a username may be', async () => {
    const ned = user('ned')
    await registerAccount(app.server.url, ned, PASSWORD)
    const page = await app.openPerson('ned')
    await waitVisible(page.getByRole('heading', { level: 1, name: 'Parley' }))
    const username = page.getByLabel('Username', { exact: true })
    await username.fill(ned)
    await page.getByLabel('Password', { exact: true }).fill('not the password')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await waitVisible(page.getByRole('alert').filter({ hasText: 'The username or password is incorrect.' }))
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('not the password')

    expect(await username.getAttribute('aria-describedby')).toBe('sign-in-username-hint')
    await waitVisible(page.getByText("1–64 characters: ASCII letters a–z, digits, '.', '_' or '-'.", { exact: true }))
    await username.fill('bjørn')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await waitVisible(page.getByRole('alert').filter({ hasText: "A username is 1–64 characters: ASCII letters a–z, digits, '.', '_' or '-'." }))

    // Too many wrong passwords: the server's RATE_LIMITED { retryAfterSec } becomes the renderer's own sentence.
    await username.fill(ned)
    const limited = page.getByRole('alert').filter({ hasText: /^Too many attempts\. Please try again in \d+ seconds\.$/ })
    await eventually(async () => {
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await waitVisible(limited, 1_000)
    })
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('not the password')
    expect(app.pageErrors).toEqual([])
  })

  it('makes a duplicated tab a new device: both stay connected and can chat with each other', async () => {
    const [ola, pat] = [user('ola'), user('pat')]
    const original = await app.openPerson('ola')
    await createAccountAndSignIn(original, ola)
    const storage = await original.evaluate(() => Object.fromEntries(Object.entries(sessionStorage)))
    expect(Object.keys(storage)).toContain('parley.tabId')

    // "Duplicate tab": the same browser profile, the same sessionStorage.
    const duplicate = await app.openPerson('pat', { context: original.context(), sessionStorage: storage })
    await waitVisible(duplicate.getByRole('button', { name: 'Create account', exact: true }))
    await createAccountAndSignIn(duplicate, pat)
    expect(await duplicate.evaluate(() => sessionStorage.getItem('parley.tabId'))).not.toBe(storage['parley.tabId'])

    await startChat(duplicate, ola)
    await opensChatWith(duplicate, ola)
    await send(duplicate, 'hello from the duplicated tab')
    await conversationButton(original, pat).click()
    await seesMessage(original, 'hello from the duplicated tab')
    await send(original, 'hello back from the original')
    await seesMessage(duplicate, 'hello back from the original')
    // No fight: neither tab lost its link in the meantime, nor after a while.
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    for (const page of [original, duplicate]) {
      expect(await page.getByRole('status').filter({ hasText: /Reconnecting|Lost contact/ }).count()).toBe(0)
    }
    await send(duplicate, 'still connected')
    await seesMessage(original, 'still connected')
    expect(app.pageErrors).toEqual([])
  })

  it('shows the sync cursor, pending outbox and quarantined events in the diagnostics dialog', async () => {
    const [quin, rex] = [user('quin'), user('rex')]
    await registerAccount(app.server.url, rex, PASSWORD)
    const page = await app.openPerson('quin')
    await createAccountAndSignIn(page, quin)
    await startChat(page, rex)
    await opensChatWith(page, rex)
    await send(page, 'one for the log')
    await waitVisible(messageLog(page).getByRole('article').filter({ hasText: 'one for the log' }).getByLabel('Sent', { exact: true }))
    await page.getByRole('button', { name: 'Diagnostics', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Diagnostics' })
    await waitVisible(dialog)
    const value = (label: string) => dialog.locator('dl > div').filter({ has: page.getByText(label, { exact: true }) }).locator('dd')
    await eventually(async () => expect(await value('Sync cursor').textContent()).toMatch(/^\d+$/))
    expect(await value('Messages waiting to be sent').textContent()).toBe('0')
    expect(await value('Quarantined events').textContent()).toBe('0')
    await page.keyboard.press('Escape')
    expect(await dialog.count()).toBe(0)
    expect(app.pageErrors).toEqual([])
  })

  it('lets the page connect to its bridge only (the CSP refuses any other socket)', async () => {
    const page = await app.openPerson('csp')
    await waitVisible(page.getByRole('heading', { level: 1, name: 'Parley' }))
    const blocked = await page.evaluate<string>(`new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (event) => resolve(event.violatedDirective), { once: true })
      try {
        new WebSocket('ws://127.0.0.1:9/elsewhere')
      } catch {
        resolve('connect-src (thrown)')
      }
      setTimeout(() => resolve('allowed'), 2000)
    })`)
    expect(blocked).toMatch(/^connect-src/)
  })
})
