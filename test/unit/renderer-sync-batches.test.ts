// The renderer's unpacking of `sync.batch` (bridge/sync-batches.ts): the upsert listeners get a batch's messages,
// then its conversations, in one go; other events pass through; unsubscribing stops both paths; a throwing
// listener does not stop the others.
import { describe, expect, it, vi } from 'vitest'
import { withSyncBatches } from '../../src/renderer/src/bridge/sync-batches'
import type { ParleyBridge, PushEventName, PushEvents } from '../../src/shared/ipc/contract'
import type { ChatMessage, Conversation } from '../../src/shared/model'

function fakeBridge(): { bridge: ParleyBridge; fire<E extends PushEventName>(event: E, payload: PushEvents[E]): void } {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  return {
    bridge: {
      invoke: (() => Promise.resolve(undefined)) as ParleyBridge['invoke'],
      on(event, listener) {
        const set = listeners.get(event) ?? new Set()
        listeners.set(event, set)
        set.add(listener as (payload: unknown) => void)
        return () => set.delete(listener as (payload: unknown) => void)
      }
    },
    // As the real bridges do: a listener that throws does not stop the others.
    fire(event, payload) {
      for (const listener of [...(listeners.get(event) ?? [])]) {
        try {
          listener(payload)
        } catch {
          // logged by the real bridge
        }
      }
    }
  }
}

const m = (id: string): ChatMessage => ({ id, conversationId: 'bob', chatType: 'single' }) as ChatMessage
const c = (id: string): Conversation => ({ id, chatType: 'single' }) as Conversation

describe('withSyncBatches', () => {
  it('hands a batch to the upsert listeners: messages first, then conversations', () => {
    const { bridge: inner, fire } = fakeBridge()
    const bridge = withSyncBatches(inner)
    const seen: string[] = []
    bridge.on('conversation.upsert', (conversation) => seen.push(`c:${conversation.id}`))
    bridge.on('message.upsert', (message) => seen.push(`m:${message.id}`))
    fire('sync.batch', { messages: [m('1'), m('2')], conversations: [c('bob'), c('carol')] })
    fire('message.upsert', m('3'))
    expect(seen).toEqual(['m:1', 'm:2', 'c:bob', 'c:carol', 'm:3'])
  })

  it('stops both paths on unsubscribe and keeps going past a listener that throws', () => {
    const { bridge: inner, fire } = fakeBridge()
    const bridge = withSyncBatches(inner)
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const seen: string[] = []
    bridge.on('message.upsert', () => {
      throw new Error('bad listener')
    })
    const off = bridge.on('message.upsert', (message) => seen.push(message.id))
    fire('sync.batch', { messages: [m('1'), m('2')], conversations: [] })
    expect(seen).toEqual(['1', '2'])
    expect(error).toHaveBeenCalledTimes(2)
    off()
    fire('sync.batch', { messages: [m('3')], conversations: [] })
    fire('message.upsert', m('4'))
    expect(seen).toEqual(['1', '2'])
    error.mockRestore()
  })
})
