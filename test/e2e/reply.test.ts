// End-to-end: replying with a quote through the real renderer, browser host and server: Bob picks Reply in a
// message's action menu (the composer shows what he answers; Esc cancels), sends, both see the quote, and clicking
// the quote on Alice's side brings the original into view, highlighted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { bubble, composer, createAccountAndSignIn, E2eApp, messageLog, opensChatWith, seesMessage, send, startChat } from './app-fixture'
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


describe('reply with a quote', () => {
  it('replies through the action menu and jumps to the original from the quote', async () => {
    await startChat(alicePage, bob)
    await opensChatWith(alicePage, bob)
    await send(alicePage, 'Where shall we meet?')
    // More than a page (50) after it: once Alice reloads, the original is not loaded until the quote asks for it.
    for (let i = 1; i <= 55; i++) await send(alicePage, `filler line ${i}`)

    await bobPage.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${alice}\\b`) }).click()
    await opensChatWith(bobPage, alice)
    await seesMessage(bobPage, 'Where shall we meet?')
    const original = bubble(bobPage, 'Where shall we meet?')
    await original.hover()
    await original.getByRole('button', { name: 'Message actions' }).click()
    await bobPage.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: 'Reply' }).click()
    const bar = bobPage.getByTestId('reply-bar')
    await waitVisible(bar)
    expect(await bar.textContent()).toContain('Where shall we meet?')
    // Esc cancels; choosing Reply again brings it back.
    await composer(bobPage).press('Escape')
    await eventually(async () => expect(await bar.count()).toBe(0))
    await original.hover()
    await original.getByRole('button', { name: 'Message actions' }).click()
    await bobPage.getByRole('menuitem', { name: 'Reply' }).click()
    await waitVisible(bar)
    await send(bobPage, 'At the station')
    await eventually(async () => expect(await bar.count()).toBe(0))

    const quoteName = new RegExp(`Show the message from ${alice} this replies to: Where shall we meet\\?`)
    await waitVisible(bubble(bobPage, 'At the station').getByRole('button', { name: quoteName }))
    await seesMessage(alicePage, 'At the station')
    await alicePage.reload()
    await alicePage.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${bob}\\b`) }).click()
    await seesMessage(alicePage, 'At the station')
    // Not in view (not even loaded): the only match is the reply holding its quote.
    expect(await bubble(alicePage, "Where shall we meet?").count()).toBe(1)
    const quote = bubble(alicePage, 'At the station').getByRole('button', { name: quoteName })
    await waitVisible(quote)
    // Scroll the original out of view first, then the quote brings it back, highlighted.
    await messageLog(alicePage).evaluate((el) => el.scrollTo({ top: el.scrollHeight }))
    await quote.click()
    const highlighted = messageLog(alicePage).locator('article.message--highlight')
    await eventually(async () => expect(await highlighted.textContent()).toContain('Where shall we meet?'))
    await eventually(async () => expect(await highlighted.isVisible()).toBe(true))
    expect(app.pageErrors).toEqual([])
  }, 120_000)
})
