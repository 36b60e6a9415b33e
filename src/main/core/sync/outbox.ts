// Owns the durable outbox: every outgoing message is stored before it is sent, then sent in one lane per
// conversation (one send in flight per lane, lanes in parallel), retried with backoff until acked or failed.
import { AppError, failureBecause, failureOf, type FailureReason } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import type { ChatMessage } from '../../../shared/model'
import type { ResponseBody } from '../net/connection'
import { fullJitterDelayMs } from '../net/backoff'
import { isPermanentSendError, retryAfterMsOf } from '../protocol/errors'
import { StoreError } from '../store/errors'
import type { MessageStore } from '../store/types'

const log = createLogger('core:outbox')

/** Tries of a new message's outbox write when the store's thread restarts under it (store/worker); then it fails. */
const STORE_RESTART_WRITE_ATTEMPTS = 3

/** First retry ceiling after a transient send failure (full jitter below it, doubling per failure). */
export const SEND_RETRY_BASE_MS = 500
/**
 * Longest pause between two attempts of one message: a minute keeps a message moving soon after the server
 * recovers, while a message that keeps failing costs at most ~1,400 attempts a day.
 */
export const SEND_RETRY_MAX_MS = 60_000
/**
 * A message whose sends keep failing while the link is UP for this long is marked failed (the user can retry).
 * Time offline (or with the app closed) does not count: a laptop closed over a weekend still sends its queue when
 * it wakes. A day is longer than any server incident we plan for, and short enough that nobody waits on a
 * "sending" forever. The time is counted from the start of the first send that fails and kept on the message's
 * row (MessageStore.addSendFailingTime), so an app restarted often spends the same budget in total.
 */
export const SEND_GIVE_UP_MS = 24 * 60 * 60 * 1000
/** Why a message that kept failing for SEND_GIVE_UP_MS is failed (the renderer says so in the user's language). */
export const SEND_GIVE_UP_REASON: FailureReason = failureBecause('TIMEOUT', 'giveUp')

export interface OutboxOptions {
  store: MessageStore
  /** Sends one message over the socket and resolves with the server's ack. */
  send: (message: ChatMessage) => Promise<ResponseBody<'sendAck'>>
  isOnline: () => boolean
  /** A message changed state (stored, sent, failed, back to sending). */
  onChanged: (message: ChatMessage) => void
  /**
   * The first phase of a two-phase send (attachments/index.ts prepare): uploads the message's files and returns it
   * with their ids. Throwing an error with `permanent: true` fails the message; anything else is retried like a send.
   */
  prepare?: (message: ChatMessage, signal: AbortSignal) => Promise<ChatMessage>
  /** A send was acked with this position in the account's log (a group send: in the group's log). */
  onAcked?: (seq: number, message: ChatMessage) => void
  /** Ceiling of the first retry delay (SEND_RETRY_BASE_MS by default; tests use a few ms). */
  retryBaseMs?: number
  retryMaxMs?: number
  giveUpAfterMs?: number
  /** [0, 1) for the jitter; Math.random by default. */
  random?: () => number
  now?: () => number
}

/** The messages of one conversation not yet acked or failed, in the order written. */
interface Lane {
  readonly conversationId: string
  readonly queue: ChatMessage[]
  running: boolean
  /** Parked until the link is up (counts as idle for whenIdle). */
  parked: boolean
  /** Transient failures of the head message in a row (decides the backoff). */
  failures: number
  /** Start of the head message's current online stretch of sending not yet added to its stored failing time. */
  countingSince: number | null
  /** Online failing time of the head not yet stored (a stretch that ended when the link went away). */
  unsavedMs: number
  /** The head's failing time in total as last stored (the fallback when the store cannot be written). */
  failingMs: number
}

type AttemptOutcome = 'done' | 'again'

/** Contents a failed message can be sent again with (an attachment message uploads what it still has to). */
const RETRYABLE_CONTENT: ReadonlySet<string> = new Set(['text', 'image', 'voice', 'video', 'file'])

/** An error of the prepare phase (an upload) that no retry can fix: it says so itself. */
function isPermanentPrepareError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true
}

export class Outbox {
  private readonly lanes = new Map<string, Lane>()
  /** Ids in some lane: a message is never queued (nor in flight) twice. */
  private readonly queued = new Set<string>()
  private inFlight = 0
  private closed = false
  /** Loads what a previous run left 'sending'; new messages queue behind it. */
  private loaded: Promise<void> | null = null
  /** enqueue()/retry() run one after another so lanes get messages in the order they were written. */
  private writeChain: Promise<unknown> = Promise.resolve()
  /** The lane heads being prepared (uploading), by message id: cancel() aborts them. */
  private readonly preparing = new Map<string, AbortController>()
  /** Messages the user canceled while they were their lane's head: failed with the sentence at their next attempt. */
  private readonly canceled = new Map<string, FailureReason>()
  private onlineWaiters: Array<() => void> = []
  private wakeSleepers: Array<() => void> = []
  private idleWaiters: Array<() => void> = []
  private readonly retryBaseMs: number
  private readonly retryMaxMs: number
  private readonly giveUpAfterMs: number
  private readonly random: () => number
  private readonly now: () => number

  constructor(private readonly options: OutboxOptions) {
    this.retryBaseMs = options.retryBaseMs ?? SEND_RETRY_BASE_MS
    this.retryMaxMs = options.retryMaxMs ?? SEND_RETRY_MAX_MS
    this.giveUpAfterMs = options.giveUpAfterMs ?? SEND_GIVE_UP_MS
    this.random = options.random ?? Math.random
    this.now = options.now ?? Date.now
  }

  /** Queue what the store still has 'sending' (after an app restart), oldest first. Idempotent. */
  start(): Promise<void> {
    this.loaded ??= this.options.store.pendingOutbox().then(
      (pending) => {
        if (pending.length > 0) log.debug('resuming the outbox', { count: pending.length })
        for (const message of pending) this.push(message)
      },
      (err: unknown) => {
        log.error('could not read the outbox', { error: String(err) })
        // Read it again at the next start or send (the store may have been restarted meanwhile).
        this.loaded = null
      }
    )
    return this.loaded
  }

  /** Store a new outgoing message (status 'sending') and queue it behind its conversation's unsent ones. */
  enqueue(message: ChatMessage): Promise<ChatMessage> {
    return this.serialise(async () => {
      await this.start()
      const stored: ChatMessage = { ...message, status: 'sending', error: null, seq: null, serverId: null }
      await this.idempotentWrite('addOutgoing', stored.id, () => this.options.store.addOutgoing(stored))
      this.options.onChanged(stored)
      this.push(stored)
      return stored
    })
  }

  /**
   * One of the outbox's idempotent writes (store the new message, record its ack or failure). When the store's
   * thread died mid-call and was restarted the write may not have happened, so it is made again rather than losing
   * a message the user just sent or leaving an acked one 'sending' (a few times: a store that keeps dying is a
   * failure to report).
   */
  private async idempotentWrite<T>(what: string, id: string, write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write()
      } catch (err) {
        if (!(err instanceof StoreError && err.code === 'STORE_RESTARTED') || attempt >= STORE_RESTART_WRITE_ATTEMPTS) throw err
        log.warn('the store restarted during an outbox write; writing again', { what, id, attempt })
      }
    }
  }

  /** A failed message goes back to 'sending' and is queued again (behind what its conversation has queued now). */
  retry(id: string): Promise<ChatMessage> {
    return this.serialise(async () => {
      await this.start()
      const current = await this.options.store.getMessage(id)
      if (!current) throw new AppError('NOT_FOUND', 'That message no longer exists.')
      if (current.direction !== 'out') throw new AppError('BAD_ARGUMENT', 'Only your own messages can be sent again.')
      if (current.status === 'sent' || current.status === 'sending') return current
      if (!RETRYABLE_CONTENT.has(current.content.type)) throw new AppError('BAD_ARGUMENT', 'Only text and attachment messages can be sent again.')
      const sending = await this.options.store.markSending(id)
      if (!sending) throw new AppError('NOT_FOUND', 'That message no longer exists.')
      this.options.onChanged(sending)
      this.push(sending)
      return sending
    })
  }

  /**
   * The user cancels a message still sending (an upload in progress): it is failed with `reason`. A message
   * queued behind others fails at once; the lane's head stops its upload. False when it is not in the outbox.
   */
  async cancel(id: string, reason: FailureReason): Promise<boolean> {
    if (!this.queued.has(id)) return false
    for (const lane of this.lanes.values()) {
      const index = lane.queue.findIndex((message) => message.id === id)
      if (index < 0) continue
      if (index > 0 || !lane.running) {
        const [message] = lane.queue.splice(index, 1)
        this.queued.delete(id)
        await this.failed(message!, reason)
        return true
      }
      this.canceled.set(id, reason)
      this.preparing.get(id)?.abort(new AppError('CANCELED', 'Canceled.', reason.params ? { params: reason.params } : undefined))
      // A head sleeping in a backoff wakes and fails now.
      const sleepers = this.wakeSleepers
      this.wakeSleepers = []
      for (const wake of sleepers) wake()
      return true
    }
    return false
  }

  /** The link is up (again): every lane waiting for it sends now, and lanes sleeping in a backoff try again. */
  notifyOnline(): void {
    if (!this.options.isOnline()) return
    const waiters = [...this.onlineWaiters, ...this.wakeSleepers]
    this.onlineWaiters = []
    this.wakeSleepers = []
    for (const wake of waiters) wake()
  }

  /**
   * Make sure the outbox is loaded and sending, and resolve once no lane is sending any more: everything was
   * acked or failed, or what is left waits for the link. (Tests and whenSynced use it; sending never waits for it.)
   */
  async flush(): Promise<void> {
    await this.start()
    this.notifyOnline()
    await this.whenIdle()
  }

  /** Resolves when no lane is sending or sleeping in a backoff (queues empty or waiting for the link). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Stop touching the store (it is being closed). In-flight sends settle quietly. */
  close(): void {
    this.closed = true
    // Uploads stop where they are; the next start resumes them (this is not the user's cancel).
    for (const controller of this.preparing.values()) controller.abort(new AppError('DISCONNECTED', 'The session is closing.'))
    this.notifyOnlineForClose()
  }

  /** Sends on the wire right now (at most one per conversation). */
  get inFlightCount(): number {
    return this.inFlight
  }

  /** Messages queued (including in flight) and not yet acked or failed. */
  get pendingCount(): number {
    return this.queued.size
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.writeChain.then(task)
    this.writeChain = run.catch(() => undefined)
    return run
  }

  private push(message: ChatMessage): void {
    if (this.closed || this.queued.has(message.id)) return
    this.queued.add(message.id)
    let lane = this.lanes.get(message.conversationId)
    if (!lane) {
      lane = {
        conversationId: message.conversationId,
        queue: [],
        running: false,
        parked: false,
        failures: 0,
        countingSince: null,
        unsavedMs: 0,
        failingMs: 0
      }
      this.lanes.set(message.conversationId, lane)
    }
    lane.queue.push(message)
    if (!lane.running) void this.runLane(lane)
  }

  private async runLane(lane: Lane): Promise<void> {
    lane.running = true
    try {
      while (!this.closed && lane.queue.length > 0) {
        if (!this.options.isOnline()) {
          await this.waitForLink(lane)
          continue
        }
        const head = lane.queue[0]!
        const outcome = await this.attempt(lane, head)
        if (outcome === 'done') {
          lane.queue.shift()
          this.queued.delete(head.id)
          lane.failures = 0
          lane.countingSince = null
          lane.unsavedMs = 0
          lane.failingMs = 0
        }
      }
    } catch (err) {
      log.error('an outbox lane stopped', { conversation: lane.conversationId, error: String(err) })
    } finally {
      lane.running = false
      if (lane.queue.length === 0) this.lanes.delete(lane.conversationId)
      this.checkIdle()
    }
  }

  /** One send of the lane's head message; 'again' means the head stays (it waits for the link or a backoff). */
  private async attempt(lane: Lane, message: ChatMessage): Promise<AttemptOutcome> {
    // The link is up: this stretch counts towards giving up if the send fails (see SEND_GIVE_UP_MS).
    lane.countingSince ??= this.now()
    const canceledReason = this.canceled.get(message.id)
    if (canceledReason !== undefined) {
      this.canceled.delete(message.id)
      await this.failed(message, canceledReason)
      return 'done'
    }
    this.inFlight += 1
    let ack: ResponseBody<'sendAck'>
    let sending = message
    try {
      if (this.options.prepare) {
        const controller = new AbortController()
        this.preparing.set(message.id, controller)
        try {
          sending = await this.options.prepare(message, controller.signal)
        } finally {
          this.preparing.delete(message.id)
        }
        // The head now carries its uploaded files: a later attempt sends it as is.
        if (sending !== message) lane.queue[0] = sending
      }
      ack = await this.options.send(sending)
    } catch (err) {
      return this.afterFailure(lane, message, err)
    } finally {
      this.inFlight -= 1
    }
    await this.acked(message, ack)
    return 'done'
  }

  private async afterFailure(lane: Lane, message: ChatMessage, err: unknown): Promise<AttemptOutcome> {
    if (this.closed) return 'again'
    const canceledReason = this.canceled.get(message.id)
    if (canceledReason !== undefined) {
      this.canceled.delete(message.id)
      await this.failed(message, canceledReason)
      return 'done'
    }
    if (isPermanentSendError(err)) {
      await this.failed(message, failureOf(err))
      return 'done'
    }
    if (isPermanentPrepareError(err)) {
      await this.failed(message, failureOf(err))
      return 'done'
    }
    const appError = AppError.from(err)
    const online = this.options.isOnline()
    const failingMs = await this.storeFailingTime(lane, message, online)
    if (this.closed) return 'again'
    if (!online) {
      // The link went away: the head is resent first thing after the next connect (the server de-duplicates).
      log.debug('send interrupted; resending after reconnect', { id: message.id })
      return 'again'
    }
    // Transient on a live link: a timeout, an internal server error, a rate limit (or a drop not yet noticed).
    if (failingMs >= this.giveUpAfterMs) {
      log.warn('giving up on a message that kept failing', { id: message.id, code: appError.code })
      await this.failed(message, SEND_GIVE_UP_REASON)
      return 'done'
    }
    const backoff = fullJitterDelayMs(lane.failures, { baseMs: this.retryBaseMs, maxMs: this.retryMaxMs, random: this.random })
    const serverSays = retryAfterMsOf(err)
    const wait = Math.max(backoff, serverSays ?? 0)
    lane.failures += 1
    log.debug('send failed; retrying', { id: message.id, code: appError.code, failures: lane.failures, wait })
    await this.sleep(wait, serverSays !== null)
    return 'again'
  }

  /**
   * Adds the head's online stretch since `countingSince` to its failing time on its row and returns the total
   * (across restarts). The next stretch starts now if the link is up, else at the next send.
   */
  private async storeFailingTime(lane: Lane, message: ChatMessage, online: boolean): Promise<number> {
    const now = this.now()
    const stretch = lane.unsavedMs + Math.max(0, Math.round(now - (lane.countingSince ?? now)))
    lane.countingSince = online ? now : null
    lane.unsavedMs = 0
    let total: number | null = null
    try {
      total = await this.options.store.addSendFailingTime(message.id, stretch)
    } catch (err) {
      log.error('outbox could not record how long a message has been failing', { id: message.id, error: String(err) })
    }
    // Not stored (no longer 'sending', or the store failed): this run's own count still bounds the wait.
    lane.failingMs = total ?? lane.failingMs + stretch
    return lane.failingMs
  }

  /** Wait for the link; the time offline does not count towards giving up on the head message. */
  private async waitForLink(lane: Lane): Promise<void> {
    // The online stretch since the last failure (a backoff before the link went away) still counts.
    if (lane.countingSince !== null) lane.unsavedMs += Math.max(0, this.now() - lane.countingSince)
    lane.countingSince = null
    lane.parked = true
    this.checkIdle()
    await new Promise<void>((resolve) => this.onlineWaiters.push(resolve))
    lane.parked = false
  }

  /** A backoff pause; a reconnect cuts it short unless the server asked for the wait (retry_after). */
  private sleep(ms: number, serverAsked: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        this.wakeSleepers = this.wakeSleepers.filter((w) => w !== done)
        resolve()
      }, ms)
      if (!serverAsked) this.wakeSleepers.push(done)
    })
  }

  private notifyOnlineForClose(): void {
    const waiters = [...this.onlineWaiters, ...this.wakeSleepers]
    this.onlineWaiters = []
    this.wakeSleepers = []
    for (const wake of waiters) wake()
    this.checkIdle()
  }

  private isIdle(): boolean {
    if (this.closed) return true
    for (const lane of this.lanes.values()) {
      if (lane.running && !lane.parked) return false
    }
    return true
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  private async acked(message: ChatMessage, ack: ResponseBody<'sendAck'>): Promise<void> {
    const seq = Number(ack.seq ?? 0)
    if (this.closed) return
    try {
      const sentAck = { serverId: Number(ack.serverId ?? 0), seq, timestamp: Number(ack.timestamp ?? Date.now()) }
      const updated = await this.idempotentWrite('markSent', message.id, () => this.options.store.markSent(message.id, sentAck))
      if (updated) this.options.onChanged(updated)
    } catch (err) {
      // The server has it; the next sync marks it sent from the log entry.
      log.error('outbox could not record an ack', { id: message.id, error: String(err) })
    }
    this.options.onAcked?.(seq, message)
  }

  private async failed(message: ChatMessage, reason: FailureReason): Promise<void> {
    log.info('message failed', { id: message.id, reason })
    try {
      const updated = await this.idempotentWrite('markFailed', message.id, () => this.options.store.markFailed(message.id, reason))
      if (updated) this.options.onChanged(updated)
    } catch (err) {
      log.error('outbox could not record a failure', { id: message.id, error: String(err) })
    }
  }
}
