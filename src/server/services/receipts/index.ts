// Owns delivery and read receipts and the typing relay: delivered confirmations and read pointers turned into the
// senders' peer pointers (user-log entries + pushes), group read counts and readers on request, privacy settings.
import { ChatTypePb, ErrorCode, encodeFrame, pb } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { createLogger } from '../../../shared/logger'
import { canonicalUserId } from '../../../shared/user-id'
import { GROUP_READ_SENDERS_SCAN_MAX_ENTRIES, RECEIPTS_GROUP_MAX_MEMBERS, TYPING_RELAY_MIN_INTERVAL_MS, TYPING_THROTTLE_MAX_ENTRIES } from '../../config'
import type { ServerStore } from '../../store/types'
import type { GroupReadersAnswer, MovedPeerPointer } from '../../store/receipts/types'
import type { ConnectionRef, EventFanout, GroupFanout } from '../fanout'
import { canonicalGroupId } from '../../../shared/group-id'
import type { SendPolicy } from '../messages'

const log = createLogger('server:receipts')

type ReceiptsRequestProps = parley.v1.ReceiptsRequest.$Properties
type ReceiptsResponseProps = parley.v1.ReceiptsResponse.$Properties
type TypingRequestProps = parley.v1.TypingRequest.$Properties

export type ReceiptsOutcome<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string }

export interface ReceiptsService {
  handle(user: string, request: ReceiptsRequestProps, origin: ConnectionRef): Promise<ReceiptsOutcome<ReceiptsResponseProps>>
  /** Relays a typing frame to the conversation's other online members (never stored). */
  typing(user: string, request: TypingRequestProps): Promise<ReceiptsOutcome<{ relayed: boolean }>>
  /** The reader's one-to-one read pointer moved to `readerSeq`: the peer learns read (or delivered, receipts off). */
  singleReadMoved(reader: string, peer: string, readerSeq: number): Promise<void>
  /** The reader's group pointer as it is before a mark-read (0 when none or not a group id). */
  groupReadSeq(user: string, rawGroup: string | null | undefined): Promise<number>
  /** The reader's group pointer moved from `fromSeq` to `toSeq`: the senders of the messages in between are told. */
  groupReadMoved(reader: string, rawGroup: string | null | undefined, fromSeq: number, toSeq: number): Promise<void>
}

function fail<T>(code: ErrorCode, message: string): ReceiptsOutcome<T> {
  return { ok: false, code, message }
}

export function createReceiptsService(store: ServerStore, fanout: EventFanout & GroupFanout, policy?: SendPolicy): ReceiptsService {
  /**
   * When each (user, conversation) last had a "typing" relayed, and whether a "stopped" may follow it. A "typing"
   * waits for the interval even after a "stopped", and a "stopped" goes only after a relayed "typing": alternating
   * the two cannot get more than one of each through per interval.
   */
  const lastTyping = new Map<string, { at: number; open: boolean }>()

  /** Whether this state may be relayed now (and notes it when it may). */
  const typingAllowedNow = (key: string, typing: boolean, now: number): boolean => {
    const last = lastTyping.get(key)
    if (!typing) {
      if (!last?.open) return false
      last.open = false
      return true
    }
    if (last !== undefined && now - last.at < TYPING_RELAY_MIN_INTERVAL_MS) return false
    if (lastTyping.size >= TYPING_THROTTLE_MAX_ENTRIES) {
      for (const [stale, entry] of lastTyping) if (now - entry.at >= TYPING_RELAY_MIN_INTERVAL_MS) lastTyping.delete(stale)
    }
    lastTyping.set(key, { at: now, open: true })
    return true
  }

  const pushMoved = (moved: readonly MovedPeerPointer[]): void => {
    for (const change of moved) {
      const receipt = { conversation: change.peer, chatType: ChatTypePb.CHAT_TYPE_SINGLE, deliveredSeq: change.deliveredSeq, readSeq: change.readSeq }
      fanout.deliver(change.user, () => encodeFrame({ id: 0, event: { seq: change.eventSeq, receipt } }))
    }
  }

  const groupReaders = async (
    user: string,
    rawGroup: string | null | undefined
  ): Promise<{ ok: false; code: ErrorCode; message: string } | { ok: true; answer: GroupReadersAnswer }> => {
    const group = canonicalGroupId(rawGroup)
    if (!group) return { ok: false, code: ErrorCode.ERROR_NOT_FOUND, message: `There is no group "${rawGroup ?? ''}".` }
    const answer = await store.receiptsGroupReaders(user, group, RECEIPTS_GROUP_MAX_MEMBERS)
    if (!answer.ok && answer.reason === 'not-member') return { ok: false, code: ErrorCode.ERROR_NOT_MEMBER, message: 'Read receipts are for the group\'s members.' }
    return { ok: true, answer }
  }

  const relayTyping = async (user: string, request: TypingRequestProps): Promise<ReceiptsOutcome<{ relayed: boolean }>> => {
    const state = request.state === pb.TypingState.TYPING_STATE_STOPPED ? pb.TypingState.TYPING_STATE_STOPPED : pb.TypingState.TYPING_STATE_TYPING
    const group = request.chatType === ChatTypePb.CHAT_TYPE_GROUP
    if (!group && (request.chatType ?? ChatTypePb.CHAT_TYPE_SINGLE) !== ChatTypePb.CHAT_TYPE_SINGLE) {
      return fail(ErrorCode.ERROR_BAD_REQUEST, 'Typing is shown in one-to-one chats and groups only.')
    }
    const conversation = group ? canonicalGroupId(request.conversation) : canonicalUserId(request.conversation)
    if (!conversation) return fail(ErrorCode.ERROR_BAD_REQUEST, 'Typing needs a conversation.')
    if (!group && conversation === user) return { ok: true, value: { relayed: false } }
    if (group && !(await store.receiptsIsMember(user, conversation))) {
      return fail(ErrorCode.ERROR_NOT_MEMBER, 'You are not a member of this group.')
    }
    const now = Date.now()
    const key = `${group ? 'g' : 's'}:${user}\u0000${conversation}`
    if (!typingAllowedNow(key, state === pb.TypingState.TYPING_STATE_TYPING, now)) return { ok: true, value: { relayed: false } }
    if ((await store.receiptsPrivacy(user)).typingOff) return { ok: true, value: { relayed: false } }
    if (group) {
      const notice = { conversation, chatType: ChatTypePb.CHAT_TYPE_GROUP, from: user, state }
      fanout.deliverGroup(conversation, () => encodeFrame({ id: 0, typingNotice: notice }))
      return { ok: true, value: { relayed: true } }
    }
    // Blocked either way (or not allowed to message at all): the peer never sees it.
    if (policy && ((await policy.sendRefusal(user, conversation)) || (await policy.sendRefusal(conversation, user)))) {
      return { ok: true, value: { relayed: false } }
    }
    const notice = { conversation: user, chatType: ChatTypePb.CHAT_TYPE_SINGLE, from: user, state }
    fanout.deliver(conversation, () => encodeFrame({ id: 0, typingNotice: notice }))
    return { ok: true, value: { relayed: true } }
  }

  return {
    async handle(user, request, origin) {
      if (request.delivered) {
        const moved = await store.receiptsDelivered(user, Number(request.delivered.uptoSeq ?? 0), Date.now())
        pushMoved(moved)
        return { ok: true, value: {} }
      }
      if (request.peerPointers) {
        const peers = [...new Set((request.peerPointers.conversations ?? []).flatMap((peer) => canonicalUserId(peer) ?? []))]
        const rows = await store.receiptsPeerPointers(user, peers)
        const answer = rows.map((row) => ({ conversation: row.peer, chatType: ChatTypePb.CHAT_TYPE_SINGLE, deliveredSeq: row.deliveredSeq, readSeq: row.readSeq }))
        return { ok: true, value: { peers: answer } }
      }
      if (request.groupCounts) {
        const found = await groupReaders(user, request.groupCounts.group)
        if (!found.ok) return found
        if (!found.answer.ok) return { ok: true, value: { countsUnavailable: true } }
        const { members, memberCount } = found.answer
        const counts = (request.groupCounts.seqs ?? []).map((raw) => {
          const seq = Number(raw)
          return members.filter((member) => member.fromSeq < seq && member.readSeq >= seq).length
        })
        return { ok: true, value: { readCounts: counts, memberCount } }
      }
      if (request.groupReaders) {
        const found = await groupReaders(user, request.groupReaders.group)
        if (!found.ok) return found
        if (!found.answer.ok) return { ok: true, value: { countsUnavailable: true } }
        const seq = Number(request.groupReaders.seq ?? 0)
        const readers = found.answer.members.filter((member) => member.fromSeq < seq && member.readSeq >= seq).map((member) => member.user).sort()
        return { ok: true, value: { readers, memberCount: found.answer.memberCount } }
      }
      if (request.privacyGet) {
        return { ok: true, value: { privacy: await store.receiptsPrivacy(user) } }
      }
      if (request.privacySet) {
        const settings = { readReceiptsOff: request.privacySet.readReceiptsOff === true, typingOff: request.privacySet.typingOff === true }
        const stored = await store.receiptsSetPrivacy(user, settings, Date.now())
        // The account's other devices follow it like any entry of its log (and catch up on it when offline).
        fanout.deliver(user, () => encodeFrame({ id: 0, event: { seq: stored.eventSeq, privacy: stored.settings } }), origin)
        return { ok: true, value: { privacy: stored.settings } }
      }
      return fail(ErrorCode.ERROR_BAD_REQUEST, 'The receipts request is empty.')
    },

    typing: relayTyping,

    async singleReadMoved(reader, peer, readerSeq) {
      try {
        const moved = await store.receiptsRead(reader, peer, readerSeq, Date.now())
        if (moved) pushMoved([moved])
      } catch (err) {
        log.warn('could not pass a read receipt on', { reader, peer, error: err instanceof Error ? err.message : String(err) })
      }
    },

    async groupReadSeq(user, rawGroup) {
      const group = canonicalGroupId(rawGroup)
      return group ? store.receiptsGroupReadSeq(user, group) : 0
    },

    async groupReadMoved(reader, rawGroup, fromSeq, toSeq) {
      const group = canonicalGroupId(rawGroup)
      if (!group || toSeq <= fromSeq) return
      try {
        if ((await store.receiptsPrivacy(reader)).readReceiptsOff) return
        // Only the senders whose messages the pointer passed learn of it: one small push each, never one per member.
        const senders = await store.receiptsGroupSenders(group, Math.max(fromSeq, toSeq - GROUP_READ_SENDERS_SCAN_MAX_ENTRIES), toSeq)
        for (const sender of senders) {
          if (sender === reader) continue
          fanout.deliver(sender, () => encodeFrame({ id: 0, groupRead: { group, reader, readSeq: toSeq } }))
        }
      } catch (err) {
        log.warn('could not pass a group read receipt on', { reader, group, error: err instanceof Error ? err.message : String(err) })
      }
    }
  }
}
