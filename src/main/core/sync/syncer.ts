// Owns this device's position in the account's event log: catch-up in batches, live pushes, gap detection,
// the new-device start (conversation list instead of the whole log) and the cursor kept in the store.
// All store writes that move the cursor are serialised here; an entry that cannot be applied is quarantined.
// Entries are decoded where they are stored (MessageStore.applyLogEntries, the store's thread), unless a decoder is
// injected (store/log-entries.ts on this thread: the same rules).
import { AppError } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import { conversationKey, type ChatMessage, type Conversation, type ConversationKey } from '../../../shared/model'
import { ErrorCode } from '../../../shared/proto/codec'
import { ProtocolError } from '../protocol/errors'
import { decodeLogEntry, PoisonEventError, type LogEntry, type LogEntryDecoder, type RawLogEvent } from '../protocol/log-entry'
import { applyLogEntries } from '../store/log-entries'
import { packLogEntries } from '../store/log-entry-pack'
import type { AppliedLogEntries, ConversationSummary, LogEntriesScope, MessageStore } from '../store/types'
import type { AppliedUserEvent } from '../store/domain-types'
import type { RecentPage } from './recent'
import type { AppCommand } from '../../../shared/model/commands'

const log = createLogger('core:syncer')
/** Events asked for per sync request; the server also stops a batch at the frame size. */
export const SYNC_BATCH_SIZE = 500
/**
 * Catch-up batches are applied to the store in chunks of about this many events: one transaction per
 * chunk amortises the per-commit costs (conversation rows, FTS segment, index pages) over more rows. The chunk
 * crosses to the store's worker as one packed buffer (decoded there) and its changes come back as a structured
 * clone and go to the shells, each in one go on the core's thread: 2,000 held it for 100-150 ms on a busy 2-core
 * machine (bench:ui), 1,000 half that.
 */
export const STORE_APPLY_CHUNK = 1_000
/** Conversations asked for per RecentConversations page (the server also cuts a page at the frame size). */
export const RECENT_PAGE_SIZE = 100

export interface AppliedChanges {
  messages: ChatMessage[]
  conversations: Conversation[]
  /** Contact, membership and profile events the store's domains applied, with their changes. */
  userEvents: AppliedUserEvent[]
  /** Command messages that arrived (live or by catch-up): handed to the app, never stored as messages. */
  commands?: AppCommand[]
}

/** A sync answer as the syncer needs it: each entry with its exact bytes. */
export interface FetchedBatch {
  events: RawLogEvent[]
  hasMore: boolean
  headSeq: number
}

export interface SyncerOptions {
  store: MessageStore
  /** The signed-in account (canonical): decides direction and conversation of each message. */
  me: string
  /** Asks the server for the log entries after `afterSeq` (over the socket). */
  fetchBatch: (afterSeq: number, limit: number) => Promise<FetchedBatch>
  /** Asks the server for one page of the conversation list (new device, expired cursor). */
  fetchRecent: (after: RecentPage['next'], limit: number) => Promise<RecentPage>
  activeConversation: () => ConversationKey | null
  onApplied: (changes: AppliedChanges) => void
  /**
   * The device started from the conversation list (new device, expired cursor): for each conversation, the seq of
   * its newest entry then (local history below it may have a hole).
   */
  onBootstrapped?: (newest: Array<{ key: ConversationKey; seq: number }>) => void
  /** A pushed entry could not be applied (e.g. its gap's catch-up failed): the device is behind until a catch-up. */
  onBehind?: (err: unknown) => void
  /** This version's decoder by default; tests inject a "newer" one. */
  decode?: LogEntryDecoder
  batchSize?: number
  /** Events per store transaction during catch-up (default STORE_APPLY_CHUNK). */
  applyChunk?: number
}

/** What went wrong with the last catch-up, for the diagnostics view. */
export interface SyncError {
  at: number
  message: string
}

export class Syncer {
  private cursor = 0
  /** This device started on the log before (see MessageStore.hasStarted): it never starts from the list again. */
  private started = false
  /** Sequences of this device's own acked sends that lie beyond the cursor: they are not gaps. */
  private readonly ownSeqs = new Set<number>()
  private chain: Promise<unknown> = Promise.resolve()
  private readonly batchSize: number
  private readonly applyChunk: number
  private readonly decode: LogEntryDecoder
  /** This version's decoder: the store decodes the entries in its own thread (a function cannot cross to it). */
  private readonly decodeInStore: boolean
  private quarantinedThisSession = 0
  /** Conversation-list entries that failed to decode, waiting to be quarantined after the page. */
  private poisoned: Array<{ seq: number; bytes: Uint8Array; reason: string }> = []
  private lastErrorValue: SyncError | null = null
  /** Requests made (sync batches and conversation-list pages) and entries received: diagnostics and tests. */
  readonly counters = { syncRequests: 0, eventsFetched: 0, recentRequests: 0 }

  constructor(private readonly options: SyncerOptions) {
    this.batchSize = options.batchSize ?? SYNC_BATCH_SIZE
    this.applyChunk = options.applyChunk ?? STORE_APPLY_CHUNK
    this.decode = options.decode ?? decodeLogEntry
    this.decodeInStore = this.decode === decodeLogEntry
  }

  async init(): Promise<void> {
    this.cursor = await this.options.store.getCursor()
    this.started = await this.options.store.hasStarted()
  }

  get currentCursor(): number {
    return this.cursor
  }

  get lastError(): SyncError | null {
    return this.lastErrorValue
  }

  get quarantinedInSession(): number {
    return this.quarantinedThisSession
  }

  /**
   * Bring the store up to the server's log. A device with no cursor (new device) starts from the conversation
   * list and the log head instead of the whole log; older history is paged on demand. Rejects if the link drops.
   */
  catchUp(): Promise<void> {
    return this.enqueue(async () => {
      try {
        // Only a device that never started begins from the conversation list. One that started on an empty log
        // (cursor 0) syncs from the start: a second start from the list mid-traffic would take the server's unread
        // counts for history it partly holds already, and its counts could drift from the other devices'.
        if (!this.started && this.cursor === 0) await this.runBootstrap('new device')
        this.started = true
        await this.runCatchUp()
        this.lastErrorValue = null
      } catch (err) {
        this.lastErrorValue = { at: Date.now(), message: err instanceof Error ? err.message : String(err) }
        throw err
      }
    })
  }

  /** A live `event` push. Applied in order; a gap triggers a catch-up instead. Never rejects. */
  onPush(event: RawLogEvent): void {
    void this.enqueue(() => this.applyPush(event)).catch((err: unknown) => {
      log.info('could not apply a pushed event; a catch-up will fetch it', { error: String(err) })
      this.options.onBehind?.(err)
    })
  }

  /** This device's own send was acked with `seq`: its log entry is already known locally. */
  noteOwnAck(seq: number): void {
    if (seq <= 0) return
    void this.enqueue(async () => {
      if (seq <= this.cursor) return
      this.ownSeqs.add(seq)
      await this.advanceOverOwnSeqs()
    }).catch((err: unknown) => log.warn('could not store the cursor', { error: String(err) }))
  }

  /** Store older messages fetched from server history, without moving the cursor. */
  applyHistory(events: RawLogEvent[]): Promise<AppliedChanges> {
    return this.enqueue(async () => {
      // Only its messages: commands in history are past signals, neither stored nor handed to the app again. Not as
      // the active conversation: that would move the read pointer. Unread is derived from the pointer.
      const { quarantined: _, ...changes } = await this.applyEntries(events, this.cursor, null, 'history')
      this.options.onApplied(changes)
      return changes
    })
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task)
    this.chain = run.catch(() => undefined)
    return run
  }

  private async applyPush(event: RawLogEvent): Promise<void> {
    const seq = event.seq
    if (seq <= this.cursor) return // already applied by a catch-up
    await this.advanceOverOwnSeqs()
    if (seq <= this.cursor) return
    if (seq !== this.cursor + 1) {
      log.debug('gap in the log; catching up', { cursor: this.cursor, pushed: seq })
      await this.runCatchUp()
      return
    }
    await this.apply([event], seq)
  }

  /** The conversation list with each newest entry and read pointer, then the cursor jumps to the log head. */
  private async runBootstrap(why: string): Promise<void> {
    log.info('starting from the conversation list', { why })
    let after: RecentPage['next'] = null
    let headSeq: number | null = null
    const newest: Array<{ key: ConversationKey; seq: number }> = []
    for (;;) {
      this.counters.recentRequests += 1
      const page = await this.options.fetchRecent(after, RECENT_PAGE_SIZE)
      // Entries newer than the first page's head come again through sync (upserts are idempotent).
      headSeq ??= page.headSeq
      const summaries: ConversationSummary[] = []
      for (const summary of page.conversations) {
        const entry = summary.last ? this.decodeOrQuarantine(summary.last) : null
        // A command is never a conversation's last message (it is not shown).
        const last =
          entry && ((entry.kind === 'message' && entry.message.content.type !== 'command') || entry.kind === 'unsupportedMessage') ? entry : null
        const key = conversationKey(summary.chatType, summary.conversationId)
        if (summary.last) newest.push({ key, seq: summary.last.seq })
        summaries.push({
          key,
          lastMessage: last ? last.message : null,
          readSeq: summary.readSeq,
          unreadCount: summary.unread
        })
      }
      await this.flushQuarantine()
      // The cursor moves with the last page only: an interrupted start begins again from the first page.
      const cursor = !page.hasMore || !page.next ? Math.max(headSeq, this.cursor) : this.cursor
      const conversations = await this.options.store.applyConversationSummaries(summaries, cursor)
      this.cursor = cursor
      if (conversations.length > 0) this.options.onApplied({ messages: [], conversations, userEvents: [] })
      if (!page.hasMore || !page.next) break
      after = page.next
    }
    this.options.onBootstrapped?.(newest)
  }

  private async runCatchUp(): Promise<void> {
    let restartedFromList = false
    let fetchedUpTo = this.cursor
    let pending: RawLogEvent[] = []
    const applyPending = async (): Promise<void> => {
      if (pending.length === 0) return
      const events = pending
      pending = []
      await this.apply(events, fetchedUpTo)
    }
    for (;;) {
      let batch: FetchedBatch
      try {
        this.counters.syncRequests += 1
        batch = await this.options.fetchBatch(fetchedUpTo, this.batchSize)
      } catch (err) {
        if (err instanceof ProtocolError && err.wireCode === ErrorCode.ERROR_CURSOR_EXPIRED && !restartedFromList) {
          // Once per catch-up: a server that calls its own head expired must not spin this loop.
          restartedFromList = true
          // The server no longer keeps entries that old: start again from the conversation list and the head.
          log.warn('cursor expired on the server; starting from the conversation list', { cursor: this.cursor })
          pending = []
          await this.runBootstrap('cursor expired')
          fetchedUpTo = this.cursor
          continue
        }
        // Keep what already arrived: the next catch-up starts after it.
        await applyPending()
        throw AppError.from(err)
      }
      const events = batch.events
      this.counters.eventsFetched += events.length
      fetchedUpTo = events.reduce((max, e) => Math.max(max, e.seq), fetchedUpTo)
      pending.push(...events)
      const done = !batch.hasMore || events.length === 0
      if (done || pending.length >= this.applyChunk) await applyPending()
      if (done) break
    }
  }

  /** Apply entries up to `newCursor`; entries that cannot be decoded or stored are quarantined, the cursor moves on. */
  private async apply(events: RawLogEvent[], newCursor: number): Promise<void> {
    const { quarantined: _, ...changes } = await this.applyEntries(events, newCursor, this.options.activeConversation(), 'log')
    this.cursor = Math.max(this.cursor, newCursor)
    for (const seq of this.ownSeqs) if (seq <= this.cursor) this.ownSeqs.delete(seq)
    this.options.onApplied(changes)
  }

  /**
   * Decodes and stores a chunk (store/log-entries.ts): in the store's thread, its bytes sent as one pack; with an
   * injected decoder on this thread, in slices of DECODE_SLICE with the event loop turning between them.
   */
  private async applyEntries(events: RawLogEvent[], cursor: number, active: ConversationKey | null, scope: LogEntriesScope): Promise<AppliedLogEntries> {
    const { store, me } = this.options
    const applied = this.decodeInStore
      ? await store.applyLogEntries(packLogEntries(events), me, cursor, active, scope)
      : await applyLogEntries(events, { me, cursor, heldCursor: this.cursor, active, scope }, {
        decode: this.decode,
        applyEvents: (...args) => store.applyEvents(...args),
        betweenSlices: () => new Promise<void>((resolve) => setImmediate(resolve))
      })
    this.quarantinedThisSession += applied.quarantined
    return applied
  }

  /** Decodes one conversation-list entry; a poison one is set aside for quarantine (after the page) and yields null. */
  private decodeOrQuarantine(event: RawLogEvent): LogEntry | null {
    try {
      return this.decode(event, this.options.me)
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      this.poisoned.push({ seq: err instanceof PoisonEventError ? err.seq || event.seq : event.seq, bytes: event.bytes, reason })
      return null
    }
  }

  /** Poisoned conversation-list entries decoded so far, logged; flushQuarantine puts them aside. */
  private takePoisoned(): Array<{ seq: number; bytes: Uint8Array; reason: string }> {
    const poisoned = this.poisoned
    this.poisoned = []
    for (const event of poisoned) log.warn('quarantined a log entry that cannot be applied', { seq: event.seq, reason: event.reason })
    return poisoned
  }

  /** Quarantine what was poisoned outside a batch write (conversation summaries). */
  private async flushQuarantine(): Promise<void> {
    for (const event of this.takePoisoned()) {
      await this.options.store.quarantineEvent(event.seq, event.bytes, event.reason)
      this.quarantinedThisSession += 1
    }
  }

  private async advanceOverOwnSeqs(): Promise<void> {
    let next = this.cursor
    while (this.ownSeqs.delete(next + 1)) next += 1
    if (next === this.cursor) return
    await this.options.store.applyEvents([], next, this.options.activeConversation())
    this.cursor = next
  }
}
