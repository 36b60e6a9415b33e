// End-to-end: what the list and rail show live, through the real renderer, browser host and server. A request to
// join an approval-needed public group raises the owner's badges on both her devices without a reload, and her
// approval on one device lowers them on both; a friend's presence dot in the conversation list turns offline and
// online as the friend signs out and in (a stranger's chat has none); the rail's own avatar opens the profile editor
// (also from the keyboard).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { E2eApp, PASSWORD, conversationButton, createAccountAndSignIn, send, startChat, opensChatWith } from './app-fixture'
import { confirmWith, eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`
const carol = `carol_${suffix}`
const dave = `dave_${suffix}`
const GROUP = `Summit club ${suffix}`

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

async function signIn(page: Page, user: string): Promise<void> {
  await waitVisible(page.getByRole('button', { name: 'Sign in', exact: true }))
  const serverField = page.getByLabel('Server address', { exact: true })
  await eventually(async () => expect(await serverField.inputValue()).not.toBe(''))
  await page.getByLabel('Username', { exact: true }).fill(user)
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await waitVisible(page.getByRole('navigation', { name: 'Conversations' }))
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click()
  await confirmWith(page, 'Sign out of Parley?', 'Sign out')
  await waitVisible(page.getByRole('button', { name: 'Sign in', exact: true }))
}

describe('live badges and presence in the browser', () => {
  it('a join request raises the owner’s badges on both her devices at once; approving on one lowers them on both', async () => {
    const laptop = await app.openPerson('alice laptop')
    const bobPage = await app.openPerson('bob')
    await createAccountAndSignIn(laptop, alice)
    await createAccountAndSignIn(bobPage, bob)
    const desktop = await app.openPerson('alice desktop')
    await signIn(desktop, alice)

    // Alice creates a public group whose join requests need her approval.
    await laptop.getByRole('button', { name: 'New group', exact: true }).click()
    const create = laptop.getByRole('dialog', { name: 'New group' })
    await waitVisible(create)
    await create.getByLabel('Group name', { exact: true }).fill(GROUP)
    await create.getByLabel('Public: listed in the group directory').check()
    await create.getByLabel('Join requests need approval by an owner or admin').check()
    await create.getByRole('button', { name: 'Create group', exact: true }).click()
    await waitVisible(laptop.getByRole('heading', { level: 2, name: GROUP, exact: true }))
    await waitVisible(conversationButton(desktop, GROUP))
    for (const page of [laptop, desktop]) {
      await waitVisible(page.getByRole('button', { name: 'Invitations', exact: true }))
    }
    const chatsBefore = await Promise.all([laptop, desktop].map((page) => sections(page).getByRole('button', { name: /^Chats/ }).getAttribute('aria-label')))

    // Bob asks to join from the directory.
    await bobPage.getByRole('button', { name: 'Browse groups', exact: true }).click()
    const browser = bobPage.getByRole('dialog', { name: 'Browse groups' })
    await waitVisible(browser)
    await browser.getByLabel('Search by name or id', { exact: true }).fill(GROUP)
    await browser.getByRole('button', { name: 'Search', exact: true }).click()
    await browser.getByRole('button', { name: `Ask to join ${GROUP}`, exact: true }).click()
    await waitVisible(browser.getByText(`Your request to join ${GROUP} waits for an owner or admin.`))

    // Both of alice's devices count it at once, without a reload: the list's button and the rail's Chats badge.
    for (const page of [laptop, desktop]) {
      await waitVisible(page.getByRole('button', { name: 'Invitations, 1 waiting', exact: true }))
    }
    for (const [index, page] of [laptop, desktop].entries()) {
      const before = Number(/(\d+) new/.exec(chatsBefore[index] ?? '')?.[1] ?? 0)
      await waitVisible(sections(page).getByRole('button', { name: `Chats, ${before + 1} new`, exact: true }))
    }

    // She approves on the laptop: both devices drop the count; bob is in.
    await laptop.getByRole('button', { name: 'Invitations, 1 waiting', exact: true }).click()
    const requests = laptop.getByRole('dialog', { name: 'Group invitations and requests' })
    await waitVisible(requests)
    await requests.getByRole('button', { name: `Approve ${bob}'s request`, exact: true }).click()
    await waitVisible(requests.getByText('Nothing waits for your answer.'))
    await requests.getByRole('button', { name: 'Close', exact: true }).click()
    for (const page of [laptop, desktop]) {
      await waitVisible(page.getByRole('button', { name: 'Invitations', exact: true }))
    }
    for (const [index, page] of [laptop, desktop].entries()) {
      await waitVisible(sections(page).getByRole('button', { name: chatsBefore[index] ?? 'Chats', exact: true }))
    }
    await waitVisible(conversationButton(bobPage, GROUP))
    expect(app.pageErrors).toEqual([])
  })

  it('a friend’s presence dot in the conversation list turns offline and online as the friend signs out and in', async () => {
    const carolPage = await app.openPerson('carol')
    const davePage = await app.openPerson('dave')
    await createAccountAndSignIn(carolPage, carol)
    await createAccountAndSignIn(davePage, dave)

    // A stranger's chat shows no presence.
    await startChat(carolPage, dave)
    await opensChatWith(carolPage, dave)
    await send(carolPage, 'hello dave')
    const daveRow = conversationButton(carolPage, dave)
    await waitVisible(daveRow)
    expect(await daveRow.locator('[data-presence]').count()).toBe(0)
    expect(await daveRow.getAttribute('aria-label')).not.toMatch(/, (online|offline)\b/)

    // They become friends (carol asks, dave accepts).
    await sections(carolPage).getByRole('button', { name: /^Contacts/ }).click()
    await carolPage.getByRole('button', { name: 'Add contact', exact: true }).click()
    const add = carolPage.getByRole('dialog', { name: 'Add contact' })
    await add.getByLabel('User id', { exact: true }).fill(dave)
    await add.getByRole('button', { name: 'Send request', exact: true }).click()
    await eventually(async () => expect(await add.count()).toBe(0))
    await sections(davePage).getByRole('button', { name: 'Contacts, 1 new', exact: true }).click()
    await davePage.getByRole('button', { name: `Accept friend request from ${carol}`, exact: true }).click()
    await sections(carolPage).getByRole('button', { name: /^Chats/ }).click()

    // Now the row says dave is online, in words and with the dot.
    await waitVisible(carolPage.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${dave}, online, `) }))
    await waitVisible(daveRow.locator('[data-presence="online"]'))

    await signOut(davePage)
    await waitVisible(carolPage.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${dave}, offline, `) }))
    await waitVisible(daveRow.locator('[data-presence="offline"]'))

    await signIn(davePage, dave)
    await waitVisible(carolPage.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${dave}, online, `) }))
    await waitVisible(daveRow.locator('[data-presence="online"]'))
    expect(app.pageErrors).toEqual([])
  })

  it('the rail’s own avatar opens the profile editor, from the keyboard too', async () => {
    const page = await app.openPerson('erin')
    const erin = `erin_${suffix}`
    await createAccountAndSignIn(page, erin)
    const me = page.getByRole('button', { name: `Your profile (signed in as ${erin})`, exact: true })
    await me.focus()
    await page.keyboard.press('Enter')
    const profile = page.getByRole('dialog', { name: 'My profile' })
    await waitVisible(profile)
    await profile.getByLabel('Nickname', { exact: true }).fill('Erin')
    await profile.getByRole('button', { name: 'Save profile', exact: true }).click()
    await waitVisible(profile.getByText('Profile saved.', { exact: true }))
    await page.keyboard.press('Escape')
    await eventually(async () => expect(await profile.count()).toBe(0))
    // Focus goes back to the avatar button, so the keyboard user is where they were.
    await eventually(async () => expect(await page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe(`Your profile (signed in as ${erin})`))
    await me.click()
    await waitVisible(page.getByRole('dialog', { name: 'My profile' }))
    expect(app.pageErrors).toEqual([])
  })
})
