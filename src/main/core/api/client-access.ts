// Owns how the IPC handlers reach the signed-in client: the optional ChatClient parts (ClientExtras) and the check
// that one is there, the canonical form of a conversation the renderer names, and the handler table's type.
import type { ChatClientApi, ClientDiagnostics } from '../types'
import type { InvokeResults } from '../../../shared/ipc/contract'
import type { InvokeArgsOf, InvokeMethod } from '../../../shared/ipc/schemas'
import type { ChatMessage, ConversationKey } from '../../../shared/model'
import { AppError } from '../../../shared/errors'
import { canonicalUserId } from '../../../shared/user-id'
import type { RoomsClient } from '../rooms/client'
import type { ContactsApi } from '../contacts'
import type { GroupsClient } from '../groups'
import type { SearchClient } from '../search'
import type { MessageOpsClient } from '../message-ops'
import type { ReactionsClient } from '../reactions'
import type { ReceiptsClient } from '../receipts'

/** A page of messages when the renderer names no size. */
export const DEFAULT_PAGE_LIMIT = 50

/**
 * ChatClient methods that ChatClientApi does not (yet) declare: user lookup, drafts, diagnostics, and closing
 * without signing out. Optional here, so a client without one (a test fake) gets a sentence, not a crash.
 */
export interface ClientExtras {
  lookupUser?(username: string): Promise<string | { user: string } | null>
  setDraft?(conversation: ConversationKey, text: string | null): Promise<unknown>
  diagnostics?(): Promise<Partial<ClientDiagnostics>>
  /** Close the socket and the store, keeping the session on the server (ChatClient.close). */
  close?(): Promise<void>
  /** The session's chat rooms (ChatClient.rooms). */
  readonly rooms?: RoomsClient
  /** The session's contacts, profiles and presence (ChatClient.contacts). */
  readonly contacts?: ContactsApi
  /** The session's groups (ChatClient.groups). */
  readonly groups?: GroupsClient
  /** Message search and the history back-fill (ChatClient.search). */
  readonly search?: SearchClient
  /** The user did something: background work (the history back-fill) waits (ChatClient.noteUserActivity). */
  noteUserActivity?(): void
  /** Recall, edit, delete for me, clear, disappearing timer (ChatClient.messageOps). */
  readonly messageOps?: MessageOpsClient
  /** Reactions, one-to-one pins, conversation state, devices (ChatClient.reactions). */
  readonly reactions?: ReactionsClient
  /** Forward messages to conversations (ChatClient.forward). */
  forward?(messageIds: readonly string[], targets: readonly ConversationKey[]): Promise<ChatMessage[]>
  /** The session's receipts, privacy settings and typing (ChatClient.receipts). */
  readonly receipts?: ReceiptsClient
  /** Delete the account on the server, then end the session (ChatClient.deleteAccount). */
  deleteAccount?(password: string): Promise<void>
  /** Send a location (ChatClient.sendLocation). */
  sendLocation?(
    to: ConversationKey,
    place: { latitude: number; longitude: number; address: string; name: string },
    extras?: { burnAfterReadSec?: number }
  ): Promise<ChatMessage>
}

export function withExtras(client: ChatClientApi): ChatClientApi & ClientExtras {
  // Every extra is optional and checked before use.
  return client as ChatClientApi & ClientExtras
}

export function notYetAvailable(what: string): AppError {
  return new AppError('INTERNAL', `${what} is not available in this version of Parley.`)
}

/** A conversation named by the renderer in its canonical form: single chats by canonical user id (any spelling
 *  reaches the same chat); group and room ids are made by the server and compared exactly as it made them. */
export function canonicalConversation(key: ConversationKey): ConversationKey {
  if (key.type !== 'single') return { type: key.type, id: key.id.trim() }
  const user = canonicalUserId(key.id)
  if (!user) throw new AppError('BAD_ARGUMENT', 'That is not a valid user name.')
  return { type: 'single', id: user }
}

export type Handlers = { [M in InvokeMethod]: (args: InvokeArgsOf<M>) => Promise<InvokeResults[M]> }
