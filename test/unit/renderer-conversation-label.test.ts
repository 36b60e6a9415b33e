// Renderer conversation labels and text limits: the accessible name starts with the peer's username
// (the e2e contract), previews are one clipped line, and the composer's byte limit matches the protocol.
import { afterEach, describe, expect, it } from 'vitest'
import { setLocale } from '../../src/renderer/src/i18n'
import {
  conversationAccessibleName,
  messageText,
  needsNewerVersion,
  previewText,
  unreadBadgeText
} from '../../src/renderer/src/utils/conversation-label'
import { MAX_TEXT_BYTES, textTooLongError, utf8ByteLength } from '../../src/renderer/src/utils/text-limits'
import type { ChatMessage, Conversation } from '../../src/shared/model'
import { MAX_TEXT_BYTES as PROTOCOL_MAX_TEXT_BYTES } from '../../src/shared/proto/codec'

function lastMessage(text: string, direction: 'in' | 'out'): ChatMessage {
  return {
    id: 'a'.repeat(32),
    serverId: 1,
    conversationId: 'bob',
    chatType: 'single',
    from: direction === 'in' ? 'bob' : 'alice',
    to: direction === 'in' ? 'alice' : 'bob',
    direction,
    content: { type: 'text', text },
    timestamp: 1,
    seq: 1,
    status: direction === 'in' ? 'received' : 'sent',
    error: null
  }
}

function conversation(unreadCount: number, last: ChatMessage | null): Conversation {
  return { id: 'bob', chatType: 'single', title: null, lastMessage: last, unreadCount, readSeq: 0, draft: null, updatedAt: 1 }
}

describe('renderer conversation labels', () => {
  afterEach(() => setLocale('en'))

  it('says who spoke last in a group or room, not in a one-to-one chat', () => {
    const inGroup: Conversation = { ...conversation(1, lastMessage('lunch?', 'in')), id: 'g-1', chatType: 'group', title: 'Team' }
    expect(previewText(inGroup)).toBe('bob: lunch?')
    expect(previewText({ ...inGroup, chatType: 'room' })).toBe('bob: lunch?')
    expect(previewText({ ...inGroup, lastMessage: lastMessage('on my way', 'out') })).toBe('You: on my way')
    expect(previewText(conversation(1, lastMessage('lunch?', 'in')))).toBe('lunch?')
  })

  it('names a conversation starting with the username, then unread count and last message', () => {
    expect(conversationAccessibleName(conversation(2, lastMessage('hi', 'in')))).toBe('bob, 2 unread, last message: hi')
    expect(conversationAccessibleName(conversation(0, lastMessage('see you', 'out')))).toBe('bob, last message: You: see you')
    expect(conversationAccessibleName(conversation(0, null))).toBe('bob, no messages yet')
  })

  it('previews one line, clipped', () => {
    expect(previewText(conversation(0, lastMessage('line one\n\nline   two', 'in')))).toBe('line one line two')
    const long = previewText(conversation(0, lastMessage('x'.repeat(500), 'in')))
    expect(long.length).toBe(80)
    expect(long.endsWith('…')).toBe(true)
  })

  it('previews and names an unsent draft first, as "Draft: …"', () => {
    const withMessage = conversation(1, lastMessage('hi', 'in'))
    expect(previewText(withMessage, 'half a\nthought')).toBe('Draft: half a thought')
    expect(conversationAccessibleName(withMessage, 'half a thought')).toBe('bob, 1 unread, Draft: half a thought')
    // A draft of only spaces is no draft.
    expect(previewText(withMessage, '   ')).toBe('hi')
  })

  it('shows a message this version cannot read as "needs a newer version", never as empty text', () => {
    const unsupported: ChatMessage = { ...lastMessage('', 'in'), content: { type: 'unsupported', raw: 'AAEC' } }
    expect(messageText(unsupported)).toBe(needsNewerVersion())
    expect(previewText(conversation(1, unsupported))).toBe(needsNewerVersion())
  })

  it('previews a group notice as the timeline says it, from the signed-in user\'s side', () => {
    const removed: ChatMessage = {
      ...lastMessage('', 'in'),
      conversationId: 'g-1',
      chatType: 'group',
      from: 'alice',
      to: 'g-1',
      content: { type: 'notice', kind: 'removed', actor: 'alice', users: ['bob'], text: '', until: 0, serverId: 0 }
    }
    const group: Conversation = { ...conversation(1, removed), id: 'g-1', chatType: 'group', title: 'Team' }
    expect(previewText(group, null, 'bob')).toBe('alice removed you')
    expect(previewText(group, null, 'alice')).toBe('You removed bob')
    expect(conversationAccessibleName(group, null, 'bob')).toBe('Team, group, 1 unread, last message: alice removed you')
    expect(messageText(removed, 'alice')).toBe('You removed bob')
    // People by their shown names (the contacts store's displayName in the app).
    const nameOf = (user: string): string => (user === 'bob' ? 'Ben Smith' : user)
    expect(previewText(group, null, 'alice', nameOf)).toBe('You removed Ben Smith')
    expect(conversationAccessibleName(group, null, 'alice', { nameOf })).toBe('Team, group, 1 unread, last message: You removed Ben Smith')
  })

  it('previews a group message under the sender\'s shown name; mine stays "You"', () => {
    const fromBob: ChatMessage = { ...lastMessage('lunch?', 'in'), conversationId: 'g-1', chatType: 'group', from: 'bob', to: 'g-1' }
    const group: Conversation = { ...conversation(1, fromBob), id: 'g-1', chatType: 'group', title: 'Team' }
    const nameOf = (user: string): string => (user === 'bob' ? 'Ben Smith' : user)
    expect(previewText(group, null, 'alice', nameOf)).toBe('Ben Smith: lunch?')
    expect(previewText(group, null, 'alice')).toBe('bob: lunch?')
    expect(previewText({ ...group, lastMessage: { ...fromBob, direction: 'out', from: 'alice' } }, null, 'alice', nameOf)).toBe('You: lunch?')
  })

  it('says a friend\'s presence after the name and do not disturb last, with the locale\'s separator', () => {
    const chat = conversation(2, lastMessage('hi', 'in'))
    expect(conversationAccessibleName(chat, null, null, { online: true, muted: true })).toBe('bob, online, 2 unread, last message: hi, do not disturb')
    expect(conversationAccessibleName(chat, null, null, { online: false })).toBe('bob, offline, 2 unread, last message: hi')
    setLocale('zh-CN')
    expect(conversationAccessibleName(chat, null, null, { online: true, muted: true })).toBe('bob，在线，2 条未读，最新消息：hi，免打扰')
  })

  it('caps the unread badge', () => {
    expect(unreadBadgeText(7)).toBe('7')
    expect(unreadBadgeText(100)).toBe('99+')
  })
})

describe('renderer text limits', () => {
  it('uses the protocol limit and counts UTF-8 bytes, not characters', () => {
    expect(MAX_TEXT_BYTES).toBe(PROTOCOL_MAX_TEXT_BYTES)
    expect(utf8ByteLength('é')).toBe(2)
    expect(utf8ByteLength('👋')).toBe(4)
    expect(textTooLongError('a'.repeat(MAX_TEXT_BYTES))).toBeNull()
    expect(textTooLongError('a'.repeat(MAX_TEXT_BYTES + 1))?.message).toMatch(/too long/)
    // 2,000 characters but 8,000 bytes: too long although short in characters.
    expect(textTooLongError('👋'.repeat(2_000))?.params).toEqual({ limit: MAX_TEXT_BYTES })
  })
})
