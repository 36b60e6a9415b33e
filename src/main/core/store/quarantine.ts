// Owns what this device could not read yet: events put aside (quarantine) and, with a newer decoder, reading
// again the stored 'unsupported' messages and unknown events so they become the messages they are.
import type { ChatMessage } from '../../../shared/model'
import { createLogger } from '../../../shared/logger'
import { ConversationUpdates } from './conversation-updates'
import { StoreError } from './errors'
import type { Messages } from './messages'
import { messageToParams, rowToMessage } from './rows'
import { bytesOf, missingConversation, type StoreContext } from './store-context'
import type { QuarantinedEvent } from './types'
import { checkBytes, checkLimit, checkReason, checkSafeInteger } from './validate'

const log = createLogger('core:store')

export const DEFAULT_QUARANTINE_LIST = 100
const MAX_QUARANTINE_LIST = 1_000

export class Quarantine {
  constructor(
    private readonly context: StoreContext,
    private readonly messages: Messages
  ) {}

  /** Puts an event aside inside the caller's transaction (or on its own). */
  putAside(seq: number, raw: Uint8Array | null, reason: string, now: number): QuarantinedEvent {
    this.context.statements.quarantine.run(seq, raw === null ? null : Buffer.from(raw), reason, now)
    log.warn('an event was put aside', { seq, reason })
    return { seq, raw, reason, quarantinedAt: now }
  }

  quarantineEvent(seq: number, raw: Uint8Array | null, reason: string): void {
    checkSafeInteger(seq, 'event sequence')
    const bytes = raw === null ? null : checkBytes(raw)
    this.putAside(seq, bytes, checkReason(reason), Date.now())
  }

  quarantined(limit: number): { count: number; events: QuarantinedEvent[] } {
    const { statements } = this.context
    const size = checkLimit(limit, MAX_QUARANTINE_LIST)
    return this.context.db.transaction(() => ({
      count: statements.quarantinedCount.get()?.n ?? 0,
      events: statements.quarantinedList.all(size).map((row) => ({
        seq: row.seq,
        raw: row.raw === null ? null : bytesOf(row.raw),
        reason: row.reason,
        quarantinedAt: row.quarantined_at
      }))
    }))()
  }

  /**
   * The bytes reinterpretUnsupported() would decode (stored 'unsupported' messages, unknown events): a store in
   * another thread decodes them where the decoder is, then hands the answers back to reinterpretUnsupported.
   */
  undecodedRaws(): Uint8Array[] {
    const { statements } = this.context
    const raws: Uint8Array[] = []
    for (const row of statements.unsupportedMessages.all()) {
      const stored = rowToMessage(row)
      if (stored.content.type === 'unsupported') raws.push(Buffer.from(stored.content.raw, 'base64'))
    }
    for (const event of statements.unknownEvents.all()) raws.push(bytesOf(event.raw))
    return raws
  }

  reinterpretUnsupported(decode: (raw: Uint8Array) => ChatMessage | null): ChatMessage[] {
    const { statements } = this.context
    if (typeof decode !== 'function') throw new StoreError('STORE_BAD_ARGUMENT', 'A decoder function is needed.')
    const tryDecode = (raw: Uint8Array): ChatMessage | null => {
      try {
        const decoded = decode(raw)
        return decoded === null || decoded.content?.type === 'unsupported' ? null : decoded
      } catch (err) {
        log.warn('a stored event still cannot be decoded', { error: err instanceof Error ? err.message : String(err) })
        return null
      }
    }
    return this.context.write(() => {
      const changed: ChatMessage[] = []
      const updates = new ConversationUpdates()
      for (const row of statements.unsupportedMessages.all()) {
        const stored = rowToMessage(row)
        if (stored.content.type !== 'unsupported') continue
        const decoded = tryDecode(Buffer.from(stored.content.raw, 'base64'))
        if (decoded === null) continue
        // Only the content is new: identity, position and status stay as stored.
        const updated: ChatMessage = { ...stored, content: decoded.content }
        const reason = this.messages.refusal(updated)
        if (reason !== null) continue
        const params = messageToParams(updated)
        statements.updateContent.run(params.type, params.body, params.text, params.id)
        this.context.listWords([params.text])
        updates.add(updated, false)
        changed.push(updated)
      }
      // Unknown events that the newer decoder reads as messages become messages.
      const fromUnknown: ChatMessage[] = []
      for (const event of statements.unknownEvents.all()) {
        const decoded = tryDecode(bytesOf(event.raw))
        if (decoded === null) continue
        const checked = this.messages.checkForBatch(decoded)
        if (!('message' in checked)) continue
        fromUnknown.push(checked.message)
        statements.deleteUnknownEvent.run(event.seq)
      }
      updates.apply(statements, missingConversation)
      if (fromUnknown.length > 0) changed.push(...this.messages.store(fromUnknown, null).changed)
      return changed
    })
  }
}
