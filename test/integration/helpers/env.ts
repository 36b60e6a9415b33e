// Owns the integration-test environment for the client core: temp folders, a real server on port 0
// (restartable on the same port and data folder), ChatClients with small timings, and polling helpers.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll } from 'vitest'
import { ChatClient } from '../../../src/main/core/client'
import { registerAccount } from '../../../src/main/core/app-server'
import type { ClientTimings } from '../../../src/main/core/types'
import type { LogEntryDecoder } from '../../../src/main/core/protocol/log-entry'
import type { ChatMessage } from '../../../src/shared/model'
import { AppError } from '../../../src/shared/errors'
import { makeTempDir, removeDir, TestServer } from '../../support/test-server'

export { makeTempDir, removeDir, TestServer }

export const FAST_TIMINGS: ClientTimings = {
  heartbeatMinMs: 300,
  heartbeatMaxMs: 2_000,
  pongTimeoutMs: 1_000,
  backoffBaseMs: 50,
  backoffMaxMs: 400,
  requestTimeoutMs: 5_000,
  firstReconnectWindowMs: 100,
  maxServerReconnectWindowMs: 200,
  sendRetryMaxMs: 400,
  // The history back-fill stays out of the way (one page an hour) unless a test asks for it (BACKFILL_TIMINGS).
  backfillIdleMs: 0,
  backfillPageIntervalMs: 60 * 60_000,
  backfillRetryMs: 200
}

/** A history back-fill that runs at once, page after page (tests of back-fill and search). */
export const BACKFILL_TIMINGS: Partial<ClientTimings> = { backfillIdleMs: 0, backfillPageIntervalMs: 5 }
const WAIT_POLL_MS = 25
const DEFAULT_WAIT_MS = 30_000
export const TEST_PASSWORD = 'correct horse battery'

/** ChatClients for one test; every client gets its own data folder, all removed by dispose(). */
export class Devices {
  private readonly clients: ChatClient[] = []
  private readonly dirs: string[] = []

  constructor(private readonly server: TestServer) {}

  create(
    label: string,
    timings: Partial<ClientTimings> = {},
    extra: { autoRenewToken?: boolean; dataDir?: string; deviceId?: string; decoder?: LogEntryDecoder } = {}
  ): ChatClient {
    const dataDir = extra.dataDir ?? makeTempDir()
    this.dirs.push(dataDir)
    const client = new ChatClient({
      serverUrl: this.server.url,
      deviceId: extra.deviceId ?? `${label}-${randomUUID()}`,
      dataDir,
      platform: 'desktop',
      timings: { ...FAST_TIMINGS, ...timings },
      autoRenewToken: extra.autoRenewToken,
      ...(extra.decoder ? { decoder: extra.decoder } : {})
    })
    this.clients.push(client)
    return client
  }

  async dispose(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()))
    for (const dir of this.dirs) removeDir(dir)
  }
}

export function uniqueUser(prefix: string): string {
  return `${prefix}${randomUUID().slice(0, 8)}`
}

export async function registerUsers(server: TestServer, ...users: string[]): Promise<void> {
  for (const user of users) await registerAccount(server.url, user, TEST_PASSWORD)
}

/** Poll until `check` returns true (or throw with `what` after the timeout). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS))
  }
}

/** The AppError a call fails with (a call that succeeds, or fails with anything else, fails the test). */
export async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof AppError) return err
    throw err
  }
  throw new Error('expected the call to fail')
}

/** Every message of a conversation as stored on this device, oldest first (walks the local pages only). */
export async function localHistory(client: ChatClient, conversationId: string): Promise<ChatMessage[]> {
  const all: ChatMessage[] = []
  const PAGE = 500
  let before: number | null = null
  for (;;) {
    const page = await client.pageLocal(conversationId, before, PAGE)
    all.unshift(...page.messages)
    const oldest = page.messages.find((m) => m.seq !== null)
    if (!page.hasMore || !oldest || page.messages.length === 0) break
    before = oldest.seq
  }
  return all
}

/** The conversation as a list of message ids in server order (serverId), the device-independent order. */
export function serverOrder(messages: ChatMessage[]): string[] {
  return [...messages].sort((a, b) => (a.serverId ?? Infinity) - (b.serverId ?? Infinity)).map((m) => m.id)
}

/** For one describe block: a real server started before its tests, and the devices made in them, all removed after. */
export function useServerAndDevices(extras: ConstructorParameters<typeof TestServer>[0] = {}): { server: TestServer; devices: Devices } {
  const server = new TestServer(extras)
  const devices = new Devices(server)
  beforeAll(() => server.start())
  afterAll(async () => {
    await devices.dispose()
    await server.dispose()
  })
  return { server, devices }
}

/** Registers two fresh users and signs each in on a new device: the start of most two-person tests. */
export async function signInPair(
  server: TestServer,
  devices: Devices,
  timings: Partial<ClientTimings> = {}
): Promise<{ alice: string; bob: string; a: ChatClient; b: ChatClient }> {
  const alice = uniqueUser('alice')
  const bob = uniqueUser('bob')
  await registerUsers(server, alice, bob)
  const a = devices.create('a', timings)
  const b = devices.create('b', timings)
  await a.login(alice, TEST_PASSWORD)
  await b.login(bob, TEST_PASSWORD)
  return { alice, bob, a, b }
}

/** A message's text as the user sees it; other content types as <type> (e.g. <unsupported>). */
export function textOf(message: ChatMessage): string {
  return message.content.type === 'text' ? message.content.text : `<${message.content.type}>`
}
