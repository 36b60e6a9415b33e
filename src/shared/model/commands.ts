// A command message as the app receives it (ChatClient 'command' event, IPC push 'command'): never shown,
// never stored as a message. Plain data.
import type { ConversationKey, MessageDirection } from './messages'

export interface AppCommand {
  /** The message's client id (32 hex digits). */
  id: string
  conversation: ConversationKey
  from: string
  /** 'out' when another device of this account sent it. */
  direction: MessageDirection
  action: string
  params: Record<string, string>
  /** ms since epoch (server time). */
  timestamp: number
}
