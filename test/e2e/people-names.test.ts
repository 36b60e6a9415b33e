// End-to-end: people who are not the viewer's contacts are shown by their public nickname (the renderer's people
// store fetches their profiles in batches), never by id: a group member's bubble, the member list and the notice
// naming them (a new nickname read again when the group info opens); a chat room's sender and its members drawer; a
// stranger's one-to-one chat in the list and its header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { E2eApp, createAccountAndSignIn, createGroup, messageLog, seesMessage, send, setNickname, startChat } from './app-fixture'
import { eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const carol = `carol_${suffix}`
const dave = `dave_${suffix}`
const GROUP = `Hikers ${suffix}`
const ROOM = `Porch ${suffix}`
const CAROL_NAME = 'Carol Chen'
/** Her nickname from the first test's end on. */
const CAROL_NEW = 'Carol C.'
const DAVE_NAME = 'Dave Daring'

let app: E2eApp
let alicePage: Page
let carolPage: Page
let davePage: Page

function conversations(page: Page) {
  return page.getByRole('navigation', { name: 'Conversations' })
}

function roomLog(page: Page) {
  return page.getByRole('log', { name: 'Room messages' })
}

async function openRooms(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /^Chat rooms/ }).click()
  await waitVisible(page.getByRole('heading', { level: 2, name: 'Chat rooms' }))
}

async function sayInRoom(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: `Message ${ROOM}` })
  await box.fill(text)
  await box.press('Enter')
  await waitVisible(roomLog(page).getByRole('article').filter({ hasText: text }))
}

describe('people who are not my contacts, by name', () => {
  beforeAll(async () => {
    app = await E2eApp.start()
    alicePage = await app.openPerson('alice')
    carolPage = await app.openPerson('carol')
    davePage = await app.openPerson('dave')
    await createAccountAndSignIn(alicePage, alice)
    await createAccountAndSignIn(carolPage, carol)
    await createAccountAndSignIn(davePage, dave)
    // Neither is alice's contact; both have a nickname.
    await setNickname(carolPage, CAROL_NAME)
    await setNickname(davePage, DAVE_NAME)
  }, 120_000)

  afterAll(async () => {
    await app?.close()
  })

  it('a group member who is not my contact: their bubble, the member list and the notice name them', async () => {
    await createGroup(alicePage, GROUP, carol)
    await waitVisible(messageLog(alicePage).getByRole('note').filter({ hasText: `You added ${CAROL_NAME}` }))

    await conversations(carolPage).getByRole('button', { name: new RegExp(`^${GROUP}`) }).click()
    await waitVisible(carolPage.getByRole('heading', { level: 2, name: GROUP, exact: true }))
    await send(carolPage, 'hi from carol')
    await seesMessage(alicePage, 'hi from carol')
    await eventually(async () =>
      expect(await messageLog(alicePage).getByRole('article').filter({ hasText: 'hi from carol' }).locator('.message__sender').textContent()).toBe(CAROL_NAME)
    )

    await alicePage.getByRole('button', { name: 'Group info', exact: true }).click()
    const info = alicePage.getByRole('dialog', { name: 'Group info' })
    await waitVisible(info)
    await eventually(async () => expect(await info.getByTestId(`group-member-${carol}`).textContent()).toContain(`${CAROL_NAME} (${carol})`))
    await info.getByRole('button', { name: 'Close', exact: true }).click()

    // No push tells alice of a non-contact's new nickname: opening the group info again reads it from the server.
    await setNickname(carolPage, CAROL_NEW)
    await alicePage.getByRole('button', { name: 'Group info', exact: true }).click()
    await eventually(async () => expect(await info.getByTestId(`group-member-${carol}`).textContent()).toContain(`${CAROL_NEW} (${carol})`))
    await info.getByRole('button', { name: 'Close', exact: true }).click()
    await waitVisible(messageLog(alicePage).getByRole('note').filter({ hasText: `You added ${CAROL_NEW}` }))
    expect(app.pageErrors).toEqual([])
  }, 120_000)

  it('a chat room sender who is not my contact shows by nickname, in the log and the members drawer', async () => {
    await openRooms(carolPage)
    await carolPage.getByRole('button', { name: 'Create room', exact: true }).click()
    await carolPage.getByLabel('Room name', { exact: true }).fill(ROOM)
    await carolPage.getByRole('button', { name: 'Create', exact: true }).click()
    await waitVisible(carolPage.getByRole('heading', { level: 2, name: ROOM }))

    await openRooms(alicePage)
    await alicePage.getByLabel('Search rooms by name or id').fill(suffix)
    await alicePage.getByRole('button', { name: 'Search', exact: true }).click()
    await alicePage.getByRole('button', { name: `Join ${ROOM}` }).click()
    await waitVisible(alicePage.getByRole('heading', { level: 2, name: ROOM }))
    await waitVisible(alicePage.getByText('2 members', { exact: true }))

    await sayInRoom(carolPage, 'carol in the room')
    const said = roomLog(alicePage).getByRole('article').filter({ hasText: 'carol in the room' })
    await waitVisible(said)
    await eventually(async () => expect(await said.locator('.room-message__sender').textContent()).toBe(CAROL_NEW))

    await alicePage.getByRole('button', { name: 'Show members' }).click()
    const members = alicePage.getByRole('list', { name: 'Room members' })
    await eventually(async () => expect(await members.locator(`[data-user="${carol}"]`).textContent()).toBe(`${CAROL_NEW} (${carol})`))
    expect(app.pageErrors).toEqual([])
  }, 120_000)

  it('a stranger who writes to me is listed and headed by their nickname', async () => {
    await davePage.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /^Chats/ }).click()
    await startChat(davePage, alice)
    await waitVisible(davePage.getByRole('heading', { level: 2, name: alice, exact: true }))
    await send(davePage, 'hello from a stranger')

    await alicePage.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /^Chats/ }).click()
    const row = conversations(alicePage).getByRole('button', { name: new RegExp(`^${DAVE_NAME}\\b`) })
    await waitVisible(row)
    expect(await row.getAttribute('data-conversation-key')).toBe(`single:${dave}`)
    await row.click()
    await waitVisible(alicePage.getByRole('heading', { level: 2, name: DAVE_NAME, exact: true }))
    await seesMessage(alicePage, 'hello from a stranger')
    expect(app.pageErrors).toEqual([])
  }, 120_000)
})
