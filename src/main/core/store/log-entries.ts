// Owns turning a chunk of raw log entries into one store write: decode each (one that does not decode is put aside),
// split messages, read pointers, user events, unknown kinds and commands, and the fall-back one by one on refusal.
// Runs in the store's thread (MessageStore.applyLogEntries) and, for an injected decoder, on the syncer's thread.
import { conversationKey, type ChatMessage, type ConversationKey } from '../../../shared/model'
import { createLogger } from '../../../shared/logger'
import { splitCommands } from '../messages/commands'
import { PoisonEventError, type LogEntry, type LogEntryDecoder, type RawLogEvent } from '../protocol/log-entry'
import type { UserEventRecord } from './domain-types'
import { StoreError } from './errors'
import type { AppliedLogEntries, LogEntriesScope, MessageStore, ReadPointer, SyncBatchExtras, UnknownEvent } from './types'

const log = createLogger('core:log-entries')

/**
 * Log entries decoded per slice on the core's thread (an injected decoder): a catch-up chunk of 2,000 decoded at
 * once held that thread for 30-100 ms on a busy machine (bench:ui); 200 take a few ms. The store's thread decodes
 * a chunk in one go (a call runs whole there).
 */
export const DECODE_SLICE = 200

/** Where the chunk goes and what moves with it. */
export interface LogEntriesBatch {
  /** The signed-in account (canonical): decides direction and conversation of each message. */
  me: string
  /** The cursor after the chunk ('history': the current one). */
  cursor: number
  /** The cursor before the chunk: what the entries written one by one carry (one may fail after them). */
  heldCursor: number
  active: ConversationKey | null
  scope: LogEntriesScope
}

export interface LogEntriesWriter {
  decode: LogEntryDecoder
  applyEvents: MessageStore['applyEvents']
  /** Awaited between slices of DECODE_SLICE decodes (the core's thread lets its event loop turn); absent: no pause. */
  betweenSlices?: () => Promise<void>
}

interface Poisoned {
  seq: number
  bytes: Uint8Array
  reason: string
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** The store refused an entry on its checks (not a disk or database failure). */
export function isRefusedByChecks(err: unknown): boolean {
  return err instanceof StoreError && err.code === 'STORE_BAD_ARGUMENT'
}

/** A message that is stored and shown (history keeps only these: commands in it are past signals). */
function isStoredMessage(entry: LogEntry): boolean {
  return (entry.kind === 'message' && entry.message.content.type !== 'command') || entry.kind === 'unsupportedMessage'
}

/**
 * Decode `events` and store them with the cursor in one transaction (see MessageStore.applyLogEntries for the
 * rules). Rejects when the store fails for another reason than its checks: the cursor stays where it was.
 */
export async function applyLogEntries(events: readonly RawLogEvent[], batch: LogEntriesBatch, writer: LogEntriesWriter): Promise<AppliedLogEntries> {
  const run = new ChunkWrite(batch, writer)
  let entries = await run.decodeAll(events)
  if (batch.scope === 'history') entries = entries.filter(isStoredMessage)
  const changes = await run.store(entries)
  return { ...changes, quarantined: run.quarantined }
}

/** One chunk's write: the entries set aside so far go with the next write, and how many were put aside. */
class ChunkWrite {
  private poisoned: Poisoned[] = []
  quarantined = 0

  constructor(
    private readonly batch: LogEntriesBatch,
    private readonly writer: LogEntriesWriter
  ) {}

  /** Decodes in slices of DECODE_SLICE when the writer pauses between them, else in one go; poison entries set aside. */
  async decodeAll(events: readonly RawLogEvent[]): Promise<LogEntry[]> {
    const entries: LogEntry[] = []
    const pause = this.writer.betweenSlices
    const slice = pause ? DECODE_SLICE : events.length
    for (let start = 0; start < events.length; start += slice) {
      if (start > 0 && pause) await pause()
      for (let index = start; index < Math.min(events.length, start + slice); index++) {
        const entry = this.decodeOne(events[index]!)
        if (entry) entries.push(entry)
      }
    }
    return entries
  }

  private decodeOne(event: RawLogEvent): LogEntry | null {
    try {
      return this.writer.decode(event, this.batch.me)
    } catch (err) {
      this.setAside({ seq: err instanceof PoisonEventError ? err.seq || event.seq : event.seq, bytes: event.bytes, reason: reasonOf(err) })
      return null
    }
  }

  /** An entry to quarantine with the next write (logged once, here). */
  private setAside(event: Poisoned): void {
    log.warn('quarantined a log entry that cannot be applied', { seq: event.seq, reason: event.reason })
    this.poisoned.push(event)
  }

  /**
   * One transaction for the chunk: messages, read pointers, unknown kinds (kept raw), quarantined entries and the
   * cursor. The store quarantines a message that fails its checks itself; if it still refuses the chunk on its
   * checks (a read pointer, say), the entries go in one by one and each refused one is quarantined, so one bad
   * entry never holds the cursor back. Other store failures (disk full, closed) reject: the cursor stays.
   */
  async store(entries: LogEntry[]): Promise<Omit<AppliedLogEntries, 'quarantined'>> {
    const { cursor, heldCursor } = this.batch
    try {
      return await this.write(entries, cursor)
    } catch (err) {
      if (!isRefusedByChecks(err) || entries.length === 0) throw err
      log.warn('the store refused a batch; applying its entries one by one', { count: entries.length, error: String(err) })
    }
    const changes: Omit<AppliedLogEntries, 'quarantined'> = { messages: [], conversations: [], userEvents: [], commands: [] }
    for (const entry of entries) {
      try {
        mergeChanges(changes, await this.write([entry], heldCursor))
      } catch (err) {
        if (!isRefusedByChecks(err)) throw err
        this.setAside({ seq: entry.seq, bytes: entry.bytes, reason: reasonOf(err) })
      }
    }
    mergeChanges(changes, await this.write([], cursor))
    return changes
  }

  private async write(entries: LogEntry[], cursor: number): Promise<Omit<AppliedLogEntries, 'quarantined'>> {
    const messages: ChatMessage[] = []
    const readPointers: ReadPointer[] = []
    const unknownEvents: UnknownEvent[] = []
    const userEvents: UserEventRecord[] = []
    for (const entry of entries) {
      if (entry.kind === 'message' || entry.kind === 'unsupportedMessage') messages.push(entry.message)
      else if (entry.kind === 'readPointer') readPointers.push({ key: conversationKey(entry.chatType, entry.conversationId), seq: entry.readSeq })
      else if (entry.kind === 'userEvent') userEvents.push({ seq: entry.seq, kind: entry.event, raw: entry.bytes })
      else unknownEvents.push({ seq: entry.seq, raw: entry.bytes })
    }
    const quarantine = this.poisoned
    this.poisoned = []
    const extras: SyncBatchExtras = {
      readPointers,
      unknownEvents,
      userEvents,
      quarantine: quarantine.map(({ seq, bytes, reason }) => ({ seq, raw: bytes, reason }))
    }
    // Commands go to the app, not into the store: its entry's seq is passed over with the cursor like any other.
    const { shown, commands } = splitCommands(messages)
    let result: Awaited<ReturnType<MessageStore['applyEvents']>>
    try {
      result = await this.writer.applyEvents(shown, cursor, this.batch.active, extras)
    } catch (err) {
      this.poisoned.unshift(...quarantine) // not written: they go with the next attempt
      throw err
    }
    // The store's answer lists the entries given to it as well (counted once, logged when set aside).
    const given = new Set(quarantine.map((event) => event.seq))
    for (const event of result.quarantined) {
      if (!given.has(event.seq)) log.warn('the store quarantined a log entry', { seq: event.seq, reason: event.reason })
    }
    this.quarantined += result.quarantined.length
    return { messages: result.messages, conversations: result.conversations, userEvents: result.userEvents, commands }
  }
}

/** Adds `more` to `into`: messages, user events and commands in order, each conversation once (its latest form). */
export function mergeChanges(into: Omit<AppliedLogEntries, 'quarantined'>, more: Omit<AppliedLogEntries, 'quarantined'>): void {
  into.messages.push(...more.messages)
  into.userEvents.push(...more.userEvents)
  into.commands.push(...more.commands)
  // Keyed by type and id: a group and a user may share an id.
  const byKey = new Map(into.conversations.map((c) => [`${c.chatType}:${c.id}`, c]))
  for (const conversation of more.conversations) byKey.set(`${conversation.chatType}:${conversation.id}`, conversation)
  into.conversations.splice(0, into.conversations.length, ...byKey.values())
}
