// Token rotation against a dying app and against a thief (the real server on port 0, the app's core for real): an app
// SIGKILLed after the server rotated its token but before it saved the new one starts again with the old one and is
// still signed in, with nothing lost; a copy of an old token shown after its successor was used still ends the session.
import { fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { CoreSession } from '../../src/main/core/api/session'
import { FileSessionVault } from '../../src/main/core/api/session-vault'
import { hashToken } from '../../src/server/auth/tokens'
import type { ServerStore } from '../../src/server/store/types'
import type { InvokeReply } from '../../src/shared/ipc/contract'
import type { ChatMessage, SessionInfo } from '../../src/shared/model'
import { ErrorCode, pb } from '../../src/shared/proto/codec'
import { FrameClient } from '../bench/lib/frame-client'
import type { RenewingAppArgs, RenewingAppReport } from './helpers/renewing-app-child'
import { Devices, localHistory, makeTempDir, registerUsers, removeDir, TEST_PASSWORD, TestServer, textOf, uniqueUser, waitFor } from './helpers/env'

/**
 * The app renews TTL - WARN = 8 s after signing in and its old token lasts 12 s more: time for the parent to see the
 * renewal, kill the child and start the app again before the saved (old) token expires on the device.
 */
const TOKEN_TTL_SEC = 20
const TOKEN_WARN_BEFORE_SEC = 12
/** How long the parent lets the dying app hold the renew answer: the transport has long confirmed it by then. */
const ANSWER_HELD_MS = 1_500

async function call<T>(session: CoreSession, method: string, args?: unknown): Promise<T> {
  const reply: InvokeReply = await session.invoke(method, args)
  if (!reply.ok) throw new Error(`${method} failed: ${reply.error.code} ${reply.error.message}`)
  return reply.result as T
}

/** The server's log of a one-to-one conversation as `user` sees it, as texts (through the store interface). */
async function serverTexts(store: ServerStore, user: string, peer: string): Promise<string[]> {
  const entries = await store.readConversation(user, peer, 0, 10_000)
  return entries
    .filter((e) => e.message)
    .reverse()
    .map((e) => pb.Body.decode(e.message!.body).text?.text ?? '<non-text>')
}

describe('token rotation when the app dies before saving the new token', () => {
  const cleanup: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step()
  })

  it('starts again with the old token: signed in, and no message lost', async () => {
    let serverStore: ServerStore | null = null
    const server = new TestServer({
      tokenTtlSec: TOKEN_TTL_SEC,
      tokenWarnBeforeSec: TOKEN_WARN_BEFORE_SEC,
      testHooks: { wrapStore: (store) => (serverStore = store) }
    })
    await server.start()
    cleanup.push(() => server.dispose())
    const devices = new Devices(server)
    cleanup.push(() => devices.dispose())
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const b = devices.create('b')
    await b.login(bob, TEST_PASSWORD)

    const userData = makeTempDir()
    cleanup.push(() => removeDir(userData))
    const args: RenewingAppArgs = {
      serverUrl: server.url,
      deviceId: `desktop-${randomUUID()}`,
      dataDir: path.join(userData, 'accounts'),
      vaultFile: path.join(userData, 'session.bin'),
      user: alice,
      password: TEST_PASSWORD,
      peer: bob
    }
    const childScript = fileURLToPath(new URL('./helpers/renewing-app-child.ts', import.meta.url))
    const child = fork(childScript, [JSON.stringify(args)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    cleanup.push(() => void child.kill('SIGKILL'))
    const reports: RenewingAppReport[] = []
    child.on('message', (raw) => reports.push(raw as RenewingAppReport))
    const failed = (): string | undefined => reports.find((r) => r.kind === 'error')?.error

    await waitFor('the app signed in', () => failed() !== undefined || reports.some((r) => r.kind === 'signed-in'), 60_000)
    expect(failed()).toBeUndefined()
    const signedInWith = reports.find((r) => r.kind === 'signed-in')
    await waitFor('the renewed token being saved', () => reports.some((r) => r.kind === 'saving'), 30_000)
    const renewed = reports.find((r) => r.kind === 'saving')!.token
    expect(renewed).not.toBe(signedInWith?.kind === 'signed-in' ? signedInWith.token : '')
    // A message written while the app is going down: stored in its outbox, maybe sent, maybe not.
    child.send({ send: 'written as it closed' })
    await waitFor('the message stored', () => reports.some((r) => r.kind === 'stored'), 10_000)
    // Bob writes while alice's app is dying and gone.
    await b.sendText(alice, 'while you were away')
    // The app holds the answer a while (its bytes have long arrived) but never saves it; then it is killed.
    await new Promise((resolve) => setTimeout(resolve, ANSWER_HELD_MS))
    child.kill('SIGKILL')
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)))
    expect(child.signalCode).toBe('SIGKILL')
    // The device holds only the old token; the server rotated to one the device never kept.
    const vault = new FileSessionVault(args.vaultFile)
    expect((await vault.load())?.token).toBe(signedInWith?.kind === 'signed-in' ? signedInWith.token : 'missing')
    const oldToken = signedInWith?.kind === 'signed-in' ? signedInWith.token : ''
    expect((await serverStore!.findToken(hashToken(oldToken)))?.token.successorHash).toBe(hashToken(renewed))

    // The app starts again on the same folder and device: still signed in.
    const app = new CoreSession({ shell: 'electron', version: 'test', defaultServerUrl: server.url, deviceId: args.deviceId, dataDir: args.dataDir, settingsFile: null, vault })
    cleanup.push(() => app.dispose())
    expect(await call<SessionInfo | null>(app, 'auth.session')).toEqual({ user: alice, serverUrl: server.url, deviceId: args.deviceId })
    const page = async (): Promise<ChatMessage[]> =>
      (await call<{ messages: ChatMessage[] }>(app, 'messages.page', { conversation: { type: 'single', id: bob } })).messages
    await waitFor('bob\'s message and both of alice\'s, sent', async () => {
      const messages = await page()
      const texts = messages.map((m) => textOf(m))
      const acked = messages.filter((m) => m.direction === 'out' && m.status !== 'sending' && m.status !== 'failed')
      return texts.includes('while you were away') && acked.length === 2
    })
    await call(app, 'messages.sendText', { to: { type: 'single', id: bob }, text: 'back again' })
    await waitFor('bob has everything alice wrote', async () => (await localHistory(b, alice)).some((m) => textOf(m) === 'back again'))
    // On the server: every message once, alice's in the order she wrote them.
    const onServer = await serverTexts(serverStore!, bob, alice)
    expect([...onServer].sort()).toEqual(['back again', 'before the renewal', 'while you were away', 'written as it closed'])
    expect(onServer.filter((text) => text !== 'while you were away')).toEqual(['before the renewal', 'written as it closed', 'back again'])
    // And the session goes on: it renews again, this time saving and acknowledging the new token.
    const vaultToken = async (): Promise<string | undefined> => (await vault.load())?.token
    const resumedWith = await vaultToken()
    await waitFor('a renewal saved after the restart', async () => (await vaultToken()) !== resumedWith, 20_000)
    expect(await call<SessionInfo | null>(app, 'auth.session')).toMatchObject({ user: alice })
  })
})

describe('a copy of a rotated-away token', () => {
  const cleanup: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step()
  })

  /** A signed-in app renewing 4 s after sign-in; the server's grace for the old token is 1 s. */
  async function renewedDevice(): Promise<{ server: TestServer; store: () => ServerStore; stolen: string; successor: string; ended: string[] }> {
    let serverStore: ServerStore | null = null
    const server = new TestServer({ tokenTtlSec: 8, tokenWarnBeforeSec: 4, tokenRotationGraceSec: 1, testHooks: { wrapStore: (store) => (serverStore = store) } })
    await server.start()
    cleanup.push(() => server.dispose())
    const devices = new Devices(server)
    cleanup.push(() => devices.dispose())
    const alice = uniqueUser('alice')
    await registerUsers(server, alice)
    const a = devices.create('a')
    const ended: string[] = []
    a.on('sessionEnded', (event) => ended.push(event.reason))
    await a.login(alice, TEST_PASSWORD)
    const stolen = a.token!
    await waitFor('a renewal', () => a.token !== stolen, 15_000)
    const successor = a.token!
    // The app saved and acknowledged its new token: it has been used.
    await waitFor('the new token used', async () => ((await serverStore!.findToken(hashToken(successor)))?.token.firstUsedAt ?? null) !== null, 10_000)
    return { server, store: () => serverStore!, stolen, successor, ended }
  }

  async function bearerCode(server: TestServer, token: string): Promise<string> {
    const answer = await fetch(`${server.url}/attachments/${'0'.repeat(32)}`, { headers: { Authorization: `Bearer ${token}` } })
    return answer.status === 401 ? String(((await answer.json()) as { code?: unknown }).code) : `HTTP ${answer.status}`
  }

  it('ends the session for both when shown over HTTP after its successor was used', async () => {
    const { server, stolen, successor, ended } = await renewedDevice()
    // Within the grace it may be a request of the device's own that started before its renew: refused, nothing ends.
    expect(await bearerCode(server, stolen)).toBe('TOKEN_EXPIRED')
    expect(ended).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(await bearerCode(server, stolen)).toBe('TOKEN_REVOKED')
    await waitFor('the real device signed out too', () => ended.length > 0, 10_000)
    expect(await bearerCode(server, successor)).toBe('TOKEN_REVOKED')
  })

  it('ends the session when shown on a socket with the device id, even within the grace', async () => {
    const { server, store, stolen, successor, ended } = await renewedDevice()
    const found = await store().findToken(hashToken(stolen))
    const deviceId = found?.session.deviceId ?? ''
    const thief = await FrameClient.connect(server.url)
    const answer = await thief.request({ auth: { token: stolen, deviceId, platform: 'test' } })
    expect(answer.error?.code).toBe(ErrorCode.ERROR_TOKEN_REVOKED)
    await waitFor('the real device signed out too', () => ended.length > 0, 10_000)
    expect(await bearerCode(server, successor)).toBe('TOKEN_REVOKED')
  })
})
