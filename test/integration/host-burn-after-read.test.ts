// Burn after reading through the IPC contract (the browser host's bridge, the real engine and server): a text, a
// file, a voice message and a location sent with burnAfterReadSec carry it to the recipient, and once the recipient
// reads the conversation each one is removed from both sides (the countdown starts at the first read). In a group the
// timer goes through too: the reader's copy and the sender's burn after the first member's read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import type { RunningHost } from '../../src/host/index'
import type { ChatMessage } from '../../src/shared/model'
import { HostTab } from './helpers/host-tab'
import { startHostWithServer, type HostWithServer } from './helpers/host-with-server'

/** Short, so the test waits little: the burn starts at the read and the sweep follows within a second or so. */
const BURN_SEC = 2
let host: RunningHost
const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`
let aliceTab: HostTab
let bobTab: HostTab

/** The ids the tab was told were removed (messages.removed pushes). */
function removedOn(tab: HostTab): Set<string> {
  return new Set(tab.messages.flatMap((m) => (m.kind === 'event' && m.event === 'messages.removed' ? (m.payload as { ids: string[] }).ids : [])))
}

async function stage(tab: HostTab, bytes: Buffer, name: string, mime: string): Promise<string> {
  return (await tab.stage(bytes, name, mime)).stagedId
}

let running: HostWithServer | null = null
beforeAll(async () => {
  running = await startHostWithServer()
  host = running.host
})

afterAll(async () => {
  await running?.close()
})

describe('burn after reading over the IPC contract', () => {
  it('text, file, voice and location keep the timer, and burn on both sides after the first read', async () => {
    aliceTab = await HostTab.open(host, `alice-tab-${suffix}`)
    bobTab = await HostTab.open(host, `bob-tab-${suffix}`)
    for (const [tab, user] of [[aliceTab, alice], [bobTab, bob]] as const) {
      await tab.call('auth.register', { username: user, password: 'password-1' })
      await tab.call('auth.login', { username: user, password: 'password-1' })
    }
    const toBob = { type: 'single', id: bob } as const
    const sent: ChatMessage[] = [
      await aliceTab.call<ChatMessage>('messages.sendText', { to: toBob, text: 'read me once', burnAfterReadSec: BURN_SEC }),
      await aliceTab.call<ChatMessage>('messages.sendAttachment', {
        conversation: toBob,
        kind: 'file',
        stagedId: await stage(aliceTab, randomBytes(4096), 'secret.bin', 'application/octet-stream'),
        burnAfterReadSec: BURN_SEC
      }),
      await aliceTab.call<ChatMessage>('messages.sendAttachment', {
        conversation: toBob,
        kind: 'voice',
        stagedId: await stage(aliceTab, randomBytes(2048), 'note.mp3', 'audio/mpeg'),
        durationMs: 1_000,
        burnAfterReadSec: BURN_SEC
      }),
      await aliceTab.call<ChatMessage>('messages.sendLocation', { to: toBob, latitude: 1, longitude: 2, address: 'Here', name: 'Spot', burnAfterReadSec: BURN_SEC })
    ]
    // The sender's own copies say so from the start (the bubble shows "2 s after reading").
    expect(sent.map((m) => [m.content.type, m.burnAfterReadSec])).toEqual([
      ['text', BURN_SEC],
      ['file', BURN_SEC],
      ['voice', BURN_SEC],
      ['location', BURN_SEC]
    ])

    // Bob's copies carry the timer; nothing has started it yet.
    for (const message of sent) {
      const received = await bobTab.event<ChatMessage>('message.upsert', (m) => m.id === message.id)
      expect(received.burnAfterReadSec).toBe(BURN_SEC)
    }
    const ids = sent.map((m) => m.id)
    expect(ids.filter((id) => removedOn(bobTab).has(id))).toEqual([])

    // Bob reads: the countdown shows (an expiry time), then every message goes, on his side and on Alice's.
    await bobTab.call('conversations.markRead', { conversation: { type: 'single', id: alice } })
    await bobTab.event<ChatMessage>('message.upsert', (m) => m.id === sent[0]!.id && typeof m.expiresAt === 'number' && m.expiresAt > 0)
    for (const tab of [bobTab, aliceTab]) {
      await tab.waitFor(() => ids.every((id) => removedOn(tab).has(id)))
    }
    const bobPage = await bobTab.call<{ messages: ChatMessage[] }>('messages.page', { conversation: { type: 'single', id: alice } })
    expect(bobPage.messages.filter((m) => ids.includes(m.id))).toEqual([])
  }, 40_000)

  it("keeps the timer in a group: the first reader starts it, and the sender's copy burns with theirs", async () => {
    const { group } = await aliceTab.call<{ group: string }>('groups.create', {
      name: `Fading ${suffix}`,
      description: '',
      settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 0 },
      members: [bob]
    })
    const sent = await aliceTab.call<ChatMessage>('messages.sendText', { to: { type: 'group', id: group }, text: 'for the group, once', burnAfterReadSec: BURN_SEC })
    expect(sent.burnAfterReadSec).toBe(BURN_SEC)
    const received = await bobTab.event<ChatMessage>('message.upsert', (m) => m.id === sent.id)
    expect(received.burnAfterReadSec).toBe(BURN_SEC)
    await bobTab.call('conversations.markRead', { conversation: { type: 'group', id: group } })
    for (const tab of [bobTab, aliceTab]) await tab.waitFor(() => removedOn(tab).has(sent.id))
  }, 40_000)
})
