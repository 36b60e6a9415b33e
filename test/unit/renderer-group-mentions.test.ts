// @mentions in group text: the bubble's highlighted pieces, the composer's "@na" at the caret, and who a text names.
import { describe, expect, it } from 'vitest'
import { mentionPieces, mentionQueryAt, mentionsIn, mentionSuggestionFits } from '../../src/renderer/src/features/groups/mentions'

describe('group mentions', () => {
  it('highlights only the users the message mentions, and @all only when it says so', () => {
    expect(mentionPieces('hi @bob and @carol, @all', ['bob'], false)).toEqual([
      { text: 'hi ', mention: false },
      { text: '@bob', mention: true },
      { text: ' and @carol, @all', mention: false }
    ])
    expect(mentionPieces('@all now', [], true)).toEqual([
      { text: '@all', mention: true },
      { text: ' now', mention: false }
    ])
    expect(mentionPieces('plain', [], false)).toEqual([{ text: 'plain', mention: false }])
  })

  it('finds the name being typed at the caret, not one inside a word', () => {
    expect(mentionQueryAt('hello @Bo', 9)).toEqual({ start: 6, query: 'bo' })
    expect(mentionQueryAt('@', 1)).toEqual({ start: 0, query: '' })
    expect(mentionQueryAt('mail@host', 9)).toBeNull()
    expect(mentionQueryAt('hello @bob there', 16)).toBeNull()
  })

  it('names the members it mentions, and @all only for those who may say it', () => {
    expect(mentionsIn('@Bob @dave @all', ['bob', 'carol'], false)).toEqual({ mentions: ['bob'], mentionAll: false })
    expect(mentionsIn('@all', ['bob'], true)).toEqual({ mentions: [], mentionAll: true })
  })

  it('suggests a member by the start of their id or of a word of their shown name', () => {
    expect(mentionSuggestionFits('ben', 'Ben Smith', 'be')).toBe(true)
    expect(mentionSuggestionFits('u123', 'Ben Smith', 'smi')).toBe(true)
    expect(mentionSuggestionFits('u123', 'Ben Smith', 'u1')).toBe(true)
    expect(mentionSuggestionFits('u123', 'Ben Smith', 'ith')).toBe(false)
    expect(mentionSuggestionFits('carol', 'carol', 'b')).toBe(false)
  })
})
