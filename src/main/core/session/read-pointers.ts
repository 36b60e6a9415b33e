// Owns sending the read pointers this device moved to the server: one flush at a time, each pointer marked synced in
// the store once the server confirmed it, and a retry with backoff while online when a flush fails.
import { createLogger } from '../../../shared/logger'
import { fullJitterDelayMs } from '../net/backoff'
import type { Connection } from '../net/connection'
import { chatTypeToWire } from '../protocol/messages'
import type { MessageStore } from '../store/types'
import type { ClientTimings } from '../types'

const log = createLogger('core:session')

export interface ReadPointerFlusherOptions {
  store: MessageStore
  connection: Connection
  /** Whether the session is still the signed-in one (a flush of an ended session stops). */
  isCurrent: () => boolean
  /** The reconnect backoff's base and ceiling (retries use them: both say how hard to press a struggling server). */
  timings: Pick<ClientTimings, 'backoffBaseMs' | 'backoffMaxMs'>
}

export class ReadPointerFlusher {
  /** Sending read pointers to the server (one flush at a time). */
  private flushing: Promise<void> = Promise.resolve()
  /** Failed flushes in a row while online (decides the retry backoff); the pending retry. */
  private failures = 0
  private retry: ReturnType<typeof setTimeout> | null = null

  constructor(private readonly options: ReadPointerFlusherOptions) {}

  /** Send the read pointers this device moved and the server has not confirmed (one flush at a time). */
  flush(): void {
    const { store, connection, isCurrent } = this.options
    this.flushing = this.flushing.then(async () => {
      if (!isCurrent() || !connection.isOnline) return
      try {
        for (const pointer of await store.pendingReadPointers()) {
          if (!isCurrent()) return
          await connection.request(
            { markRead: { conversation: pointer.key.id, chatType: chatTypeToWire(pointer.key.type), seq: pointer.seq } },
            'markReadOk'
          )
          await store.markReadPointerSynced(pointer.key, pointer.seq)
        }
        this.failures = 0
      } catch (err) {
        // Still pending in the store. A timeout on a live link would otherwise wait for the next connect or read,
        // which may never come (the other devices would keep showing it unread): retry with backoff while online.
        log.info('could not send a read pointer yet', { error: String(err) })
        if (!isCurrent() || !connection.isOnline || this.retry) return
        const { backoffBaseMs, backoffMaxMs } = this.options.timings
        const delay = fullJitterDelayMs(this.failures++, { baseMs: backoffBaseMs, maxMs: backoffMaxMs })
        this.retry = setTimeout(() => {
          this.retry = null
          this.flush()
        }, delay)
      }
    })
  }

  /** Stops the pending retry and waits for a flush in progress (the session is closing). */
  async stop(): Promise<void> {
    if (this.retry) clearTimeout(this.retry)
    await this.flushing.catch(() => undefined)
  }
}
