// A resumed session shows the conversation list from the local store at once: resume() does not wait for the
// catch-up (held here on the real server's log read), which goes on in the background and updates the list by events.
import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { ServerStore } from '../../src/server/store/types'
import type { Conversation } from '../../src/shared/model'
import { Devices, makeTempDir, registerUsers, TEST_PASSWORD, TestServer, uniqueUser, waitFor } from './helpers/env'

/** Messages the peer sends while the app is closed: the backlog the resumed catch-up must fetch. */
const MISSED_MESSAGES = 20

describe('resume with a pending catch-up', () => {
  let server: TestServer
  let devices: Devices
  /** The user whose log reads wait for `releaseLog` (null = no read waits). */
  let holdLogOf: string | null = null
  let heldReads = 0
  let releaseLog: () => void = () => undefined
  let logReleased: Promise<void> = Promise.resolve()

  function holdLog(user: string): void {
    holdLogOf = user
    logReleased = new Promise<void>((resolve) => {
      releaseLog = () => {
        holdLogOf = null
        resolve()
      }
    })
  }

  async function start(): Promise<void> {
    server = new TestServer({
      testHooks: {
        wrapStore: (inner) =>
          new Proxy(inner, {
            get(target, property, receiver) {
              if (property === 'readLogAfter') {
                return async (...args: Parameters<ServerStore['readLogAfter']>) => {
                  if (holdLogOf !== null && args[0] === holdLogOf) {
                    heldReads += 1
                    await logReleased
                  }
                  return target.readLogAfter(...args)
                }
              }
              const value: unknown = Reflect.get(target, property, receiver)
              return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
            }
          })
      }
    })
    await server.start()
    devices = new Devices(server)
  }

  afterEach(async () => {
    releaseLog()
    await devices.dispose()
    await server.dispose()
    heldReads = 0
  })

  it('answers the local conversation list before catch-up ends; the catch-up then updates it by events', async () => {
    await start()
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const install = { dataDir: makeTempDir(), deviceId: `a-${randomUUID()}` }
    const b = devices.create('b')
    await b.login(bob, TEST_PASSWORD)
    const first = devices.create('a', {}, install)
    await first.login(alice, TEST_PASSWORD)
    await b.sendText(alice, 'before the restart')
    await waitFor('alice to have the first message', async () => (await first.listConversations()).some((c) => c.id === bob))
    await first.whenSynced()
    const saved = first.credentials!
    await first.close()

    for (let i = 0; i < MISSED_MESSAGES; i++) await b.sendText(alice, `missed ${i}`)
    holdLog(alice)
    const resumed = devices.create('a', {}, install)
    const updates: Conversation[] = []
    resumed.on('conversation', (conversation) => updates.push(conversation))
    await resumed.resume(saved)

    // Resumed and connected while the catch-up's read of the log is still held on the server.
    expect(resumed.status.state).toBe('connected')
    await waitFor('the catch-up to ask for the log', () => heldReads > 0)
    const diagnostics = await resumed.diagnostics()
    expect(diagnostics.catchUpFailures).toBe(0)
    expect(diagnostics.lastSyncError).toBeNull()
    const local = await resumed.listConversations()
    expect(local.map((c) => c.id)).toEqual([bob])
    expect(local[0]!.lastMessage?.content).toEqual({ type: 'text', text: 'before the restart' })

    releaseLog()
    await resumed.whenSynced()
    const after = await resumed.listConversations()
    expect(after[0]!.lastMessage?.content).toEqual({ type: 'text', text: `missed ${MISSED_MESSAGES - 1}` })
    expect(after[0]!.unreadCount).toBe(MISSED_MESSAGES + 1)
    // The shells learn it by the conversation event, not by asking again.
    expect(updates.at(-1)).toMatchObject({ id: bob, unreadCount: MISSED_MESSAGES + 1 })
  })
})
