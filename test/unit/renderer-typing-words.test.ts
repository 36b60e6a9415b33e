// The typing indicator's words: by name up to two people, by count beyond.
import { describe, expect, it } from 'vitest'
import { typingSentence } from '../../src/renderer/src/features/messages/typing-words'

describe('typingSentence', () => {
  it('says who types, by name up to two and by count beyond', () => {
    expect(typingSentence([], true)).toBeNull()
    expect(typingSentence(['alice'], false)).toBe('typing…')
    expect(typingSentence(['alice'], true)).toBe('alice is typing…')
    expect(typingSentence(['alice', 'bob'], true)).toBe('alice and bob are typing…')
    expect(typingSentence(['alice', 'bob', 'carol'], true)).toBe('3 people are typing…')
  })
})
