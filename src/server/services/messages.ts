// Owns sending: validation, de-duplication, group commit (all sends of one event-loop turn in one transaction,
// acked only after the commit) and the live fan-out of the resulting events.
import { ChatTypePb, ErrorCode, encodeFrame, pb } from '../../shared/proto/codec'
import type { parley } from '../../shared/proto/gen/parley.js'
import { createLogger } from '../../shared/logger'
import { canonicalUserId } from '../../shared/user-id'
import type { AppendResult, NewMessage, ServerStore } from '../store/types'
import type { AttachmentGrant } from '../store/attachments/types'
import { checkBody, type BodyAttachmentAccess } from './attachments/body'
import { messageToProps, type BodyProps } from './events'
import type { ConnectionRef, EventFanout, GroupFanout } from './fanout'
import { canonicalGroupId } from '../../shared/group-id'
import { MAX_BURN_AFTER_READ_SEC } from './message-ops/config'

/** Who may message whom (services/contacts: blocklists, the strangers setting, deleted accounts). */
export interface SendPolicy {
  /** Why `sender` may not message `recipient` now, or null. */
  sendRefusal(sender: string, recipient: string): Promise<{ code: ErrorCode; message: string } | null>
}

const log = createLogger('server:messages')

export const CLIENT_ID_BYTES = 16

export type SendRequestProps = parley.v1.SendMessageRequest.$Properties
export type SendAckProps = parley.v1.SendAck.$Properties

export type SendOutcome = { ok: true; ack: SendAckProps } | { ok: false; code: ErrorCode; message: string }

export interface MessageService {
  send(sender: string, request: SendRequestProps, origin: ConnectionRef): Promise<SendOutcome>
  /** Waits until every queued send has been committed (used on shutdown). */
  drain(): Promise<void>
}

interface QueuedSend {
  input: NewMessage
  body: BodyProps
  origin: ConnectionRef
  resolve: (outcome: SendOutcome) => void
  /** The attachments the message names, granted to its conversation once it is stored (services/attachments). */
  grants: AttachmentGrant[]
}

/** Grants for a stored message's attachments: both users of a 1:1 chat, or the group. */
function grantsFor(attachmentIds: readonly string[], chatType: number, sender: string, recipient: string): AttachmentGrant[] {
  if (chatType === ChatTypePb.CHAT_TYPE_GROUP) return attachmentIds.map((attachmentId) => ({ attachmentId, kind: 'group', target: recipient }))
  return attachmentIds.flatMap((attachmentId) => [
    { attachmentId, kind: 'user' as const, target: sender },
    { attachmentId, kind: 'user' as const, target: recipient }
  ])
}

/** A send's burn-after-reading seconds as stored: whole seconds, 0 (none) to MAX_BURN_AFTER_READ_SEC (1:1 and groups). */
function burnSecondsOf(body: BodyProps): number {
  const seconds = Math.min(Math.max(0, Math.floor(Number(body.burnAfterReadSec ?? 0))), MAX_BURN_AFTER_READ_SEC)
  return seconds > 0 ? seconds : 0
}

function reject(code: ErrorCode, message: string): SendOutcome {
  return { ok: false, code, message }
}

/** Told of every message stored with an expiry (services/message-ops: its sweeper wakes for it). */
export interface ExpiryWatcher {
  noteExpiry(at: number): void
}

/** `attachments`: checks the attachments a body names (without it, bodies naming attachments are refused). */
export function createMessageService(
  store: ServerStore,
  fanout: EventFanout & GroupFanout,
  policy?: SendPolicy,
  attachments?: BodyAttachmentAccess & { grant(grants: readonly AttachmentGrant[]): Promise<void> },
  expiries?: ExpiryWatcher
): MessageService {
  // A name once seen to exist keeps its row (a deleted account's too), so later sends skip the lookup; whether a
  // deleted account may still receive is the policy's question.
  const knownUsers = new Set<string>()
  let queue: QueuedSend[] = []
  let flushScheduled = false
  /** Batches handed to the store and not yet answered. Several may be in flight: the store queues a batch that
   *  arrives during another's commit (fsync) and commits them together, so a batch never waits for an answer. */
  const inFlight = new Set<Promise<void>>()

  const lookUpUser = async (name: string): Promise<boolean> => {
    const found = (await store.existingUsers([name])).has(name)
    if (found) knownUsers.add(name)
    return found
  }

  const validate = async (sender: string, request: SendRequestProps): Promise<SendOutcome | { recipient: string; body: BodyProps; attachmentIds: string[] }> => {
    const clientId = request.clientId
    if (!clientId || clientId.length !== CLIENT_ID_BYTES) {
      return reject(ErrorCode.ERROR_BAD_REQUEST, `The client id must be exactly ${CLIENT_ID_BYTES} bytes.`)
    }
    if ((request.chatType ?? ChatTypePb.CHAT_TYPE_SINGLE) !== ChatTypePb.CHAT_TYPE_SINGLE) {
      return reject(ErrorCode.ERROR_BAD_REQUEST, 'Only one-to-one chats are supported by this server version.')
    }
    const recipient = canonicalUserId(request.to)
    if (!recipient || !(knownUsers.has(recipient) || (await lookUpUser(recipient)))) {
      return reject(ErrorCode.ERROR_USER_NOT_FOUND, `There is no user named "${request.to ?? ''}".`)
    }
    // A recipient who blocked the sender refuses their messages; the sender's own blocklist does not stop them
    // (AgoraChat's rule). With strangers not allowed, only friends may message each other.
    const refusal = await policy?.sendRefusal(sender, recipient)
    if (refusal) return reject(refusal.code, refusal.message)
    // Every content type, within its limits; attachments must be readable by the sender (services/attachments).
    const checked = await checkBody(sender, request.body, attachments, { mentions: false })
    if (!checked.ok) return reject(checked.code, checked.message)
    return { recipient, body: checked.body, attachmentIds: checked.attachmentIds }
  }

  /**
   * A group send: the text checked here, the mentions canonicalised; membership, mutes, bans and @all are decided by
   * the store inside the append transaction (store/groups/authorization.ts), where they cannot go stale.
   */
  const validateGroup = async (sender: string, request: SendRequestProps): Promise<SendOutcome | { group: string; body: BodyProps; attachmentIds: string[] }> => {
    const group = canonicalGroupId(request.to)
    if (!group) return reject(ErrorCode.ERROR_NOT_FOUND, `There is no group "${request.to ?? ''}".`)
    // Text keeps its (canonical) mentions; every other content type as for 1:1 (services/attachments/body.ts).
    const checked = await checkBody(sender, request.body, attachments, { mentions: true })
    if (!checked.ok) return reject(checked.code, checked.message)
    return { group, body: checked.body, attachmentIds: checked.attachmentIds }
  }

  const pushEvents = (result: AppendResult, body: BodyProps, origin: ConnectionRef): void => {
    const { message, recipientSeq } = result
    // A group message's stored body may differ from the one sent (mentions of non-members dropped): decode it.
    const messageProps = messageToProps(message, message.chatType === ChatTypePb.CHAT_TYPE_GROUP ? undefined : body)
    if (message.chatType === ChatTypePb.CHAT_TYPE_GROUP) {
      // Encoded once for every online device of every member; the sending device has its ack instead.
      const entry = { group: message.recipient, seq: message.senderSeq, message: messageProps }
      fanout.deliverGroup(message.recipient, () => encodeFrame({ id: 0, groupEntry: entry }), origin)
      return
    }
    fanout.deliver(message.sender, () => encodeFrame({ id: 0, event: { seq: message.senderSeq, message: messageProps } }), origin)
    if (message.recipient !== message.sender && recipientSeq !== null) {
      fanout.deliver(message.recipient, () => encodeFrame({ id: 0, event: { seq: recipientSeq, message: messageProps } }))
    }
  }

  const commit = async (batch: QueuedSend[]): Promise<void> => {
    let results: AppendResult[]
    try {
      results = await store.appendMessages(batch.map((item) => item.input))
    } catch (err) {
      log.error('storing a batch of messages failed', { count: batch.length, error: err instanceof Error ? err.message : String(err) })
      for (const item of batch) item.resolve(reject(ErrorCode.ERROR_INTERNAL, 'The server could not store the message.'))
      return
    }
    // A stored message's attachments become readable in its conversation before anyone hears of the message (a
    // resend of one stored earlier grants again: idempotent). A failed grant fails the send; the resend repeats it.
    // Each grant names its message, so the attachment lives as long as a message naming it does (services/attachments).
    const grants = results.flatMap((result, index) =>
      result.refusal ? [] : (batch[index] as QueuedSend).grants.map((grant) => ({ ...grant, serverId: result.message.serverId }))
    )
    if (grants.length > 0) {
      try {
        await attachments?.grant(grants)
      } catch (err) {
        log.error('granting attachments failed', { count: grants.length, error: err instanceof Error ? err.message : String(err) })
        for (const item of batch) item.resolve(reject(ErrorCode.ERROR_INTERNAL, 'The server could not store the message.'))
        return
      }
    }
    results.forEach((result, index) => {
      const item = batch[index] as QueuedSend
      const { message } = result
      if (result.refusal) {
        item.resolve(reject(result.refusal.code as ErrorCode, result.refusal.message))
        return
      }
      item.resolve({
        ok: true,
        ack: { clientId: message.clientId, serverId: message.serverId, timestamp: message.timestamp, seq: message.senderSeq }
      })
      if (!result.duplicate) {
        if (message.expiresAt) expiries?.noteExpiry(message.expiresAt)
        try {
          pushEvents(result, item.body, item.origin)
        } catch (err) {
          log.error('pushing an event failed', { serverId: message.serverId, error: err instanceof Error ? err.message : String(err) })
        }
      }
    })
  }

  const flush = (): void => {
    flushScheduled = false
    if (queue.length === 0) return
    const batch = queue
    queue = []
    // The store answers batches in the order given, so acks and pushes keep the order of the sends.
    const committing: Promise<void> = commit(batch).finally(() => inFlight.delete(committing))
    inFlight.add(committing)
  }

  const scheduleFlush = (): void => {
    if (flushScheduled) return
    flushScheduled = true
    // setImmediate runs after the poll phase, so every frame read in this event-loop turn joins the batch.
    setImmediate(flush)
  }

  return {
    async send(sender, request, origin) {
      if (request.chatType === ChatTypePb.CHAT_TYPE_GROUP) {
        const clientId = request.clientId
        if (!clientId || clientId.length !== CLIENT_ID_BYTES) {
          return reject(ErrorCode.ERROR_BAD_REQUEST, `The client id must be exactly ${CLIENT_ID_BYTES} bytes.`)
        }
        const group = await validateGroup(sender, request)
        if ('ok' in group) return group
        // Burn after reading in groups: each member's copy burns for them from their own first read (message-ops).
        const groupBurnSec = burnSecondsOf(group.body)
        group.body = { ...group.body, burnAfterReadSec: groupBurnSec }
        // The stored body is what pushes carry: the store may drop mentions of non-members from it (see the result).
        const input: NewMessage = {
          sender,
          clientId: new Uint8Array(clientId),
          recipient: group.group,
          chatType: ChatTypePb.CHAT_TYPE_GROUP,
          timestamp: Date.now(),
          body: pb.Body.encode(group.body).finish(),
          ...(groupBurnSec > 0 ? { burnAfterReadSec: groupBurnSec } : {})
        }
        const grants = grantsFor(group.attachmentIds, ChatTypePb.CHAT_TYPE_GROUP, sender, group.group)
        return new Promise<SendOutcome>((resolve) => {
          queue.push({ input, body: group.body, origin, resolve, grants })
          scheduleFlush()
        })
      }
      const checked = await validate(sender, request)
      if ('ok' in checked) return checked
      // Burn after reading (services/message-ops) travels with the body; its timer starts at the first read.
      const burnAfterReadSec = burnSecondsOf(checked.body)
      const body: BodyProps = { ...checked.body, burnAfterReadSec }
      const input: NewMessage = {
        sender,
        clientId: new Uint8Array(request.clientId as Uint8Array),
        recipient: checked.recipient,
        chatType: ChatTypePb.CHAT_TYPE_SINGLE,
        timestamp: Date.now(),
        body: pb.Body.encode(body).finish(),
        ...(burnAfterReadSec > 0 ? { burnAfterReadSec } : {})
      }
      const grants = grantsFor(checked.attachmentIds, ChatTypePb.CHAT_TYPE_SINGLE, sender, checked.recipient)
      return new Promise<SendOutcome>((resolve) => {
        queue.push({ input, body, origin, resolve, grants })
        scheduleFlush()
      })
    },
    async drain() {
      while (queue.length > 0 || inFlight.size > 0 || flushScheduled) {
        if (queue.length > 0) flush()
        else if (inFlight.size > 0) await Promise.all(inFlight)
        else await new Promise<void>((resolve) => setImmediate(resolve))
      }
    }
  }
}
