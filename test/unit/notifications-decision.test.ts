// The notification decision table: focus x open conversation x do not disturb x mention x settings x who sent it x
// what it is, and the payload the shells turn into words.
import { describe, expect, it } from 'vitest'
import type { ChatMessage, MessageContent } from '../../src/shared/model'
import { defaultDeviceSettings, type NotificationSettings } from '../../src/shared/model/settings'
import { decideNotification, MUTED_UNTIL_TURNED_OFF, NOTIFY_MAX_AGE_MS, type NotificationInput } from '../../src/shared/notifications'

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0)
const ME = 'me'

function message(over: Partial<ChatMessage> = {}, content: MessageContent = { type: 'text', text: 'hello there' }): ChatMessage {
  return {
    id: 'a'.repeat(32),
    serverId: 10,
    conversationId: 'bob',
    chatType: 'single',
    from: 'bob',
    to: ME,
    direction: 'in',
    content,
    timestamp: NOW - 1000,
    seq: 5,
    status: 'received',
    error: null,
    ...over
  }
}

function input(over: Partial<NotificationInput> = {}, settings: Partial<NotificationSettings> = {}): NotificationInput {
  return {
    message: message(),
    conversation: { title: 'Bob B.', readSeq: 4, mutedUntil: 0 },
    me: ME,
    windowFocused: false,
    openConversation: null,
    settings: { ...defaultDeviceSettings().notifications, ...settings },
    appDndUntil: 0,
    now: NOW,
    ...over
  }
}

const groupMessage = (content: MessageContent): ChatMessage => message({ conversationId: 'g1', chatType: 'group', to: 'g1' }, content)

describe('notification decision', () => {
  it('notifies a message to an unfocused window with sender, text, tag per conversation and sound', () => {
    const decision = decideNotification(input())
    expect(decision).toEqual({
      notify: true,
      payload: {
        conversation: { type: 'single', id: 'bob' },
        chatType: 'single',
        tag: 'single:bob',
        content: 'senderAndText',
        sender: 'bob',
        conversationTitle: 'Bob B.',
        preview: { kind: 'text', text: 'hello there' },
        mention: null,
        silent: false,
        messageId: 'a'.repeat(32)
      }
    })
  })

  it.each([
    // windowFocused, open conversation, expected
    [false, null, true],
    [false, { type: 'single', id: 'bob' }, true],
    [true, null, true],
    [true, { type: 'single', id: 'carol' }, true],
    [true, { type: 'single', id: 'bob' }, false]
  ] as const)('focus %s with %j open: notify %s', (windowFocused, openConversation, expected) => {
    expect(decideNotification(input({ windowFocused, openConversation })).notify).toBe(expected)
  })

  it('never notifies my own messages, sent here or on another of my devices', () => {
    expect(decideNotification(input({ message: message({ direction: 'out', from: ME }) }))).toEqual({ notify: false, skip: 'fromMe' })
    // From my other device it arrives through sync as from me even if marked 'in' by a quirk: the sender decides.
    expect(decideNotification(input({ message: message({ from: 'ME' }) }))).toEqual({ notify: false, skip: 'fromMe' })
  })

  it('does not notify recalls, commands or system notices', () => {
    for (const content of [
      { type: 'recalled', by: 'bob', at: NOW },
      { type: 'command', action: 'typing', params: {} },
      { type: 'notice', kind: 'joined', actor: 'bob', users: [], text: '', until: 0, serverId: 0 }
    ] as unknown as MessageContent[]) {
      expect(decideNotification(input({ message: message({}, content) }))).toEqual({ notify: false, skip: 'notAMessage' })
    }
  })

  it('the global switch and app-wide do not disturb silence everything, mentions included', () => {
    const mention = groupMessage({ type: 'text', text: '@me hi', mentions: [ME] })
    expect(decideNotification(input({ message: mention }, { enabled: false }))).toEqual({ notify: false, skip: 'disabled' })
    expect(decideNotification(input({ message: mention, appDndUntil: NOW + 60_000 }))).toEqual({ notify: false, skip: 'appDnd' })
    // App-wide do not disturb that has ended lets it through.
    expect(decideNotification(input({ message: mention, appDndUntil: NOW - 1 })).notify).toBe(true)
  })

  it('a muted conversation does not notify until its time passes, and "until turned off" never ends', () => {
    const muted = (mutedUntil: number, now = NOW): NotificationInput => input({ conversation: { title: null, readSeq: 0, mutedUntil }, now })
    expect(decideNotification(muted(NOW + 3_600_000))).toEqual({ notify: false, skip: 'muted' })
    expect(decideNotification(muted(MUTED_UNTIL_TURNED_OFF))).toEqual({ notify: false, skip: 'muted' })
    // Expiry by time alone: no event unmuted it.
    const expiredAt = NOW + 3_600_000
    const later = input({ conversation: { title: null, readSeq: 0, mutedUntil: expiredAt }, now: expiredAt, message: message({ timestamp: expiredAt - 10 }) })
    expect(decideNotification(later).notify).toBe(true)
  })

  it('mentions of me or @all notify in a muted group only with mentionsInMuted', () => {
    const conversation = { title: 'Team', readSeq: 0, mutedUntil: MUTED_UNTIL_TURNED_OFF }
    const toMe = groupMessage({ type: 'text', text: '@me look', mentions: ['Me'] })
    const toAll = groupMessage({ type: 'text', text: '@all look', mentionAll: true })
    const toOther = groupMessage({ type: 'text', text: '@carol look', mentions: ['carol'] })
    const on = decideNotification(input({ message: toMe, conversation }))
    expect(on.notify && on.payload.mention).toBe('me')
    const all = decideNotification(input({ message: toAll, conversation }))
    expect(all.notify && all.payload.mention).toBe('all')
    expect(decideNotification(input({ message: toOther, conversation }))).toEqual({ notify: false, skip: 'muted' })
    expect(decideNotification(input({ message: toMe, conversation }, { mentionsInMuted: false }))).toEqual({ notify: false, skip: 'muted' })
  })

  it('content setting: sender and text / sender only / nothing', () => {
    const senderOnly = decideNotification(input({}, { content: 'senderOnly' }))
    expect(senderOnly.notify && [senderOnly.payload.sender, senderOnly.payload.preview]).toEqual(['bob', null])
    const nothing = decideNotification(input({}, { content: 'nothing' }))
    expect(nothing.notify && [nothing.payload.sender, nothing.payload.conversationTitle, nothing.payload.preview]).toEqual(['', null, null])
    expect(nothing.notify && nothing.payload.tag).toBe('single:bob')
  })

  it('sound setting makes the notification silent', () => {
    const quiet = decideNotification(input({}, { sound: false }))
    expect(quiet.notify && quiet.payload.silent).toBe(true)
  })

  it('skips what another device already read, rooms, and old catch-up messages', () => {
    expect(decideNotification(input({ conversation: { title: null, readSeq: 5, mutedUntil: 0 } }))).toEqual({ notify: false, skip: 'alreadyRead' })
    const room = message({ chatType: 'room', conversationId: 'lobby', to: 'lobby', seq: null })
    expect(decideNotification(input({ message: room }))).toEqual({ notify: false, skip: 'room' })
    expect(decideNotification(input({ message: message({ timestamp: NOW - NOTIFY_MAX_AGE_MS - 1 }) }))).toEqual({ notify: false, skip: 'stale' })
  })

  it('previews attachments by kind and files by name, and cuts long text', () => {
    const image = decideNotification(input({ message: message({}, { type: 'image' } as unknown as MessageContent) }))
    expect(image.notify && image.payload.preview).toEqual({ kind: 'image' })
    const file = decideNotification(input({ message: message({}, { type: 'file', file: { name: 'report.pdf' } } as unknown as MessageContent) }))
    expect(file.notify && file.payload.preview).toEqual({ kind: 'file', name: 'report.pdf' })
    const long = decideNotification(input({ message: message({}, { type: 'text', text: 'x'.repeat(500) }) }))
    expect(long.notify && long.payload.preview?.kind === 'text' && long.payload.preview.text.length).toBe(201)
  })
})
