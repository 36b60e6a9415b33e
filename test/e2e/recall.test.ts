// End-to-end: recalling a message through the real renderer, browser host and server. Alice sends, picks Recall in
// the message's action menu, and both sides see the notice in its place ("You recalled a message" / "alice recalled
// a message"), never the text; then she edits another message inline and both see it "edited".
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { bubble, chooseMessageAction, composer, createAccountAndSignIn, E2eApp, messageLog, opensChatWith, seesMessage, send, startChat } from './app-fixture'
import { eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`

let app: E2eApp
let alicePage: Page
let bobPage: Page

beforeAll(async () => {
  app = await E2eApp.start()
  alicePage = await app.openPerson('alice')
  bobPage = await app.openPerson('bob')
  await createAccountAndSignIn(alicePage, alice)
  await createAccountAndSignIn(bobPage, bob)
}, 120_000)

afterAll(async () => {
  await app?.close()
})



describe('recall and edit', () => {
  it('a recalled message turns into the notice on both sides', async () => {
    await startChat(alicePage, bob)
    await opensChatWith(alicePage, bob)
    await send(alicePage, 'Wrong chat, sorry')
    await send(alicePage, 'See you at nine')
    await bobPage.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${alice}\\b`) }).click()
    await opensChatWith(bobPage, alice)
    await seesMessage(bobPage, 'Wrong chat, sorry')

    await chooseMessageAction(alicePage, 'Wrong chat, sorry', 'Recall')
    await waitVisible(messageLog(alicePage).getByText('You recalled a message'))
    await waitVisible(messageLog(bobPage).getByText(`${alice} recalled a message`))
    await eventually(async () => expect(await bubble(bobPage, 'Wrong chat, sorry').count()).toBe(0))
    expect(await bubble(alicePage, 'Wrong chat, sorry').count()).toBe(0)

    // Edit inline: the composer takes the text, Enter saves, both sides show "edited".
    await chooseMessageAction(alicePage, 'See you at nine', 'Edit')
    await waitVisible(alicePage.getByTestId('edit-bar'))
    await composer(alicePage).fill('See you at ten')
    await composer(alicePage).press('Enter')
    await waitVisible(bubble(bobPage, 'See you at ten').getByTestId('message-edited'))
    await waitVisible(bubble(alicePage, 'See you at ten').getByTestId('message-edited'))
    expect(await bubble(bobPage, 'See you at nine').count()).toBe(0)
    expect(app.pageErrors).toEqual([])
  }, 120_000)
})
