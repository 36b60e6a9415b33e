// Owns which ChatClient events reach the shells as which push events (one line per event), plus the session's own
// hooks on the two that change its sign-in: the session ended, the token was renewed. A big stored batch goes as
// one coalesced `sync.batch` instead of its items (batch-forwarding.ts).
import type { PushEventName, PushEvents } from '../../../shared/ipc/contract'
import type { ChatClientApi, ChatClientEvents } from '../types'
import { coalesceBatch, type RendererViews } from './batch-forwarding'

/** What the core session does beside forwarding. */
export interface ClientPushHooks {
  push<E extends PushEventName>(event: E, payload: PushEvents[E]): void
  /** The client's session ended (token refused, signed out elsewhere); runs before the push. */
  sessionEnded(reason: string): void
  /** The server renewed the token: the new one is to be saved. */
  tokenRenewed(expiresAt: number): void
  tokenWillExpire(expiresAt: number): void
  /** The conversations whose messages the renderer holds (what a coalesced batch keeps). */
  views: RendererViews
}

/** Subscribes to the client; answers the function that unsubscribes all. */
export function forwardClientEvents(client: ChatClientApi, hooks: ClientPushHooks): () => void {
  const forward = <K extends keyof ChatClientEvents, E extends PushEventName>(
    from: K,
    to: E,
    map: (payload: ChatClientEvents[K]) => PushEvents[E]
  ): (() => void) => client.on(from, (payload) => hooks.push(to, map(payload)))
  /**
   * Items of the batch that just went as one `sync.batch`: their own events, which the client emits right after the
   * batch in the same turn, are not forwarded again. Held until that turn's microtasks only (a WeakSet of every item
   * of a 100k catch-up was a tenth of the core thread's allocation, and weak tables cost every scavenge).
   */
  let sentInBatch: ReadonlySet<object> | null = null
  const offs = [
    forward('connection', 'connection.status', (status) => status),
    client.on('batch', (batch) => {
      const coalesced = coalesceBatch(batch, hooks.views, Date.now())
      if (!coalesced) return
      const items = new Set<object>(batch.messages)
      for (const conversation of batch.conversations) items.add(conversation)
      sentInBatch = items
      queueMicrotask(() => {
        if (sentInBatch === items) sentInBatch = null
      })
      hooks.push('sync.batch', coalesced)
    }),
    client.on('message', (message) => sentInBatch?.has(message) || hooks.push('message.upsert', message)),
    client.on('conversation', (conversation) => sentInBatch?.has(conversation) || hooks.push('conversation.upsert', conversation)),
    forward('roomEvent', 'rooms.event', (event) => event),
    forward('contactsChanged', 'contacts.changed', (state) => state),
    forward('presenceChanged', 'presence.changed', (presence) => presence),
    forward('profileChanged', 'profile.changed', (profile) => profile),
    forward('groupsChanged', 'groups.changed', (changed) => changed),
    forward('command', 'command', (command) => command),
    forward('messagesRemoved', 'messages.removed', (removed) => removed),
    forward('conversationSettings', 'conversation.settings', (settings) => settings),
    forward('reactionsChanged', 'reactions.changed', (changed) => changed),
    forward('pinsChanged', 'pins.changed', (changed) => changed),
    forward('conversationStateChanged', 'conversations.state', (state) => state),
    forward('devicesChanged', 'devices.changed', (changed) => changed),
    forward('transfer', 'transfer', (event) => event),
    forward('backfill', 'search.backfill', (status) => status),
    forward('peerReceipts', 'receipts.peer', (receipts) => receipts),
    forward('groupRead', 'receipts.groupRead', (read) => read),
    forward('typing', 'typing.changed', (typing) => typing),
    forward('privacy', 'privacy.changed', (settings) => settings),
    forward('sessionEnded', 'session.ended', (ended) => {
      hooks.sessionEnded(ended.reason)
      return { reason: ended.reason, error: ended.error }
    }),
    client.on('tokenWillExpire', ({ expiresAt }) => hooks.tokenWillExpire(expiresAt)),
    client.on('tokenRenewed', ({ expiresAt }) => hooks.tokenRenewed(expiresAt))
  ]
  return () => offs.forEach((off) => off())
}
