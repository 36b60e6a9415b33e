// Owns this device's position in the account's event log: catch-up in batches after every (re)connect,
// live pushes, gap detection, and the cursor kept in the store. All store writes that move the cursor are serialised here.
import { AppError } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import type { ChatMessage, Conversation } from '../../../shared/model'
import { ErrorCode } from '../../../shared/proto/codec'
import type { ResponseBody } from '../net/connection'
import { ProtocolError } from '../protocol/errors'
import { chatMessageFromEvent, type WireEvent } from '../protocol/messages'
import type { MessageStore } from '../store/types'

const log = createLogger('core:syncer')
/** Events asked for per sync request; the server also stops a batch at the frame size. */
export const SYNC_BATCH_SIZE = 500
/**
 * Catch-up batches are applied to the store in chunks of about this many events: one transaction per
 * chunk amortises the per-commit costs (conversation rows, FTS segment, index pages) over more rows.
 */
export const STORE_APPLY_CHUNK = 2_000

export interface AppliedChanges {
  messages: ChatMessage[]
  conversations: Conversation[]
}

export interface SyncerOptions {
  store: MessageStore
  /** The signed-in account: decides direction and conversation of each message. */
  me: string
  /** Asks the server for the log entries after `afterSeq` (over the socket). */
  fetchBatch: (afterSeq: number, limit: number) => Promise<ResponseBody<'syncBatch'>>
  activeConversation: () => string | null
  onApplied: (changes: AppliedChanges) => void
  batchSize?: number
  /** Events per store transaction during catch-up (default STORE_APPLY_CHUNK). */
  applyChunk?: number
}

export class Syncer {
  private cursor = 0
  /** Sequences of this device's own acked sends that lie beyond the cursor: they are not gaps. */
  private readonly ownSeqs = new Set<number>()
  private chain: Promise<unknown> = Promise.resolve()
  private readonly batchSize: number
  private readonly applyChunk: number

  constructor(private readonly options: SyncerOptions) {
    this.batchSize = options.batchSize ?? SYNC_BATCH_SIZE
    this.applyChunk = options.applyChunk ?? STORE_APPLY_CHUNK
  }

  async init(): Promise<void> {
    this.cursor = await this.options.store.getCursor()
  }

  get currentCursor(): number {
    return this.cursor
  }

  /** Catch up from the cursor until the server has nothing more. Rejects if the link drops meanwhile. */
  catchUp(): Promise<void> {
    return this.enqueue(() => this.runCatchUp())
  }

  /** A live `event` push. Applied in order; a gap triggers a catch-up instead. Never rejects. */
  onPush(event: WireEvent): void {
    void this.enqueue(() => this.applyPush(event)).catch((err: unknown) => {
      log.warn('could not apply a pushed event; the next catch-up will fetch it', { error: String(err) })
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

  /** Store older messages fetched from server history, without moving the cursor and without raising unread. */
  applyHistory(messages: ChatMessage[], conversationId: string): Promise<AppliedChanges> {
    return this.enqueue(async () => {
      const changes = await this.options.store.applyEvents(messages, this.cursor, conversationId)
      this.options.onApplied(changes)
      return changes
    })
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task)
    this.chain = run.catch(() => undefined)
    return run
  }

  private async applyPush(event: WireEvent): Promise<void> {
    const seq = Number(event.seq ?? 0)
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

  private async runCatchUp(): Promise<void> {
    let fetchedUpTo = this.cursor
    let pending: WireEvent[] = []
    const applyPending = async (): Promise<void> => {
      if (pending.length === 0) return
      const events = pending
      pending = []
      await this.apply(events, fetchedUpTo)
    }
    for (;;) {
      let batch: ResponseBody<'syncBatch'>
      try {
        batch = await this.options.fetchBatch(fetchedUpTo, this.batchSize)
      } catch (err) {
        if (err instanceof ProtocolError && err.wireCode === ErrorCode.ERROR_CURSOR_EXPIRED) {
          // The server no longer keeps entries that old: sync the whole retained log again (upserts are idempotent).
          log.warn('cursor expired on the server; resyncing from the start', { cursor: this.cursor })
          pending = []
          this.cursor = 0
          fetchedUpTo = 0
          continue
        }
        // Keep what already arrived: the next catch-up starts after it.
        await applyPending()
        throw AppError.from(err)
      }
      const events = batch.events ?? []
      fetchedUpTo = events.reduce((max, e) => Math.max(max, Number(e.seq ?? 0)), fetchedUpTo)
      pending.push(...events)
      const done = !batch.hasMore || events.length === 0
      if (done || pending.length >= this.applyChunk) await applyPending()
      if (done) break
    }
  }

  private async apply(events: WireEvent[], newCursor: number): Promise<void> {
    const messages: ChatMessage[] = []
    for (const event of events) {
      const message = chatMessageFromEvent(event, this.options.me)
      if (message) messages.push(message)
    }
    const changes = await this.options.store.applyEvents(messages, newCursor, this.options.activeConversation())
    this.cursor = Math.max(this.cursor, newCursor)
    for (const seq of this.ownSeqs) if (seq <= this.cursor) this.ownSeqs.delete(seq)
    this.options.onApplied(changes)
  }

  private async advanceOverOwnSeqs(): Promise<void> {
    let next = this.cursor
    while (this.ownSeqs.delete(next + 1)) next += 1
    if (next === this.cursor) return
    await this.options.store.applyEvents([], next, this.options.activeConversation())
    this.cursor = next
  }
}
