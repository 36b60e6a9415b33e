// Owns unpacking the core's `sync.batch` push (a big catch-up chunk at once) for the renderer's stores: its messages
// go to every `message.upsert` listener, then its conversations to every `conversation.upsert` listener, all in one
// task, so the stores and the views update once per batch instead of once per item. No DOM: unit-tested under Node.
import type { ChatMessage, Conversation } from '../../../shared/model'
import type { ParleyBridge, PushEventName, PushEvents } from '../../../shared/ipc/contract'

type Listener<T> = (payload: T) => void

function callEach<T>(listeners: ReadonlySet<Listener<T>>, items: readonly T[], event: string): void {
  const snapshot = [...listeners]
  for (const item of items) {
    for (const listener of snapshot) {
      try {
        listener(item)
      } catch (err) {
        console.error(`[renderer:bridge] listener for ${event} (from sync.batch) threw`, err)
      }
    }
  }
}

/** The same bridge, whose `message.upsert` and `conversation.upsert` listeners also get the items of each batch. */
export function withSyncBatches(inner: ParleyBridge): ParleyBridge {
  const messageListeners = new Set<Listener<ChatMessage>>()
  const conversationListeners = new Set<Listener<Conversation>>()
  // In the order the core emits a batch's items: messages, then conversations.
  inner.on('sync.batch', ({ messages, conversations }) => {
    callEach(messageListeners, messages, 'message.upsert')
    callEach(conversationListeners, conversations, 'conversation.upsert')
  })
  return {
    invoke: (method, ...args) => inner.invoke(method, ...args),
    on<E extends PushEventName>(event: E, listener: (payload: PushEvents[E]) => void): () => void {
      const off = inner.on(event, listener)
      const batched: Set<Listener<never>> | null =
        event === 'message.upsert' ? messageListeners : event === 'conversation.upsert' ? conversationListeners : null
      if (!batched) return off
      batched.add(listener as Listener<never>)
      return () => {
        off()
        batched.delete(listener as Listener<never>)
      }
    }
  }
}
