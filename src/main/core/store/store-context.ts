// Owns what the message store's parts (conversations, messages, outbox, search, sync, quarantine) share when the
// store opens: the connection, its prepared statements, the write transaction and the conversation view.
import type { Database } from 'better-sqlite3'
import type { Conversation } from '../../../shared/model'
import { StoreError } from './errors'
import type { ConversationRow } from './rows'
import type { StoreStatements } from './statements'

export interface StoreContext {
  db: Database
  statements: StoreStatements
  /** Runs `operation` in one transaction (every write goes through here, see write-transaction.ts). */
  write<T>(operation: () => T): T
  /** Lists the words of `texts` in search_terms inside the current write (see write-transaction.ts). */
  listWords(texts: string[]): void
  /** The domains' view of their conversations (a group's name and mentions) added to every conversation read. */
  describe(conversation: Conversation): Conversation
  /** A conversations row as callers see it, with what its domain knows (title, mentions). */
  toConversation(row: ConversationRow): Conversation
}

/** The error for a conversation row a write expected and did not find. */
export function missingConversation(key: string): StoreError {
  return new StoreError('STORE_FAILED', `Conversation ${key} could not be written.`)
}

/** The bytes of a BLOB as read, without a copy. */
export function bytesOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}
