// End-to-end: burn after reading from the composer, through the real renderer, browser host and server. Alice turns
// it on with the composer's flame button (by keyboard: a menu of off / 10 s / 30 s / 1 min / 5 min), the composer says
// it is on, her bubble says "10 s after reading"; Bob's copy counts down once he has read it, then the message is
// gone from both screens. Turned off again, the next message is an ordinary one and stays.
import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { bubble, composer, conversationButton, opensChatWith, seesMessage, send, startChat, twoPeopleSignedIn } from './app-fixture'
import { eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`
/** The 10 s timer burns after Bob's read; give it that plus the sweep and a loaded machine's delivery. */
const BURN_WAIT_MS = 40_000

const people = twoPeopleSignedIn(alice, bob)

const flameButton = (page: Page) => page.getByTestId('burn-after-read')

describe('burn after reading from the composer', () => {
  it('counts down for the recipient after reading, then vanishes on both sides', async () => {
    await startChat(people.first, bob)
    await opensChatWith(people.first, bob)

    // The control: a named button. ArrowUp opens its menu on the last choice, Esc closes it with focus back and
    // nothing chosen, a click outside closes it too; Enter opens it on the first choice, arrows move, Enter picks.
    const button = people.first.getByRole('button', { name: 'Burn after reading: off', exact: true })
    await waitVisible(button)
    expect(await button.getAttribute('aria-haspopup')).toBe('menu')
    const menu = people.first.getByRole('menu', { name: 'Burn after reading' })
    const focused = (): Promise<string | undefined> => people.first.evaluate<string | undefined>('document.activeElement?.textContent?.trim()')
    await button.focus()
    await button.press('ArrowUp')
    await waitVisible(menu)
    await eventually(async () => expect(await focused()).toBe('5 minutes'))
    await people.first.keyboard.press('Escape')
    await eventually(async () => expect(await menu.count()).toBe(0))
    expect(await people.first.evaluate<string | null | undefined>("document.activeElement?.getAttribute('data-testid')")).toBe('burn-after-read')
    await button.click()
    await waitVisible(menu)
    await people.first.getByRole('heading', { level: 2, name: bob, exact: true }).click()
    await eventually(async () => expect(await menu.count()).toBe(0))
    await button.focus()
    await button.press('Enter')
    await waitVisible(menu)
    expect(await button.getAttribute('aria-expanded')).toBe('true')
    const choices = menu.getByRole('menuitemradio')
    expect(await choices.allTextContents()).toEqual(['Off', '10 seconds', '30 seconds', '1 minute', '5 minutes'])
    expect(await menu.getByRole('menuitemradio', { name: 'Off' }).getAttribute('aria-checked')).toBe('true')
    await eventually(async () => expect(await focused()).toBe('Off'))
    await people.first.keyboard.press('ArrowDown')
    await people.first.keyboard.press('Enter')
    await eventually(async () => expect(await menu.count()).toBe(0))
    // Focus is back on the button, which now says the timer; the composer shows it is on.
    const on = people.first.getByRole('button', { name: 'Burn after reading: 10 seconds', exact: true })
    await waitVisible(on)
    expect(await on.getAttribute('aria-expanded')).toBe('false')
    expect(await people.first.evaluate<string | null | undefined>("document.activeElement?.getAttribute('data-testid')")).toBe('burn-after-read')
    await waitVisible(people.first.getByTestId('burn-bar').filter({ hasText: 'Burn after reading: 10 seconds' }))

    await send(people.first, 'Read this once')
    const sentChip = bubble(people.first, 'Read this once').getByTestId('message-countdown')
    await waitVisible(sentChip)
    expect(await sentChip.getAttribute('data-burn')).toBe('true')
    expect(await sentChip.textContent()).toContain('10 s after reading')

    // Bob opens the chat (his first read): his copy shows the time left, counting down.
    await waitVisible(conversationButton(people.second, alice))
    await conversationButton(people.second, alice).click()
    await opensChatWith(people.second, alice)
    await seesMessage(people.second, 'Read this once')
    const bobChip = bubble(people.second, 'Read this once').getByTestId('message-countdown')
    await eventually(async () => expect((await bobChip.getAttribute('aria-label')) ?? '').toMatch(/^Disappears in \d+ s$/))
    const first = Number(/\d+/.exec((await bobChip.textContent()) ?? '')?.[0])
    await eventually(async () => expect(Number(/\d+/.exec((await bobChip.textContent()) ?? '')?.[0])).toBeLessThan(first))

    // Then it is gone on both sides.
    await eventually(async () => {
      expect(await bubble(people.second, 'Read this once').count()).toBe(0)
      expect(await bubble(people.first, 'Read this once').count()).toBe(0)
    }, BURN_WAIT_MS)

    // Turned off from the composer's bar, the next message is an ordinary one: no timer, and it stays.
    await people.first.getByRole('button', { name: 'Turn off burn after reading', exact: true }).click()
    await waitVisible(flameButton(people.first).and(people.first.getByRole('button', { name: 'Burn after reading: off', exact: true })))
    expect(await people.first.getByTestId('burn-bar').count()).toBe(0)
    await send(people.first, 'This one stays')
    await seesMessage(people.second, 'This one stays')
    expect(await bubble(people.first, 'This one stays').getByTestId('message-countdown').count()).toBe(0)
    expect(await composer(people.first).inputValue()).toBe('')
    expect(people.app.pageErrors).toEqual([])
  }, 150_000)
})
