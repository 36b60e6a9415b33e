// End-to-end: the disappearing timer of a group in the chat settings. The owner sets it with the timer control (the
// same one as one-to-one chats); a plain member sees the setting, read-only, with who may change it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { E2eApp, conversationButton, createAccountAndSignIn, createGroup } from './app-fixture'
import { eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`
const GROUP = `Fading ${suffix}`

let app: E2eApp
let alicePage: Page
let bobPage: Page

async function openChatSettings(page: Page) {
  await page.getByRole('button', { name: 'Chat settings', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Chat settings' })
  await waitVisible(dialog)
  return dialog
}

describe('group disappearing timer in the browser', () => {
  beforeAll(async () => {
    app = await E2eApp.start()
    alicePage = await app.openPerson('alice')
    bobPage = await app.openPerson('bob')
    await createAccountAndSignIn(alicePage, alice)
    await createAccountAndSignIn(bobPage, bob)
  })

  afterAll(async () => {
    await app?.close()
  })

  it('the owner sets the timer; a member sees it read-only', async () => {
    await createGroup(alicePage, GROUP, bob)

    const owners = await openChatSettings(alicePage)
    await waitVisible(owners.getByTestId('disappearing-timer-group-hint'))
    await owners.getByLabel('Disappearing messages (every member sees this)').selectOption({ label: '5 minutes' })
    await owners.getByRole('button', { name: 'Save timer', exact: true }).click()
    await waitVisible(owners.getByRole('status').filter({ hasText: 'New messages will disappear' }))
    await owners.getByRole('button', { name: 'Cancel', exact: true }).click()

    await conversationButton(bobPage, GROUP).click()
    await waitVisible(bobPage.getByRole('heading', { level: 2, name: GROUP, exact: true }))
    const members = await openChatSettings(bobPage)
    const readOnly = members.getByTestId('disappearing-timer-readonly')
    await eventually(async () => expect(await readOnly.textContent()).toContain('5 minutes'))
    expect(await readOnly.textContent()).toContain('Only the owner and admins can change this.')
    expect(await members.getByTestId('disappearing-timer').count()).toBe(0)
  })
})
