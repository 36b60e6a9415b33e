// Covers what a reply quotes and what a forward sends (core/forward/compose.ts): the quote's one-line preview, one
// message forwarded as itself (mentions dropped, marked forwarded), several as one combined message in time order
// with its "Chat history of ..." title, and what cannot be forwarded.
import { describe, expect, it } from 'vitest'
import { combinedTitle, forwardContent, replyInfoOf } from '../../src/main/core/forward/compose'
import { messagePreview as previewOf, MESSAGE_PREVIEW_MAX_CHARS as REPLY_PREVIEW_MAX_CHARS } from '../../src/shared/message-preview'
import type { ChatMessage, MessageContent } from '../../src/shared/model'

function message(id: string, from: string, timestamp: number, content: MessageContent): ChatMessage {
  return { id, serverId: 1, conversationId: 'bob', chatType: 'single', from, to: 'bob', direction: 'out', content, timestamp, seq: 3, status: 'sent', error: null }
}

const file = { id: 'att1', name: 'report.pdf', mime: 'application/pdf', size: 10, sha256: 'ab', secret: 's', hasThumbnail: false }

describe('reply quotes and forwards', () => {
  it('quotes the first non-empty line, cut to the preview length', () => {
    const long = 'x'.repeat(REPLY_PREVIEW_MAX_CHARS + 10)
    expect(replyInfoOf(message('a'.repeat(32), 'alice', 1, { type: 'text', text: '\n  \nfirst\nsecond' }))).toEqual({
      id: 'a'.repeat(32), serverId: 1, from: 'alice', preview: 'first', seq: 3
    })
    expect([...previewOf({ type: 'text', text: long })].length).toBe(REPLY_PREVIEW_MAX_CHARS)
    expect(previewOf({ type: 'file', file })).toBe('File: report.pdf')
    expect(() => replyInfoOf(message('b'.repeat(32), 'alice', 1, { type: 'command', action: 'x', params: {} }))).toThrow()
  })

  it('forwards one message as itself without its mentions, marked forwarded; media keep their attachment', () => {
    expect(forwardContent([message('a'.repeat(32), 'alice', 1, { type: 'text', text: 'hi @bob', mentions: ['bob'] })])).toEqual({
      content: { type: 'text', text: 'hi @bob' },
      forwarded: true
    })
    expect(forwardContent([message('a'.repeat(32), 'alice', 1, { type: 'file', file })]).content).toEqual({ type: 'file', file })
  })

  it('forwards several as one combined message in time order, titled by the people in it', () => {
    const later = message('b'.repeat(32), 'bob', 20, { type: 'text', text: 'second' })
    const earlier = message('a'.repeat(32), 'alice', 10, { type: 'text', text: 'first' })
    const { content, forwarded } = forwardContent([later, earlier])
    expect(forwarded).toBe(false)
    expect(content).toEqual({
      type: 'combined',
      title: 'Chat history of alice and bob',
      items: [
        { from: 'alice', timestamp: 10, content: { type: 'text', text: 'first' } },
        { from: 'bob', timestamp: 20, content: { type: 'text', text: 'second' } }
      ]
    })
    expect(combinedTitle(['alice', 'bob', 'carol', 'alice'])).toBe('Chat history of alice, bob and carol')
    expect(() => forwardContent([])).toThrow()
  })
})
