// Owns which ChatClient events reach the shells as which push events (one line per event), plus the session's own
// hooks on the two that change its sign-in: the session ended, the token was renewed.
import type { PushEventName, PushEvents } from '../../../shared/ipc/contract'
import type { ChatClientApi, ChatClientEvents } from '../types'

/** What the core session does beside forwarding. */
export interface ClientPushHooks {
  push<E extends PushEventName>(event: E, payload: PushEvents[E]): void
  /** The client's session ended (token refused, signed out elsewhere); runs before the push. */
  sessionEnded(reason: string): void
  /** The server renewed the token: the new one is to be saved. */
  tokenRenewed(expiresAt: number): void
  tokenWillExpire(expiresAt: number): void
}

/** Subscribes to the client; answers the function that unsubscribes all. */
export function forwardClientEvents(client: ChatClientApi, hooks: ClientPushHooks): () => void {
  const forward = <K extends keyof ChatClientEvents, E extends PushEventName>(
    from: K,
    to: E,
    map: (payload: ChatClientEvents[K]) => PushEvents[E]
  ): (() => void) => client.on(from, (payload) => hooks.push(to, map(payload)))
  const offs = [
    forward('connection', 'connection.status', (status) => status),
    forward('message', 'message.upsert', (message) => message),
    forward('conversation', 'conversation.upsert', (conversation) => conversation),
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
