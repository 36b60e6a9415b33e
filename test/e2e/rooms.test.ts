// End-to-end: chat rooms through the real renderer, browser host and server: one person creates a room from the
// lobby, another finds it in the directory and joins, and both see each other's messages live in the room view;
// the room is listed among the chats too; the header shows the member count, the members drawer lists both, and a
// member the owner removes is told.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { createAccountAndSignIn, E2eApp } from './app-fixture'
import { eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`
const roomName = `Lounge ${suffix}`

let app: E2eApp

beforeAll(async () => {
  app = await E2eApp.start()
})

afterAll(async () => {
  await app?.close()
})

function roomLog(page: Page) {
  return page.getByRole('log', { name: 'Room messages' })
}

async function openRooms(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /^Chat rooms/ }).click()
  await waitVisible(page.getByRole('heading', { level: 2, name: 'Chat rooms' }))
}

async function say(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: `Message ${roomName}` })
  await box.fill(text)
  await box.press('Enter')
  await seesInRoom(page, text)
  await eventually(async () => expect(await box.inputValue()).toBe(''))
}

async function seesInRoom(page: Page, text: string): Promise<void> {
  await waitVisible(roomLog(page).getByRole('article').filter({ hasText: text }))
}

describe('chat rooms in the browser', () => {
  it('two users in a room see each other’s messages live', async () => {
    const alicePage = await app.openPerson('alice')
    const bobPage = await app.openPerson('bob')
    await createAccountAndSignIn(alicePage, alice)
    await createAccountAndSignIn(bobPage, bob)

    // Alice creates the room; she is in it at once, as its owner.
    await openRooms(alicePage)
    await alicePage.getByRole('button', { name: 'Create room', exact: true }).click()
    await alicePage.getByLabel('Room name', { exact: true }).fill(roomName)
    await alicePage.getByLabel('Description (optional)').fill('Where the e2e test talks')
    await alicePage.getByRole('button', { name: 'Create', exact: true }).click()
    await waitVisible(alicePage.getByRole('heading', { level: 2, name: roomName }))
    await say(alicePage, 'Hello room, this is Alice')

    // Bob finds it in the directory and joins: the recent window shows what Alice already said.
    await openRooms(bobPage)
    await bobPage.getByLabel('Search rooms by name or id').fill(suffix)
    await bobPage.getByRole('button', { name: 'Search', exact: true }).click()
    await bobPage.getByRole('button', { name: `Join ${roomName}` }).click()
    await waitVisible(bobPage.getByRole('heading', { level: 2, name: roomName }))
    await seesInRoom(bobPage, 'Hello room, this is Alice')
    await waitVisible(bobPage.getByText('2 members', { exact: true }))
    await waitVisible(alicePage.getByText('2 members', { exact: true }))

    // Live, both ways.
    await say(bobPage, 'Hi Alice, Bob here')
    await seesInRoom(alicePage, 'Hi Alice, Bob here')
    await say(alicePage, 'Welcome, Bob')
    await seesInRoom(bobPage, 'Welcome, Bob')
    expect(await roomLog(bobPage).getByRole('article').filter({ hasText: 'Welcome, Bob' }).count()).toBe(1)

    // The room is also among Bob's chats, with its icon and type in words and who spoke last; it opens from there.
    await bobPage.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /^Chats/ }).click()
    const roomRow = bobPage.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${roomName}, chat room`) })
    await waitVisible(roomRow)
    expect(await roomRow.getAttribute('aria-label')).toContain(`last message: ${alice}: Welcome, Bob`)
    await say(alicePage, 'Seen from the list')
    await eventually(async () => expect(await roomRow.getAttribute('aria-label')).toContain(`last message: ${alice}: Seen from the list`))
    await roomRow.click()
    await seesInRoom(bobPage, 'Seen from the list')
    await openRooms(bobPage)

    // The members drawer lists both, the owner with her role and the actions on Bob.
    await alicePage.getByRole('button', { name: 'Show members' }).click()
    const members = alicePage.getByRole('list', { name: 'Room members' })
    await waitVisible(members.getByText(bob, { exact: true }))
    await waitVisible(alicePage.getByRole('button', { name: `Remove ${bob} from the room` }))

    // The owner removes Bob: his view says so at once, and Alice's count drops.
    await alicePage.getByRole('button', { name: `Remove ${bob} from the room` }).click()
    await waitVisible(bobPage.getByText('You were removed from the room.'))
    await waitVisible(bobPage.getByRole('button', { name: 'Join again' }))
    await waitVisible(alicePage.getByText('1 member', { exact: true }))

    expect(app.pageErrors).toEqual([])
  })
})
