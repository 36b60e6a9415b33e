// Unit tests for the wire mapping of message content (src/main/core/protocol/content.ts): every content type and
// the body-level extras survive encode -> bytes -> decode, and a body of a type this version does not know is null.
import { describe, expect, it } from 'vitest'
import $protobuf from 'protobufjs/minimal.js'
import type { AttachmentInfo, ChatMessage, MessageContent } from '../../src/shared/model'
import { pb } from '../../src/shared/proto/codec'
import { bodyOfMessage, contentFromBody, extrasFromBody } from '../../src/main/core/protocol/content'
import { incoming } from './store-helpers'

const FILE: AttachmentInfo = { id: 'att-1', name: 'photo.png', mime: 'image/png', size: 1234, sha256: 'ab'.repeat(32), secret: 's3', hasThumbnail: true }
const POSTER: AttachmentInfo = { ...FILE, id: 'att-2', name: 'poster.jpg', mime: 'image/jpeg' }

const CONTENTS: MessageContent[] = [
  { type: 'text', text: 'hello @bob', mentions: ['bob'], mentionAll: true },
  { type: 'image', file: FILE, width: 640, height: 480 },
  { type: 'voice', file: { ...FILE, mime: 'audio/amr', hasThumbnail: false }, durationMs: 3200 },
  { type: 'video', file: { ...FILE, mime: 'video/mp4' }, durationMs: 9000, width: 1280, height: 720, poster: POSTER },
  { type: 'video', file: { ...FILE, mime: 'video/mp4' }, durationMs: 9000, width: 1280, height: 720, poster: null },
  { type: 'file', file: { ...FILE, name: 'report.pdf', mime: 'application/pdf', hasThumbnail: false } },
  { type: 'location', latitude: 52.52, longitude: 13.405, address: 'Alexanderplatz, Berlin', name: 'Fernsehturm' },
  { type: 'command', action: 'refresh', params: { scope: 'all' } },
  { type: 'custom', event: 'order', fields: { id: '42', total: '9.90' }, fallbackText: 'Order #42' },
  {
    type: 'combined',
    title: 'Chat history of alice and bob',
    items: [
      { from: 'alice', timestamp: 1000, content: { type: 'text', text: 'first' } },
      { from: 'bob', timestamp: 2000, content: { type: 'image', file: FILE, width: 10, height: 20 } }
    ]
  }
]

function roundTrip(message: ChatMessage): ReturnType<typeof pb.Body.decode> {
  return pb.Body.decode(pb.Body.encode(bodyOfMessage(message)).finish())
}

describe('message content on the wire', () => {
  it.each(CONTENTS.map((content) => [content.type, content] as const))('a %s survives encode and decode', (_type, content) => {
    const body = roundTrip({ ...incoming('bob', 1), content })
    expect(contentFromBody(body)).toEqual(content)
  })

  it('carries the reply quote, burn-after-reading time and forwarded flag', () => {
    const message: ChatMessage = {
      ...incoming('bob', 2),
      replyTo: { id: '0123456789abcdef0123456789abcdef', serverId: 7, from: 'alice', preview: 'Photo', seq: 5 },
      burnAfterReadSec: 30,
      forwarded: true
    }
    expect(extrasFromBody(roundTrip(message))).toEqual({ replyTo: message.replyTo, burnAfterReadSec: 30, forwarded: true })
    expect(extrasFromBody(roundTrip(incoming('bob', 3)))).toEqual({})
  })

  it('answers null for a body of a type this version does not know, and for media without its file', () => {
    const future = pb.Body.decode($protobuf.Writer.create().uint32((19 << 3) | 2).string('sticker').finish())
    expect(contentFromBody(future)).toBeNull()
    expect(contentFromBody({ image: { width: 1 } })).toBeNull()
  })

  it('refuses to encode a notice or unsupported content', () => {
    expect(() => bodyOfMessage({ ...incoming('bob', 4), content: { type: 'unsupported', raw: '' } })).toThrow()
  })
})
