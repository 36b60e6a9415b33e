// End-to-end: two people in two Chromium profiles use the real renderer through the browser host against the
// real server: create accounts, start a chat, talk live in both directions, reload and still see the history,
// and see the connection banner and a message held as sending while the server is down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { startHost, type RunningHost } from '../../src/host/index'
import { startServerChild } from '../../src/host/server-child'
import type { SupervisedServer } from '../../src/main/server-process/supervisor'
import { confirmWith, confirmationCancels, eventually, expectArticlesInOrder, waitVisible, CHROMIUM_ARGS, CHROMIUM_PATH } from './helpers'

const RENDERER_DIR = path.resolve('out', 'renderer')
const PASSWORD = 'correct horse battery'
/** The ticks of a message the server has: Sent, or further along once the peer's device has it or read it. */
const ACKED = /^(Sent|Delivered|Read)$/

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`

let tmp: string
/** The chat server in its own child process, as `npm run web` runs it. */
let server: SupervisedServer | undefined
let host: RunningHost | undefined
const contexts: BrowserContext[] = []
/** Uncaught exceptions in either page: a renderer bug even when the flow still works. */
const pageErrors: string[] = []
let alicePage: Page
let bobPage: Page

async function openPerson(name: string): Promise<Page> {
  const profile = fs.mkdtempSync(path.join(tmp, `profile-${name}-`))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS
  })
  contexts.push(context)
  const page = context.pages()[0] ?? (await context.newPage())
  page.on('pageerror', (err) => pageErrors.push(`[${name}] ${err.message}`))
  await page.goto(host!.url)
  return page
}

async function createAccountAndSignIn(page: Page, username: string): Promise<void> {
  await waitVisible(page.getByRole('heading', { level: 1, name: 'Parley' }))
  const serverField = page.getByLabel('Server address', { exact: true })
  // Prefilled from app.info once the page has asked the host.
  await eventually(async () => expect(await serverField.inputValue()).toBe(server!.url))
  await page.getByLabel('Username', { exact: true }).fill(username)
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
  await page.getByRole('button', { name: 'Create account', exact: true }).click()
  await waitVisible(page.getByRole('navigation', { name: 'Conversations' }))
  await waitVisible(page.getByText('Select a conversation or start a new chat'))
}

function messageLog(page: Page) {
  return page.getByRole('log', { name: 'Messages' })
}

function conversationButton(page: Page, peer: string) {
  return page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${peer}\\b`) })
}

async function send(page: Page, text: string, via: 'enter' | 'button'): Promise<void> {
  const composer = page.getByRole('textbox', { name: 'Message', exact: true })
  await composer.fill(text)
  if (via === 'enter') await composer.press('Enter')
  else await page.getByRole('button', { name: 'Send', exact: true }).click()
  await seesMessage(page, text)
  await eventually(async () => expect(await composer.inputValue()).toBe(''))
}

async function seesMessage(page: Page, text: string): Promise<void> {
  await waitVisible(messageLog(page).getByRole('article').filter({ hasText: text }))
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'))
  server = await startServerChild({ options: { port: 0, dataDir: path.join(tmp, 'server') }, logDir: path.join(tmp, 'logs') })
  host = await startHost({
    port: 0,
    rendererDir: RENDERER_DIR,
    dataDir: path.join(tmp, 'web'),
    defaultServerUrl: server.url,
    version: 'e2e'
  })
  alicePage = await openPerson('alice')
  bobPage = await openPerson('bob')
})

afterAll(async () => {
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-shots-'))
  for (const [name, page] of [['alice', alicePage], ['bob', bobPage]] as const) {
    await page?.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true }).catch(() => undefined)
  }
  console.log(`e2e screenshots: ${shots}`)
  for (const context of contexts) await context.close().catch(() => undefined)
  await host?.close()
  await server?.stop()
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('two people chat in the browser', () => {
  it('register, start a chat, talk live both ways, and keep the history across a reload', async () => {
    await createAccountAndSignIn(alicePage, alice)
    await createAccountAndSignIn(bobPage, bob)

    // Alice starts a chat with Bob.
    await alicePage.getByRole('button', { name: 'New chat', exact: true }).click()
    const dialog = alicePage.getByRole('dialog', { name: 'New chat' })
    await waitVisible(dialog)
    await dialog.getByLabel('Username to chat with', { exact: true }).fill(bob)
    await dialog.getByRole('button', { name: 'Start chat', exact: true }).click()
    await waitVisible(alicePage.getByRole('heading', { level: 2, name: bob, exact: true }))
    await send(alicePage, 'Hi Bob, it is Alice', 'enter')
    // Acked: Sent, or already Delivered to Bob's open tab (receipts).
    await waitVisible(messageLog(alicePage).getByRole('article').filter({ hasText: 'Hi Bob' }).getByLabel(ACKED))

    // Bob sees the conversation appear live, unread, then opens it.
    const fromAlice = conversationButton(bobPage, alice)
    await waitVisible(fromAlice)
    await eventually(async () => expect(await fromAlice.getAttribute('aria-label')).toMatch(/\b1 unread\b/))
    await fromAlice.click()
    await waitVisible(bobPage.getByRole('heading', { level: 2, name: alice, exact: true }))
    await seesMessage(bobPage, 'Hi Bob, it is Alice')
    await eventually(async () => expect(await fromAlice.getAttribute('aria-label')).not.toMatch(/\bunread\b/))

    // Bob replies; Alice sees it live, without reloading.
    await send(bobPage, 'Hello Alice!', 'button')
    await seesMessage(alicePage, 'Hello Alice!')

    // Several more messages in both directions.
    const conversation = ['Hi Bob, it is Alice', 'Hello Alice!']
    for (let round = 1; round <= 3; round += 1) {
      const fromAliceText = `alice says ${round}`
      const fromBobText = `bob answers ${round}`
      await send(alicePage, fromAliceText, round % 2 === 0 ? 'button' : 'enter')
      await seesMessage(bobPage, fromAliceText)
      await send(bobPage, fromBobText, round % 2 === 0 ? 'enter' : 'button')
      await seesMessage(alicePage, fromBobText)
      conversation.push(fromAliceText, fromBobText)
    }
    await expectArticlesInOrder(messageLog(alicePage), conversation)
    await expectArticlesInOrder(messageLog(bobPage), conversation)

    // Alice reloads: still signed in, and the whole history is there in the same order.
    await alicePage.reload()
    await waitVisible(alicePage.getByRole('navigation', { name: 'Conversations' }))
    expect(await alicePage.getByRole('button', { name: 'Create account', exact: true }).count()).toBe(0)
    const toBob = conversationButton(alicePage, bob)
    await waitVisible(toBob)
    await toBob.click()
    await waitVisible(alicePage.getByRole('heading', { level: 2, name: bob, exact: true }))
    await expectArticlesInOrder(messageLog(alicePage), conversation)

    // And the chat still works after the reload.
    await send(alicePage, 'still here after a reload', 'enter')
    await seesMessage(bobPage, 'still here after a reload')
    expect(pageErrors).toEqual([])
  })

  it('signs out, refuses a wrong password with a sentence, and signing in again brings the conversation back', async () => {
    // Signing out asks first: focus on Cancel, so Enter keeps the session; Escape cancels too.
    const signOut = bobPage.getByRole('button', { name: 'Sign out', exact: true })
    await confirmationCancels(bobPage, 'Sign out of Parley?', () => signOut.click())
    expect(await bobPage.getByRole('navigation', { name: 'Conversations' }).count()).toBe(1)
    await signOut.click()
    await confirmWith(bobPage, 'Sign out of Parley?', 'Sign out')
    await waitVisible(bobPage.getByRole('button', { name: 'Sign in', exact: true }))
    expect(await bobPage.getByRole('navigation', { name: 'Conversations' }).count()).toBe(0)
    await bobPage.getByLabel('Username', { exact: true }).fill(bob)
    await bobPage.getByLabel('Password', { exact: true }).fill('not the password')
    await bobPage.getByRole('button', { name: 'Sign in', exact: true }).click()
    await waitVisible(bobPage.getByRole('alert').filter({ hasText: 'The username or password is incorrect.' }))
    await bobPage.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await bobPage.getByRole('button', { name: 'Sign in', exact: true }).click()
    const fromAlice = conversationButton(bobPage, alice)
    await waitVisible(fromAlice)
    await fromAlice.click()
    await seesMessage(bobPage, 'still here after a reload')
    expect(pageErrors).toEqual([])
  })

  it('shows the connection banner while the server is down, keeps a message as sending, and delivers it once it is back', async () => {
    const banner = alicePage.getByRole('status').filter({ hasText: 'Reconnecting' })
    const port = server!.port
    await server!.stop()
    await waitVisible(banner)

    const text = 'written while the server was down'
    const composer = alicePage.getByRole('textbox', { name: 'Message', exact: true })
    await composer.fill(text)
    await composer.press('Enter')
    const article = messageLog(alicePage).getByRole('article').filter({ hasText: text })
    await waitVisible(article.getByLabel('Sending', { exact: true }))

    server = await startServerChild({ options: { port, dataDir: path.join(tmp, 'server') }, logDir: path.join(tmp, 'logs') })
    await waitVisible(article.getByLabel(ACKED))
    await eventually(async () => expect(await banner.count()).toBe(0))
    await seesMessage(bobPage, text)
    expect(pageErrors).toEqual([])
  })
})

