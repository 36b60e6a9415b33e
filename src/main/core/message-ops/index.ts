// Owns recall, edit, delete for me, clearing a conversation and self-destruct for one signed-in session: the
// requests to the server, applying their answers and the user log's changes to the store, and the local expiry
// timer that deletes expired messages on time even when offline.
import { AppError } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import type { ChatMessage, ConversationKey } from '../../../shared/model'
import { MAX_TEXT_BYTES, utf8ByteLength } from '../../../shared/limits'
import { TypedEmitter } from '../../../shared/typed-emitter'
import { MAX_DELETE_FOR_ME_IDS, MAX_TIMER_MS_CLIENT } from './limits'
import type { Connection } from '../net/connection'
import { messageChangeFromWire, conversationSettingsFromWire } from '../protocol/message-ops'
import { chatTypeToWire } from '../protocol/messages'
import type { AppliedUserEvent } from '../store/domain-types'
import type { MessageOpsChange } from '../store/message-ops'
import type { MessageStore } from '../store/types'

const log = createLogger('core:message-ops')

/** The disappearing timers the app offers (seconds; 0 = off): short enough to try, long enough to be useful. */
export const DISAPPEARING_TIMER_CHOICES: readonly number[] = [0, 30, 5 * 60, 60 * 60, 24 * 60 * 60, 7 * 24 * 60 * 60]

export interface MessageOpsEvents {
  /** A message changed (recalled, edited, its timer started). */
  message: ChatMessage
  /** Messages left this device (deleted for me, cleared, expired). */
  messagesRemoved: { conversation: ConversationKey; ids: string[] }
  /** A conversation's disappearing timer changed (set here, or by either side). */
  conversationSettings: { conversation: ConversationKey; disappearAfterSec: number; changedBy: string }
  /** A conversation's newest message or unread count may have changed. */
  conversationTouched: ConversationKey
}

export interface MessageOpsClientOptions {
  connection: Connection
  store: MessageStore
}

export class MessageOpsClient extends TypedEmitter<MessageOpsEvents> {
  private timer: NodeJS.Timeout | null = null
  private timerAt = Number.POSITIVE_INFINITY
  private closed = false

  constructor(private readonly options: MessageOpsClientOptions) {
    super()
  }

  /** Starts the local expiry timer (from what the store holds). */
  start(): void {
    void this.sweep()
  }

  close(): void {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  /** Recalls a message on the server; every device of every participant then shows the notice. */
  async recall(key: ConversationKey, messageId: string): Promise<ChatMessage | null> {
    const message = await this.requireSent(key, messageId)
    const answer = await this.options.connection.request(
      { recall: { conversation: key.id, chatType: chatTypeToWire(key.type), serverId: message.serverId } },
      'recallOk'
    )
    await this.applyAnswer(answer.change)
    return this.options.store.getMessage(messageId)
  }

  /** Replaces the text of an own text message on the server (shown "edited" everywhere). */
  async edit(key: ConversationKey, messageId: string, text: string): Promise<ChatMessage | null> {
    if (text.trim().length === 0) throw new AppError('BAD_ARGUMENT', 'Type the new text before saving the edit.')
    if (utf8ByteLength(text) > MAX_TEXT_BYTES) {
      throw new AppError('TEXT_TOO_LONG', `This message is too long: the limit is ${MAX_TEXT_BYTES} bytes.`, { params: { limit: MAX_TEXT_BYTES } })
    }
    const message = await this.requireSent(key, messageId)
    if (message.content.type !== 'text') throw new AppError('BAD_ARGUMENT', 'Only text messages can be edited.')
    const answer = await this.options.connection.request(
      { edit: { conversation: key.id, chatType: chatTypeToWire(key.type), serverId: message.serverId, text } },
      'editOk'
    )
    await this.applyAnswer(answer.change)
    return this.options.store.getMessage(messageId)
  }

  /**
   * Deletes messages for me: the server leaves them out of my account's log, history and conversation list from now
   * on and tells my other devices (a ConversationCleared entry of my log naming them); the other side keeps them.
   * Messages the server never stored (still sending) only leave this device. The server is asked first, so a
   * deletion it did not take changes nothing here and the error says why.
   */
  async deleteForMe(key: ConversationKey, ids: readonly string[]): Promise<void> {
    const serverIds: number[] = []
    for (const id of ids) {
      const message = await this.options.store.getMessage(id)
      if (message && message.chatType === key.type && message.conversationId === key.id && message.serverId !== null) {
        serverIds.push(message.serverId)
      }
    }
    if (serverIds.length > MAX_DELETE_FOR_ME_IDS) {
      throw new AppError('BAD_ARGUMENT', `You can delete at most ${MAX_DELETE_FOR_ME_IDS} messages at once.`)
    }
    if (serverIds.length > 0) {
      await this.options.connection.request(
        { clearConversation: { conversation: key.id, chatType: chatTypeToWire(key.type), serverIds } },
        'clearConversationOk'
      )
    }
    const change = await this.options.store.domains.messageOps.deleteForMe(key, ids)
    if (change) this.report(change)
  }

  /**
   * Clears a conversation on this device; with `everywhere` the account's other devices clear it too (the server
   * records it in the user log, so a device that is offline now clears it when it syncs).
   */
  async clear(key: ConversationKey, everywhere: boolean): Promise<void> {
    const now = Date.now()
    if (everywhere) {
      await this.options.connection.request(
        { clearConversation: { conversation: key.id, chatType: chatTypeToWire(key.type), upToTimestamp: now } },
        'clearConversationOk'
      )
    }
    const change = await this.options.store.domains.messageOps.clear(key, now)
    if (change) this.report(change)
    else this.emit('conversationTouched', key)
  }

  /** The conversation's disappearing timer: the server's when online, else the last one this device heard of. */
  async disappearingTimer(key: ConversationKey): Promise<number> {
    if (key.type !== 'single' && key.type !== 'group') return 0
    if (this.options.connection.isOnline) {
      try {
        const answer = await this.options.connection.request(
          { conversationSettings: { conversation: key.id, chatType: chatTypeToWire(key.type), set: false } },
          'conversationSettingsOk'
        )
        if (answer.settings) {
          const record = conversationSettingsFromWire(answer.settings)
          if (record.at > 0) await this.options.store.domains.messageOps.setSettings(record)
          return record.disappearAfterSec
        }
      } catch (err) {
        log.warn('could not read the disappearing timer from the server', { error: err instanceof Error ? err.message : String(err) })
      }
    }
    return (await this.options.store.domains.messageOps.settings(key)).disappearAfterSec
  }

  /** Sets the conversation's disappearing timer for both sides, or a group's for every member (new messages only). */
  async setDisappearingTimer(key: ConversationKey, seconds: number): Promise<number> {
    if (key.type !== 'single' && key.type !== 'group') throw new AppError('BAD_ARGUMENT', 'The disappearing timer is for one-to-one chats and groups.')
    const answer = await this.options.connection.request(
      { conversationSettings: { conversation: key.id, chatType: chatTypeToWire(key.type), set: true, disappearAfterSec: seconds } },
      'conversationSettingsOk'
    )
    if (!answer.settings) return seconds
    const change = await this.options.store.domains.messageOps.setSettings(conversationSettingsFromWire(answer.settings))
    this.report(change)
    return change.kind === 'settings' ? change.disappearAfterSec : seconds
  }

  /** What sync applied: reports this domain's changes and re-arms the expiry timer. */
  onUserEvents(events: readonly AppliedUserEvent[]): void {
    let timers = false
    for (const event of events) {
      const change = event.change as MessageOpsChange | undefined
      if (change?.domain !== 'messageOps') continue
      this.report(change)
      timers = true
    }
    if (timers) void this.sweep()
  }

  /**
   * This device's message was acked. The server gave it the conversation's disappearing timer from the ack's time
   * (the ack does not carry the expiry), so the same expiry is set here from the timer this device knows.
   */
  async onSent(message: ChatMessage): Promise<void> {
    if ((message.chatType !== 'single' && message.chatType !== 'group') || message.expiresAt) return
    try {
      const key: ConversationKey = { type: message.chatType, id: message.conversationId }
      const { disappearAfterSec } = await this.options.store.domains.messageOps.settings(key)
      if (disappearAfterSec <= 0) return
      const applied = await this.options.store.domains.messageOps.applyChange({
        id: message.id,
        serverId: message.serverId ?? 0,
        conversation: key,
        from: message.from,
        kind: 'expirySet',
        by: message.from,
        at: message.timestamp,
        text: null,
        expiresAt: message.timestamp + disappearAfterSec * 1000
      })
      if (applied) this.report(applied)
    } catch (err) {
      log.warn('could not set the expiry of a sent message', { error: err instanceof Error ? err.message : String(err) })
    }
  }

  /** New messages arrived (they may carry an expiry): re-arm the timer. */
  onMessages(messages: readonly ChatMessage[]): void {
    const soonest = Math.min(...messages.map((m) => m.expiresAt ?? Number.POSITIVE_INFINITY))
    if (Number.isFinite(soonest)) this.arm(soonest)
  }

  private async requireSent(key: ConversationKey, messageId: string): Promise<ChatMessage & { serverId: number }> {
    const message = await this.options.store.getMessage(messageId)
    if (!message || message.chatType !== key.type || message.conversationId !== key.id) {
      throw new AppError('NOT_FOUND', 'That message is not in this conversation any more.')
    }
    if (message.serverId === null) throw new AppError('BAD_ARGUMENT', 'This message has not reached the server yet.')
    return message as ChatMessage & { serverId: number }
  }

  /** Applies the answer's change here at once (the same change also comes through the log: applied once). */
  private async applyAnswer(change: Parameters<typeof messageChangeFromWire>[0] | null | undefined): Promise<void> {
    if (!change) return
    const applied = await this.options.store.domains.messageOps.applyChange(messageChangeFromWire(change))
    if (applied) this.report(applied)
  }

  private report(change: MessageOpsChange): void {
    switch (change.kind) {
      case 'changed':
        this.emit('message', change.message)
        if (change.message.expiresAt) this.arm(change.message.expiresAt)
        break
      case 'removed':
        this.emit('messagesRemoved', { conversation: change.conversation, ids: change.ids })
        break
      case 'settings':
        this.emit('conversationSettings', {
          conversation: change.conversation,
          disappearAfterSec: change.disappearAfterSec,
          changedBy: change.changedBy
        })
        return
    }
    this.emit('conversationTouched', change.conversation)
  }

  private arm(at: number): void {
    if (this.closed || at >= this.timerAt) return
    if (this.timer) clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(() => {
      this.timer = null
      this.timerAt = Number.POSITIVE_INFINITY
      void this.sweep()
    }, Math.min(MAX_TIMER_MS_CLIENT, Math.max(0, at - Date.now())))
    this.timer.unref?.()
  }

  /** Deletes what has expired and arms the timer for the next expiry. */
  private async sweep(): Promise<void> {
    if (this.closed) return
    try {
      const messageOps = this.options.store.domains.messageOps
      for (const change of await messageOps.expireDue(Date.now())) this.report(change)
      const next = await messageOps.nextExpiry()
      if (next !== null) this.arm(next)
    } catch (err) {
      if (!this.closed) log.warn('deleting expired messages failed', { error: err instanceof Error ? err.message : String(err) })
    }
  }
}
