// End-to-end: a catch-up big enough to reach the page as `sync.batch` pushes (the core coalesces a stored batch of
// more than 100 items: api/batch-forwarding.ts) keeps the renderer right. While the server is down, messages from
// Bob (whose chat is open) and Carol (never opened) are written into Alice's log; when it is back, Alice's page shows
// Bob's newest message in the open chat without a reload, Carol's row with her newest message and unread count,
// the title's count equal to the list's, and Carol's chat opens at her first unread message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { startServer } from '../../src/server/index'
import { openServerStore } from '../../src/server/store/worker-store'
import type { NewMessage } from '../../src/server/store/types'
import { ChatTypePb, pb } from '../../src/shared/proto/codec'
import { conversationButton, createAccountAndSignIn, E2eApp, opensChatWith, PASSWORD, seesMessage, startChat } from './app-fixture'
import { eventually, waitVisible } from './helpers'
import { registerAndLogin } from '../bench/lib/frame-client'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`
const carol = `carol_${suffix}`
/** Per peer: together more than the 100 items a batch may have and still go item by item. */
const MISSED_PER_PEER = 80
/** The catch-up's messages are an hour old: stale for notifications, so only the open chat's messages are pushed. */
const AGE_MS = 60 * 60 * 1000

let app: E2eApp
let page: Page

function missed(from: string, count: number): NewMessage[] {
  const start = Date.now() - AGE_MS
  return Array.from({ length: count }, (_, i) => ({
    sender: from,
    recipient: alice,
    clientId: randomBytes(16),
    chatType: ChatTypePb.CHAT_TYPE_SINGLE,
    timestamp: start + i,
    body: pb.Body.encode({ text: { text: `${from} missed ${i}` } }).finish()
  }))
}

/** The unread numbers the list rows show, summed. */
function listUnreadSum(target: Page): Promise<number> {
  return target.evaluate<number>(`
    [...document.querySelectorAll('.conversation-item:not(.conversation-item--muted) .conversation-item__badge')]
      .map((badge) => badge.textContent.trim())
      .filter((text) => /^[0-9]+$/.test(text))
      .reduce((sum, text) => sum + Number(text), 0)
  `)
}

beforeAll(async () => {
  app = await E2eApp.start()
  page = await app.openPerson('alice')
  await createAccountAndSignIn(page, alice)
  await page.evaluate("window.dispatchEvent(new Event('focus'))")
  await registerAndLogin(app.server.url, bob, PASSWORD)
  await registerAndLogin(app.server.url, carol, PASSWORD)
}, 120_000)

afterAll(async () => {
  await app?.close()
})

describe('a long catch-up in the page', () => {
  it('updates the open chat live, the list and the title, and a chat never opened reads its pages when opened', async () => {
    await startChat(page, bob)
    await opensChatWith(page, bob)

    // The server goes down; Bob's and Carol's messages are written into Alice's log meanwhile (its own store API).
    const port = Number(new URL(app.server.url).port)
    const dataDir = path.join(app.tmp, 'server')
    await app.server.close()
    const store = await openServerStore(dataDir)
    try {
      await store.appendMessages([...missed(bob, MISSED_PER_PEER), ...missed(carol, MISSED_PER_PEER)])
    } finally {
      await store.close()
    }
    app.server = await startServer({ port, dataDir })

    // The page reconnects and catches up: the open chat gets Bob's messages without being opened again.
    await seesMessage(page, `${bob} missed ${MISSED_PER_PEER - 1}`)
    const carolRow = conversationButton(page, carol)
    await waitVisible(carolRow.filter({ hasText: `${carol} missed ${MISSED_PER_PEER - 1}` }))
    await eventually(async () => {
      expect(await carolRow.locator('.conversation-item__badge').textContent()).toBe(String(MISSED_PER_PEER))
      const sum = await listUnreadSum(page)
      expect(await page.title()).toBe(sum > 0 ? `(${sum}) Parley` : 'Parley')
    })

    // Carol's chat was never loaded: it reads its pages from the store when opened, at her first unread message.
    await carolRow.click()
    await opensChatWith(page, carol)
    await seesMessage(page, `${carol} missed 0`)
    expect(app.pageErrors).toEqual([])
  }, 120_000)
})
