// Owns the durable outbox: every outgoing message is stored ('sending') BEFORE it is sent, resent after every
// reconnect until acked ('sent'), or marked 'failed' with a sentence when the server refuses it for good.
import { AppError } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import type { ChatMessage } from '../../../shared/model'
import type { ResponseBody } from '../net/connection'
import { isPermanentSendError, isRateLimited } from '../protocol/errors'
import type { MessageStore } from '../store/types'

const log = createLogger('core:outbox')
/** How often one delivery retries a send that timed out while the link stayed up. */
export const MAX_TIMEOUT_RETRIES = 5
export const RATE_LIMIT_RETRY_MS = 1_000
/** Longest pause between rate-limited retries, as a multiple of the retry delay. */
const MAX_RETRY_DELAY_STEPS = 10
/** Sends in flight at once while flushing a long outbox (keeps the server's rate limiter happy). */
export const FLUSH_WINDOW = 32

export interface OutboxOptions {
  store: MessageStore
  /** Sends one message over the socket and resolves with the server's ack. */
  send: (message: ChatMessage) => Promise<ResponseBody<'sendAck'>>
  isOnline: () => boolean
  /** A message changed state (stored, sent, failed, back to sending). */
  onChanged: (message: ChatMessage) => void
  /** A send was acked with this position in the account's log. */
  onAcked?: (seq: number) => void
  retryDelayMs?: number
}

export class Outbox {
  private readonly inFlight = new Set<string>()
  private readonly retryDelayMs: number
  private closed = false

  constructor(private readonly options: OutboxOptions) {
    this.retryDelayMs = options.retryDelayMs ?? RATE_LIMIT_RETRY_MS
  }

  /** Store a new outgoing message (status 'sending') and start sending it if online. Resolves once stored. */
  async enqueue(message: ChatMessage): Promise<ChatMessage> {
    const stored: ChatMessage = { ...message, status: 'sending', error: null, seq: null, serverId: null }
    await this.options.store.addOutgoing(stored)
    this.options.onChanged(stored)
    this.kick(stored)
    return stored
  }

  /** A failed message goes back to 'sending' and is sent again. */
  async retry(id: string): Promise<ChatMessage> {
    const current = await this.options.store.getMessage(id)
    if (!current) throw new AppError('NOT_FOUND', 'That message no longer exists.')
    if (current.direction !== 'out') throw new AppError('BAD_ARGUMENT', 'Only your own messages can be sent again.')
    if (current.status === 'sent' || current.status === 'sending') return current
    const sending = await this.options.store.markSending(id)
    if (!sending) throw new AppError('NOT_FOUND', 'That message no longer exists.')
    this.options.onChanged(sending)
    this.kick(sending)
    return sending
  }

  /** Send everything still 'sending', oldest first (after every (re)connect). Resolves when all are settled. */
  async flush(): Promise<void> {
    if (!this.options.isOnline() || this.closed) return
    const pending = await this.options.store.pendingOutbox()
    if (pending.length > 0) log.debug('flushing the outbox', { count: pending.length })
    // Each deliver() writes its frame before its first await, and workers take messages in list order,
    // so frames leave in outbox order.
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < pending.length && this.options.isOnline() && !this.closed) {
        const message = pending[next++]!
        await this.deliver(message)
      }
    }
    await Promise.all(Array.from({ length: Math.min(FLUSH_WINDOW, pending.length) }, worker))
  }

  /** Stop touching the store (it is being closed). In-flight sends settle quietly. */
  close(): void {
    this.closed = true
  }

  get inFlightCount(): number {
    return this.inFlight.size
  }

  private kick(message: ChatMessage): void {
    if (!this.options.isOnline()) return
    void this.deliver(message)
  }

  private async deliver(message: ChatMessage): Promise<void> {
    if (this.inFlight.has(message.id) || this.closed || !this.options.isOnline()) return
    this.inFlight.add(message.id)
    try {
      let timeouts = 0
      let rateLimited = 0
      while (!this.closed && this.options.isOnline()) {
        try {
          const ack = await this.options.send(message)
          await this.acked(message, ack)
          return
        } catch (err) {
          if (this.closed) return
          if (isPermanentSendError(err)) {
            await this.failed(message, err.message)
            return
          }
          const appError = AppError.from(err)
          if (isRateLimited(err)) {
            rateLimited += 1
          } else if (appError.code === 'TIMEOUT' && timeouts < MAX_TIMEOUT_RETRIES) {
            timeouts += 1
          } else {
            // Disconnected, the session ended, or it kept timing out: it stays 'sending' and the flush
            // after the next connect resends it (the server de-duplicates on the client id).
            log.debug('send interrupted; will resend after reconnect', { id: message.id, code: appError.code })
            return
          }
          await delay(this.retryDelayMs * Math.min(MAX_RETRY_DELAY_STEPS, timeouts + rateLimited))
        }
      }
    } catch (err) {
      log.error('outbox could not update the store', { id: message.id, error: String(err) })
    } finally {
      this.inFlight.delete(message.id)
    }
  }

  private async acked(message: ChatMessage, ack: ResponseBody<'sendAck'>): Promise<void> {
    if (this.closed) return
    const seq = Number(ack.seq ?? 0)
    const updated = await this.options.store.markSent(message.id, {
      serverId: Number(ack.serverId ?? 0),
      seq,
      timestamp: Number(ack.timestamp ?? Date.now())
    })
    if (updated) this.options.onChanged(updated)
    this.options.onAcked?.(seq)
  }

  private async failed(message: ChatMessage, reason: string): Promise<void> {
    log.info('message refused by the server', { id: message.id, reason })
    const updated = await this.options.store.markFailed(message.id, reason)
    if (updated) this.options.onChanged(updated)
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
