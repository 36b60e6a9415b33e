// One fixture for the e2e tests that need the whole app: the real server and the browser host on port 0 in a
// temp folder, one Chromium, and a page per person (each a fresh browser context, so its own tab and device).
// PARLEY_E2E_RENDERER_DIR runs the same tests against another build (e.g. an older one, to see a test fail).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { startHost, type RunningHost } from '../../src/host/index'
import { startServer } from '../../src/server/index'
import { eventually, waitVisible, CHROMIUM_ARGS, CHROMIUM_PATH } from './helpers'

export const RENDERER_DIR = path.resolve(process.env['PARLEY_E2E_RENDERER_DIR'] ?? path.join('out', 'renderer'))
export const PASSWORD = 'correct horse battery'

export interface PersonOptions {
  viewport?: { width: number; height: number }
  /** Opens a page in an existing context (another tab of the same browser profile). */
  context?: BrowserContext
  /** sessionStorage the page starts with, as a duplicated tab inherits it. */
  sessionStorage?: Record<string, string>
  /** The browser's language (navigator.languages), e.g. 'zh-CN'; default: Chromium's own (English). */
  locale?: string
}

export class E2eApp {
  /** Uncaught exceptions in any page: a renderer bug even when the flow still works. */
  readonly pageErrors: string[] = []
  private readonly contexts: BrowserContext[] = []

  private constructor(
    readonly tmp: string,
    public server: Awaited<ReturnType<typeof startServer>>,
    readonly host: RunningHost,
    private readonly browser: Browser
  ) {}

  static async start(): Promise<E2eApp> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-'))
    const server = await startServer({ port: 0, dataDir: path.join(tmp, 'server') })
    const host = await startHost({
      port: 0,
      rendererDir: RENDERER_DIR,
      dataDir: path.join(tmp, 'web'),
      defaultServerUrl: server.url,
      version: 'e2e'
    })
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS })
    return new E2eApp(tmp, server, host, browser)
  }

  async openPerson(name: string, options: PersonOptions = {}): Promise<Page> {
    let context = options.context
    if (!context) {
      context = await this.browser.newContext({
        viewport: options.viewport ?? { width: 1180, height: 760 },
        ...(options.locale ? { locale: options.locale } : {})
      })
      this.contexts.push(context)
    }
    const page = await context.newPage()
    if (options.viewport) await page.setViewportSize(options.viewport)
    // PARLEY_E2E_CONSOLE=1 prints the pages' console, for debugging a test.
    if (process.env['PARLEY_E2E_CONSOLE']) page.on('console', (message) => console.log(`[${name}] ${message.text()}`))
    page.on('pageerror', (err) => this.pageErrors.push(`[${name}] ${err.message}`))
    const seed = options.sessionStorage
    if (seed) {
      // Only on the first load, as "Duplicate tab" copies storage once; later reloads keep what the page set.
      await page.addInitScript((entries: Record<string, string>) => {
        if (sessionStorage.getItem('e2e.seeded')) return
        for (const [key, value] of Object.entries(entries)) sessionStorage.setItem(key, value)
        sessionStorage.setItem('e2e.seeded', '1')
      }, seed)
      await page.goto(new URL('/', this.host.url).href)
    } else {
      await page.goto(this.host.url)
    }
    return page
  }

  /** Closes every page opened so far (their tab sessions stay on the host until it closes). */
  async closePages(): Promise<void> {
    for (const context of this.contexts.splice(0)) await context.close().catch(() => undefined)
  }

  async close(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => undefined)
    await this.browser.close().catch(() => undefined)
    await this.host.close()
    await this.server.close()
    fs.rmSync(this.tmp, { recursive: true, force: true })
  }
}

/** The calling test file's app (filled before its first test): each test's pages closed after it, the app after the last. */
export function appForFile(): { readonly app: E2eApp } {
  const running = {} as { app: E2eApp }
  beforeAll(async () => {
    running.app = await E2eApp.start()
  })
  afterEach(async () => {
    await running.app?.closePages()
  })
  afterAll(async () => {
    await running.app?.close()
  })
  return running
}

/** Two people's pages, signed in, and the app they run in (filled before the file's first test). */
export interface TwoPeople {
  app: E2eApp
  first: Page
  second: Page
}

/**
 * For the calling test file: starts the app and signs two new accounts in, one page each, before its tests, and
 * closes the app after them.
 */
export function twoPeopleSignedIn(first: string, second: string): TwoPeople {
  const people = {} as TwoPeople
  beforeAll(async () => {
    people.app = await E2eApp.start()
    people.first = await people.app.openPerson(first)
    people.second = await people.app.openPerson(second)
    await createAccountAndSignIn(people.first, first)
    await createAccountAndSignIn(people.second, second)
  }, 120_000)
  afterAll(async () => {
    await people.app?.close()
  })
  return people
}

export async function createAccountAndSignIn(page: Page, username: string): Promise<void> {
  await waitVisible(page.getByRole('heading', { level: 1, name: 'Parley' }))
  const serverField = page.getByLabel('Server address', { exact: true })
  // Prefilled from app.info once the page has asked the host.
  await eventually(async () => expect(await serverField.inputValue()).not.toBe(''))
  await page.getByLabel('Username', { exact: true }).fill(username)
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
  await page.getByRole('button', { name: 'Create account', exact: true }).click()
  await waitVisible(page.getByRole('navigation', { name: 'Conversations' }))
}

export function messageLog(page: Page) {
  return page.getByRole('log', { name: 'Messages' })
}

/** A message's bubble (its <article>) in the open chat, by a piece of its text. */
export function bubble(page: Page, text: string) {
  return messageLog(page).getByRole('article').filter({ hasText: text })
}

/** Opens the action menu of the message with `text` (hovering it, as a mouse user does) and picks `action`. */
export async function chooseMessageAction(page: Page, text: string, action: string): Promise<void> {
  const target = bubble(page, text)
  await target.hover()
  await target.getByRole('button', { name: 'Message actions' }).click()
  await page.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: action, exact: true }).click()
}

export function composer(page: Page) {
  return page.getByRole('textbox', { name: 'Message', exact: true })
}

export function conversationButton(page: Page, peer: string) {
  return page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${peer}\\b`) })
}

export async function seesMessage(page: Page, text: string): Promise<void> {
  await waitVisible(messageLog(page).getByRole('article').filter({ hasText: text }))
}

export async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text)
  await composer(page).press('Enter')
  await seesMessage(page, text)
}

/** Opens "New chat", types the name and starts the chat; the dialog stays open when the name is refused. */
export async function startChat(page: Page, typed: string): Promise<void> {
  await page.getByRole('button', { name: 'New chat', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'New chat' })
  await waitVisible(dialog)
  await dialog.getByLabel('Username to chat with', { exact: true }).fill(typed)
  await dialog.getByRole('button', { name: 'Start chat', exact: true }).click()
}

export async function opensChatWith(page: Page, peer: string): Promise<void> {
  await waitVisible(page.getByRole('heading', { level: 2, name: peer, exact: true }))
}

/** Creates a group through "New group" with these members and waits until it is open (its heading shows). */
export async function createGroup(page: Page, name: string, members: string): Promise<void> {
  await page.getByRole('button', { name: 'New group', exact: true }).click()
  const create = page.getByRole('dialog', { name: 'New group' })
  await waitVisible(create)
  await create.getByLabel('Group name', { exact: true }).fill(name)
  await create.getByLabel('People to add (usernames, separated by commas or spaces)').fill(members)
  await create.getByRole('button', { name: 'Create group', exact: true }).click()
  await waitVisible(page.getByRole('heading', { level: 2, name, exact: true }))
}

/** Opens a section of the rail by the start of its name ("Chats", "Contacts"; a badge may follow). */
export async function openSection(page: Page, section: 'Chats' | 'Contacts'): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: new RegExp(`^${section}`) }).click()
  await waitVisible(section === 'Chats' ? page.getByRole('navigation', { name: 'Conversations' }) : page.getByRole('heading', { level: 2, name: 'Contacts' }))
}

/** Makes two people friends through Contacts (`asker` sends the request, `accepter` accepts); both end in Chats. */
export async function befriend(askerPage: Page, asker: string, accepterPage: Page, accepter: string): Promise<void> {
  await openSection(askerPage, 'Contacts')
  await askerPage.getByRole('button', { name: 'Add contact', exact: true }).click()
  const dialog = askerPage.getByRole('dialog', { name: 'Add contact' })
  await waitVisible(dialog)
  await dialog.getByLabel('User id', { exact: true }).fill(accepter)
  await dialog.getByRole('button', { name: 'Send request', exact: true }).click()
  await eventually(async () => expect(await dialog.count()).toBe(0))
  await openSection(accepterPage, 'Contacts')
  await accepterPage.getByRole('button', { name: `Accept friend request from ${asker}`, exact: true }).click()
  await waitVisible(accepterPage.getByRole('list', { name: 'Friends' }).locator(`[data-contact="${asker}"]`))
  await waitVisible(askerPage.getByRole('list', { name: 'Friends' }).locator(`[data-contact="${accepter}"]`))
  await openSection(askerPage, 'Chats')
  await openSection(accepterPage, 'Chats')
}

/** Sets the signed-in person's nickname in Contacts' "My profile", then goes back to Chats. */
export async function setNickname(page: Page, nickname: string): Promise<void> {
  await openSection(page, 'Contacts')
  await page.getByRole('button', { name: 'My profile', exact: true }).click()
  const profile = page.getByRole('dialog', { name: 'My profile' })
  await waitVisible(profile)
  await profile.getByLabel('Nickname', { exact: true }).fill(nickname)
  await profile.getByRole('button', { name: 'Save profile', exact: true }).click()
  await waitVisible(profile.getByText('Profile saved.', { exact: true }))
  await profile.getByRole('button', { name: 'Close', exact: true }).click()
  await eventually(async () => expect(await profile.count()).toBe(0))
  await openSection(page, 'Chats')
}

/** Sets my remark for a friend from Contacts ("More actions" then "Set remark"), then goes back to Chats. */
export async function setRemark(page: Page, friend: string, remark: string): Promise<void> {
  await openSection(page, 'Contacts')
  await page.getByRole('button', { name: `More actions for ${friend}`, exact: true }).click()
  await page.getByRole('button', { name: `Set remark for ${friend}`, exact: true }).click()
  const dialog = page.getByRole('dialog', { name: `Remark for ${friend}` })
  await waitVisible(dialog)
  await dialog.getByRole('textbox').fill(remark)
  await dialog.getByRole('button', { name: 'Save remark', exact: true }).click()
  await eventually(async () => expect(await dialog.count()).toBe(0))
  await openSection(page, 'Chats')
}
