// The words of a notification in both languages: one-to-one and group, each content setting, mentions, attachments.
import { afterEach, describe, expect, it } from 'vitest'
import { setLocale } from '../../src/renderer/src/i18n'
import { notificationWords } from '../../src/renderer/src/features/notifications/words'
import type { NotificationPayload } from '../../src/shared/notifications'

function payload(over: Partial<NotificationPayload> = {}): NotificationPayload {
  return {
    conversation: { type: 'single', id: 'bob' },
    chatType: 'single',
    tag: 'single:bob',
    content: 'senderAndText',
    sender: 'bob',
    conversationTitle: 'Bob B.',
    preview: { kind: 'text', text: 'see you at 8' },
    mention: null,
    silent: false,
    messageId: 'a'.repeat(32),
    ...over
  }
}
const group = (over: Partial<NotificationPayload> = {}): NotificationPayload =>
  payload({ conversation: { type: 'group', id: 'g1' }, chatType: 'group', tag: 'group:g1', conversationTitle: 'Climbing', ...over })

describe('notification words', () => {
  afterEach(() => setLocale('en'))

  it('one-to-one: the contact as title, the text as body', () => {
    expect(notificationWords(payload())).toEqual({ title: 'Bob B.', body: 'see you at 8' })
    expect(notificationWords(payload({ preview: null, content: 'senderOnly' }))).toEqual({ title: 'Bob B.', body: 'Sent you a message' })
    expect(notificationWords(payload({ content: 'nothing', sender: '', conversationTitle: null, preview: null }))).toEqual({ title: 'Parley', body: 'New message' })
  })

  it('groups: the group as title, "sender: text", mentions marked', () => {
    expect(notificationWords(group())).toEqual({ title: 'Climbing', body: 'bob: see you at 8' })
    expect(notificationWords(group({ mention: 'me' }))).toEqual({ title: 'Climbing', body: '[@you] bob: see you at 8' })
    expect(notificationWords(group({ preview: null, content: 'senderOnly', mention: 'all' }))).toEqual({ title: 'Climbing', body: 'bob mentioned everyone' })
    expect(notificationWords(group({ preview: { kind: 'file', name: 'topo.pdf' } }), (id) => (id === 'bob' ? 'Bobby' : id))).toEqual({
      title: 'Climbing',
      body: 'Bobby: File: topo.pdf'
    })
  })

  it('in Simplified Chinese', () => {
    setLocale('zh-CN')
    expect(notificationWords(group({ preview: { kind: 'image' } }))).toEqual({ title: 'Climbing', body: 'bob：[图片]' })
    expect(notificationWords(payload({ content: 'nothing', preview: null }))).toEqual({ title: 'Parley', body: '新消息' })
  })
})
