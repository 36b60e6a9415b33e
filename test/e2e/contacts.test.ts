// End-to-end: contacts through the real renderer, browser host and server: one person sends a friend request
// with a message from "Add contact", the other sees the rail badge go up, accepts, and the badge goes back to 0;
// both see each other among their friends (online), and "Message" opens the chat, named alike in list and header;
// in a group, the friend's messages are headed by their nickname, and the list previews them under it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { conversationButton, createAccountAndSignIn, createGroup, E2eApp, messageLog, opensChatWith, seesMessage, send } from './app-fixture'
import { eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`

let app: E2eApp

beforeAll(async () => {
  app = await E2eApp.start()
})

afterAll(async () => {
  await app?.close()
})

function sections(page: Page) {
  return page.getByRole('navigation', { name: 'Sections' })
}

async function openContacts(page: Page): Promise<void> {
  await sections(page).getByRole('button', { name: /^Contacts/ }).click()
  await waitVisible(page.getByRole('heading', { level: 2, name: 'Contacts' }))
}

describe('contacts in the browser', () => {
  it('a friend request sent by one and accepted by the other: both are friends, the badge goes up and back to 0', async () => {
    const alicePage = await app.openPerson('alice')
    const bobPage = await app.openPerson('bob')
    await createAccountAndSignIn(alicePage, alice)
    await createAccountAndSignIn(bobPage, bob)
    await waitVisible(sections(bobPage).getByRole('button', { name: 'Contacts', exact: true }))

    // Alice: Add contact, an unknown user first (a sentence), then bob with a message.
    await openContacts(alicePage)
    await alicePage.getByRole('button', { name: 'Add contact', exact: true }).click()
    const dialog = alicePage.getByRole('dialog', { name: 'Add contact' })
    await waitVisible(dialog)
    await dialog.getByLabel('User id', { exact: true }).fill(`nobody_${suffix}`)
    await dialog.getByRole('button', { name: 'Send request', exact: true }).click()
    await waitVisible(dialog.getByRole('alert').filter({ hasText: `There is no user named nobody_${suffix}.` }))
    await dialog.getByLabel('User id', { exact: true }).fill(bob.toUpperCase())
    await dialog.getByLabel('Message (optional)', { exact: true }).fill('hi bob, it is alice')
    await dialog.getByRole('button', { name: 'Send request', exact: true }).click()
    await eventually(async () => expect(await dialog.count()).toBe(0))
    await waitVisible(alicePage.getByRole('list', { name: 'Sent requests' }).getByText(bob, { exact: true }))

    // Bob: the badge says 1 new; the request shows with its message; accept it.
    const badged = sections(bobPage).getByRole('button', { name: 'Contacts, 1 new', exact: true })
    await waitVisible(badged)
    await badged.click()
    const requests = bobPage.getByRole('list', { name: 'Friend requests' })
    await waitVisible(requests.getByText('“hi bob, it is alice”'))
    await bobPage.getByRole('button', { name: `Accept friend request from ${alice}`, exact: true }).click()

    // The badge is back to 0 and each sees the other among the friends, online.
    await waitVisible(sections(bobPage).getByRole('button', { name: 'Contacts', exact: true }))
    const bobsFriend = bobPage.getByRole('list', { name: 'Friends' }).getByRole('listitem').filter({ hasText: alice })
    await waitVisible(bobsFriend)
    await waitVisible(bobsFriend.getByText('Online', { exact: true }))
    const alicesFriend = alicePage.getByRole('list', { name: 'Friends' }).getByRole('listitem').filter({ hasText: bob })
    await waitVisible(alicesFriend)
    await waitVisible(alicesFriend.getByText('Online', { exact: true }))
    await eventually(async () => expect(await alicePage.getByRole('list', { name: 'Sent requests' }).count()).toBe(0))
    await eventually(async () => expect(await requests.count()).toBe(0))

    // Bob edits his profile: alice's list shows his nickname and status live; a wrong password is a sentence.
    await bobPage.getByRole('button', { name: 'My profile', exact: true }).click()
    const profile = bobPage.getByRole('dialog', { name: 'My profile' })
    await waitVisible(profile)
    await profile.getByLabel('Nickname', { exact: true }).fill('Bob Ström')
    await profile.getByLabel('Status', { exact: true }).fill('at lunch')
    await profile.getByRole('button', { name: 'Save profile', exact: true }).click()
    await waitVisible(profile.getByText('Profile saved.', { exact: true }))
    await waitVisible(alicesFriend.getByText(`Bob Ström (${bob})`, { exact: true }))
    await waitVisible(alicesFriend.getByText('Online · at lunch', { exact: true }))
    await profile.getByLabel('Current password', { exact: true }).fill('not my password')
    await profile.getByLabel('New password', { exact: true }).fill('another one 123')
    await profile.getByLabel('Repeat the new password', { exact: true }).fill('another one 123')
    await profile.getByRole('button', { name: 'Change password', exact: true }).click()
    await waitVisible(profile.getByRole('alert').filter({ hasText: 'The current password is incorrect.' }))
    await profile.getByRole('button', { name: 'Close', exact: true }).click()

    // "Message" opens the chat with the friend in the Chats section.
    await alicePage.getByRole('button', { name: `Message ${bob}`, exact: true }).click()
    await opensChatWith(alicePage, 'Bob Ström')
    await waitVisible(alicePage.getByText(`${bob} · Online · at lunch`, { exact: true }))
    await waitVisible(alicePage.getByRole('navigation', { name: 'Conversations' }))
    // The list names the new chat (no message yet) as its header does, by the nickname, not the id.
    await waitVisible(conversationButton(alicePage, 'Bob Ström'))

    // In a group, bob's messages are headed by the name alice knows him by, not his id.
    const group = `Lunch ${suffix}`
    await createGroup(alicePage, group, bob)
    await sections(bobPage).getByRole('button', { name: /^Chats/ }).click()
    await conversationButton(bobPage, group).click()
    await waitVisible(bobPage.getByRole('heading', { level: 2, name: group, exact: true }))
    await send(bobPage, 'table for two?')
    await seesMessage(alicePage, 'table for two?')
    const bobsMessage = messageLog(alicePage).getByRole('article').filter({ hasText: 'table for two?' })
    await eventually(async () => expect(await bobsMessage.locator('.message__sender').innerText()).toBe('Bob Ström'))
    await eventually(async () => expect(await conversationButton(alicePage, group).textContent()).toContain('Bob Ström: table for two?'))
    expect(app.pageErrors).toEqual([])
  })
})
