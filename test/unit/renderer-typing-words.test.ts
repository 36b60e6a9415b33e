// The ticks a message shows (deliveryStateOf: status + the peer's two pointers) and the typing indicator's words.
import { describe, expect, it } from 'vitest'
import type { ChatMessage } from '../../src/shared/model'
import { deliveryStateOf } from '../../src/shared/model/delivery-state'
import { typingSentence } from '../../src/renderer/src/features/messages/typing-words'

function message(patch: Partial<ChatMessage>): ChatMessage {
  return {
    id: '0'.repeat(32),
    serverId: 1,
    conversationId: 'bob',
    chatType: 'single',
    from: 'alice',
    to: 'bob',
    direction: 'out',
    content: { type: 'text', text: 'hi' },
    timestamp: 1,
    seq: 10,
    status: 'sent',
    error: null,
    ...patch
  }
}

describe('deliveryStateOf', () => {
  it('moves sending -> sent -> delivered -> read with the peer\'s pointers in my log positions', () => {
    expect(deliveryStateOf(message({ status: 'sending', seq: null }), null)).toBe('sending')
    expect(deliveryStateOf(message({}), { deliveredSeq: 9, readSeq: 0 })).toBe('sent')
    expect(deliveryStateOf(message({}), { deliveredSeq: 10, readSeq: 9 })).toBe('delivered')
    expect(deliveryStateOf(message({}), { deliveredSeq: 12, readSeq: 10 })).toBe('read')
    expect(deliveryStateOf(message({ status: 'failed' }), { deliveredSeq: 12, readSeq: 12 })).toBe('failed')
  })

  it('shows no ticks on incoming messages, rooms and notices; a group seq is never compared with 1:1 pointers', () => {
    expect(deliveryStateOf(message({ direction: 'in', status: 'received' }), { deliveredSeq: 99, readSeq: 99 })).toBeNull()
    expect(deliveryStateOf(message({ chatType: 'room' }), null)).toBeNull()
    expect(deliveryStateOf(message({ chatType: 'group' }), { deliveredSeq: 99, readSeq: 99 })).toBe('sent')
  })
})

describe('typingSentence', () => {
  it('says who types, by name up to two and by count beyond', () => {
    expect(typingSentence([], true)).toBeNull()
    expect(typingSentence(['alice'], false)).toBe('typing…')
    expect(typingSentence(['alice'], true)).toBe('alice is typing…')
    expect(typingSentence(['alice', 'bob'], true)).toBe('alice and bob are typing…')
    const nameOf = (user: string): string => (user === 'bob' ? 'Ben Smith' : user)
    expect(typingSentence(['bob'], true, nameOf)).toBe('Ben Smith is typing…')
    expect(typingSentence(['alice', 'bob'], true, nameOf)).toBe('alice and Ben Smith are typing…')
    expect(typingSentence(['alice', 'bob', 'carol'], true)).toBe('3 people are typing…')
  })
})
