// Owns appending messages: the group commit that writes several callers' batches to the users' logs in one
// transaction (group messages handed to the groups domain inside it), the conversation summaries it keeps current,
// and the timing of its commits.
import { performance } from 'node:perf_hooks'
import { storedMessageFrom, type AppendResult, type NewMessage } from '../records'
import { createCommitTimer, type CommitStats, type CommitTimer } from './commit-stats'
import type { StoreCoreContext } from './context'
import { asBuffer, CHAT_TYPE_GROUP, KIND_MESSAGE, MESSAGE_COLUMNS, toMessage, type MessageColumns } from './log-rows'

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Appends every group in ONE transaction; if it fails, each group is retried in its own. */
export type AppendGroups = (groups: readonly (readonly NewMessage[])[]) => ({ ok: true; results: AppendResult[] } | { ok: false; error: string })[]

export type { CommitStats } from './commit-stats'

export function createAppender({ db, heads: userHeads, hooks }: StoreCoreContext): { appendGroups: AppendGroups; commitStats(): CommitStats } {
  // Diagnostics for the benchmark: how commits behave.
  const commitTimer = createCommitTimer()
  const { headOf } = userHeads
  const inAppendTransaction = createAppendTransaction(db, hooks, commitTimer)
  const findMessage = db.prepare<[string, Buffer], MessageColumns>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.sender = ? AND m.client_id = ?`
  )
  const insertMessage = db.prepare<[string, Buffer, string, number, number, Buffer, number, number, number | null, number | null]>(
    `INSERT INTO messages (sender, client_id, recipient, chat_type, ts, body, sender_seq, recipient_seq, expires_at, burn_sec)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sender, client_id) DO NOTHING`
  )
  const insertMessageEntry = db.prepare<[string, number, string, number, number, number, number]>(
    `INSERT INTO user_log (user, seq, conversation, chat_type, kind, server_id, outgoing, at)
     VALUES (?, ?, ?, ?, ${KIND_MESSAGE}, ?, ?, ?)`
  )
  // Keeps the conversation summary current in the same transaction: newest message entry and unread count.
  const touchConversation = db.prepare<[string, string, number, number, number]>(
    `INSERT INTO conversations (user, conversation, chat_type, last_message_seq, unread) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (user, conversation, chat_type)
     DO UPDATE SET last_message_seq = excluded.last_message_seq, unread = conversations.unread + excluded.unread`
  )


  /** What one transaction changes in the conversation summaries, applied once per row at its end. */
  interface SummaryChange {
    user: string
    conversation: string
    chatType: number
    lastSeq: number
    unreadAdded: number
  }
  const noteSummary = (
    changes: Map<string, SummaryChange>,
    user: string,
    conversation: string,
    chatType: number,
    seq: number,
    unread: number
  ): void => {
    const key = `${user}\u0000${conversation}\u0000${chatType}`
    const change = changes.get(key)
    if (change) {
      change.lastSeq = seq
      change.unreadAdded += unread
    } else {
      changes.set(key, { user, conversation, chatType, lastSeq: seq, unreadAdded: unread })
    }
  }

  /**
   * One message inside an open transaction; `heads` holds the sequences handed out in this transaction and
   * `summaries` collects the conversation rows to update (a busy conversation is written once per commit).
   */
  const appendOne = (input: NewMessage, heads: Map<string, number>, summaries: Map<string, SummaryChange>): AppendResult => {
    // A group message is stored once, in the group's log, by the groups domain (decided there in this transaction).
    if (input.chatType === CHAT_TYPE_GROUP) {
      if (!hooks.appendGroupMessage) throw new Error('No groups domain is open to store a group message.')
      return hooks.appendGroupMessage(input)
    }
    const clientId = asBuffer(input.clientId)
    const selfMessage = input.sender === input.recipient
    const senderSeq = (heads.get(input.sender) ?? headOf(input.sender)) + 1
    const recipientSeq = selfMessage ? senderSeq : (heads.get(input.recipient) ?? headOf(input.recipient)) + 1
    const body = asBuffer(input.body)
    // The conversation's disappearing timer, as it stands in this transaction (store/message-ops).
    const expiresAt = input.expiresAt ?? hooks.expiryOf?.(input.sender, input.recipient, input.chatType, input.timestamp) ?? null
    // The unique (sender, client_id) index makes the insert itself the de-duplication check: no row = a resend,
    // and the sequences above were not used.
    const inserted = insertMessage.run(
      input.sender, clientId, input.recipient, input.chatType, input.timestamp, body, senderSeq, recipientSeq,
      expiresAt, input.burnAfterReadSec ?? null
    )
    if (inserted.changes === 0) {
      const existing = findMessage.get(input.sender, clientId)
      if (!existing) throw new Error('A message insert conflicted but the original is missing.')
      return { message: toMessage(existing), duplicate: true, recipientSeq: null }
    }
    heads.set(input.sender, senderSeq)
    heads.set(input.recipient, recipientSeq)
    const serverId = Number(inserted.lastInsertRowid)
    insertMessageEntry.run(input.sender, senderSeq, input.recipient, input.chatType, serverId, 1, input.timestamp)
    noteSummary(summaries, input.sender, input.recipient, input.chatType, senderSeq, 0)
    if (!selfMessage) {
      insertMessageEntry.run(input.recipient, recipientSeq, input.sender, input.chatType, serverId, 0, input.timestamp)
      noteSummary(summaries, input.recipient, input.sender, input.chatType, recipientSeq, 1)
    }
    return {
      message: storedMessageFrom(expiresAt === null ? input : { ...input, expiresAt }, serverId, senderSeq),
      duplicate: false,
      recipientSeq
    }
  }

  /** One transaction over all groups, its COMMIT (the fsync) timed; throws after rolling back. */
  const commitGroups = (groups: readonly (readonly NewMessage[])[]): AppendResult[][] => {
    const heads = new Map<string, number>()
    const summaries = new Map<string, SummaryChange>()
    return inAppendTransaction(
      groups,
      () => {
        const results = groups.map((group) => group.map((input) => appendOne(input, heads, summaries)))
        for (const change of summaries.values()) {
          touchConversation.run(change.user, change.conversation, change.chatType, change.lastSeq, change.unreadAdded)
        }
        return results
      },
      () => userHeads.committed(heads)
    )
  }

  return {
    appendGroups: appendInOneOrEach(commitGroups),
    commitStats: commitTimer.stats
  }
}

/**
 * appendGroups over a transaction runner: every group in ONE transaction; if that fails, each group in its own, so
 * only the caller whose batch broke it gets the error.
 */
export function appendInOneOrEach(commitGroups: (groups: readonly (readonly NewMessage[])[]) => AppendResult[][]): AppendGroups {
  return (groups) => {
    try {
      return commitGroups(groups).map((results) => ({ ok: true as const, results }))
    } catch (err) {
      if (groups.length === 1) return [{ ok: false as const, error: errorText(err) }]
    }
    return groups.map((group) => {
      try {
        return { ok: true as const, results: commitGroups([group])[0] as AppendResult[] }
      } catch (err) {
        return { ok: false as const, error: errorText(err) }
      }
    })
  }
}

/**
 * The append path's transaction: BEGIN IMMEDIATE, the work, a timed COMMIT (the fsync) recorded with the messages it
 * carried, then the hooks told it committed — or, if the work throws, ROLLBACK and the hooks told that.
 */
export function createAppendTransaction(
  db: StoreCoreContext['db'],
  hooks: StoreCoreContext['hooks'],
  commitTimer: CommitTimer
): <T>(groups: readonly (readonly NewMessage[])[], work: () => T, committed?: () => void) => T {
  const begin = db.prepare('BEGIN IMMEDIATE')
  const commit = db.prepare('COMMIT')
  const rollback = db.prepare('ROLLBACK')
  return (groups, work, committed) => {
    begin.run()
    let result
    try {
      result = work()
    } catch (err) {
      if (db.inTransaction) rollback.run()
      hooks.transactionRolledBack?.()
      throw err
    }
    const started = performance.now()
    commit.run()
    commitTimer.record(performance.now() - started, groups.reduce((n, group) => n + group.length, 0))
    committed?.()
    hooks.transactionCommitted?.()
    return result
  }
}
