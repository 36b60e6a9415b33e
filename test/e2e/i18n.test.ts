// End-to-end: the renderer in Simplified Chinese. A browser whose language is zh-CN (the setting follows the system
// language until the user picks one) signs up and walks the main views — sign-in, the chat list and an open chat
// with its action menu and emoji picker, a group with its info panel, the chat settings, contacts with a friend
// request, rooms (the lobby and a room with its members), search, and the main dialogs — while another person, in
// English, writes to it. On every view the visible text, accessible names, placeholders and tooltips hold no English
// word but what people typed (names, messages), "Parley" and protocol words.
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { E2eApp, createAccountAndSignIn, PASSWORD, send, startChat } from './app-fixture'
import { eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`
const GROUP = `Trail crew ${suffix}`
const ROOM = `Campfire ${suffix}`
const TO_ALICE = 'hello alice from bob'
const IN_GROUP = 'hello group from bob'
const FROM_ALICE = 'ni hao bob'

/** What people typed, shown as it is in any language. */
const TYPED = [alice, bob, GROUP, ROOM, TO_ALICE, IN_GROUP, FROM_ALICE]
/** Words that stay as they are in a Chinese UI: the product, keys, protocol and unit words. */
const ALLOWED_WORDS = new Set(['Parley', 'Ctrl', 'Enter', 'Esc', 'Shift', 'Tab', 'ASCII', 'http', 'https', 'KB', 'MB', 'GB', 'TB', 'ID'])

const LOCALES_DIR = path.join(__dirname, '../../src/renderer/src/i18n/locales/zh-CN')
const zhMessages: Record<string, unknown> = Object.fromEntries(
  fs.readdirSync(LOCALES_DIR).map((file) => [file.replace(/\.json$/, ''), JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, file), 'utf8')) as unknown])
)

/** The Simplified Chinese text of a key ('chat.messages'), with {placeholders} filled. */
function zh(key: string, params: Record<string, string | number> = {}): string {
  let node: unknown = zhMessages
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part]
  if (typeof node !== 'string') throw new Error(`no zh-CN text for ${key}`)
  return node.replace(/\{(\w+)\}/g, (_m, name: string) => String(params[name] ?? `{${name}}`))
}

/** Every English word on the page that is not typed by a person or allowed, each with the text around it. */
async function englishLeft(page: Page): Promise<string[]> {
  // A string, as the test runs in Node: the page's visible text and the names, placeholders and tooltips it shows.
  const texts = await page.evaluate<string[]>(`(() => {
    const parts = [document.body.innerText]
    for (const element of document.querySelectorAll('[aria-label], [placeholder], [title], [alt], [aria-valuetext]')) {
      // Only what is rendered: a closed menu or a hidden control says nothing to anyone.
      if (element.getClientRects().length === 0) continue
      for (const attribute of ['aria-label', 'placeholder', 'title', 'alt', 'aria-valuetext']) {
        const value = element.getAttribute(attribute)
        if (value) parts.push(value)
      }
    }
    return parts
  })()`)
  const found: string[] = []
  for (const text of texts) {
    let rest = text
    for (const typed of TYPED) rest = rest.split(typed).join(' ')
    for (const match of rest.matchAll(/[A-Za-z]{2,}/g)) {
      if (ALLOWED_WORDS.has(match[0])) continue
      const at = match.index ?? 0
      found.push(`${match[0]}  (in "…${rest.slice(Math.max(0, at - 30), at + 30).replace(/\s+/g, ' ')}…")`)
    }
  }
  return found
}

async function expectChinese(page: Page, view: string): Promise<void> {
  const left = await englishLeft(page)
  expect(left, `English left on ${view}`).toEqual([])
}

let app: E2eApp
let alicePage: Page
let bobPage: Page

describe('the UI in Simplified Chinese', () => {
  beforeAll(async () => {
    app = await E2eApp.start()
    bobPage = await app.openPerson('bob')
    alicePage = await app.openPerson('alice', { locale: 'zh-CN' })
  })

  afterAll(async () => {
    await app?.close()
  })

  it('has no English left on its main views', async () => {
    // Sign-in, in Chinese from the browser's language.
    await waitVisible(alicePage.getByRole('heading', { level: 1, name: 'Parley' }))
    await eventually(async () => expect(await alicePage.locator('#sign-in-server').inputValue()).not.toBe(''))
    await eventually(async () => expect(await alicePage.evaluate<string>('document.documentElement.lang')).toBe('zh-CN'))
    await expectChinese(alicePage, 'the sign-in screen')
    await alicePage.locator('#sign-in-username').fill(alice)
    await alicePage.locator('#sign-in-password').fill(PASSWORD)
    await alicePage.getByRole('button', { name: zh('signin.createAccount'), exact: true }).click()
    const list = alicePage.getByRole('navigation', { name: zh('conversations.nav') })
    await waitVisible(list)

    // Bob (in English) writes to alice, puts her in a group and asks to be her friend.
    await createAccountAndSignIn(bobPage, bob)
    await startChat(bobPage, alice)
    await send(bobPage, TO_ALICE)
    await bobPage.getByRole('button', { name: 'New group', exact: true }).click()
    const create = bobPage.getByRole('dialog', { name: 'New group' })
    await create.getByLabel('Group name', { exact: true }).fill(GROUP)
    await create.getByLabel('People to add (usernames, separated by commas or spaces)').fill(alice)
    await create.getByRole('button', { name: 'Create group', exact: true }).click()
    await waitVisible(bobPage.getByRole('heading', { level: 2, name: GROUP, exact: true }))
    await send(bobPage, IN_GROUP)
    await bobPage.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /^Contacts/ }).click()
    await bobPage.getByRole('button', { name: 'Add contact', exact: true }).click()
    const add = bobPage.getByRole('dialog', { name: 'Add contact' })
    await add.getByLabel('User id', { exact: true }).fill(alice)
    await add.getByRole('button', { name: 'Send request', exact: true }).click()
    await waitVisible(bobPage.getByText('Waiting for an answer'))

    // The chat list and the open chat, with a reply from alice.
    await waitVisible(alicePage.locator(`[data-conversation-key="single:${bob}"]`))
    await waitVisible(alicePage.locator('[data-conversation-key^="group:"]'))
    await expectChinese(alicePage, 'the conversation list')
    await alicePage.locator(`[data-conversation-key="single:${bob}"]`).click()
    const log = alicePage.getByRole('log', { name: zh('chat.messages') })
    await waitVisible(log.getByRole('article').filter({ hasText: TO_ALICE }))
    const composer = alicePage.getByRole('textbox', { name: zh('chat.composer.message'), exact: true })
    await composer.fill(FROM_ALICE)
    await composer.press('Enter')
    await waitVisible(log.getByRole('article').filter({ hasText: FROM_ALICE }))
    await eventually(async () => expect(await log.getByTestId('message-ticks').last().getAttribute('data-state')).not.toBe('sending'))
    await expectChinese(alicePage, 'an open chat')

    // A message's action menu and the emoji picker.
    const incoming = log.getByRole('article').filter({ hasText: TO_ALICE })
    await incoming.hover()
    await incoming.getByRole('button', { name: zh('messages.actions.menu') }).click()
    await waitVisible(alicePage.getByRole('menu', { name: zh('messages.actions.menu') }))
    await expectChinese(alicePage, 'the message action menu')
    await alicePage.keyboard.press('Escape')
    await alicePage.getByRole('button', { name: zh('messages.tools.emoji'), exact: true }).click()
    const picker = alicePage.getByRole('dialog', { name: zh('messages.emoji.dialog') })
    await waitVisible(picker.getByRole('option').first())
    await expectChinese(alicePage, 'the emoji picker')
    await picker.getByRole('combobox').press('Escape')

    // Chat settings.
    await alicePage.getByRole('button', { name: zh('chat.chatSettings'), exact: true }).click()
    await waitVisible(alicePage.getByRole('dialog', { name: zh('messages.ops.title') }))
    await expectChinese(alicePage, 'the chat settings')
    await alicePage.getByRole('dialog', { name: zh('messages.ops.title') }).getByRole('button', { name: zh('common.close'), exact: true }).click()

    // The group, with its system notice, and its info panel.
    await alicePage.locator('[data-conversation-key^="group:"]').click()
    await waitVisible(alicePage.getByRole('heading', { level: 2, name: GROUP, exact: true }))
    await waitVisible(log.getByRole('article').filter({ hasText: IN_GROUP }))
    await waitVisible(log.getByRole('note').first())
    await expectChinese(alicePage, 'a group chat')
    await alicePage.getByRole('button', { name: zh('chat.groupInfo'), exact: true }).click()
    const info = alicePage.getByRole('dialog', { name: zh('groups.info.title') })
    await waitVisible(info.getByTestId(`group-member-${bob}`))
    await expectChinese(alicePage, 'the group info panel')
    await info.getByRole('button', { name: zh('common.close'), exact: true }).click()

    // The list's dialogs: new chat, new group, public groups, invitations.
    for (const [button, dialog] of [
      ['conversations.newChat', 'conversations.newChatDialog.title'],
      ['conversations.newGroup', 'groups.create.title'],
      ['conversations.browseGroups', 'groups.browse.label'],
      ['conversations.invitations', 'groups.requests.label']
    ] as const) {
      await alicePage.getByRole('button', { name: zh(button), exact: true }).click()
      const shown = alicePage.getByRole('dialog', { name: zh(dialog) })
      await waitVisible(shown)
      await expectChinese(alicePage, `the dialog ${dialog}`)
      await shown.getByRole('button', { name: zh('common.close'), exact: true }).click()
    }

    // The rail's diagnostics and profile dialogs.
    const rail = alicePage.getByRole('navigation', { name: zh('app.rail.sections') })
    await alicePage.getByRole('button', { name: zh('app.rail.diagnostics'), exact: true }).click()
    const diagnostics = alicePage.getByRole('dialog', { name: zh('app.diagnostics.title') })
    await waitVisible(diagnostics.getByText(zh('app.diagnostics.syncCursor')))
    await expectChinese(alicePage, 'the diagnostics dialog')
    await diagnostics.getByRole('button', { name: zh('common.close'), exact: true }).click()
    await alicePage.getByRole('button', { name: zh('app.rail.profile', { user: alice }), exact: true }).click()
    const profile = alicePage.getByRole('dialog', { name: zh('contacts.profile.label') })
    await waitVisible(profile.getByTestId('device-row').first())
    await expectChinese(alicePage, 'the profile dialog')
    await profile.getByRole('button', { name: zh('common.close'), exact: true }).click()

    // Contacts: bob's request, accepted, then bob among the friends.
    await rail.getByRole('button', { name: new RegExp(`^${zh('app.rail.contacts')}(，|$)`) }).click()
    await waitVisible(alicePage.getByRole('heading', { level: 2, name: zh('contacts.pane.title') }))
    const accept = alicePage.getByRole('button', { name: zh('contacts.pane.acceptFrom', { user: bob }), exact: true })
    await waitVisible(accept)
    await expectChinese(alicePage, 'the contacts with a friend request')
    await accept.click()
    await waitVisible(alicePage.getByRole('list', { name: zh('contacts.pane.friends') }).getByText(zh('contacts.presence.online'), { exact: true }))
    await expectChinese(alicePage, 'the contacts with a friend')
    await alicePage.getByRole('button', { name: zh('contacts.pane.addContact'), exact: true }).click()
    const addDialog = alicePage.getByRole('dialog', { name: zh('contacts.add.title') })
    await waitVisible(addDialog)
    await expectChinese(alicePage, 'the add-contact dialog')
    await addDialog.getByRole('button', { name: zh('common.close'), exact: true }).click()

    // Chat rooms.
    await rail.getByRole('button', { name: new RegExp(`^${zh('app.rail.rooms')}(，|$)`) }).click()
    await waitVisible(alicePage.getByRole('heading', { level: 2, name: zh('rooms.lobby.title') }))
    await waitVisible(alicePage.getByText(zh('rooms.lobby.none')))
    await expectChinese(alicePage, 'the chat rooms')
    await alicePage.getByRole('button', { name: zh('rooms.lobby.create'), exact: true }).click()
    const createRoom = alicePage.getByRole('dialog', { name: zh('rooms.create.title') })
    await createRoom.getByLabel(zh('rooms.create.name'), { exact: true }).fill(ROOM)
    await expectChinese(alicePage, 'the create-room dialog')
    await createRoom.getByRole('button', { name: zh('rooms.create.create'), exact: true }).click()
    await waitVisible(alicePage.getByRole('heading', { level: 2, name: ROOM, exact: true }))
    await alicePage.getByRole('button', { name: zh('rooms.view.showMembers'), exact: true }).click()
    await waitVisible(alicePage.getByRole('list', { name: zh('rooms.drawer.list') }).getByText(alice))
    await expectChinese(alicePage, 'a chat room with its members')

    // Search.
    await rail.getByRole('button', { name: new RegExp(`^${zh('app.rail.chats')}(，|$)`) }).click()
    await alicePage.getByRole('searchbox', { name: zh('search.field') }).fill('hello')
    const results = alicePage.getByRole('region', { name: zh('search.results') })
    await waitVisible(results.getByRole('button').filter({ hasText: 'hello' }).first())
    await expectChinese(alicePage, 'the search results')
    // The list names bob's chat with Chinese separators throughout, presence included ("bob，在线，…").
    await alicePage.getByRole('searchbox', { name: zh('search.field') }).fill('')
    const sep = zh('conversations.a11y.separator')
    await waitVisible(alicePage.getByRole('button', { name: new RegExp(`^${bob}${sep}${zh('conversations.online')}${sep}`) }))

    // Bob's page stays in English: the language follows each browser, not the account.
    await waitVisible(bobPage.getByText('Waiting for an answer').or(bobPage.getByText('Friends (1)')))
    expect(app.pageErrors).toEqual([])
  })
})
