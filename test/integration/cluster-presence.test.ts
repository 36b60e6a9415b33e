// Presence when a node dies (issue 9): a user whose only device sat on a node killed with SIGKILL is announced
// offline to their friends on the other node once the dead node's claims in Redis expire, exactly once; and the
// device list on the other node stops showing the dead node's devices online after the same expiry.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DecodedFrame } from '../../src/shared/proto/codec'
import { FrameClient, registerAndLogin } from '../bench/lib/frame-client'
import { buildBundles, ServerProcess } from '../fault/processes'
import { describeWithEngines } from '../support/engines'
import { createTestDatabase, dropTestDatabase } from '../support/test-database'
import { makeTempDir, removeDir, startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'
/** A short claim, so the dead node's users are swept within the test (read by both nodes at start). */
const PRESENCE_TTL_SEC = 1.5
process.env.PARLEY_PRESENCE_TTL_SEC = String(PRESENCE_TTL_SEC)
/** The expiry, then a sweep round (a third of it), with room for a busy machine. */
const OFFLINE_WITHIN_MS = PRESENCE_TTL_SEC * 1000 * 6
const POLL_MS = 100
/** Cold start of the bundled node child. */
const CHILD_TEST_TIMEOUT_MS = 60_000

const presenceFrames = (client: FrameClient, user: string, online: boolean): DecodedFrame[] =>
  client.received.filter((frame) => frame.contactUpdate?.presence?.user === user && (frame.contactUpdate.presence.online ?? false) === online)

describeWithEngines('presence when a node dies', ({ redisUrl }) => {
  let databaseUrl = ''
  let survivor: TestServer
  let child: ServerProcess
  const childDir = makeTempDir()
  const clients: FrameClient[] = []

  beforeAll(async () => {
    await buildBundles()
    databaseUrl = await createTestDatabase()
    survivor = await startTestServer({ databaseUrl, redisUrl })
    child = new ServerProcess(childDir, {
      PARLEY_DATABASE_URL: databaseUrl,
      PARLEY_REDIS_URL: redisUrl,
      PARLEY_PRESENCE_TTL_SEC: String(PRESENCE_TTL_SEC)
    })
    await child.start()
  }, CHILD_TEST_TIMEOUT_MS)
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()))
    await child?.kill()
    await survivor?.dispose()
    removeDir(childDir)
    if (databaseUrl) await dropTestDatabase(databaseUrl)
  })

  it(
    'a friend on the surviving node is told once that the user went offline',
    async () => {
      const watcherLogin = await registerAndLogin(survivor.url, 'wes')
      const userLogin = await registerAndLogin(survivor.url, 'uma')
      const watcher = await FrameClient.onDevice(survivor.url, watcherLogin, 'wes-1')
      clients.push(watcher)
      const setup = await FrameClient.onDevice(survivor.url, userLogin, 'uma-setup')
      expect((await setup.request({ contacts: { request: { to: 'wes' } } })).body).toBe('contactsOk')
      expect((await watcher.request({ contacts: { decide: { from: 'uma', accept: true } } })).body).toBe('contactsOk')
      await setup.close()
      await watcher.waitFor((frame) => presenceFrames(watcher, 'uma', false).includes(frame), 5_000, 'uma offline after set-up')

      // Uma's only device is on the child node; the watcher hears she is online.
      const uma = await FrameClient.onDevice(`http://127.0.0.1:${child.port}`, userLogin, 'uma-1')
      clients.push(uma)
      const onlineBefore = presenceFrames(watcher, 'uma', true).length
      await watcher.waitFor(() => presenceFrames(watcher, 'uma', true).length > onlineBefore, 5_000, 'uma online')
      const offlineBefore = presenceFrames(watcher, 'uma', false).length

      await child.kill()
      await watcher.waitFor(() => presenceFrames(watcher, 'uma', false).length > offlineBefore, OFFLINE_WITHIN_MS, 'uma offline after the kill')
      const answer = await watcher.request({ profile: { presence: { users: ['uma'] } } })
      expect(answer.profileOk?.presence?.presence?.[0]?.online ?? false).toBe(false)
      // Exactly once: a later sweep finds nothing more to announce.
      await new Promise((resolve) => setTimeout(resolve, PRESENCE_TTL_SEC * 1000))
      expect(presenceFrames(watcher, 'uma', false).length).toBe(offlineBefore + 1)
    },
    CHILD_TEST_TIMEOUT_MS
  )

  it(
    'the device list on the surviving node shows the dead node\'s device online, then offline after the expiry',
    async () => {
      await child.start()
      const login = await registerAndLogin(survivor.url, 'vic')
      const here = await FrameClient.onDevice(survivor.url, login, 'vic-here')
      clients.push(here)
      clients.push(await FrameClient.onDevice(`http://127.0.0.1:${child.port}`, login, 'vic-there'))
      const onlineThere = async (): Promise<boolean | undefined> => {
        const answer = await here.request({ devices: { signOutSession: '' } })
        return answer.devicesOk?.devices?.find((device) => device.deviceId === 'vic-there')?.online ?? undefined
      }
      const until = async (wanted: boolean, withinMs: number): Promise<void> => {
        const deadline = Date.now() + withinMs
        while ((await onlineThere()) !== wanted) {
          if (Date.now() > deadline) throw new Error(`vic-there never listed online=${wanted}`)
          await new Promise((resolve) => setTimeout(resolve, POLL_MS))
        }
      }
      await until(true, 5_000)
      await child.kill()
      await until(false, OFFLINE_WITHIN_MS)
    },
    CHILD_TEST_TIMEOUT_MS
  )
})
