// End-to-end: reactions and pins through the real renderer, browser host and server: Bob reacts to Alice's message
// from its action menu, Alice sees the reaction with who reacted in its tooltip and adds hers to it; Alice pins the
// message and both see the pinned bar ("You: …" for her, her name for bob).
import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { bubble, chooseMessageAction, opensChatWith, seesMessage, send, startChat, twoPeopleSignedIn } from './app-fixture'
import { eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`

const people = twoPeopleSignedIn(alice, bob)

describe('reactions and pins', () => {
  it('shows a reaction with who reacted, lets the other add theirs, and pins a message for both', async () => {
    await startChat(people.first, bob)
    await opensChatWith(people.first, bob)
    await send(people.first, 'Lunch at noon?')
    await people.second.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${alice}\\b`) }).click()
    await seesMessage(people.second, 'Lunch at noon?')

    await chooseMessageAction(people.second, 'Lunch at noon?', 'React')
    await people.second.getByRole('button', { name: 'React with 👍' }).click()
    const chip = bubble(people.first, 'Lunch at noon?').getByRole('button', { name: new RegExp(`^👍 1: ${bob}$`) })
    await waitVisible(chip)
    expect(await chip.getAttribute('title')).toBe(`👍 by ${bob}`)
    expect(await chip.getAttribute('aria-pressed')).toBe('false')
    await chip.click()
    const both = bubble(people.second, 'Lunch at noon?').getByRole('button', { name: new RegExp(`^👍 2: you, ${alice}$`) })
    await waitVisible(both)

    // The menu's and the pinned bar's icons are drawn (SVG), never an emoji that is an empty box without an emoji font.
    const lunch = bubble(people.first, 'Lunch at noon?')
    await lunch.hover()
    await lunch.getByRole('button', { name: 'Message actions' }).click()
    const menu = people.first.getByRole('menu', { name: 'Message actions' })
    for (const name of ['Pin', 'Copy text', 'Delete for me']) {
      expect(await menu.getByRole('menuitem', { name, exact: true }).locator('svg').count(), name).toBe(1)
    }
    await people.first.keyboard.press('Escape')
    await chooseMessageAction(people.first, 'Lunch at noon?', 'Pin')
    // Alice's own message: "You: …" for her, her name for bob.
    for (const [page, author] of [[people.first, 'You'], [people.second, alice]] as const) {
      const bar = page.getByTestId('pinned-bar')
      await waitVisible(bar)
      await eventually(async () => expect(await bar.textContent()).toContain(`${author}: Lunch at noon?`))
      expect(await bar.locator('svg').count()).toBe(1)
    }
    expect(people.app.pageErrors).toEqual([])
  }, 120_000)
})
