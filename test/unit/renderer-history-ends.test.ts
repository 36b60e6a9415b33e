// The message store's two ends of a long chat: Home opens a window at the first message in one round trip (not page by
// page from the newest), scrolling down from there pages newer messages in until the window is live again, and End
// goes straight back to the newest page; a reply's quote of a message not loaded opens the chat around it. The bridge
// is replaced by a fake history of 100,000 messages.
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { computed, effectScope, nextTick, ref } from 'vue'
import type { ChatMessage } from '../../src/shared/model'

const HISTORY = 100_000
const calls: string[] = []
let pushUpsert: ((message: ChatMessage) => void) | null = null

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

function range(from: number, to: number): ChatMessage[] {
  const messages: ChatMessage[] = []
  for (let seq = Math.max(1, from); seq <= Math.min(HISTORY, to); seq++) messages.push(messageAt(seq))
  return messages
}

vi.mock('../../src/renderer/src/bridge', () => ({
  bridge: {
    on: (event: string, listener: (message: ChatMessage) => void) => {
      if (event === 'message.upsert') pushUpsert = listener
      return () => undefined
    },
    invoke: (method: string, args: { beforeSeq?: number | null; afterSeq?: number; limit: number }) => {
      calls.push(method)
      if (method === 'reactions.of' || method === 'pins.set') return Promise.resolve([])
      if (method === 'messages.page') {
        const newest = args.beforeSeq === null || args.beforeSeq === undefined ? HISTORY : args.beforeSeq - 1
        const oldest = newest - args.limit + 1
        return Promise.resolve({ messages: range(oldest, newest), hasMore: oldest > 1 })
      }
      if (method === 'messages.after') {
        const from = args.afterSeq! + 1
        const to = from + args.limit - 1
        return Promise.resolve({ messages: range(from, to), hasMore: from > 1, hasNewer: to < HISTORY })
      }
      if (method === 'messages.around') {
        const seq = parseInt((args as unknown as { messageId: string }).messageId, 16)
        return Promise.resolve({ messages: range(seq - 25, seq + 24), hasMore: seq > 26, hasNewer: seq + 24 < HISTORY })
      }
      throw new Error(`unexpected ${method}`)
    }
  }
}))

describe('the two ends of a long chat in the message store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    calls.length = 0
  })

  it('Home loads the first message in one round trip, scrolling down returns to live, End goes back to the newest', async () => {
    const { useMessageStore } = await import('../../src/renderer/src/stores/messages')
    const store = useMessageStore()
    await store.loadInitial('single:bob')
    expect(store.stateOf('single:bob')!.messages.at(-1)!.seq).toBe(HISTORY)

    await store.jumpToOldest('single:bob')
    const state = store.stateOf('single:bob')!
    expect(calls).toEqual(['messages.page', 'messages.after'])
    expect(state.messages[0]!.seq).toBe(1)
    expect(state.messages.length).toBeLessThanOrEqual(200)
    expect(state.hasMore).toBe(false)
    expect(state.hasNewer).toBe(true)
    // The page's own end is known, so the list does not take it for a message arriving.
    expect(state.lastPagedId).toBe(state.messages.at(-1)!.id)

    // A live message while the window is far back is not glued after a hole.
    pushUpsert!(messageAt(HISTORY + 1))
    await Promise.resolve() // let the arrival merge (one microtask per task), or this check could not fail
    expect(state.messages.some((message) => message.seq === HISTORY + 1)).toBe(false)

    // Scrolling down: newer pages in order until the window reaches the newest message and is live again.
    const near = state.messages.length
    expect(await store.loadNewer('single:bob')).toBeGreaterThan(0)
    expect(state.messages.length).toBeGreaterThan(near)
    expect(state.messages.every((message, index) => message.seq === index + 1)).toBe(true)

    // End: the newest page at once, live (arrivals merge again), no older history lost from reach.
    await store.jumpToLatest('single:bob')
    expect(calls.at(-1)).toBe('messages.page')
    expect(state.messages.at(-1)!.seq).toBe(HISTORY)
    expect(state.messages.length).toBeLessThanOrEqual(200)
    expect(state.hasNewer).toBe(false)
    expect(state.hasMore).toBe(true)
    pushUpsert!(messageAt(HISTORY + 1))
    await Promise.resolve() // arrivals of one task merge together, in a microtask
    expect(state.messages.at(-1)!.seq).toBe(HISTORY + 1)
  })

  it('Home in a chat loaded whole asks nothing more', async () => {
    const { useMessageStore } = await import('../../src/renderer/src/stores/messages')
    const store = useMessageStore()
    await store.loadInitial('single:bob')
    store.stateOf('single:bob')!.hasMore = false
    await store.jumpToOldest('single:bob')
    await store.jumpToLatest('single:bob')
    expect(calls).toEqual(['messages.page'])
  })

  it('a quote of a message newer than a window at the start opens the chat around it', async () => {
    vi.stubGlobal('requestAnimationFrame', (callback: () => void) => setTimeout(callback, 0))
    const { useMessageStore } = await import('../../src/renderer/src/stores/messages')
    const { useReplyStore } = await import('../../src/renderer/src/features/messages/reply-store')
    const { useJumpToMessage } = await import('../../src/renderer/src/features/messages/use-jump-to-message')
    const store = useMessageStore()
    await store.loadInitial('single:bob')
    await store.jumpToOldest('single:bob')
    const state = computed(() => store.stateOf('single:bob'))
    const scope = effectScope()
    scope.run(() =>
      useJumpToMessage({
        conversationKey: () => 'single:bob',
        items: computed(() => state.value?.messages ?? []),
        state,
        scrollToIndex: () => undefined,
        followsBottom: ref(false)
      })
    )
    const quoted = messageAt(60_000)
    useReplyStore().jumpTo('single:bob', { messageId: quoted.id, serverId: quoted.serverId, seq: quoted.seq })
    await vi.waitFor(() => expect(state.value?.focusId).toBe(quoted.id))
    await nextTick()
    expect(state.value!.messages.some((message) => message.id === quoted.id)).toBe(true)
    expect(calls.at(-1)).toBe('messages.around')
    scope.stop()
    vi.unstubAllGlobals()
  })
})
