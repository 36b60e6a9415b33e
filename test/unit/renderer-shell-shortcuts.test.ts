// The browser host's desktop shortcuts (next / previous conversation) per platform, and the walk
// through the conversation list's order.
import { describe, expect, it } from 'vitest'
import { neighbourKey, shellShortcutOf, type ShortcutKeys } from '../../src/renderer/src/features/shell/shortcuts'
import { conversationListOrder } from '../../src/renderer/src/features/shell/conversation-order'
import type { Conversation } from '../../src/shared/model'

const keys = (over: Partial<ShortcutKeys>): ShortcutKeys => ({ key: '', code: '', ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...over })

describe('shellShortcutOf', () => {
  it('knows Ctrl+Tab and Ctrl+Shift+Tab everywhere', () => {
    for (const mac of [false, true]) {
      expect(shellShortcutOf(keys({ key: 'Tab', ctrlKey: true }), mac)).toBe('nextConversation')
      expect(shellShortcutOf(keys({ key: 'Tab', ctrlKey: true, shiftKey: true }), mac)).toBe('previousConversation')
    }
  })

  it('knows Alt+Down / Up on Windows and Linux, Cmd+Shift+] / [ on macOS', () => {
    expect(shellShortcutOf(keys({ key: 'ArrowDown', altKey: true }), false)).toBe('nextConversation')
    expect(shellShortcutOf(keys({ key: 'ArrowUp', altKey: true }), false)).toBe('previousConversation')
    expect(shellShortcutOf(keys({ key: 'ArrowDown', altKey: true }), true)).toBeNull()
    expect(shellShortcutOf(keys({ key: '}', code: 'BracketRight', metaKey: true, shiftKey: true }), true)).toBe('nextConversation')
    expect(shellShortcutOf(keys({ key: '{', code: 'BracketLeft', metaKey: true, shiftKey: true }), true)).toBe('previousConversation')
    expect(shellShortcutOf(keys({ key: '}', code: 'BracketRight', ctrlKey: true, shiftKey: true }), false)).toBeNull()
  })

  it('leaves other keys alone (search and settings are their features\' own shortcuts)', () => {
    expect(shellShortcutOf(keys({ key: ',', ctrlKey: true }), false)).toBeNull()
    expect(shellShortcutOf(keys({ key: 'ArrowDown' }), false)).toBeNull()
    expect(shellShortcutOf(keys({ key: 'Tab' }), false)).toBeNull()
    expect(shellShortcutOf(keys({ key: 'k', ctrlKey: true }), false)).toBeNull()
  })
})

describe('neighbourKey', () => {
  const list = ['single:a', 'group:gb', 'room:room-c']
  it('moves forward and back, wrapping at the ends', () => {
    expect(neighbourKey(list, 'single:a', 1)).toBe('group:gb')
    expect(neighbourKey(list, 'room:room-c', 1)).toBe('single:a')
    expect(neighbourKey(list, 'single:a', -1)).toBe('room:room-c')
  })
  it('starts at the first (next) or last (previous) with none open, and has nothing in an empty list', () => {
    expect(neighbourKey(list, null, 1)).toBe('single:a')
    expect(neighbourKey(list, 'single:gone', -1)).toBe('room:room-c')
    expect(neighbourKey([], null, 1)).toBeNull()
  })
})

describe('conversationListOrder', () => {
  const conversation = (id: string, updatedAt: number, pinned = false): Conversation =>
    ({ id, chatType: 'single', title: id, lastMessage: null, unreadCount: 0, readSeq: 0, draft: null, updatedAt, pinned }) as Conversation
  it('puts pinned conversations first, then the newest', () => {
    const order = conversationListOrder([conversation('old', 1), conversation('pinned', 0, true)], [conversation('new', 5)])
    expect(order.map((c) => c.id)).toEqual(['pinned', 'new', 'old'])
  })
})
