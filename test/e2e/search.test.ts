// End-to-end: search in the real renderer through the browser host against the real server. Alice (a core client
// in this process, to write a long history quickly) sends Bob 150 messages; in the browser Bob opens search with
// Ctrl+K, finds the first one by a word inside it, sees the word marked under Alice's name, opens the hit from the
// keyboard, and the chat opens at that message, far back in the history, highlighted. They are friends and Alice has
// a nickname: the hit names its sender by it, not by her id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ChatClient } from '../../src/main/core/client'
import { registerAccount } from '../../src/main/core/app-server'
import { E2eApp, PASSWORD, createAccountAndSignIn, messageLog, openSection } from './app-fixture'
import { eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`
const HISTORY = 150
const NEEDLE = 'meet me at the zebra crossing'
const ALICE_NAME = 'Alice Liddell'

let app: E2eApp
let aliceClient: ChatClient | undefined
let aliceDir: string

beforeAll(async () => {
  app = await E2eApp.start()
})

afterAll(async () => {
  await aliceClient?.close()
  if (aliceDir) fs.rmSync(aliceDir, { recursive: true, force: true })
  await app?.close()
})

describe('search in the browser', () => {
  it('finds a message far back and opens the chat at it', async () => {
    const page = await app.openPerson('bob')
    await createAccountAndSignIn(page, bob)

    await registerAccount(app.server.url, alice, PASSWORD)
    aliceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-alice-'))
    aliceClient = new ChatClient({ serverUrl: app.server.url, deviceId: `alice-${suffix}`, dataDir: aliceDir, platform: 'desktop' })
    await aliceClient.login(alice, PASSWORD)
    // Alice, with a nickname, asks to be Bob's friend; he accepts in Contacts.
    await aliceClient.contacts.updateProfile({ nickname: ALICE_NAME })
    await aliceClient.contacts.sendRequest(bob, '')
    await openSection(page, 'Contacts')
    await page.getByRole('button', { name: `Accept friend request from ${alice}`, exact: true }).click()
    await waitVisible(page.getByRole('list', { name: 'Friends' }).locator(`[data-contact="${alice}"]`))
    await openSection(page, 'Chats')
    await aliceClient.sendText(bob, NEEDLE)
    for (let i = 1; i < HISTORY; i++) await aliceClient.sendText(bob, `filler message ${i}`)
    const conversations = page.getByRole('navigation', { name: 'Conversations' })
    await eventually(async () => {
      const label = await conversations.getByRole('button', { name: new RegExp(`^${ALICE_NAME}\\b`) }).getAttribute('aria-label')
      expect(label).toMatch(new RegExp(`\\b${HISTORY} unread\\b`))
    })

    // Ctrl+K puts the cursor in the search field.
    await page.keyboard.press('Control+k')
    const field = page.getByRole('searchbox', { name: 'Search messages' })
    await eventually(async () => expect(await field.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true))
    await page.keyboard.type('zebra')

    const results = page.getByRole('region', { name: 'Search results' })
    const group = results.getByRole('region', { name: new RegExp(`^${ALICE_NAME}, 1 match$`) })
    await waitVisible(group)
    await waitVisible(group.getByRole('heading', { level: 3, name: ALICE_NAME }))
    // The hit names its sender as everywhere else: by her nickname, not her id.
    const hit = group.getByRole('button', { name: new RegExp(`^${ALICE_NAME}, .*: ${NEEDLE}$`) })
    await waitVisible(hit)
    expect(await hit.locator('.search-hit__who').textContent()).toBe(ALICE_NAME)
    // The matched word is marked, as text.
    expect(await hit.locator('mark').allTextContents()).toEqual(['zebra'])
    await waitVisible(results.getByText(/^Searching (all your messages|messages since .*\d{4})/))

    // From the field into the hits with the arrow key, then Enter opens it.
    await field.press('ArrowDown')
    await eventually(async () => expect(await hit.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true))
    await page.keyboard.press('Enter')

    await waitVisible(page.getByRole('heading', { level: 2, name: ALICE_NAME, exact: true }))
    const found = messageLog(page).getByRole('article').filter({ hasText: NEEDLE })
    await waitVisible(found)
    // Opened in context: the message is in view with its neighbours, far from the newest, and highlighted.
    await waitVisible(messageLog(page).getByText('filler message 3', { exact: true }))
    expect(await messageLog(page).getByText(`filler message ${HISTORY - 1}`, { exact: true }).count()).toBe(0)
    await eventually(async () =>
      expect(await found.evaluate((el) => el.closest('.message-list__row')?.classList.contains('message-list__row--found'))).toBe(true)
    )
    expect(app.pageErrors).toEqual([])
  })
})
