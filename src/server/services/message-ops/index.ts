// Owns recall, edit, clearing on other devices and self-destruct on the server: validates the requests, has the store
// decide and write them, pushes the resulting user-log entries to the participants' online devices, starts burn
// timers when a read pointer moves, and sweeps expired messages out of the store on time.
import { ChatTypePb, ErrorCode, MAX_TEXT_BYTES, encodeFrame, pb } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { createLogger } from '../../../shared/logger'
import { canonicalUserId } from '../../../shared/user-id'
import { MAX_TIMER_MS } from '../../config'
import type { LogDelivery, MessageOpOutcome, MessageRef } from '../../store/message-ops/types'
import type { ServerStore } from '../../store/types'
import { entryToEvent } from '../events'
import type { EventFanout } from '../fanout'
import { canonicalGroupId } from '../../../shared/group-id'
import {
  EXPIRY_RESCAN_INTERVAL_MS,
  EXPIRY_SWEEP_BATCH,
  MAX_DELETE_FOR_ME_IDS,
  MAX_DISAPPEAR_AFTER_SEC,
  messageOpsConfigFromEnv,
  type MessageOpsConfig
} from './config'

const log = createLogger('server:message-ops')

export type MessageOpsAnswer<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string }

export interface MessageOpsService {
  recall(user: string, request: parley.v1.IRecallMessageRequest): Promise<MessageOpsAnswer<parley.v1.IRecallMessageResponse>>
  edit(user: string, request: parley.v1.IEditMessageRequest): Promise<MessageOpsAnswer<parley.v1.IEditMessageResponse>>
  settings(
    user: string, request: parley.v1.IConversationSettingsRequest
  ): Promise<MessageOpsAnswer<parley.v1.IConversationSettingsResponse>>
  clear(user: string, request: parley.v1.IClearConversationRequest): Promise<MessageOpsAnswer<parley.v1.IClearConversationResponse>>
  /** The user's read pointer of a one-to-one conversation moved to `readSeq`: burn timers start. */
  readMoved(user: string, peer: string, readSeq: number): Promise<void>
  /** The user's read pointer of a group moved from `readBefore` to `readSeq`: their copies of burn messages burn. */
  groupReadMoved(user: string, group: string | null | undefined, readBefore: number, readSeq: number): Promise<void>
  /** A message was stored with an expiry (the disappearing timer): the sweeper wakes for it. */
  noteExpiry(at: number): void
  /** Resolves once every message whose time ran out is gone from the store (reads call it before answering). */
  sweepIfDue(): Promise<void>
  /** Called with the server ids of messages recalled or expired (their attachments may go: services/attachments). */
  onMessagesGone(listener: (serverIds: number[]) => void): void
  close(): void
}

function refuse<T>(code: ErrorCode, message: string): MessageOpsAnswer<T> {
  return { ok: false, code, message }
}

/** The conversation as the asking user names it, canonical; null when it cannot be one. */
function conversationRef(user: string, request: { conversation?: string | null; chatType?: number | null; serverId?: number | null }): MessageRef | null {
  const chatType = request.chatType ?? ChatTypePb.CHAT_TYPE_SINGLE
  const serverId = Number(request.serverId ?? 0)
  if (!(serverId > 0)) return null
  if (chatType === ChatTypePb.CHAT_TYPE_GROUP) {
    const group = canonicalGroupId(request.conversation)
    return group ? { conversation: group, chatType, serverId } : null
  }
  if (chatType !== ChatTypePb.CHAT_TYPE_SINGLE) return null
  const peer = canonicalUserId(request.conversation)
  return peer ? { conversation: peer, chatType, serverId } : null
}

export function createMessageOpsService(
  store: ServerStore,
  fanout: EventFanout,
  config: MessageOpsConfig = messageOpsConfigFromEnv()
): MessageOpsService {
  let closed = false
  let timer: NodeJS.Timeout | null = null
  let timerAt = Number.POSITIVE_INFINITY
  /** The earliest expiry this node knows of (Infinity = none): reads sweep first when it has passed. */
  let nextDue = Number.POSITIVE_INFINITY
  let sweeping: Promise<void> | null = null
  let messagesGone: (serverIds: number[]) => void = () => {}
  const gone = (serverIds: number[]): void => {
    if (serverIds.length === 0) return
    try {
      messagesGone(serverIds)
    } catch (err) {
      log.error('a listener of gone messages failed', { error: err instanceof Error ? err.message : String(err) })
    }
  }

  /** Pushes the entries a change wrote to the users' online devices (every device: the change is idempotent). */
  const push = (deliveries: readonly LogDelivery[]): void => {
    for (const { user, seq, event } of deliveries) {
      try {
        const wire = entryToEvent({ seq, userEvent: event })
        fanout.deliver(user, () => encodeFrame({ id: 0, event: wire }))
      } catch (err) {
        log.error('pushing a message change failed', { user, seq, error: err instanceof Error ? err.message : String(err) })
      }
    }
  }

  const schedule = (at: number | null): void => {
    if (closed || at === null) return
    nextDue = Math.min(nextDue, at)
    if (at >= timerAt) return
    if (timer) clearTimeout(timer)
    timerAt = at
    timer = setTimeout(() => {
      timer = null
      timerAt = Number.POSITIVE_INFINITY
      void sweep()
    }, Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())))
    timer.unref()
  }

  const sweepOnce = async (): Promise<void> => {
    let more = true
    while (more && !closed) {
      const result = await store.sweepExpired(Date.now(), EXPIRY_SWEEP_BATCH)
      push(result.deliveries)
      gone(result.gone)
      if (result.swept > 0) log.info('expired messages deleted', { count: result.swept })
      more = result.more
    }
    nextDue = Number.POSITIVE_INFINITY
    schedule(await store.nextExpiry())
  }

  const sweep = (): Promise<void> => {
    sweeping ??= sweepOnce()
      .catch((err: unknown) => {
        log.error('sweeping expired messages failed', { error: err instanceof Error ? err.message : String(err) })
      })
      .finally(() => {
        sweeping = null
      })
    return sweeping
  }

  const rescan = setInterval(() => void sweep(), EXPIRY_RESCAN_INTERVAL_MS)
  rescan.unref()
  void sweep()

  /** Burn timers that started: their entries go to the devices, and the sweeper wakes at the earliest expiry. */
  const burnsStarted = (deliveries: readonly LogDelivery[]): void => {
    if (deliveries.length === 0) return
    push(deliveries)
    for (const { event } of deliveries) {
      const change = decodeChange(event.payload)
      if (change.expiresAt) schedule(Number(change.expiresAt))
    }
  }

  /** A group's disappearing timer: read by members, set by owner and admins (the groups table decides, in the store). */
  const groupSettings = async (
    user: string, request: parley.v1.IConversationSettingsRequest
  ): Promise<MessageOpsAnswer<parley.v1.IConversationSettingsResponse>> => {
    const group = canonicalGroupId(request.conversation)
    if (!group) return refuse(ErrorCode.ERROR_NOT_FOUND, `There is no group "${request.conversation ?? ''}".`)
    const chatType = ChatTypePb.CHAT_TYPE_GROUP
    if (!request.set) {
      if (!(await store.groupIdsOf(user)).includes(group)) return refuse(ErrorCode.ERROR_NOT_MEMBER, 'You are not a member of this group.')
      return { ok: true, value: { settings: await store.conversationSettings(user, group, chatType), eventSeq: 0 } }
    }
    const seconds = Math.floor(Number(request.disappearAfterSec ?? 0))
    if (!(seconds >= 0) || seconds > MAX_DISAPPEAR_AFTER_SEC) {
      return refuse(ErrorCode.ERROR_BAD_REQUEST, `The disappearing timer can be at most ${MAX_DISAPPEAR_AFTER_SEC / 86_400} days.`)
    }
    const result = await store.setConversationSettings(user, group, chatType, seconds, Date.now())
    if (result.refusal) return refuse(result.refusal.code as ErrorCode, result.refusal.message)
    push(result.deliveries)
    const own = result.deliveries.find((delivery) => delivery.user === user)
    return { ok: true, value: { settings: result.settings, eventSeq: own?.seq ?? 0 } }
  }

  const outcome = <T>(result: MessageOpOutcome, answer: (change: parley.v1.MessageChange, eventSeq: number) => T, user: string): MessageOpsAnswer<T> => {
    if (!result.ok) return refuse(result.code as ErrorCode, result.message)
    push(result.deliveries)
    const own = result.deliveries.find((delivery) => delivery.user === user)
    return { ok: true, value: answer(decodeChange(result.change), own?.seq ?? 0) }
  }

  return {
    async recall(user, request) {
      const ref = conversationRef(user, request)
      if (!ref) return refuse(ErrorCode.ERROR_BAD_REQUEST, 'Recall needs a conversation and a message id.')
      const result = await store.recallMessage(user, ref, Date.now(), config.recallWindowMs)
      if (result.ok) gone([ref.serverId])
      return outcome(result, (change, eventSeq) => ({ change, eventSeq }), user)
    },

    async edit(user, request) {
      const ref = conversationRef(user, request)
      if (!ref) return refuse(ErrorCode.ERROR_BAD_REQUEST, 'Edit needs a conversation and a message id.')
      const text = request.text ?? ''
      if (text.trim().length === 0) return refuse(ErrorCode.ERROR_BAD_REQUEST, 'The new text cannot be empty.')
      if (Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES) {
        return refuse(ErrorCode.ERROR_TEXT_TOO_LONG, `The text is longer than ${MAX_TEXT_BYTES} bytes.`)
      }
      const result = await store.editMessage(user, ref, text, Date.now(), config.editWindowMs)
      return outcome(result, (change, eventSeq) => ({ change, eventSeq }), user)
    },

    async settings(user, request) {
      const chatType = request.chatType ?? ChatTypePb.CHAT_TYPE_SINGLE
      if (chatType === ChatTypePb.CHAT_TYPE_GROUP) return groupSettings(user, request)
      const peer = canonicalUserId(request.conversation)
      if (chatType !== ChatTypePb.CHAT_TYPE_SINGLE || !peer) {
        return refuse(ErrorCode.ERROR_BAD_REQUEST, 'The disappearing timer is set on one-to-one and group conversations.')
      }
      if (!request.set) {
        const settings = await store.conversationSettings(user, peer, chatType)
        return { ok: true, value: { settings, eventSeq: 0 } }
      }
      const seconds = Math.floor(Number(request.disappearAfterSec ?? 0))
      if (!(seconds >= 0) || seconds > MAX_DISAPPEAR_AFTER_SEC) {
        return refuse(ErrorCode.ERROR_BAD_REQUEST, `The disappearing timer can be at most ${MAX_DISAPPEAR_AFTER_SEC / 86_400} days.`)
      }
      if (!(await store.existingUsers([peer])).has(peer)) return refuse(ErrorCode.ERROR_USER_NOT_FOUND, `There is no user named "${peer}".`)
      const result = await store.setConversationSettings(user, peer, chatType, seconds, Date.now())
      push(result.deliveries)
      const own = result.deliveries.find((delivery) => delivery.user === user)
      return { ok: true, value: { settings: result.settings, eventSeq: own?.seq ?? 0 } }
    },

    async clear(user, request) {
      const chatType = request.chatType ?? ChatTypePb.CHAT_TYPE_SINGLE
      const conversation = chatType === ChatTypePb.CHAT_TYPE_GROUP ? canonicalGroupId(request.conversation) : canonicalUserId(request.conversation)
      if (!conversation || chatType === ChatTypePb.CHAT_TYPE_ROOM) {
        return refuse(ErrorCode.ERROR_BAD_REQUEST, 'Clearing needs a one-to-one or group conversation.')
      }
      const serverIds = (request.serverIds ?? []).map(Number).filter((id) => Number.isSafeInteger(id) && id > 0)
      if ((request.serverIds ?? []).length > 0) {
        // Delete for me: those messages leave this account's log for good; its devices are told which ones went.
        if (serverIds.length > MAX_DELETE_FOR_ME_IDS) {
          return refuse(ErrorCode.ERROR_LIMIT_EXCEEDED, `You can delete at most ${MAX_DELETE_FOR_ME_IDS} messages at once.`)
        }
        const deleted = await store.deleteForUser(user, conversation, chatType, serverIds, Date.now())
        if (deleted) push([deleted])
        return { ok: true, value: { eventSeq: deleted?.seq ?? 0 } }
      }
      const upTo = Number(request.upToTimestamp ?? 0) || Date.now()
      const delivery = await store.clearConversationElsewhere(user, conversation, chatType, upTo, Date.now())
      push([delivery])
      return { ok: true, value: { eventSeq: delivery.seq } }
    },

    async readMoved(user, peer, readSeq) {
      try {
        burnsStarted(await store.startBurnTimers(user, peer, readSeq, Date.now()))
      } catch (err) {
        log.error('starting burn timers failed', { user, error: err instanceof Error ? err.message : String(err) })
      }
    },

    async groupReadMoved(user, requestedGroup, readBefore, readSeq) {
      const group = canonicalGroupId(requestedGroup)
      if (!group || !(readSeq > readBefore)) return
      try {
        burnsStarted(await store.startGroupBurnTimers(user, group, readBefore, readSeq, Date.now()))
      } catch (err) {
        log.error('starting group burn timers failed', { user, group, error: err instanceof Error ? err.message : String(err) })
      }
    },

    noteExpiry(at) {
      schedule(at)
    },

    async sweepIfDue() {
      if (sweeping) return sweeping
      if (nextDue <= Date.now()) return sweep()
    },

    onMessagesGone(listener) {
      messagesGone = listener
    },

    close() {
      closed = true
      if (timer) clearTimeout(timer)
      clearInterval(rescan)
    }
  }
}

function decodeChange(bytes: Uint8Array): parley.v1.MessageChange {
  // Encoded by this server's store a moment ago.
  return pb.MessageChange.decode(bytes)
}
