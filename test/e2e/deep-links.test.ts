// End-to-end: the desktop shell's renderer path in Chromium through the browser host. Bob, Carol and Dave write to
// Alice (core clients in this process); opening the page with ?open=parley://chat/<carol> opens that chat (the
// same store path as Electron's pushed link), and a room link her room; a hostile link opens nothing; a link to a
// group or room she is not in says so; Ctrl+K puts the cursor in search; Alt+Down / Ctrl+Tab and Alt+Up / Ctrl+Shift+Tab walk the list's order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { ChatClient } from '../../src/main/core/client'
import { registerAccount } from '../../src/main/core/app-server'
import { E2eApp, PASSWORD, conversationButton, createAccountAndSignIn, opensChatWith } from './app-fixture'
import { eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const writers = [`bob_${suffix}`, `carol_${suffix}`, `dave_${suffix}`]
const carol = writers[1]!

let app: E2eApp
const clients: ChatClient[] = []
const dirs: string[] = []

beforeAll(async () => {
  app = await E2eApp.start()
})

afterAll(async () => {
  for (const client of clients) await client.close()
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  await app?.close()
})

function conversationList(page: Page) {
  return page.getByRole('navigation', { name: 'Conversations' })
}

/** The list's conversation keys in the order shown. */
async function listedKeys(page: Page): Promise<string[]> {
  return conversationList(page)
    .locator('[data-conversation-key]')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-conversation-key') ?? ''))
}

async function openKey(page: Page): Promise<string | null> {
  const current = conversationList(page).locator('[aria-current="true"]')
  return (await current.count()) === 0 ? null : current.first().getAttribute('data-conversation-key')
}

/** Reloads the page with ?open=<link>, as the browser host's stand-in for the OS handing over a link. */
async function openWithLink(page: Page, link: string): Promise<void> {
  await page.goto(new URL(`/?open=${encodeURIComponent(link)}`, app.host.url).href)
  await waitVisible(conversationList(page))
  await eventually(async () => expect((await listedKeys(page)).length).toBeGreaterThanOrEqual(writers.length))
}

describe('deep links and shortcuts in the browser', () => {
  it('opens the conversation a link names, refuses hostile links and says when it cannot open one', async () => {
    const page = await app.openPerson('alice')
    await createAccountAndSignIn(page, alice)
    for (const writer of writers) {
      await registerAccount(app.server.url, writer, PASSWORD)
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `parley-e2e-${writer}-`))
      dirs.push(dir)
      const client = new ChatClient({ serverUrl: app.server.url, deviceId: `${writer}-dev`, dataDir: dir, platform: 'desktop' })
      clients.push(client)
      await client.login(writer, PASSWORD)
      await client.sendText(alice, `hello from ${writer}`)
    }
    await eventually(async () => expect(await listedKeys(page)).toHaveLength(writers.length))

    // The link opens Carol's chat (any case: ids are canonical), and leaves the address.
    await openWithLink(page, `parley://chat/${carol.toUpperCase()}`)
    await opensChatWith(page, carol)
    expect(await openKey(page)).toBe(`single:${carol}`)
    expect(new URL(page.url()).searchParams.has('open')).toBe(false)

    // A hostile link (a query smuggled in) opens nothing. The tab forgets Carol's chat first: a reload reopens the
    // chat that was open (stores/open-conversation-memory.ts), which is not what this step is about.
    await page.evaluate(() => {
      for (const key of Object.keys(sessionStorage)) if (key.startsWith('parley.openConversation:')) sessionStorage.removeItem(key)
    })
    await openWithLink(page, `parley://chat/${carol}?then=parley://group/gabc`)
    expect(await openKey(page)).toBeNull()
    // A group Alice is not in: a sentence instead.
    await openWithLink(page, 'parley://group/gzzzzzzzzzz')
    await waitVisible(page.getByText('You are not a member of that group, so it cannot be opened here.'))
    expect(await openKey(page)).toBeNull()
    // A room that is not among her chats: a sentence, and the rooms section to find it in.
    await page.goto(new URL(`/?open=${encodeURIComponent('parley://room/room-AAAAAAAAAAAAAAAA')}`, app.host.url).href)
    await waitVisible(page.getByText('That room is not among your chats. Find it in the room directory to join it.'))
    await waitVisible(page.getByRole('heading', { level: 2, name: 'Chat rooms' }))

    // A room she is in opens from its link.
    const roomName = `Links ${suffix}`
    await page.getByRole('button', { name: 'Create room', exact: true }).click()
    await page.getByLabel('Room name', { exact: true }).fill(roomName)
    await page.getByRole('button', { name: 'Create', exact: true }).click()
    await waitVisible(page.getByRole('heading', { level: 2, name: roomName }))
    // Its id, from its row among the chats.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /^Chats/ }).click()
    let roomKey: string | undefined
    await eventually(async () => {
      roomKey = (await listedKeys(page)).find((key) => key.startsWith('room:'))
      expect(roomKey).toMatch(/^room:room-/)
    })
    await openWithLink(page, `parley://chat/${carol}`)
    await opensChatWith(page, carol)
    await openWithLink(page, `parley://room/${roomKey!.slice('room:'.length)}`)
    await waitVisible(page.getByRole('heading', { level: 2, name: roomName }))
    expect(await openKey(page)).toBe(roomKey)

    expect(app.pageErrors).toEqual([])
  })

  it('focuses search with Ctrl+K and walks the list with next / previous conversation', async () => {
    // A second account of Alice's, in a fresh browser context, whose chats are opened by clicking.
    const page = await app.openPerson('alice-keys')
    await createAccountAndSignIn(page, `${alice}_2`)
    for (const [index, client] of clients.entries()) await client.sendText(`${alice}_2`, `hello again ${index}`)
    await eventually(async () => expect(await listedKeys(page)).toHaveLength(writers.length))
    await conversationButton(page, carol).click()
    await opensChatWith(page, carol)

    // Ctrl+K puts the cursor in search (the search feature's shortcut; the menu sends the same command).
    await page.keyboard.press('Control+k')
    const field = page.getByRole('searchbox', { name: 'Search messages' })
    await eventually(async () => expect(await field.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true))
    await page.keyboard.press('Escape')

    // Next / previous conversation follow the list's order, wrapping at its ends.
    const order = await listedKeys(page)
    const at = (index: number) => order[(index + order.length) % order.length]
    const start = order.indexOf(`single:${carol}`)
    const pressAndExpect = async (keys: string, index: number) => {
      await page.keyboard.press(keys)
      await eventually(async () => expect(await openKey(page)).toBe(at(index)))
    }
    await pressAndExpect('Alt+ArrowDown', start + 1)
    await pressAndExpect('Control+Tab', start + 2)
    await pressAndExpect('Alt+ArrowUp', start + 1)
    await pressAndExpect('Control+Shift+Tab', start)
    await pressAndExpect('Control+Shift+Tab', start - 1)
    expect(app.pageErrors).toEqual([])
  })
})
