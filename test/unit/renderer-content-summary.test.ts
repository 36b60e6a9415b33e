// How each message type reads where only a line fits: the conversation list's preview and accessible name
// ("Photo", "Voice message (0:03)", "File: report.pdf", "Location", a custom message's fallback text), and links
// found in text (only http, https and mailto become links).
import { describe, expect, it } from 'vitest'
import { conversationAccessibleName, previewText } from '../../src/renderer/src/utils/conversation-label'
import { contentSummary, formatDuration, formatFileSize } from '../../src/renderer/src/features/messages/content-summary'
import { linkPieces, richTextPieces } from '../../src/renderer/src/features/messages/text-pieces'
import type { AttachmentInfo, ChatMessage, Conversation, MessageContent } from '../../src/shared/model'

const file = (name: string, mime: string): AttachmentInfo => ({ id: 'att1', name, mime, size: 2048, sha256: '', secret: '', hasThumbnail: false })

function conversationWith(content: MessageContent, direction: 'in' | 'out' = 'in', chatType: Conversation['chatType'] = 'single'): Conversation {
  const last: ChatMessage = {
    id: 'a'.repeat(32),
    serverId: 1,
    conversationId: 'bob',
    chatType,
    from: direction === 'in' ? 'bob' : 'alice',
    to: direction === 'in' ? 'alice' : 'bob',
    direction,
    content,
    timestamp: 1,
    seq: 1,
    status: 'received',
    error: null
  }
  return { id: 'bob', chatType, title: null, lastMessage: last, unreadCount: 1, readSeq: 0, draft: null, updatedAt: 1 }
}

describe('message type previews', () => {
  it('names every type in the conversation list', () => {
    expect(previewText(conversationWith({ type: 'image', file: file('a.png', 'image/png'), width: 10, height: 10 }))).toBe('Photo')
    expect(previewText(conversationWith({ type: 'voice', file: file('v.amr', 'audio/amr'), durationMs: 3_200 }))).toBe('Voice message (0:03)')
    expect(previewText(conversationWith({ type: 'video', file: file('v.mp4', 'video/mp4'), durationMs: 72_000, width: 1, height: 1, poster: null }, 'out'))).toBe(
      'You: Video (1:12)'
    )
    expect(previewText(conversationWith({ type: 'file', file: file('report.pdf', 'application/pdf') }))).toBe('File: report.pdf')
    expect(previewText(conversationWith({ type: 'location', latitude: 1, longitude: 2, address: '', name: '' }))).toBe('Location')
    expect(previewText(conversationWith({ type: 'location', latitude: 1, longitude: 2, address: '1 Main St', name: '' }))).toBe('Location: 1 Main St')
    expect(previewText(conversationWith({ type: 'custom', event: 'order', fields: { id: '7' }, fallbackText: 'Order #7 shipped' }))).toBe('Order #7 shipped')
    expect(previewText(conversationWith({ type: 'custom', event: 'order', fields: {}, fallbackText: ' ' }))).toBe('Custom message (order)')
    expect(previewText(conversationWith({ type: 'combined', title: 'Chat history of bob and carol', items: [] }))).toBe('Chat history: Chat history of bob and carol')
    expect(previewText(conversationWith({ type: 'image', file: file('a.png', 'image/png'), width: 1, height: 1 }, 'in', 'group'))).toBe('bob: Photo')
  })

  it('never shows a command, and says so in the accessible name', () => {
    const withCommand = conversationWith({ type: 'command', action: 'typing', params: {} })
    expect(previewText(withCommand)).toBe('No messages yet')
    expect(contentSummary({ type: 'command', action: 'x', params: {} })).toBe('')
    expect(conversationAccessibleName(conversationWith({ type: 'voice', file: file('v.mp3', 'audio/mpeg'), durationMs: 0 }))).toBe(
      'bob, 1 unread, last message: Voice message'
    )
  })

  it('formats durations and sizes as players and file managers do', () => {
    expect([formatDuration(0), formatDuration(3_499), formatDuration(61_000), formatDuration(3_600_000 + 5_000), formatDuration(Number.NaN)]).toEqual([
      '0:00',
      '0:03',
      '1:01',
      '1:00:05',
      '0:00'
    ])
    expect([formatFileSize(512), formatFileSize(1536), formatFileSize(25 * 1024 * 1024), formatFileSize(3.5 * 1024 ** 3)]).toEqual([
      '512 B',
      '1.5 KB',
      '25 MB',
      '3.5 GB'
    ])
  })
})

describe('links in text', () => {
  it('finds web and mail links and leaves the rest as text', () => {
    expect(linkPieces('see https://example.com/a?b=1, or mail me@example.org')).toEqual([
      { text: 'see ' },
      { text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { text: ', or mail ' },
      { text: 'me@example.org', href: 'mailto:me@example.org' }
    ])
    expect(linkPieces('example.com')).toEqual([{ text: 'example.com', href: 'http://example.com' }])
    // Other schemes are never links.
    expect(linkPieces('ftp://example.com/x javascript:alert(1)').every((piece) => piece.href === undefined)).toBe(true)
  })

  it('keeps mentions apart from links', () => {
    expect(richTextPieces('@bob see https://a.example', ['bob'])).toEqual([
      { text: '@bob', mention: true },
      { text: ' see ' },
      { text: 'https://a.example', href: 'https://a.example' }
    ])
  })
})
