// Owns what a device session tells the client's listeners: each domain client's events forwarded to the host (while
// the session is the signed-in one), plus the session's own reactions to them (cached files dropped, lists refreshed).
import { createLogger } from '../../../shared/logger'
import { conversationKey, type ConversationKey } from '../../../shared/model'
import type { AttachmentsClient } from '../attachments'
import type { ContactsClient } from '../contacts'
import type { MessageOpsClient } from '../message-ops'
import type { AuthInfo, Connection, ConnectionEnded, PushFrame } from '../net/connection'
import type { ReactionsClient } from '../reactions'
import type { ReceiptsClient } from '../receipts'
import type { DeviceSessionHost } from './device-session'

/** The session's parts whose events are forwarded. */
export interface ForwardedParts {
  connection: Connection
  messageOps: MessageOpsClient
  reactions: ReactionsClient
  receipts: ReceiptsClient
  contacts: ContactsClient
  attachments: Pick<AttachmentsClient, 'forget'>
}

/** What the session does with some of those events itself. */
export interface SessionReactions {
  isCurrent(): boolean
  emitConversation(key: ConversationKey): Promise<void>
  onOnline(info: AuthInfo): void
  onPush(push: PushFrame): void
  ended(ended: ConnectionEnded): void
}

const log = createLogger('core:session')

/** Subscribes; answers the unsubscribe functions. */
export function forwardSessionEvents(parts: ForwardedParts, host: DeviceSessionHost, session: SessionReactions): Array<() => void> {
  /** Drops the cached attachment files of messages that were recalled or left the device (attachments/index.ts). */
  const forgetFiles = (ids: readonly string[]): void => {
    for (const id of ids) {
      parts.attachments.forget(id).catch((err: unknown) => {
        log.warn('could not drop the cached files of a message', { error: err instanceof Error ? err.message : String(err) })
      })
    }
  }
  return [
    parts.messageOps.on('message', (message) => {
      // A recalled message's content is gone everywhere: so are its cached files here.
      if (message.content.type === 'recalled') forgetFiles([message.id])
      if (session.isCurrent()) host.emit('message', message)
    }),
    parts.messageOps.on('messagesRemoved', (removed) => {
      forgetFiles(removed.ids)
      if (session.isCurrent()) host.emit('messagesRemoved', removed)
    }),
    parts.messageOps.on('conversationSettings', (settings) => {
      if (session.isCurrent()) host.emit('conversationSettings', settings)
    }),
    parts.messageOps.on('conversationTouched', (key) => void session.emitConversation(key)),
    parts.reactions.on('reactionsChanged', (changed) => session.isCurrent() && host.emit('reactionsChanged', changed)),
    parts.reactions.on('pinsChanged', (changed) => session.isCurrent() && host.emit('pinsChanged', changed)),
    parts.reactions.on('devicesChanged', (changed) => session.isCurrent() && host.emit('devicesChanged', changed)),
    parts.reactions.on('conversationStateChanged', (state) => {
      if (!session.isCurrent()) return
      host.emit('conversationStateChanged', state)
      if (!state.deleted) void session.emitConversation(state.conversation)
    }),
    parts.receipts.on('peer', (receipts) => session.isCurrent() && host.emit('peerReceipts', receipts)),
    parts.receipts.on('groupRead', (read) => session.isCurrent() && host.emit('groupRead', read)),
    parts.receipts.on('typing', (typing) => session.isCurrent() && host.emit('typing', typing)),
    parts.receipts.on('privacy', (settings) => session.isCurrent() && host.emit('privacy', settings)),
    parts.connection.on('status', (status) => host.setStatus(status)),
    parts.connection.on('online', (info) => session.onOnline(info)),
    parts.connection.on('push', (push) => session.onPush(push)),
    parts.contacts.on('contactsChanged', (state) => host.emit('contactsChanged', state)),
    parts.contacts.on('presenceChanged', (presence) => host.emit('presenceChanged', presence)),
    parts.contacts.on('profileChanged', (profile) => host.emit('profileChanged', profile)),
    parts.contacts.on('titlesChanged', (users) => {
      for (const changed of users) void session.emitConversation(conversationKey('single', changed))
    }),
    parts.connection.on('ended', (ended) => session.ended(ended))
  ]
}
