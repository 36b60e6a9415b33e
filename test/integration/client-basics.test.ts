// ChatClient against the real server: sign-in errors, send/receive with unread counts, local validation,
// refused recipients, server history paging, logout.
import { describe, expect, it } from 'vitest'
import { loginAccount, registerAccount } from '../../src/main/core/app-server'
import type { ChatMessage, ConnectionState, Conversation } from '../../src/shared/model'
import { MAX_TEXT_BYTES } from '../../src/shared/proto/codec'
import { accountDatabasePath } from '../../src/main/core/session/account-files'
import { openMessageStore } from '../../src/main/core/store'
import { localHistory, makeTempDir, registerUsers, TEST_PASSWORD, uniqueUser, waitFor, useServerAndDevices, textOf } from './helpers/env'

describe('client basics against the real server', () => {
  const { server, devices } = useServerAndDevices()

  it('refuses a wrong password and a duplicate username with clear errors', async () => {
    const user = uniqueUser('erin')
    await registerAccount(server.url, user, TEST_PASSWORD)
    await expect(registerAccount(server.url, user, TEST_PASSWORD)).rejects.toMatchObject({
      code: 'USERNAME_TAKEN',
      message: 'That username is taken.'
    })
    await expect(loginAccount(server.url, user, 'wrong password!')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' })
    const client = devices.create('erin')
    await expect(client.login(user, 'wrong password!')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' })
    expect(client.session).toBeNull()
    await expect(client.login(user, TEST_PASSWORD)).resolves.toMatchObject({ user })
    await expect(client.login(user, TEST_PASSWORD)).rejects.toMatchObject({ code: 'ALREADY_SIGNED_IN' })
  })

  it('reports an unreachable server as SERVER_UNREACHABLE', async () => {
    await expect(loginAccount('http://127.0.0.1:1', 'x', 'y')).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' })
  })

  it('reports invalid input at registration', async () => {
    await expect(registerAccount(server.url, '', TEST_PASSWORD)).rejects.toMatchObject({ code: 'INVALID_USERNAME' })
    await expect(registerAccount(server.url, uniqueUser('shorty'), 'x')).rejects.toMatchObject({ code: 'INVALID_PASSWORD' })
  })

  it('sends and receives a message; sender sees sending then sent; receiver gets unread', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = devices.create('a')
    const b = devices.create('b')
    const states: ConnectionState[] = []
    a.on('connection', (s) => states.push(s.state))
    await a.login(alice, TEST_PASSWORD)
    await b.login(bob, TEST_PASSWORD)
    expect(a.status.state).toBe('connected')
    expect(states).toContain('connecting')

    const aMessages: ChatMessage[] = []
    const bConversations: Conversation[] = []
    a.on('message', (m) => aMessages.push(m))
    b.on('conversation', (c) => bConversations.push(c))

    const sent = await a.sendText(bob, 'hello bob')
    expect(sent.status).toBe('sending')
    expect(sent.id).toMatch(/^[0-9a-f]{32}$/)
    await waitFor('ack', async () => (await a.pageLocal(bob, null, 10)).messages[0]?.status === 'sent')
    expect(aMessages.map((m) => m.status)).toEqual(['sending', 'sent'])

    await waitFor('delivery', async () => (await b.pageLocal(alice, null, 10)).messages.length === 1)
    const [received] = (await b.pageLocal(alice, null, 10)).messages
    expect(received).toMatchObject({ id: sent.id, status: 'received', direction: 'in', conversationId: alice, from: alice })
    expect(received!.content).toEqual({ type: 'text', text: 'hello bob' })
    const [conversation] = await b.listConversations()
    expect(conversation).toMatchObject({ id: alice, unreadCount: 1 })
    expect(bConversations.at(-1)?.unreadCount).toBe(1)
    await b.markRead(alice)
    expect((await b.listConversations())[0]?.unreadCount).toBe(0)

    // A message to the conversation the user is looking at does not count as unread.
    b.setActiveConversation(alice)
    await a.sendText(bob, 'are you there?')
    await waitFor('second delivery', async () => (await b.pageLocal(alice, null, 10)).messages.length === 2)
    expect((await b.listConversations())[0]?.unreadCount).toBe(0)
  })

  it('validates text locally and marks messages to unknown users failed', async () => {
    const alice = uniqueUser('alice')
    await registerUsers(server, alice)
    const a = devices.create('a')
    await a.login(alice, TEST_PASSWORD)
    await expect(a.sendText('someone', '   ')).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    await expect(a.sendText('someone', 'é'.repeat(MAX_TEXT_BYTES / 2 + 1))).rejects.toMatchObject({ code: 'TEXT_TOO_LONG' })
    const ghost = uniqueUser('ghost')
    const message = await a.sendText(ghost, 'anyone?')
    await waitFor('failure', async () => (await a.pageLocal(ghost, null, 10)).messages[0]?.status === 'failed')
    const [failed] = (await a.pageLocal(ghost, null, 10)).messages
    expect(failed!.error).toEqual({ code: 'USER_NOT_FOUND', params: { wire: 'ERROR_USER_NOT_FOUND' } })
    const retried = await a.retry(message.id)
    expect(retried.status).toBe('sending')
    await waitFor('failure again', async () => (await a.pageLocal(ghost, null, 10)).messages[0]?.status === 'failed')
  })

  it('fetches older history from the server when the local store runs out, without moving the cursor', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = devices.create('a')
    await a.login(alice, TEST_PASSWORD)
    for (let i = 0; i < 30; i++) await a.sendText(bob, `history ${i}`)
    await waitFor('acks', async () => (await localHistory(a, bob)).every((m) => m.status === 'sent'))

    // A device of bob whose database already has its cursor at 25 (as if older entries had been pruned):
    // sync brings only entries 26..30; older ones must come from server history when the user scrolls.
    const bobDir = makeTempDir()
    const seeded = await openMessageStore(accountDatabasePath(bobDir, bob))
    await seeded.applyEvents([], 25)
    await seeded.close()
    const b = devices.create('b', {}, { dataDir: bobDir })
    await b.login(bob, TEST_PASSWORD)
    expect((await b.pageLocal(alice, null, 50)).messages).toHaveLength(5)
    expect((await b.listConversations())[0]?.unreadCount).toBe(5)

    const newest = await b.page(alice, null, 10)
    expect(newest.messages.map((m) => textOf(m))).toEqual(Array.from({ length: 10 }, (_, i) => `history ${20 + i}`))
    expect(newest.hasMore).toBe(true)
    const older = await b.page(alice, newest.messages[0]!.seq, 50)
    expect(older.messages.map((m) => textOf(m))).toEqual(Array.from({ length: 20 }, (_, i) => `history ${i}`))
    expect(older.hasMore).toBe(false)
    expect((await b.pageLocal(alice, null, 50)).messages).toHaveLength(30)
    // Unread is derived from the read pointer (bob never read anything), as on every other device of bob's.
    expect((await b.listConversations())[0]?.unreadCount).toBe(30)
    expect(b.syncCursor).toBe(30)
  })

  it('logout closes the session; calls after it say NOT_SIGNED_IN', async () => {
    const alice = uniqueUser('alice')
    await registerUsers(server, alice)
    const a = devices.create('a')
    await a.login(alice, TEST_PASSWORD)
    await a.logout()
    expect(a.session).toBeNull()
    expect(a.status.state).toBe('disconnected')
    await expect(a.listConversations()).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' })
    await a.logout()
  })
})
