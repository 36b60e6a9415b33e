// End-to-end: reactions and pins through the real renderer, browser host and server: Bob reacts to Alice's message
// from its action menu, Alice sees the reaction with who reacted in its tooltip and adds hers to it; Alice pins the
// message and both see the pinned bar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { bubble, chooseMessageAction, createAccountAndSignIn, E2eApp, opensChatWith, seesMessage, send, startChat } from './app-fixture'
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



describe('reactions and pins', () => {
  it('shows a reaction with who reacted, lets the other add theirs, and pins a message for both', async () => {
    await startChat(alicePage, bob)
    await opensChatWith(alicePage, bob)
    await send(alicePage, 'Lunch at noon?')
    await bobPage.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${alice}\\b`) }).click()
    await seesMessage(bobPage, 'Lunch at noon?')

    await chooseMessageAction(bobPage, 'Lunch at noon?', 'React')
    await bobPage.getByRole('button', { name: 'React with 👍' }).click()
    const chip = bubble(alicePage, 'Lunch at noon?').getByRole('button', { name: new RegExp(`^👍 1: ${bob}$`) })
    await waitVisible(chip)
    expect(await chip.getAttribute('title')).toBe(`👍 by ${bob}`)
    expect(await chip.getAttribute('aria-pressed')).toBe('false')
    await chip.click()
    const both = bubble(bobPage, 'Lunch at noon?').getByRole('button', { name: new RegExp(`^👍 2: you, ${alice}$`) })
    await waitVisible(both)

    await chooseMessageAction(alicePage, 'Lunch at noon?', 'Pin')
    for (const page of [alicePage, bobPage]) {
      const bar = page.getByTestId('pinned-bar')
      await waitVisible(bar)
      await eventually(async () => expect(await bar.textContent()).toContain('Lunch at noon?'))
    }
    expect(app.pageErrors).toEqual([])
  }, 120_000)
})
