// The message store asks for older pages that grow with what is loaded (up to the IPC maximum), so scrolling to
// the oldest of a long chat takes few round trips. The bridge is replaced by a fake history of 1,000 messages.
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ChatMessage } from '../../src/shared/model'

const HISTORY = 1_000
const limits: number[] = []

function messageAt(seq: number): ChatMessage {
  return {
    id: seq.toString(16).padStart(32, '0'),
    serverId: seq,
    seq,
    conversationId: 'bob',
    chatType: 'single',
    from: 'bob',
    to: 'alice',
    direction: 'in',
    content: { type: 'text', text: `m${seq}` },
    timestamp: seq,
    status: 'received',
    error: null
  }
}

vi.mock('../../src/renderer/src/bridge', () => ({
  bridge: {
    on: () => () => undefined,
    invoke: (method: string, args: { beforeSeq: number | null; limit: number }) => {
      if (method !== 'messages.page') throw new Error(`unexpected ${method}`)
      limits.push(args.limit)
      const newest = args.beforeSeq === null ? HISTORY : args.beforeSeq - 1
      const oldest = Math.max(1, newest - args.limit + 1)
      const messages: ChatMessage[] = []
      for (let seq = oldest; seq <= newest; seq++) messages.push(messageAt(seq))
      return Promise.resolve({ messages, hasMore: oldest > 1 })
    }
  }
}))

describe('older pages in the message store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    limits.length = 0
  })

  it('scrolling up to the oldest of 1,000 messages asks 50, then 50, 100, 200, 200, ... (7 pages, not 20)', async () => {
    const { useMessageStore } = await import('../../src/renderer/src/stores/messages')
    const store = useMessageStore()
    await store.loadInitial('single:bob')
    while ((await store.loadOlder('single:bob')) > 0);
    expect(limits).toEqual([50, 50, 100, 200, 200, 200, 200])
    const state = store.stateOf('single:bob')!
    expect(state.messages.length).toBe(HISTORY)
    expect(state.messages[0]!.seq).toBe(1)
    expect(state.hasMore).toBe(false)
  })
})
