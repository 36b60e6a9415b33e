// The live window of a room (mergeRoomMessages, shared by the core and the renderer): one entry per client id
// whatever arrives twice (a re-join's window over live pushes), server order with pending sends last, and a cap.
import { describe, expect, it } from 'vitest'
import type { ChatMessage } from '../../src/shared/model'
import { mergeRoomMessages } from '../../src/shared/model/rooms'

function message(id: string, serverId: number | null, timestamp = serverId ?? 0): ChatMessage {
  return {
    id,
    serverId,
    conversationId: 'room-x',
    chatType: 'room',
    from: 'alice',
    to: 'room-x',
    direction: 'in',
    content: { type: 'text', text: id },
    timestamp,
    seq: null,
    status: serverId === null ? 'sending' : 'received',
    error: null
  }
}

const ids = (list: ChatMessage[]): string[] => list.map((m) => m.id)

describe('mergeRoomMessages', () => {
  it('keeps one entry per client id when a window overlaps what was kept', () => {
    const kept = [message('a', 1), message('b', 2), message('c', 3)]
    const window = [message('b', 2), message('c', 3), message('d', 4), message('e', 5)]
    expect(ids(mergeRoomMessages(kept, window))).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('orders by server id whatever the arrival order, pending sends last until acked', () => {
    const pending = message('mine', null, 100)
    let list = mergeRoomMessages([message('a', 1)], [pending])
    list = mergeRoomMessages(list, [message('c', 3), message('b', 2)])
    expect(ids(list)).toEqual(['a', 'b', 'c', 'mine'])
    // The ack gives it a server id between others: it moves there, and is still there once.
    list = mergeRoomMessages(list, [{ ...pending, serverId: 2.5, status: 'sent' }])
    expect(ids(list)).toEqual(['a', 'b', 'mine', 'c'])
    expect(list.find((m) => m.id === 'mine')?.status).toBe('sent')
  })

  it('keeps only the newest `cap` messages', () => {
    const many = Array.from({ length: 12 }, (_, i) => message(`m${i}`, i + 1))
    expect(ids(mergeRoomMessages([], many, 5))).toEqual(['m7', 'm8', 'm9', 'm10', 'm11'])
  })
})
