// Owns the SQLite side of reactions, one-to-one pins and conversation states (with do not disturb): each change checks who may make it
// and applies it in ONE transaction with the log entries it appends (both people's logs for one-to-one chats).
import { ChatTypePb, pb } from '../../../shared/proto/codec'
import type { DomainContext } from '../domain-context'
import type { Synchronous } from '../records'
import type { ConversationStateProps, MessageReactionsRow, ReactionEventProps, ReactionsStore } from './types'

const SINGLE = ChatTypePb.CHAT_TYPE_SINGLE
const GROUP = ChatTypePb.CHAT_TYPE_GROUP

interface MessageRow {
  sender: string
  recipient: string
  chat_type: number
}

interface StateRow {
  conversation: string
  chat_type: number
  pinned: number
  marked_unread: number
  deleted_through_seq: number
  muted_until: number
  updated_at: number
}

/** The pair key of a one-to-one conversation: the two names in order. */
function pairOf(a: string, b: string): [string, string] {
  return a <= b ? [a, b] : [b, a]
}

export function openReactionsSqlite(context: DomainContext): Synchronous<ReactionsStore> {
  const { db } = context
  const selectMessage = db.prepare<[number], MessageRow>('SELECT sender, recipient, chat_type FROM messages WHERE server_id = ?')
  const isMember = db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM group_members WHERE group_id = ? AND user = ?')
  const selectReaction = db.prepare<[number, string, string], { one: number }>(
    'SELECT 1 AS one FROM message_reactions WHERE server_id = ? AND emoji = ? AND user = ?'
  )
  const emojiKnown = db.prepare<[number, string], { one: number }>('SELECT 1 AS one FROM message_reactions WHERE server_id = ? AND emoji = ? LIMIT 1')
  const distinctCount = db.prepare<[number], { n: number }>('SELECT COUNT(DISTINCT emoji) AS n FROM message_reactions WHERE server_id = ?')
  const insertReaction = db.prepare<[number, string, string, number]>('INSERT INTO message_reactions (server_id, emoji, user, at) VALUES (?, ?, ?, ?)')
  const deleteReaction = db.prepare<[number, string, string]>('DELETE FROM message_reactions WHERE server_id = ? AND emoji = ? AND user = ?')
  const reactionsOfMessage = db.prepare<[number], { emoji: string; user: string; at: number }>(
    'SELECT emoji, user, at FROM message_reactions WHERE server_id = ? ORDER BY at, user'
  )
  // Group reaction catch-up (store/reactions/group-changes-schema.ts).
  const memberFrom = db.prepare<[string, string], { from_seq: number }>('SELECT from_seq FROM group_members WHERE group_id = ? AND user = ?')
  const changeHead = db.prepare<[string], { head: number | null }>('SELECT MAX(change_seq) AS head FROM group_reaction_changes WHERE group_id = ?')
  const noteGroupChange = db.prepare<[string, number, number]>(
    `INSERT INTO group_reaction_changes (group_id, server_id, change_seq) VALUES (?, ?, ?)
     ON CONFLICT (group_id, server_id) DO UPDATE SET change_seq = excluded.change_seq`
  )
  const changesAfter = db.prepare<[string, number, number], { server_id: number; change_seq: number; sender_seq: number | null }>(
    `SELECT c.server_id, c.change_seq, m.sender_seq FROM group_reaction_changes c LEFT JOIN messages m ON m.server_id = c.server_id
     WHERE c.group_id = ? AND c.change_seq > ? ORDER BY c.change_seq LIMIT ?`
  )
  const selectPins = db.prepare<[string, string], { server_id: number }>(
    'SELECT server_id FROM single_pins WHERE user_a = ? AND user_b = ? ORDER BY at DESC, server_id DESC'
  )
  const isPinned = db.prepare<[string, string, number], { one: number }>('SELECT 1 AS one FROM single_pins WHERE user_a = ? AND user_b = ? AND server_id = ?')
  const insertPin = db.prepare<[string, string, number, string, number]>(
    'INSERT INTO single_pins (user_a, user_b, server_id, pinned_by, at) VALUES (?, ?, ?, ?, ?)'
  )
  const deletePin = db.prepare<[string, string, number]>('DELETE FROM single_pins WHERE user_a = ? AND user_b = ? AND server_id = ?')
  const selectState = db.prepare<[string, string, number], Omit<StateRow, 'conversation' | 'chat_type'>>(
    'SELECT pinned, marked_unread, deleted_through_seq, muted_until, updated_at FROM conversation_states WHERE user = ? AND conversation = ? AND chat_type = ?'
  )
  const upsertState = db.prepare<[string, string, number, number, number, number, number, number]>(
    `INSERT INTO conversation_states (user, conversation, chat_type, pinned, marked_unread, deleted_through_seq, muted_until, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (user, conversation, chat_type) DO UPDATE SET pinned = excluded.pinned, marked_unread = excluded.marked_unread,
       deleted_through_seq = excluded.deleted_through_seq, muted_until = excluded.muted_until, updated_at = excluded.updated_at`
  )
  const statesOf = db.prepare<[string], StateRow>(
    'SELECT conversation, chat_type, pinned, marked_unread, deleted_through_seq, muted_until, updated_at FROM conversation_states WHERE user = ? ORDER BY updated_at'
  )

  /** Whether `user` may see (and so react to or pin) message `serverId` of the conversation named. */
  const readable = (user: string, conversation: string, chatType: number, serverId: number): boolean => {
    const message = selectMessage.get(serverId)
    if (!message || message.chat_type !== chatType) return false
    if (chatType === SINGLE) {
      return (message.sender === user && message.recipient === conversation) || (message.sender === conversation && message.recipient === user)
    }
    if (chatType === GROUP) return message.recipient === conversation && isMember.get(conversation, user) !== undefined
    return false
  }

  const reactionsRow = (serverId: number): MessageReactionsRow => {
    const byEmoji = new Map<string, string[]>()
    for (const row of reactionsOfMessage.all(serverId)) {
      const users = byEmoji.get(row.emoji) ?? []
      users.push(row.user)
      byEmoji.set(row.emoji, users)
    }
    return { serverId, reactions: [...byEmoji].map(([emoji, users]) => ({ emoji, users })) }
  }

  return {
    reactionChange(change) {
      return context.inTransaction(() => {
        const { user, conversation, chatType, serverId, emoji, remove, at } = change
        if (!readable(user, conversation, chatType, serverId)) return { ok: false, refusal: 'not-found' as const }
        const has = selectReaction.get(serverId, emoji, user) !== undefined
        const event: ReactionEventProps = { conversation, chatType, serverId, emoji, user, removed: remove, at }
        if (has !== remove) return { ok: true, changed: false, event, appended: [], reactions: reactionsRow(serverId) }
        if (remove) {
          deleteReaction.run(serverId, emoji, user)
        } else {
          if (emojiKnown.get(serverId, emoji) === undefined && (distinctCount.get(serverId)?.n ?? 0) >= change.maxDistinct) {
            return { ok: false, refusal: 'too-many' as const }
          }
          insertReaction.run(serverId, emoji, user, at)
        }
        const appended: Array<{ user: string; seq: number; event: ReactionEventProps }> = []
        // Groups: the message moves to the group's next change position (what catch-up asks for, services/reactions).
        if (chatType === GROUP) noteGroupChange.run(conversation, serverId, (changeHead.get(conversation)?.head ?? 0) + 1)
        if (chatType === SINGLE) {
          // Both people's logs, each naming the other as the conversation (a note to oneself: one entry).
          for (const [owner, peer] of user === conversation ? [[user, user]] : [[user, conversation], [conversation, user]]) {
            const own: ReactionEventProps = { ...event, conversation: peer }
            const payload = pb.ReactionEvent.encode(own).finish()
            appended.push({ user: owner!, seq: context.appendUserEvent(owner!, { kind: 'reaction', conversation: peer!, chatType: SINGLE, payload }, at), event: own })
          }
        }
        return { ok: true, changed: true, event, appended, reactions: reactionsRow(serverId) }
      })
    },

    reactionsOf(user, conversation, chatType, serverIds) {
      return serverIds.filter((id) => readable(user, conversation, chatType, id)).map(reactionsRow).filter((row) => row.reactions.length > 0)
    },

    groupReactionChanges(user, group, after, limit, headOnly) {
      const member = memberFrom.get(group, user)
      if (!member) return { member: false }
      const head = changeHead.get(group)?.head ?? 0
      if (headOnly) return { member: true, serverIds: [], messages: [], cursor: head, hasMore: false }
      const rows = changesAfter.all(group, after, limit)
      // Only messages after the member joined (as history): older ones were never theirs to see.
      const visible = rows.filter((row) => row.sender_seq !== null && row.sender_seq > member.from_seq).map((row) => row.server_id)
      const last = rows[rows.length - 1]
      return {
        member: true,
        serverIds: visible,
        messages: visible.map(reactionsRow).filter((row) => row.reactions.length > 0),
        cursor: last ? last.change_seq : head,
        hasMore: rows.length === limit
      }
    },

    singlePinChange(user, peer, serverId, pinned, at) {
      return context.inTransaction(() => {
        const [a, b] = pairOf(user, peer)
        const list = (): number[] => selectPins.all(a, b).map((row) => row.server_id)
        if (serverId === 0) return { ok: true, appended: [], pinned: list() }
        if (!readable(user, peer, SINGLE, serverId)) return { ok: false, appended: [], pinned: [] }
        const has = isPinned.get(a, b, serverId) !== undefined
        if (has === pinned) return { ok: true, appended: [], pinned: list() }
        if (pinned) insertPin.run(a, b, serverId, user, at)
        else deletePin.run(a, b, serverId)
        const appended = []
        for (const [owner, other] of user === peer ? [[user, user]] : [[user, peer], [peer, user]]) {
          const event = { conversation: other!, serverId, pinned, by: user, at }
          const payload = pb.MessagePinEvent.encode(event).finish()
          appended.push({ user: owner!, seq: context.appendUserEvent(owner!, { kind: 'messagePin', conversation: other!, chatType: SINGLE, payload }, at), event })
        }
        return { ok: true, appended, pinned: list() }
      })
    },

    conversationStateChange(change) {
      return context.inTransaction(() => {
        const { user, conversation, chatType, at } = change
        const before = selectState.get(user, conversation, chatType)
        const next = {
          pinned: change.pinned ?? before?.pinned === 1,
          markedUnread: change.markedUnread ?? before?.marked_unread === 1,
          // A delete only moves forward; a delete also ends a "marked unread" and a pin.
          deletedThroughSeq: Math.max(change.deleteThroughSeq ?? 0, before?.deleted_through_seq ?? 0),
          mutedUntil: change.mutedUntil ?? before?.muted_until ?? 0
        }
        if (change.deleteThroughSeq !== undefined && change.deleteThroughSeq > (before?.deleted_through_seq ?? 0)) {
          next.pinned = false
          next.markedUnread = false
        }
        const state: ConversationStateProps = { conversation, chatType, ...next, updatedAt: at }
        const same =
          before !== undefined &&
          (before.pinned === 1) === next.pinned &&
          (before.marked_unread === 1) === next.markedUnread &&
          before.deleted_through_seq === next.deletedThroughSeq &&
          before.muted_until === next.mutedUntil
        if (same) return { seq: 0, state: { ...state, updatedAt: before.updated_at } }
        upsertState.run(user, conversation, chatType, next.pinned ? 1 : 0, next.markedUnread ? 1 : 0, next.deletedThroughSeq, next.mutedUntil, at)
        const payload = pb.ConversationStateEvent.encode({ state }).finish()
        const seq = context.appendUserEvent(user, { kind: 'conversationState', conversation, chatType, payload }, at)
        return { seq, state }
      })
    },

    conversationStates(user) {
      return statesOf.all(user).map((row) => ({
        conversation: row.conversation,
        chatType: row.chat_type,
        pinned: row.pinned === 1,
        markedUnread: row.marked_unread === 1,
        deletedThroughSeq: row.deleted_through_seq,
        mutedUntil: row.muted_until,
        updatedAt: row.updated_at
      }))
    }
  }
}
