// End-to-end: notifications and the unread title through the real renderer, browser host and server. Alice's page
// records every web Notification (an init script wraps window.Notification): a message to a conversation that is
// not open (or open in a window in the background) raises one with sender and text, one per conversation (the next
// replaces it), a click opens it; muting the conversation from its header stops them; the page title's unread count
// equals the list's (muted conversations left out), also after a read on another device. The rail's app-wide do not
// disturb silences every conversation (kept across a reload) until it is turned off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { conversationButton, createAccountAndSignIn, E2eApp, opensChatWith, PASSWORD, seesMessage, startChat } from './app-fixture'
import { eventually, waitVisible } from './helpers'
import { FrameClient, randomClientId, registerAndLogin } from '../bench/lib/frame-client'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`
const carol = `carol_${suffix}`
const dave = `dave_${suffix}`

interface Recorded {
  title: string
  body: string
  tag: string
  silent: boolean
  closed: boolean
}

/**
 * Runs in Alice's page before the app (plain JavaScript: this file is type-checked without the DOM library): a
 * Notification that records what the app shows and asks permission once, its objects kept so a test can click one.
 */
const RECORD_NOTIFICATIONS = `
  window.__notifications = []
  window.__notificationObjects = []
  window.__permissionRequests = 0
  let permission = 'default'
  class RecordingNotification extends EventTarget {
    static get permission() { return permission }
    static async requestPermission() {
      window.__permissionRequests++
      permission = 'granted'
      return permission
    }
    constructor(title, options = {}) {
      super()
      this.onclick = null
      this.onclose = null
      this.record = { title, body: options.body ?? '', tag: options.tag ?? '', silent: options.silent === true, closed: false }
      window.__notifications.push(this.record)
      window.__notificationObjects.push(this)
    }
    close() {
      this.record.closed = true
      this.onclose?.(new Event('close'))
    }
    click() {
      this.onclick?.(new Event('click'))
    }
  }
  Object.defineProperty(window, 'Notification', { value: RecordingNotification, configurable: true, writable: true })
`

const notifications = (page: Page): Promise<Recorded[]> => page.evaluate<Recorded[]>('window.__notifications')
const permissionRequests = (page: Page): Promise<number> => page.evaluate<number>('window.__permissionRequests')

let app: E2eApp
let alicePage: Page
let bobRaw: FrameClient
let carolRaw: FrameClient

async function sendFrom(client: FrameClient, text: string): Promise<void> {
  const ack = await client.request({ send: { clientId: randomClientId(), to: alice, body: { text: { text } } } })
  expect(ack.body, JSON.stringify(ack.error)).toBe('sendAck')
}

/** The unread numbers the list rows show that count (not muted), summed. */
function listUnreadSum(page: Page): Promise<number> {
  return page.evaluate<number>(`
    [...document.querySelectorAll('.conversation-item:not(.conversation-item--muted) .conversation-item__badge')]
      .map((badge) => badge.textContent.trim())
      .filter((text) => /^[0-9]+$/.test(text))
      .reduce((sum, text) => sum + Number(text), 0)
  `)
}

beforeAll(async () => {
  app = await E2eApp.start()
  alicePage = await app.openPerson('alice')
  await alicePage.addInitScript(RECORD_NOTIFICATIONS)
  await alicePage.reload()
  await createAccountAndSignIn(alicePage, alice)
  // The window counts as in front (whatever headless Chromium says of focus): what it shows is read.
  await alicePage.evaluate("window.dispatchEvent(new Event('focus'))")
  const bobLogin = await registerAndLogin(app.server.url, bob, PASSWORD)
  const carolLogin = await registerAndLogin(app.server.url, carol, PASSWORD)
  await registerAndLogin(app.server.url, dave, PASSWORD)
  bobRaw = await FrameClient.onDevice(app.server.url, bobLogin, `bob-raw-${suffix}`)
  carolRaw = await FrameClient.onDevice(app.server.url, carolLogin, `carol-raw-${suffix}`)
}, 120_000)

afterAll(async () => {
  await bobRaw?.close()
  await carolRaw?.close()
  await app?.close()
})

describe('notifications', () => {
  it('notifies messages of conversations not open, one per conversation, and stops when the conversation is muted', async () => {
    await sendFrom(bobRaw, 'bob one')
    await eventually(async () => expect(await notifications(alicePage)).toEqual([{ title: bob, body: 'bob one', tag: `single:${bob}`, silent: false, closed: false }]))
    expect(await permissionRequests(alicePage)).toBe(1)

    // Carol's conversation is open: Bob's next message replaces his notification instead of stacking.
    await sendFrom(carolRaw, 'carol one')
    await waitVisible(conversationButton(alicePage, carol))
    await conversationButton(alicePage, carol).click()
    await opensChatWith(alicePage, carol)
    await seesMessage(alicePage, 'carol one')
    await sendFrom(bobRaw, 'bob two')
    await eventually(async () => {
      const shown = await notifications(alicePage)
      const bobs = shown.filter((n) => n.tag === `single:${bob}`)
      expect(bobs.map((n) => [n.body, n.closed])).toEqual([
        ['bob one', true],
        ['bob two', false]
      ])
    })

    // A click opens Bob's conversation.
    await alicePage.evaluate('window.__notificationObjects.at(-1).click()')
    await opensChatWith(alicePage, bob)

    // Do not disturb for 8 hours from the header; the list shows the mark.
    await alicePage.getByRole('button', { name: 'Do not disturb', exact: true }).click()
    await alicePage.getByRole('menuitem', { name: 'For 8 hours', exact: true }).click()
    await waitVisible(alicePage.getByTestId('mute-menu').and(alicePage.locator('[data-muted="true"]')))
    await waitVisible(conversationButton(alicePage, bob).getByTestId('muted-conversation'))

    await conversationButton(alicePage, carol).click()
    await opensChatWith(alicePage, carol)
    const before = (await notifications(alicePage)).length
    await sendFrom(bobRaw, 'bob three, muted')
    await waitVisible(conversationButton(alicePage, bob).filter({ hasText: 'bob three, muted' }))
    // A message of another, unmuted conversation still notifies after it: so nothing was merely late.
    await conversationButton(alicePage, bob).click()
    await opensChatWith(alicePage, bob)
    await sendFrom(carolRaw, 'carol two')
    await eventually(async () => expect((await notifications(alicePage)).length).toBe(before + 1))
    expect((await notifications(alicePage)).at(-1)).toMatchObject({ title: carol, body: 'carol two', tag: `single:${carol}` })
    expect((await notifications(alicePage)).some((n) => n.body.includes('bob three'))).toBe(false)

    // The open conversation notifies while the window is in the background, and not while the user watches it.
    await conversationButton(alicePage, carol).click()
    await opensChatWith(alicePage, carol)
    await alicePage.evaluate("window.dispatchEvent(new Event('blur'))")
    await sendFrom(carolRaw, 'carol while away')
    await eventually(async () => expect((await notifications(alicePage)).at(-1)).toMatchObject({ body: 'carol while away', tag: `single:${carol}` }))
    await alicePage.evaluate("window.dispatchEvent(new Event('focus'))")
    const watched = (await notifications(alicePage)).length
    await sendFrom(carolRaw, 'carol while watched')
    await seesMessage(alicePage, 'carol while watched')
    await sendFrom(bobRaw, 'bob five, muted')
    await waitVisible(conversationButton(alicePage, bob).filter({ hasText: 'bob five, muted' }))
    expect((await notifications(alicePage)).length).toBe(watched)
    expect(app.pageErrors).toEqual([])
  }, 120_000)

  it('shows the list unread sum in the title, muted conversations left out, and follows a read on another device', async () => {
    // A third chat is open, so neither Bob's (muted) nor Carol's messages are read on this page, focused or not.
    await startChat(alicePage, dave)
    await opensChatWith(alicePage, dave)
    await sendFrom(carolRaw, 'carol three')
    await sendFrom(bobRaw, 'bob four, muted')
    await sendFrom(carolRaw, 'carol four')
    const carolRow = conversationButton(alicePage, carol)
    const bobRow = conversationButton(alicePage, bob)
    await waitVisible(carolRow.filter({ hasText: 'carol four' }))
    await waitVisible(bobRow.filter({ hasText: 'bob four, muted' }))
    // Carol's three and four; Bob's five and four show in grey and are not counted.
    await eventually(async () => {
      expect(await carolRow.locator('.conversation-item__badge').textContent()).toBe('2')
      expect(await bobRow.locator('.conversation-item__badge').textContent()).toBe('2')
      expect(await listUnreadSum(alicePage)).toBe(2)
      expect(await alicePage.title()).toBe('(2) Parley')
    })
    // The rail's Chats button counts the same.
    await waitVisible(alicePage.getByRole('button', { name: 'Chats, 2 new', exact: true }))

    // Alice reads Carol's conversation on her other device: the count goes on this page too.
    const other = await app.openPerson('alice-2')
    await waitVisible(other.getByRole('button', { name: 'Sign in', exact: true }))
    await other.getByLabel('Username', { exact: true }).fill(alice)
    await other.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await other.getByRole('button', { name: 'Sign in', exact: true }).click()
    await waitVisible(conversationButton(other, carol))
    await conversationButton(other, carol).click()
    await seesMessage(other, 'carol four')
    await eventually(async () => {
      expect(await carolRow.locator('.conversation-item__badge').count()).toBe(0)
      expect(await listUnreadSum(alicePage)).toBe(0)
      expect(await alicePage.title()).toBe('Parley')
    })
    expect(await bobRow.locator('.conversation-item__badge').textContent()).toBe('2')

    // Do not disturb off from the list's menu: Bob's unread counts in the title again.
    await bobRow.hover()
    await alicePage.locator('.conversation-list__entry').filter({ hasText: bob }).getByRole('button', { name: 'Chat actions' }).click()
    await alicePage.getByRole('menuitem', { name: 'Turn off do not disturb', exact: true }).click()
    await eventually(async () => {
      expect(await bobRow.getByTestId('muted-conversation').count()).toBe(0)
      expect(await alicePage.title()).toBe('(2) Parley')
    })
    expect(app.pageErrors).toEqual([])
  }, 120_000)

  it('app-wide do not disturb from the rail stops every notification until it is turned off', async () => {
    const notified = (text: string) => async () => (await notifications(alicePage)).some((n) => n.body === text)
    // Dave's chat is open: Carol's conversation (not muted) notifies as long as the app is not on do not disturb.
    const rail = alicePage.getByRole('button', { name: 'Do not disturb for all chats', exact: true })
    await waitVisible(rail)
    await rail.click()
    await alicePage.getByRole('menu', { name: 'Do not disturb for all chats' }).getByRole('menuitem', { name: 'For 1 hour', exact: true }).click()
    const on = alicePage.getByTestId('app-dnd').and(alicePage.locator('[data-on="true"]'))
    await waitVisible(on)
    expect(await on.getAttribute('aria-label')).toMatch(/^All chats on do not disturb until /)

    await sendFrom(carolRaw, 'carol during app dnd')
    await waitVisible(conversationButton(alicePage, carol).filter({ hasText: 'carol during app dnd' }))
    expect(await notified('carol during app dnd')()).toBe(false)

    // Still on after a reload (this device keeps it); a message now raises nothing either, and once it is turned off
    // from the same menu the next one notifies (the one before it was decided first, in arrival order: never shown).
    await alicePage.reload()
    await waitVisible(alicePage.getByRole('navigation', { name: 'Conversations' }))
    await waitVisible(on)
    await sendFrom(carolRaw, 'carol after the reload, app dnd')
    await waitVisible(conversationButton(alicePage, carol).filter({ hasText: 'carol after the reload, app dnd' }))
    await on.click()
    await alicePage.getByRole('menuitem', { name: 'Turn off do not disturb', exact: true }).click()
    await waitVisible(alicePage.getByTestId('app-dnd').and(alicePage.locator('[data-on="false"]')))
    await sendFrom(carolRaw, 'carol after app dnd')
    await eventually(async () => expect(await notified('carol after app dnd')()).toBe(true))
    expect(await notified('carol after the reload, app dnd')()).toBe(false)
    expect(app.pageErrors).toEqual([])
  }, 120_000)
})
