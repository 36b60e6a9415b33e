// Command messages (the seed service's app-to-app signals) against the real server: the recipient's client hands
// each to the app as a 'command' event and never stores it, so it is not in the history, not unread and never the
// conversation's last message; this holds live and when an offline device catches up.
import { describe, expect, it } from 'vitest'
import { FrameClient, login, randomClientId } from '../bench/lib/frame-client'
import { ChatTypePb } from '../../src/shared/proto/codec'
import type { AppCommand } from '../../src/shared/model/commands'
import { TEST_PASSWORD, localHistory, registerUsers, textOf, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'

process.env.PARLEY_LOG ??= 'warn'

describe('command messages', () => {
  const { server, devices } = useServerAndDevices()

  async function rawSender(user: string): Promise<FrameClient> {
    return FrameClient.onDevice(server.url, await login(server.url, user, TEST_PASSWORD), `${user}-raw`)
  }

  async function sendBody(client: FrameClient, to: string, body: object): Promise<void> {
    const ack = await client.request({ send: { clientId: randomClientId(), to, body } })
    expect(ack.body, JSON.stringify(ack.error)).toBe('sendAck')
  }

  it('reaches the app as an event, live and by catch-up, and is never a message, unread or last', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const sender = await rawSender(alice)
    const b = devices.create('b')
    const commands: AppCommand[] = []
    b.on('command', (command) => commands.push(command))
    await b.login(bob, TEST_PASSWORD)

    await sendBody(sender, bob, { text: { text: 'before the command' } })
    await sendBody(sender, bob, { command: { action: 'refresh-order', params: { order: '7' } } })
    await waitFor('the live command', () => commands.length === 1)
    expect(commands[0]).toMatchObject({ action: 'refresh-order', params: { order: '7' }, from: alice, direction: 'in', conversation: { type: 'single', id: alice } })

    const history = await localHistory(b, alice)
    expect(history.map(textOf)).toEqual(['before the command'])
    const conversation = (await b.listConversations()).find((c) => c.id === alice)
    expect(conversation?.unreadCount).toBe(1)
    expect(conversation?.lastMessage && textOf(conversation.lastMessage)).toBe('before the command')

    // A device that was offline catches up: the command comes as an event, still not as a message.
    await b.close()
    await sendBody(sender, bob, { command: { action: 'typing-stopped', params: {} } })
    await sendBody(sender, bob, { text: { text: 'after the command' } })
    await sendBody(sender, bob, { command: { action: 'read-receipt', params: { upto: '3' } } })
    const again = devices.create('b-again', {}, { dataDir: (b as unknown as { options: { dataDir: string } }).options.dataDir, deviceId: b.deviceId })
    const caughtUp: AppCommand[] = []
    again.on('command', (command) => caughtUp.push(command))
    await again.login(bob, TEST_PASSWORD)
    await waitFor('the commands sent while offline', () => caughtUp.length === 2)
    expect(caughtUp.map((c) => c.action)).toEqual(['typing-stopped', 'read-receipt'])
    await waitFor('the text sent while offline', async () => (await localHistory(again, alice)).length === 2)
    expect((await localHistory(again, alice)).map(textOf)).toEqual(['before the command', 'after the command'])
    const after = (await again.listConversations()).find((c) => c.id === alice)
    expect(after?.unreadCount).toBe(2)
    expect(after?.lastMessage && textOf(after.lastMessage)).toBe('after the command')
    await sender.close()
  })

  it('in a chat room, reaches the app as an event and is never one of the room\'s messages', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const b = devices.create('room-b')
    const commands: AppCommand[] = []
    b.on('command', (command) => commands.push(command))
    await b.login(bob, TEST_PASSWORD)
    const room = await b.rooms.create(`commands ${bob}`, '', 0)
    await b.rooms.join(room)
    const roomMessages: string[] = []
    b.on('roomEvent', (event) => {
      if (event.kind === 'messages') roomMessages.push(...event.messages.map(textOf))
    })
    const a = devices.create('room-a')
    await a.login(alice, TEST_PASSWORD)
    await a.rooms.join(room)
    const sender = await rawSender(alice)
    const sendToRoom = async (body: object): Promise<void> => {
      const ack = await sender.request({ send: { clientId: randomClientId(), to: room, chatType: ChatTypePb.CHAT_TYPE_ROOM, body } })
      expect(ack.body, JSON.stringify(ack.error)).toBe('sendAck')
    }
    await sendToRoom({ command: { action: 'game-move', params: { square: 'e4' } } })
    await sendToRoom({ text: { text: 'your move' } })
    await waitFor('the room text', () => roomMessages.includes('your move'))
    await waitFor('the room command', () => commands.length === 1)
    expect(commands[0]).toMatchObject({ action: 'game-move', params: { square: 'e4' }, conversation: { type: 'room', id: room } })
    expect(roomMessages).toEqual(['your move'])
    await sender.close()
  })
})
