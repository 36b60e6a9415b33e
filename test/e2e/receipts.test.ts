// End-to-end: read ticks and the typing indicator through the real renderer, browser host and server. Alice's
// message shows "Delivered" while Bob has not opened the chat and "Read" once he has; Bob typing shows "typing…" in
// the header of Alice's open chat and in his row of her list, and goes away when he clears his draft.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { E2eApp, composer, conversationButton, createAccountAndSignIn, messageLog, opensChatWith, seesMessage, send, startChat } from './app-fixture'
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

function ticksOf(page: Page, text: string, state: string) {
  return messageLog(page).getByRole('article').filter({ hasText: text }).getByRole('img', { name: state, exact: true })
}

describe('receipts and typing in the browser', () => {
  it('shows delivered, then read ticks, and the peer typing in the header and the list', async () => {
    const alicePage = await app.openPerson('alice')
    const bobPage = await app.openPerson('bob')
    await createAccountAndSignIn(alicePage, alice)
    await createAccountAndSignIn(bobPage, bob)

    // Bob is online but has not opened the chat: delivered, not read.
    await startChat(alicePage, bob)
    await opensChatWith(alicePage, bob)
    await send(alicePage, 'did you get this?')
    await waitVisible(ticksOf(alicePage, 'did you get this?', 'Delivered'))
    await waitVisible(conversationButton(bobPage, alice))
    expect(await ticksOf(alicePage, 'did you get this?', 'Read').count()).toBe(0)

    // Bob opens the chat and sees it: read.
    await conversationButton(bobPage, alice).click()
    await opensChatWith(bobPage, alice)
    await seesMessage(bobPage, 'did you get this?')
    await waitVisible(ticksOf(alicePage, 'did you get this?', 'Read'))

    // Bob types: Alice sees it in her chat's header and in his row of her list.
    await composer(bobPage).pressSequentially('hel')
    const header = alicePage.getByTestId('typing-line')
    await eventually(async () => expect(await header.textContent()).toBe('typing…'))
    await eventually(async () => expect(await conversationButton(alicePage, bob).textContent()).toContain('typing…'))

    // He clears the draft: it goes at once.
    await composer(bobPage).fill('')
    await eventually(async () => expect(await header.textContent()).toBe(''))
    await eventually(async () => expect(await conversationButton(alicePage, bob).textContent()).not.toContain('typing…'))
    expect(app.pageErrors).toEqual([])
  })
})
