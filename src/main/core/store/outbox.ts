// Owns the outbox: the messages this device sends, from the moment they are written ('sending') through the
// server's ack (their place in the log) or a failure and its retry, and how long each has been failing.
import { encodeFailureReason, isFailureReason, type FailureReason } from '../../../shared/errors'
import type { ChatMessage } from '../../../shared/model'
import { ConversationUpdates } from './conversation-updates'
import { StoreError } from './errors'
import type { Messages } from './messages'
import { messageToParams, rowToMessage, type MessageParams } from './rows'
import { withFreeSearchKey } from './search-keys'
import { searchKey } from './search-text'
import { missingConversation, type StoreContext } from './store-context'
import type { SendAckFields } from './types'
import { checkId, checkSafeInteger } from './validate'

export class Outbox {
  constructor(
    private readonly context: StoreContext,
    private readonly messages: Messages
  ) {}

  addOutgoing(message: ChatMessage): void {
    const { statements } = this.context
    const canonical = this.messages.canonicalOrRefuse(message)
    // The outbox entry is unacked by definition, whatever the caller filled in.
    const params: MessageParams = {
      ...messageToParams({ ...canonical, seq: null, serverId: null }),
      status: 'sending',
      error: null
    }
    this.context.write(() => {
      const changes = withFreeSearchKey(statements, params.search_key, params.id, (key) =>
        statements.insertMessage.run(key === null ? params : { ...params, search_key: key })
      ).changes
      if (changes === 0) return // already stored: idempotent
      this.context.listWords([params.text])
      const updates = new ConversationUpdates()
      updates.add(rowToMessage(params), true)
      updates.apply(statements, missingConversation)
    })
  }

  markSent(id: string, ack: SendAckFields): ChatMessage | null {
    const { statements } = this.context
    checkId(id, 'message id')
    const params = {
      id,
      server_id: checkSafeInteger(ack?.serverId, 'server id'),
      seq: checkSafeInteger(ack?.seq, 'sequence'),
      timestamp: checkSafeInteger(ack?.timestamp, 'timestamp')
    }
    return this.context.db.transaction(() => {
      const row = withFreeSearchKey(statements, searchKey(params.timestamp, params.seq, id), id, (key) =>
        statements.markSent.get({ ...params, search_key: key })
      )
      if (!row) return null
      const sent = rowToMessage(row)
      // The ack gives the message its place in the log: a message received while this one was sending may now
      // be older than it, so the conversation's newest message (preview, time, order) is decided again.
      const updates = new ConversationUpdates()
      updates.add(sent, false)
      updates.apply(statements, missingConversation)
      return sent
    })()
  }

  markFailed(id: string, reason: FailureReason): ChatMessage | null {
    const { statements } = this.context
    checkId(id, 'message id')
    if (!isFailureReason(reason)) throw new StoreError('STORE_BAD_ARGUMENT', 'The failure reason must be a code with params.')
    const row = statements.markFailed.get(encodeFailureReason(reason), id) ?? statements.messageById.get(id)
    return row ? rowToMessage(row) : null
  }

  markSending(id: string): ChatMessage | null {
    const { statements } = this.context
    checkId(id, 'message id')
    const row = statements.markSending.get(id) ?? statements.messageById.get(id)
    return row ? rowToMessage(row) : null
  }

  addSendFailingTime(id: string, ms: number): number | null {
    checkId(id, 'message id')
    const added = checkSafeInteger(ms, 'failing time')
    return this.context.statements.addSendFailingTime.get(added, id)?.send_failing_ms ?? null
  }

  pending(): ChatMessage[] {
    return this.context.statements.pendingOutbox.all().map(rowToMessage)
  }
}
