// Owns reading a group's log entries from the wire: a message becomes a ChatMessage of conversation (group, id)
// with the group's seq; a notice becomes a NoticeContent message of the same timeline; and whether it @mentions me.
import { createHash } from 'node:crypto'
import type { ChatMessage, GroupNoticeKind, MessageContent } from '../../../shared/model'
import { pb } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { canonicalUserId } from '../../../shared/user-id'
import { contentFromBody, extrasFromBody } from '../protocol/content'
import { recalledContentOf, withMessageState } from '../protocol/message-ops'
import { envelopeFromWire } from '../protocol/messages'

export type WireGroupEntry = parley.v1.IGroupEntry

/** One group-log entry as the store takes it: the timeline item (null when unusable) and whether it mentions me. */
export interface GroupTimelineItem {
  seq: number
  message: ChatMessage | null
  mentionsMe: boolean
}

const Kind = pb.GroupNotice.Kind
const NOTICE_KINDS: Record<number, GroupNoticeKind> = {
  [Kind.KIND_CREATED]: 'created',
  [Kind.KIND_JOINED]: 'joined',
  [Kind.KIND_ADDED]: 'added',
  [Kind.KIND_LEFT]: 'left',
  [Kind.KIND_REMOVED]: 'removed',
  [Kind.KIND_BANNED]: 'banned',
  [Kind.KIND_UNBANNED]: 'unbanned',
  [Kind.KIND_MUTED]: 'muted',
  [Kind.KIND_UNMUTED]: 'unmuted',
  [Kind.KIND_MUTED_ALL]: 'mutedAll',
  [Kind.KIND_UNMUTED_ALL]: 'unmutedAll',
  [Kind.KIND_ADMIN_ADDED]: 'adminAdded',
  [Kind.KIND_ADMIN_REMOVED]: 'adminRemoved',
  [Kind.KIND_OWNER_CHANGED]: 'ownerChanged',
  [Kind.KIND_INFO_CHANGED]: 'infoChanged',
  [Kind.KIND_ANNOUNCEMENT]: 'announcement',
  [Kind.KIND_PINNED]: 'pinned',
  [Kind.KIND_UNPINNED]: 'unpinned',
  [Kind.KIND_DISSOLVED]: 'dissolved'
}

/** Notices that change what the group's description says: the device asks for it again after one. */
export const INFO_NOTICES: ReadonlySet<GroupNoticeKind> = new Set([
  'created', 'joined', 'added', 'left', 'removed', 'banned', 'mutedAll', 'unmutedAll', 'adminAdded', 'adminRemoved',
  'ownerChanged', 'infoChanged', 'announcement', 'pinned', 'unpinned', 'muted', 'unmuted'
])

/**
 * A notice has no client id: its id is derived from (group, seq), so the same notice from a push and from
 * group_sync is one row (32 hex digits like a client id; a hash never meets a sender's time-ordered ids in practice).
 */
export function noticeId(group: string, seq: number): string {
  return createHash('sha256').update(`notice:${group}:${seq}`).digest('hex').slice(0, 32)
}

/** One entry of `group`'s log as this account sees it. */
export function timelineItem(entry: WireGroupEntry, me: string): GroupTimelineItem {
  const seq = Number(entry.seq ?? 0)
  const group = (entry.group ?? '').toLowerCase()
  if (entry.message) {
    const envelope = envelopeFromWire({ ...entry.message, to: group }, seq, me)
    if (!envelope) return { seq, message: null, mentionsMe: false }
    const content: MessageContent = recalledContentOf(entry.message) ?? contentFromBody(entry.message.body) ?? {
      type: 'unsupported',
      raw: Buffer.from(pb.Event.encode({ seq, message: entry.message }).finish()).toString('base64')
    }
    const mentionsMe =
      envelope.direction === 'in' && content.type === 'text' && (content.mentionAll === true || (content.mentions ?? []).includes(me))
    return { seq, message: withMessageState({ ...envelope, ...extrasFromBody(entry.message.body), content }, entry.message), mentionsMe }
  }
  const notice = entry.notice ?? {}
  const actor = canonicalUserId(notice.actor) ?? ''
  const at = Number(notice.at ?? 0)
  const message: ChatMessage = {
    id: noticeId(group, seq),
    serverId: null,
    conversationId: group,
    chatType: 'group',
    // The store keeps a sender for every row; a notice without an actor (the platform's) is shown by its kind.
    from: actor || me,
    to: group,
    // Not "in": a notice is nobody's incoming message, so it never counts as unread (unread counts 'in' rows).
    direction: 'out',
    content: {
      type: 'notice',
      kind: NOTICE_KINDS[notice.kind ?? 0] ?? 'unknown',
      actor,
      users: (notice.users ?? []).flatMap((user) => {
        const id = canonicalUserId(user)
        return id ? [id] : []
      }),
      text: notice.text ?? '',
      until: Number(notice.until ?? 0),
      serverId: Number(notice.serverId ?? 0)
    },
    timestamp: at || Date.now(),
    seq,
    status: 'received',
    error: null
  }
  return { seq, message, mentionsMe: false }
}
