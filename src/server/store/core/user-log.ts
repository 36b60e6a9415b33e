// Owns the reads and small writes of a user's log: entries after a seq, a conversation's history page, the recent
// conversations, the log's bounds, read pointers (with the unread counts they reset) and event entries.
import type { ConversationSummaryRow, ReadPointerEntry, RecentCursor, ServerStore, Synchronous, UserEvent } from '../types'
import type { StoreCoreContext } from './context'
import {
  asBuffer,
  CHAT_TYPE_GROUP,
  KIND_MESSAGE,
  KIND_READ_POINTER,
  LOG_COLUMNS,
  NEWEST_SEQ,
  toEntry,
  USER_EVENT_KINDS,
  type LogRow
} from './log-rows'

type UserLogMethods =
  | 'appendUserEvent' | 'readLogAfter' | 'readConversation' | 'headSeq' | 'oldestSeq' | 'setReadPointer' | 'recentConversations'

export function createUserLog({ db, inTransaction, heads, hooks }: StoreCoreContext): Pick<Synchronous<ServerStore>, UserLogMethods> {
  const { headOf } = heads
  const selectOldest = db.prepare<[string], { oldest_seq: number }>('SELECT oldest_seq FROM log_trims WHERE user = ?')
  const insertReadPointerEntry = db.prepare<[string, number, string, number, number, number]>(
    `INSERT INTO user_log (user, seq, conversation, chat_type, kind, read_seq, at)
     VALUES (?, ?, ?, ?, ${KIND_READ_POINTER}, ?, ?)`
  )
  const insertUserEventEntry = db.prepare<[string, number, string, number, number, Buffer, number]>(
    `INSERT INTO user_log (user, seq, conversation, chat_type, kind, payload, at) VALUES (?, ?, ?, ?, ?, ?, ?)`
  )
  const logAfter = db.prepare<[string, number, number], LogRow>(
    `SELECT ${LOG_COLUMNS} FROM user_log l LEFT JOIN messages m ON m.server_id = l.server_id
     WHERE l.user = ? AND l.seq > ? ORDER BY l.seq ASC LIMIT ?`
  )
  const conversationBefore = db.prepare<[string, string, number, number], LogRow>(
    `SELECT ${LOG_COLUMNS} FROM user_log l JOIN messages m ON m.server_id = l.server_id
     WHERE l.user = ? AND l.conversation = ? AND l.kind = ${KIND_MESSAGE} AND l.seq < ? ORDER BY l.seq DESC LIMIT ?`
  )
  const selectConversation = db.prepare<[string, string, number], { read_seq: number }>(
    'SELECT read_seq FROM conversations WHERE user = ? AND conversation = ? AND chat_type = ?'
  )
  const countUnread = db.prepare<[string, string, number, number], { unread: number }>(
    `SELECT COUNT(*) AS unread FROM user_log WHERE user = ? AND conversation = ? AND kind = ${KIND_MESSAGE}
     AND chat_type = ? AND seq > ? AND outgoing = 0`
  )
  const storeReadPointer = db.prepare<[string, string, number, number, number]>(
    `INSERT INTO conversations (user, conversation, chat_type, read_seq, unread) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (user, conversation, chat_type) DO UPDATE SET read_seq = excluded.read_seq, unread = excluded.unread`
  )
  const recentPage = db.prepare<
    [string, number, number],
    LogRow & { summary_conversation: string; summary_chat_type: number; summary_read_seq: number; unread: number }
  >(
    `SELECT c.conversation AS summary_conversation, c.chat_type AS summary_chat_type, c.read_seq AS summary_read_seq,
            c.unread, ${LOG_COLUMNS}
     FROM conversations c
     JOIN user_log l ON l.user = c.user AND l.seq = c.last_message_seq
     LEFT JOIN messages m ON m.server_id = l.server_id
     WHERE c.user = ? AND c.last_message_seq > 0 AND c.last_message_seq < ?
     ORDER BY c.last_message_seq DESC LIMIT ?`
  )

  /** Appends an event entry to `user`'s log inside the caller's transaction (or its own); returns its seq. */
  const appendUserEvent = (user: string, event: UserEvent, at: number): number =>
    inTransaction(() => {
      const seq = headOf(user) + 1
      insertUserEventEntry.run(user, seq, event.conversation, event.chatType, USER_EVENT_KINDS[event.kind], asBuffer(event.payload), at)
      // The head moved (and this transaction may still roll back): the next headOf reads it again.
      heads.forget(user)
      return seq
    })

  return {
    appendUserEvent,
    readLogAfter(user, afterSeq, limit) {
      return logAfter.all(user, afterSeq, limit).map(toEntry)
    },
    readConversation(user, conversation, beforeSeq, limit) {
      return conversationBefore.all(user, conversation, beforeSeq > 0 ? beforeSeq : NEWEST_SEQ, limit).map(toEntry)
    },
    headSeq(user) {
      return headOf(user)
    },
    oldestSeq(user) {
      return selectOldest.get(user)?.oldest_seq ?? 1
    },
    setReadPointer(user, pointer: ReadPointerEntry) {
      return inTransaction(() => {
        const head = headOf(user)
        const current = selectConversation.get(user, pointer.conversation, pointer.chatType)?.read_seq ?? 0
        // A group pointer is a position in the group's log, so the group's head bounds it.
        const group = pointer.chatType === CHAT_TYPE_GROUP
        const bound = group ? (hooks.groupHead?.(pointer.conversation) ?? 0) : head
        // A device cannot have read past the end of the log: a pointer from the future would hide later messages.
        const target = Math.min(Math.max(0, Math.floor(pointer.seq)), bound)
        if (target <= current) return { seq: current, eventSeq: 0 }
        const eventSeq = head + 1
        insertReadPointerEntry.run(user, eventSeq, pointer.conversation, pointer.chatType, target, Date.now())
        // The head moved (and this transaction may still roll back): the next headOf reads it again.
        heads.forget(user)
        const unread = group
          ? (hooks.countGroupUnread?.(user, pointer.conversation, target) ?? 0)
          : (countUnread.get(user, pointer.conversation, pointer.chatType, target)?.unread ?? 0)
        storeReadPointer.run(user, pointer.conversation, pointer.chatType, target, unread)
        return { seq: target, eventSeq }
      })
    },
    recentConversations(user, after: RecentCursor | null, limit): ConversationSummaryRow[] {
      return recentPage.all(user, after ? after.lastSeq : NEWEST_SEQ, limit).map((row) => ({
        conversation: row.summary_conversation,
        chatType: row.summary_chat_type,
        last: toEntry(row),
        readSeq: row.summary_read_seq,
        unread: row.unread
      }))
    }
  }
}
