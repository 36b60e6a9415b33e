// "Stay signed in" at the client level: a new ChatClient resumes a saved session without the password —
// history, live messages, renewed tokens, refused tokens, and a server that is down at start-up.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { ChatClient } from '../../src/main/core/client'
import type { SessionCredentials } from '../../src/main/core/types'
import type { ConnectionState } from '../../src/shared/model'
import { Devices, localHistory, makeTempDir, registerUsers, TEST_PASSWORD, TestServer, uniqueUser, waitFor, useServerAndDevices } from './helpers/env'

const TOKEN_TTL_SEC = 4
const TOKEN_WARN_BEFORE_SEC = 3
const ONE_MINUTE_MS = 60_000

async function texts(client: ChatClient, peer: string): Promise<string[]> {
  return (await localHistory(client, peer)).map((m) => (m.content.type === 'text' ? m.content.text : ''))
}

async function hasText(client: ChatClient, peer: string, text: string): Promise<boolean> {
  return (await texts(client, peer)).includes(text)
}

/** One install of the app: the same data folder and device id across "restarts". */
function install(label: string): { dataDir: string; deviceId: string } {
  return { dataDir: makeTempDir(), deviceId: `${label}-${randomUUID()}` }
}

describe('resuming a saved session', () => {
  const { server, devices } = useServerAndDevices()

  it('a new client resumes with the saved credentials: no password, old history, catch-up and live messages', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const laptop = install('laptop')
    const bobClient = devices.create('bob')
    await bobClient.login(bob, TEST_PASSWORD)

    const first = devices.create('alice-first', {}, laptop)
    expect(first.credentials).toBeNull()
    await first.login(alice, TEST_PASSWORD)
    await bobClient.sendText(alice, 'before the restart')
    await waitFor('alice to receive the first message', () => hasText(first, bob, 'before the restart'))
    const saved = first.credentials
    expect(saved).toEqual({ user: alice, token: first.token, expiresAt: first.tokenExpiresAt })
    await first.close()
    expect(first.credentials).toBeNull()

    await bobClient.sendText(alice, 'while you were away')
    const resumed = devices.create('alice-resumed', {}, laptop)
    const session = await resumed.resume(saved!)
    expect(session).toEqual({ user: alice, serverUrl: server.url, deviceId: laptop.deviceId })
    expect(resumed.status.state).toBe('connected')
    expect(resumed.credentials).toMatchObject({ user: alice, token: saved!.token })
    await resumed.whenSynced()
    expect(await texts(resumed, bob)).toEqual(['before the restart', 'while you were away'])

    await bobClient.sendText(alice, 'live after the restart')
    await waitFor('the resumed client to receive live', () => hasText(resumed, bob, 'live after the restart'))
    const reply = await resumed.sendText(bob, 'hello again')
    await waitFor('bob to get the reply', () => hasText(bobClient, alice, 'hello again'))
    expect(reply.from).toBe(alice)
    await expect(resumed.resume(saved!)).rejects.toMatchObject({ code: 'ALREADY_SIGNED_IN' })
  })

  it('a tampered token is refused with a typed error and leaves nothing open; a password sign-in still works', async () => {
    const carol = uniqueUser('carol')
    await registerUsers(server, carol)
    const desk = install('desk')
    const first = devices.create('carol-first', {}, desk)
    await first.login(carol, TEST_PASSWORD)
    const saved = first.credentials!
    await first.close()

    const tampered: SessionCredentials = { ...saved, token: saved.token.slice(0, -4) + 'AAAA' }
    const resumed = devices.create('carol-resumed', {}, desk)
    const ended: string[] = []
    resumed.on('sessionEnded', ({ reason }) => ended.push(reason))
    await expect(resumed.resume(tampered)).rejects.toMatchObject({
      code: 'NOT_SIGNED_IN',
      message: 'The server refused this sign-in. Please sign in again.'
    })
    expect(resumed.session).toBeNull()
    expect(resumed.credentials).toBeNull()
    expect(resumed.status.state).toBe('disconnected')
    await expect(resumed.listConversations()).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' })
    expect(ended).toEqual([]) // resume() reported the refusal itself
    // The store was closed again: the same client can open it for a password sign-in.
    await expect(resumed.login(carol, TEST_PASSWORD)).resolves.toMatchObject({ user: carol })
  })

  it("a valid token of another account is refused: nobody's events go into this account's store", async () => {
    const hana = uniqueUser('hana')
    const ivan = uniqueUser('ivan')
    await registerUsers(server, hana, ivan)
    // One device id for both: a token is bound to its device, so from any other device the server refuses it
    // before the client can compare accounts (that refusal is covered by server-sessions.test.ts).
    const deviceId = `shared-${randomUUID()}`
    const ivanClient = devices.create('ivan', {}, { deviceId })
    await ivanClient.login(ivan, TEST_PASSWORD)
    const ivanToken = ivanClient.credentials!
    await ivanClient.close()
    const client = devices.create('hana', {}, { deviceId })
    await expect(client.resume({ ...ivanToken, user: hana })).rejects.toMatchObject({
      code: 'NOT_SIGNED_IN',
      message: 'The saved sign-in belongs to a different account. Please sign in again.'
    })
    expect(client.session).toBeNull()
    expect(client.status.state).toBe('disconnected')
  })

  it('refuses locally expired and incomplete credentials before touching the network', async () => {
    const client = devices.create('nobody')
    await expect(client.resume({ user: 'x', token: 'y', expiresAt: Date.now() - 1 })).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
      message: 'Your saved sign-in has expired. Please sign in again.'
    })
    await expect(client.resume({ user: ' ', token: 'y', expiresAt: Date.now() + ONE_MINUTE_MS })).rejects.toMatchObject({
      code: 'NOT_SIGNED_IN'
    })
    expect(client.session).toBeNull()
  })

  it('server down at resume: the session is returned offline with local history, then connects and syncs by itself', async () => {
    const downServer = new TestServer()
    await downServer.start()
    const downDevices = new Devices(downServer)
    try {
      const dana = uniqueUser('dana')
      const erik = uniqueUser('erik')
      await registerUsers(downServer, dana, erik)
      const pc = install('pc')
      const erikClient = downDevices.create('erik')
      await erikClient.login(erik, TEST_PASSWORD)
      const first = downDevices.create('dana-first', {}, pc)
      await first.login(dana, TEST_PASSWORD)
      await erikClient.sendText(dana, 'seen before shutdown')
      await waitFor('dana to receive', () => hasText(first, erik, 'seen before shutdown'))
      const saved = first.credentials!
      await first.close()
      await erikClient.sendText(dana, 'sent while dana was closed')
      await downServer.stop()

      const resumed = downDevices.create('dana-resumed', {}, pc)
      const states: ConnectionState[] = []
      resumed.on('connection', (status) => states.push(status.state))
      await expect(resumed.resume(saved)).resolves.toMatchObject({ user: dana })
      expect(resumed.session?.user).toBe(dana)
      expect(['reconnecting', 'connecting']).toContain(resumed.status.state)
      expect(states).toContain('reconnecting')
      expect(await texts(resumed, erik)).toEqual(['seen before shutdown'])
      const queued = await resumed.sendText(erik, 'written offline')
      expect(queued.status).toBe('sending')

      await downServer.start()
      await waitFor('the resumed client to connect by itself', () => resumed.status.state === 'connected')
      await waitFor('catch-up of what was missed', () => hasText(resumed, erik, 'sent while dana was closed'))
      await waitFor('the offline message to go out', () => hasText(erikClient, dana, 'written offline'))
      await erikClient.sendText(dana, 'live once back')
      await waitFor('live delivery after reconnecting', () => hasText(resumed, erik, 'live once back'))
      expect(resumed.session?.user).toBe(dana)
    } finally {
      await downDevices.dispose()
      await downServer.dispose()
    }
  })
})

describe('resuming with short-lived tokens', () => {
  const { server, devices } = useServerAndDevices({ tokenTtlSec: TOKEN_TTL_SEC, tokenWarnBeforeSec: TOKEN_WARN_BEFORE_SEC })

  it('exposes the renewed token, and a resume with it works', async () => {
    const frank = uniqueUser('frank')
    await registerUsers(server, frank)
    const box = install('box')
    const first = devices.create('frank-first', {}, box)
    const renewed: number[] = []
    first.on('tokenRenewed', ({ expiresAt }) => renewed.push(expiresAt))
    await first.login(frank, TEST_PASSWORD)
    const original = first.credentials!
    await waitFor('a renewal', () => renewed.length > 0, 10_000)
    const current = first.credentials!
    expect(current.token).not.toBe(original.token)
    expect(current.expiresAt).toBe(renewed[renewed.length - 1])
    expect(current.expiresAt).toBeGreaterThan(original.expiresAt)
    await first.close()

    const resumed = devices.create('frank-resumed', {}, box)
    await expect(resumed.resume(current)).resolves.toMatchObject({ user: frank })
    expect(resumed.status.state).toBe('connected')
  })

  it('a token the server considers expired is refused as TOKEN_EXPIRED, even if the saved expiry says otherwise', async () => {
    const gina = uniqueUser('gina')
    await registerUsers(server, gina)
    const tablet = install('tablet')
    const first = devices.create('gina-first', {}, tablet)
    await first.login(gina, TEST_PASSWORD)
    const saved = first.credentials!
    await first.close()
    await waitFor('the token to expire', () => Date.now() > saved.expiresAt + 200, 10_000)

    const resumed = devices.create('gina-resumed', {}, tablet)
    // As if this machine's clock were behind: the saved expiry still looks valid.
    await expect(resumed.resume({ ...saved, expiresAt: Date.now() + ONE_MINUTE_MS })).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
      message: 'Your session has expired. Please sign in again.'
    })
    expect(resumed.session).toBeNull()
    expect(resumed.status.state).toBe('disconnected')
  })
})
