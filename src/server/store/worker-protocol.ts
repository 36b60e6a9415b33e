// Owns the messages between the store proxy (main thread) and the SQLite worker thread that owns the connection:
// one request per store call, one reply per request, in order, plus the worker's ready / failed-to-open signal.
import type { SqliteOpenOptions, StoreCore } from './sqlite'
import { storedMessageFrom, type AppendResult, type NewMessage, type StoredMessage } from './types'

/** What the worker is started with (workerData). */
export interface WorkerInit {
  dataDir: string
  options: StoreOpenOptions
}

/** How the server's store opens: SQLite in dataDir (the default), or PostgreSQL when `databaseUrl` is given. */
export interface StoreOpenOptions extends SqliteOpenOptions {
  /** postgres://... (PARLEY_DATABASE_URL): cluster mode, the nodes share this database. */
  databaseUrl?: string
  /** Name of this node's connection in pg_stat_activity. */
  applicationName?: string
}

/**
 * Store calls that only read: on PostgreSQL they run in a read snapshot without the nodes' write lock. Any call not
 * listed runs as a writing transaction, which is always correct, only slower.
 */
export const READ_ONLY_CALLS: ReadonlySet<string> = new Set([
  'getUser', 'existingUsers', 'readLogAfter', 'readConversation', 'headSeq', 'oldestSeq', 'recentConversations',
  'findToken', 'stats', 'readSecret', 'getRoom', 'listRooms', 'roomAttributes', 'roomsOwnedBy', 'roomRecent', 'contactsList',
  'contactsFriendsOf', 'contactsMessagingFacts', 'profilesGet', 'accountDeletedAt', 'reactionsOf', 'conversationStates',
  'devicesOf', 'groupInfo', 'groupMembers', 'groupDirectory', 'myGroups', 'groupJoinRequests', 'myGroupInvitations',
  'groupReadAllowed', 'groupIdsOf', 'tableRowCounts', 'platformUsers', 'accountBannedAt', 'attemptsPeek',
  'conversationSettings', 'nextExpiry', 'attachmentGet', 'attachmentsGet', 'attachmentGrants', 'receiptsPrivacy',
  'receiptsPeerPointers', 'receiptsGroupReaders', 'receiptsGroupSenders', 'receiptsGroupReadSeq', 'receiptsIsMember'
])

/** The calls the worker answers: every synchronous core method, with appendGroups batched by the worker itself. */
export type WorkerMethod = Exclude<keyof StoreCore, 'appendGroups'> | 'appendMessages'

export interface WorkerRequest {
  id: number
  method: WorkerMethod
  args: unknown[]
}

export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string }

export type WorkerSignal = { type: 'ready' } | { type: 'open-failed'; error: string }

export function isWorkerSignal(message: WorkerReply | WorkerSignal): message is WorkerSignal {
  return 'type' in message
}

/**
 * A batch of NewMessage packed for the trip to the worker: strings and numbers in arrays, every client id and body
 * in ONE transferred buffer. Cloning each small Uint8Array would copy its whole backing slab (protobufjs bodies are
 * views into Node's 8 KiB buffer pool) and costs a clone step per message on both threads.
 */
export interface PackedMessages {
  senders: string[]
  recipients: string[]
  chatTypes: number[]
  timestamps: number[]
  /** Per message: client id length, body length (bytes follow each other in `bytes`). */
  lengths: number[]
  /** Per message: expiresAt and burnAfterReadSec, 0 = none (store/message-ops). */
  timers: number[]
  bytes: Uint8Array
}

export function packMessages(messages: readonly NewMessage[]): PackedMessages {
  let total = 0
  for (const message of messages) total += message.clientId.byteLength + message.body.byteLength
  const bytes = new Uint8Array(total)
  const packed: PackedMessages = { senders: [], recipients: [], chatTypes: [], timestamps: [], lengths: [], timers: [], bytes }
  let offset = 0
  for (const message of messages) {
    packed.senders.push(message.sender)
    packed.recipients.push(message.recipient)
    packed.chatTypes.push(message.chatType)
    packed.timestamps.push(message.timestamp)
    packed.lengths.push(message.clientId.byteLength, message.body.byteLength)
    packed.timers.push(message.expiresAt ?? 0, message.burnAfterReadSec ?? 0)
    bytes.set(message.clientId, offset)
    offset += message.clientId.byteLength
    bytes.set(message.body, offset)
    offset += message.body.byteLength
  }
  return packed
}

export function unpackMessages(packed: PackedMessages): NewMessage[] {
  const messages: NewMessage[] = []
  let offset = 0
  for (let i = 0; i < packed.senders.length; i++) {
    const clientIdLength = packed.lengths[2 * i] as number
    const bodyLength = packed.lengths[2 * i + 1] as number
    const clientId = packed.bytes.subarray(offset, offset + clientIdLength)
    offset += clientIdLength
    const body = packed.bytes.subarray(offset, offset + bodyLength)
    offset += bodyLength
    const expiresAt = packed.timers[2 * i] ?? 0
    const burnAfterReadSec = packed.timers[2 * i + 1] ?? 0
    messages.push({
      ...(expiresAt > 0 ? { expiresAt } : {}),
      ...(burnAfterReadSec > 0 ? { burnAfterReadSec } : {}),
      sender: packed.senders[i] as string,
      recipient: packed.recipients[i] as string,
      chatType: packed.chatTypes[i] as number,
      timestamp: packed.timestamps[i] as number,
      clientId,
      body
    })
  }
  return messages
}

/**
 * An append result on its way back: a fresh message needs only the numbers the database gave it (the caller has
 * the rest); a resend carries the original, which the caller has not seen.
 */
export type CompactAppendResult =
  | [serverId: number, senderSeq: number, recipientSeq: number]
  /** A group message whose body the store rewrote (mentions of non-members dropped). */
  | [serverId: number, senderSeq: number, recipientSeq: number, body: Uint8Array]
  /** A message the store gave an expiry (the conversation's disappearing timer, store/message-ops). */
  | [serverId: number, senderSeq: number, recipientSeq: number, body: Uint8Array | null, expiresAt: number]
  | StoredMessage
  /** A group message the authorisation table refused (nothing stored). */
  | { refusal: { code: number; message: string } }

export function compactResults(results: readonly AppendResult[], inputs?: readonly NewMessage[]): CompactAppendResult[] {
  return results.map((result, index) => {
    if (result.refusal) return { refusal: result.refusal }
    if (result.duplicate || result.recipientSeq === null) return result.message
    const numbers: [number, number, number] = [result.message.serverId, result.message.senderSeq, result.recipientSeq]
    const input = inputs?.[index]
    const rewritten = input && input.body !== result.message.body ? result.message.body : null
    if (result.message.expiresAt && result.message.expiresAt !== input?.expiresAt) return [...numbers, rewritten, result.message.expiresAt]
    return rewritten ? [...numbers, rewritten] : numbers
  })
}

export function expandResults(inputs: readonly NewMessage[], compact: readonly CompactAppendResult[]): AppendResult[] {
  return compact.map((entry, index) => {
    const input = inputs[index] as NewMessage
    if ('refusal' in entry) {
      return { message: storedMessageFrom(input, 0, 0), duplicate: false, recipientSeq: null, refusal: entry.refusal }
    }
    if (!Array.isArray(entry)) return { message: entry, duplicate: true, recipientSeq: null }
    const [serverId, senderSeq, recipientSeq, body, expiresAt] = entry
    const stored: NewMessage = { ...input, ...(body ? { body } : {}), ...(expiresAt ? { expiresAt } : {}) }
    return {
      message: storedMessageFrom(stored, serverId, senderSeq),
      duplicate: false,
      recipientSeq
    }
  })
}
