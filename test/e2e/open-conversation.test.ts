// End-to-end: the open conversation stays open when the window changes between the wide (list and chat side by side)
// and narrow (one pane, with Back) layouts, and across a reload of the tab (kept per account in the tab's storage).
import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { conversationButton, messageLog, opensChatWith, seesMessage, send, startChat, twoPeopleSignedIn } from './app-fixture'
import { eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`
const WIDE = { width: 1180, height: 760 }
const NARROW = { width: 560, height: 760 }

const people = twoPeopleSignedIn(alice, bob)

function chatHeading(page: Page) {
  return page.getByRole('heading', { level: 2, name: bob, exact: true })
}

describe('the open conversation', () => {
  it('stays open when the window goes narrow and wide again', async () => {
    const page = people.first
    await startChat(page, bob)
    await opensChatWith(page, bob)
    await send(page, 'kept across layouts')

    await page.setViewportSize(NARROW)
    // Narrow: the chat is the one pane, with Back; the list is gone.
    await waitVisible(page.getByRole('button', { name: 'Back to conversations', exact: true }))
    await waitVisible(chatHeading(page))
    expect(await page.getByRole('navigation', { name: 'Conversations' }).count()).toBe(0)

    await page.setViewportSize(WIDE)
    await waitVisible(page.getByRole('navigation', { name: 'Conversations' }))
    await waitVisible(chatHeading(page))
    await seesMessage(page, 'kept across layouts')
    // Still open a moment later (nothing closes it after the layout settles).
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await chatHeading(page).count()).toBe(1)

    // Opened while narrow (from the list), then wide, narrow and wide again: it stays open throughout.
    await page.setViewportSize(NARROW)
    await page.getByRole('button', { name: 'Back to conversations', exact: true }).click()
    await conversationButton(page, bob).click()
    await waitVisible(chatHeading(page))
    for (const size of [WIDE, NARROW, WIDE]) {
      await page.setViewportSize(size)
      await new Promise((resolve) => setTimeout(resolve, 300))
      await waitVisible(chatHeading(page))
    }
  })

  it('stays open across a reload, wide and narrow', async () => {
    const page = people.first
    await page.reload()
    await waitVisible(page.getByRole('navigation', { name: 'Conversations' }))
    await waitVisible(chatHeading(page))
    await seesMessage(page, 'kept across layouts')
    expect(await conversationButton(page, bob).getAttribute('aria-current')).not.toBeNull()

    await page.setViewportSize(NARROW)
    await waitVisible(chatHeading(page))
    await page.reload()
    await waitVisible(chatHeading(page))
    await waitVisible(page.getByRole('button', { name: 'Back to conversations', exact: true }))
    await waitVisible(messageLog(page).getByRole('article').filter({ hasText: 'kept across layouts' }))

    // Back closes it, and a reload then shows the list, not the chat again.
    await page.getByRole('button', { name: 'Back to conversations', exact: true }).click()
    await waitVisible(page.getByRole('navigation', { name: 'Conversations' }))
    await page.reload()
    await waitVisible(page.getByRole('navigation', { name: 'Conversations' }))
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await chatHeading(page).count()).toBe(0)
    await page.setViewportSize(WIDE)
    await eventually(async () => expect(people.app.pageErrors).toEqual([]))
  })
})
