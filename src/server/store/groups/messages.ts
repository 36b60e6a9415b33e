// Owns a group message inside the store's shared group commit (decided, de-duplicated, stored once as a messages
// row and a group_log row) and the count of a user's unread group messages, both plugged into the core as hooks.
import { pb } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { GROUP_MAX_MENTIONS } from './limits'
import { notFound, type GroupStandings } from './standing'
import type { GroupsShared } from './shared'
import type { AppendResult, NewMessage } from '../records'
import type { GroupRefusal } from './types'

export interface GroupMessages {
  appendGroupMessage(input: NewMessage): AppendResult
  countGroupUnread(user: string, groupId: string, afterSeq: number): number
}

export function createGroupMessages({ context, sql, heads }: GroupsShared, { standingOf, decide, readableRange }: GroupStandings): GroupMessages {
  const { findMessage, selectMember, insertMessage, insertLogMessage, countUnread } = sql
  const { hooks } = context

  /**
   * A group message inside commitGroups' transaction: de-duplicated on (sender, client id) first (a resend of an
   * accepted message gets its original ack even if the sender was muted since), then decided by the table with the
   * state read in this same transaction (the writer is the only connection that writes, so nothing changes between
   * this check and the insert), then stored once: one messages row and one group_log row.
   */
  const appendGroupMessage = (input: NewMessage): AppendResult => {
    const clientId = Buffer.from(input.clientId.buffer, input.clientId.byteOffset, input.clientId.byteLength)
    const existing = findMessage.get(input.sender, clientId)
    if (existing) {
      return {
        message: {
          serverId: existing.server_id,
          clientId: new Uint8Array(existing.client_id),
          sender: existing.sender,
          recipient: existing.recipient,
          chatType: existing.chat_type,
          timestamp: existing.ts,
          body: new Uint8Array(existing.body),
          senderSeq: existing.sender_seq
        },
        duplicate: true,
        recipientSeq: null
      }
    }
    const refuse = (answer: GroupRefusal): AppendResult => ({
      message: { ...input, serverId: 0, senderSeq: 0 },
      duplicate: false,
      recipientSeq: null,
      refusal: answer.refusal
    })
    const standing = standingOf(input.sender, input.recipient)
    if (!standing) return refuse(notFound(input.recipient))
    const denied = decide('send', input.sender, standing, input.timestamp)
    if (denied) return refuse(denied)
    let body = input.body
    let text: parley.v1.ITextBody | null
    try {
      text = pb.Body.decode(input.body).text ?? null
    } catch {
      // The service encoded this body a moment ago; undecodable means no mentions to check.
      text = null
    }
    const mentions = text?.mentions ?? []
    if (text && (text.mentionAll || mentions.length > 0)) {
      if (text.mentionAll) {
        const deniedAll = decide('mentionAll', input.sender, standing, input.timestamp)
        if (deniedAll) return refuse(deniedAll)
      }
      // Only members can be mentioned: the others are dropped (and at most GROUP_MAX_MENTIONS are kept).
      const kept = [...new Set(mentions)]
        .filter((user) => selectMember.get(input.recipient, user) !== undefined)
        .slice(0, GROUP_MAX_MENTIONS)
      if (kept.length !== mentions.length) {
        body = pb.Body.encode({ text: { text: text.text, mentions: kept, mentionAll: text.mentionAll } }).finish()
      }
    }
    const seq = heads.headOf(input.recipient) + 1
    // The group's disappearing timer as it stands in this transaction (store/message-ops), like a 1:1 message's.
    const expiresAt = input.expiresAt ?? hooks.expiryOf?.(input.sender, input.recipient, input.chatType, input.timestamp) ?? null
    const inserted = insertMessage.run(
      input.sender, clientId, input.recipient, input.timestamp, Buffer.from(body), seq, expiresAt, input.burnAfterReadSec ?? null
    )
    const serverId = Number(inserted.lastInsertRowid)
    insertLogMessage.run(input.recipient, seq, serverId, input.sender, input.timestamp)
    heads.handOut(input.recipient, seq)
    return {
      message: { ...input, body, serverId, senderSeq: seq, ...(expiresAt !== null ? { expiresAt } : {}) },
      duplicate: false,
      recipientSeq: seq
    }
  }

  const countGroupUnread = (user: string, groupId: string, afterSeq: number): number => {
    const range = readableRange(user, groupId)
    if (!range) return 0
    return countUnread.get(groupId, Math.max(afterSeq, range.fromSeq), range.toSeq, user, user)?.n ?? 0
  }

  return { appendGroupMessage, countGroupUnread }
}
