// End-to-end: replying with a quote through the real renderer, browser host and server: Bob picks Reply in a
// message's action menu (the composer shows what he answers; Esc cancels), sends, both see the quote, and clicking
// the quote on Alice's side (which says "You": it quotes her) brings the original into view, highlighted. They are
// friends and Alice has a nickname: Bob's reply bar and quote name her by it, not by her id.
import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import {
  befriend,
  bubble,
  composer,
  conversationButton,
  messageLog,
  opensChatWith,
  seesMessage,
  send,
  setNickname,
  startChat,
  twoPeopleSignedIn
} from './app-fixture'
import { eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`
const ALICE_NAME = 'Alice Liddell'

const people = twoPeopleSignedIn(alice, bob)

describe('reply with a quote', () => {
  it('replies through the action menu and jumps to the original from the quote', async () => {
    await befriend(people.first, alice, people.second, bob)
    await setNickname(people.first, ALICE_NAME)
    await startChat(people.first, bob)
    await opensChatWith(people.first, bob)
    await send(people.first, 'Where shall we meet?')
    // More than a page (50) after it: once Alice reloads, the original is not loaded until the quote asks for it.
    for (let i = 1; i <= 55; i++) await send(people.first, `filler line ${i}`)

    await conversationButton(people.second, ALICE_NAME).click()
    await opensChatWith(people.second, ALICE_NAME)
    await seesMessage(people.second, 'Where shall we meet?')
    const original = bubble(people.second, 'Where shall we meet?')
    await original.hover()
    await original.getByRole('button', { name: 'Message actions' }).click()
    await people.second.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: 'Reply' }).click()
    const bar = people.second.getByTestId('reply-bar')
    await waitVisible(bar)
    expect(await bar.textContent()).toContain('Where shall we meet?')
    expect(await bar.locator('.reply-bar__label').textContent()).toBe(`Replying to ${ALICE_NAME}`)
    // Esc cancels; choosing Reply again brings it back.
    await composer(people.second).press('Escape')
    await eventually(async () => expect(await bar.count()).toBe(0))
    await original.hover()
    await original.getByRole('button', { name: 'Message actions' }).click()
    await people.second.getByRole('menuitem', { name: 'Reply' }).click()
    await waitVisible(bar)
    await send(people.second, 'At the station')
    await eventually(async () => expect(await bar.count()).toBe(0))

    const quoteName = new RegExp(`Show the message from ${ALICE_NAME} this replies to: Where shall we meet\\?`)
    const bobsQuote = bubble(people.second, 'At the station').getByRole('button', { name: quoteName })
    await waitVisible(bobsQuote)
    expect(await bobsQuote.locator('.reply-quote__from').textContent()).toBe(ALICE_NAME)
    await seesMessage(people.first, 'At the station')
    await people.first.reload()
    await people.first.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${bob}\\b`) }).click()
    await seesMessage(people.first, 'At the station')
    // Not in view (not even loaded): the only match is the reply holding its quote.
    expect(await bubble(people.first, "Where shall we meet?").count()).toBe(1)
    // Alice's own message is quoted: she reads "You", not her id.
    const quote = bubble(people.first, 'At the station').getByRole('button', { name: 'Show your message this replies to: Where shall we meet?' })
    await waitVisible(quote)
    expect(await quote.locator('.reply-quote__from').textContent()).toBe('You')
    // Scroll the original out of view first, then the quote brings it back, highlighted.
    await messageLog(people.first).evaluate((el) => el.scrollTo({ top: el.scrollHeight }))
    await quote.click()
    const highlighted = messageLog(people.first).locator('article.message--highlight')
    await eventually(async () => expect(await highlighted.textContent()).toContain('Where shall we meet?'))
    await eventually(async () => expect(await highlighted.isVisible()).toBe(true))
    expect(people.app.pageErrors).toEqual([])
  }, 120_000)
})
