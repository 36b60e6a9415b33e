// Owns the SQLite side of recall, edit, clearing on other devices and self-destruct: each change decided and written
// in one transaction with the user-log entries (MessageChange, ConversationSettings, ConversationCleared) that carry
// it to every participant's devices, the disappearing timer stamped on new messages inside the append, and the sweep.
import { ErrorCode, pb } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import type { DomainContext } from '../domain-context'
import type { Synchronous, UserEvent } from '../records'
import type { ConversationSettingsRow, LogDelivery, MessageOpOutcome, MessageOpsStore, MessageRef } from './types'

const CHAT_SINGLE = 0
const CHAT_GROUP = 1
const KIND_MESSAGE = 1
/** conversation_settings' `user` of a group's own setting (the group's timer is one, not one per member). */
const GROUP_SETTINGS_USER = ''

interface MessageRow {
  server_id: number
  sender: string
  client_id: Buffer
  recipient: string
  chat_type: number
  ts: number
  body: Buffer
  sender_seq: number
  recipient_seq: number | null
  recalled_by: string | null
  expires_at: number | null
  burn_sec: number | null
}

const MESSAGE_SELECT = `SELECT server_id, sender, client_id, recipient, chat_type, ts, body, sender_seq, recipient_seq,
  recalled_by, expires_at, burn_sec FROM messages`

function fail(code: number, message: string): MessageOpOutcome {
  return { ok: false, code, message }
}

/** "2 minutes", "24 hours": a window in words for the refusal sentence. */
export function windowInWords(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds % 3600 === 0 && seconds >= 3600) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`
  return `${seconds} second${seconds === 1 ? '' : 's'}`
}

export function openMessageOpsSqlite(context: DomainContext): Synchronous<MessageOpsStore> {
  const { db, inTransaction, appendUserEvent, hooks } = context
  const selectMessage = db.prepare<[number], MessageRow>(`${MESSAGE_SELECT} WHERE server_id = ?`)
  const markRecalled = db.prepare<[string, number, number]>(
    `UPDATE messages SET body = X'', recalled_by = ?, recalled_at = ?, expires_at = NULL, burn_sec = NULL
     WHERE server_id = ?`
  )
  const replaceBody = db.prepare<[Buffer, number, number]>('UPDATE messages SET body = ?, edited_at = ? WHERE server_id = ?')
  const selectSettings = db.prepare<[string, string, number], { disappear_sec: number; changed_by: string; at: number }>(
    'SELECT disappear_sec, changed_by, at FROM conversation_settings WHERE user = ? AND conversation = ? AND chat_type = ?'
  )
  const upsertSettings = db.prepare<[string, string, number, number, string, number]>(
    `INSERT INTO conversation_settings (user, conversation, chat_type, disappear_sec, changed_by, at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (user, conversation, chat_type) DO UPDATE SET disappear_sec = excluded.disappear_sec,
       changed_by = excluded.changed_by, at = excluded.at`
  )
  const burnWaiting = db.prepare<[string, string, number], MessageRow>(
    `${MESSAGE_SELECT} WHERE recipient = ? AND sender = ? AND burn_sec IS NOT NULL AND expires_at IS NULL
       AND recipient_seq <= ? AND chat_type = ${CHAT_SINGLE}`
  )
  const setExpiry = db.prepare<[number, number]>('UPDATE messages SET expires_at = ? WHERE server_id = ?')
  const expiredRows = db.prepare<[number, number], MessageRow>(
    `${MESSAGE_SELECT} WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?`
  )
  const earliestExpiry = db.prepare<[], { at: number | null }>(
    `SELECT MIN(at) AS at FROM (SELECT MIN(expires_at) AS at FROM messages WHERE expires_at IS NOT NULL
       UNION ALL SELECT MIN(expires_at) AS at FROM group_burns) AS expiries`
  )
  // Burn after reading in groups: the burn messages of a group between two positions of a reader's pointer.
  const groupBurnsRead = db.prepare<[string, number, number, string], MessageRow>(
    `${MESSAGE_SELECT} WHERE recipient = ? AND chat_type = ${CHAT_GROUP} AND sender_seq > ? AND sender_seq <= ? AND sender <> ?
       AND burn_sec IS NOT NULL AND expires_at IS NULL AND recalled_by IS NULL`
  )
  const insertGroupBurn = db.prepare<[string, number, number]>(
    'INSERT INTO group_burns (user, server_id, expires_at) VALUES (?, ?, ?) ON CONFLICT (user, server_id) DO NOTHING'
  )
  const hasGroupBurn = db.prepare<[string, number], { n: number }>('SELECT 1 AS n FROM group_burns WHERE user = ? AND server_id = ?')
  const hiddenFor = db.prepare<[string, number], { n: number }>('SELECT 1 AS n FROM deleted_for_me WHERE user = ? AND server_id = ?')
  const dueGroupBurns = db.prepare<[number, number], { user: string; server_id: number; expires_at: number }>(
    'SELECT user, server_id, expires_at FROM group_burns WHERE expires_at <= ? ORDER BY expires_at LIMIT ?'
  )
  const deleteGroupBurn = db.prepare<[string, number]>('DELETE FROM group_burns WHERE user = ? AND server_id = ?')
  const deleteLogEntry = db.prepare<[string, number]>(`DELETE FROM user_log WHERE user = ? AND seq = ? AND kind = ${KIND_MESSAGE}`)
  const deleteMessage = db.prepare<[number]>('DELETE FROM messages WHERE server_id = ?')
  const hideForUser = db.prepare<[string, number]>(
    'INSERT INTO deleted_for_me (user, server_id) VALUES (?, ?) ON CONFLICT (user, server_id) DO NOTHING'
  )
  // The conversation list's row follows the deletion: its newest remaining message and the unread count after it.
  const refreshSummary = db.prepare<[{ user: string; conversation: string; chat_type: number }]>(
    `UPDATE conversations SET
       last_message_seq = COALESCE((SELECT MAX(seq) FROM user_log
         WHERE user = @user AND conversation = @conversation AND chat_type = @chat_type AND kind = ${KIND_MESSAGE}), 0),
       unread = (SELECT COUNT(*) FROM user_log WHERE user = @user AND conversation = @conversation AND chat_type = @chat_type
         AND kind = ${KIND_MESSAGE} AND outgoing = 0 AND seq > conversations.read_seq)
     WHERE user = @user AND conversation = @conversation AND chat_type = @chat_type`
  )

  const changeEvent = (conversation: string, chatType: number, change: parley.v1.IMessageChange): UserEvent => ({
    kind: 'messageChange',
    conversation,
    chatType,
    payload: pb.MessageChange.encode({ ...change, conversation, chatType }).finish()
  })

  /** The participants of the message's conversation, each with the conversation as they name it. */
  const participants = (row: MessageRow): { user: string; conversation: string }[] => {
    if (row.chat_type === CHAT_GROUP) {
      return (hooks.groupMemberNames?.(row.recipient) ?? []).map((user) => ({ user, conversation: row.recipient }))
    }
    if (row.sender === row.recipient) return [{ user: row.sender, conversation: row.sender }]
    return [
      { user: row.sender, conversation: row.recipient },
      { user: row.recipient, conversation: row.sender }
    ]
  }

  /** Appends the change to every participant's log (inside the caller's transaction). */
  const tellParticipants = (row: MessageRow, change: parley.v1.IMessageChange, at: number): LogDelivery[] =>
    participants(row).map(({ user, conversation }) => {
      const event = changeEvent(conversation, row.chat_type, change)
      return { user, seq: appendUserEvent(user, event, at), event }
    })

  /** The message `actor` names, if it belongs to the conversation they name and they may see it. */
  const findFor = (actor: string, ref: MessageRef): MessageRow | null => {
    const row = selectMessage.get(ref.serverId)
    if (!row || row.chat_type !== ref.chatType) return null
    if (row.chat_type === CHAT_GROUP) return row.recipient === ref.conversation ? row : null
    const mine = row.sender === actor && row.recipient === ref.conversation
    const theirs = row.recipient === actor && row.sender === ref.conversation
    return mine || theirs ? row : null
  }

  const notFound = (): MessageOpOutcome => fail(ErrorCode.ERROR_NOT_FOUND, 'That message is not there any more.')

  const baseChange = (row: MessageRow): parley.v1.IMessageChange => ({
    serverId: row.server_id,
    clientId: new Uint8Array(row.client_id),
    from: row.sender
  })

  const settingsOf = (user: string, conversation: string, chatType: number): ConversationSettingsRow => {
    const row = selectSettings.get(chatType === CHAT_GROUP ? GROUP_SETTINGS_USER : user, conversation, chatType)
    return { conversation, chatType, disappearAfterSec: row?.disappear_sec ?? 0, changedBy: row?.changed_by ?? '', at: row?.at ?? 0 }
  }

  // New one-to-one messages get the conversation's disappearing timer inside the append transaction.
  hooks.expiryOf = (sender, recipient, chatType, timestamp) => {
    if (chatType !== CHAT_SINGLE && chatType !== CHAT_GROUP) return null
    // Groups: the group's own setting, the same for every member's messages.
    const owner = chatType === CHAT_GROUP ? GROUP_SETTINGS_USER : sender
    const seconds = selectSettings.get(owner, recipient, chatType)?.disappear_sec ?? 0
    return seconds > 0 ? timestamp + seconds * 1000 : null
  }

  return {
    recallMessage(actor, ref, now, windowMs) {
      return inTransaction(() => {
        const row = findFor(actor, ref)
        if (!row) return notFound()
        const change: parley.v1.IMessageChange = { ...baseChange(row), kind: pb.MessageChangeKind.MESSAGE_CHANGE_RECALLED, by: actor, at: now }
        const encoded = (): Uint8Array => pb.MessageChange.encode({ ...change, conversation: ref.conversation, chatType: ref.chatType }).finish()
        // Asked again (a resend after a lost answer): the recall stands, nothing more to tell anyone.
        if (row.recalled_by !== null) return { ok: true, deliveries: [], change: encoded() }
        const own = row.sender === actor
        const inWindow = now - row.ts <= windowMs
        if (row.chat_type === CHAT_GROUP) {
          // Own messages inside the window: any member; anything else is moderation (owner and admins, no window).
          const operation = own && inWindow ? 'recallOwn' : 'recallOthers'
          const refusal = hooks.decideGroupMessageOperation?.(operation, actor, row.recipient, now) ?? null
          if (refusal) {
            if (own && refusal.code === ErrorCode.ERROR_FORBIDDEN) {
              return fail(ErrorCode.ERROR_RECALL_WINDOW_CLOSED, `You can recall a message only within ${windowInWords(windowMs)} of sending it.`)
            }
            return fail(refusal.code, refusal.message)
          }
        } else {
          if (!own) return fail(ErrorCode.ERROR_FORBIDDEN, 'You can recall only your own messages.')
          if (!inWindow) {
            return fail(ErrorCode.ERROR_RECALL_WINDOW_CLOSED, `You can recall a message only within ${windowInWords(windowMs)} of sending it.`)
          }
        }
        markRecalled.run(actor, now, row.server_id)
        return { ok: true, deliveries: tellParticipants(row, change, now), change: encoded() }
      })
    },

    editMessage(actor, ref, text, now, windowMs) {
      return inTransaction(() => {
        const row = findFor(actor, ref)
        if (!row) return notFound()
        if (row.chat_type === CHAT_GROUP) {
          const refusal = hooks.decideGroupMessageOperation?.('edit', actor, row.recipient, now) ?? null
          if (refusal) return fail(refusal.code, refusal.message)
        }
        if (row.recalled_by !== null) return fail(ErrorCode.ERROR_MESSAGE_GONE, 'That message was recalled.')
        if (row.sender !== actor) return fail(ErrorCode.ERROR_FORBIDDEN, 'You can edit only your own messages.')
        if (now - row.ts > windowMs) {
          return fail(ErrorCode.ERROR_EDIT_WINDOW_CLOSED, `You can edit a message only within ${windowInWords(windowMs)} of sending it.`)
        }
        let body: parley.v1.Body
        try {
          body = pb.Body.decode(row.body)
        } catch {
          return fail(ErrorCode.ERROR_BAD_REQUEST, 'That message cannot be edited.')
        }
        if (!body.text) return fail(ErrorCode.ERROR_BAD_REQUEST, 'Only text messages can be edited.')
        // The new text replaces the old one everywhere; mentions of the old text are not carried over (an edit
        // does not notify anyone again). Reply quote, burn timer and the forwarded flag stay as they were.
        const edited: parley.v1.IBody = { ...body, text: { text } }
        const bytes = pb.Body.encode(edited).finish()
        replaceBody.run(Buffer.from(bytes), now, row.server_id)
        const change: parley.v1.IMessageChange = {
          ...baseChange(row), kind: pb.MessageChangeKind.MESSAGE_CHANGE_EDITED, by: actor, body: edited, at: now
        }
        const deliveries = tellParticipants(row, change, now)
        return { ok: true, deliveries, change: pb.MessageChange.encode({ ...change, conversation: ref.conversation, chatType: ref.chatType }).finish() }
      })
    },

    conversationSettings(user, conversation, chatType) {
      return settingsOf(user, conversation, chatType)
    },

    setConversationSettings(user, conversation, chatType, disappearAfterSec, now) {
      return inTransaction(() => {
        if (chatType === CHAT_GROUP) {
          // One setting for the group, decided by the groups table (owner and admins), told to every member's log.
          const refusal = hooks.decideGroupMessageOperation?.('setDisappearTimer', user, conversation, now) ?? null
          if (refusal) return { settings: settingsOf(user, conversation, chatType), deliveries: [], refusal }
          upsertSettings.run(GROUP_SETTINGS_USER, conversation, chatType, disappearAfterSec, user, now)
          const payload = pb.ConversationSettings.encode({ conversation, chatType, disappearAfterSec, changedBy: user, at: now }).finish()
          const deliveries = (hooks.groupMemberNames?.(conversation) ?? []).map((member) => {
            const event: UserEvent = { kind: 'conversationSettings', conversation, chatType, payload }
            return { user: member, seq: appendUserEvent(member, event, now), event }
          })
          return { settings: settingsOf(user, conversation, chatType), deliveries }
        }
        const sides = user === conversation ? [[user, conversation]] : [[user, conversation], [conversation, user]]
        const deliveries = sides.map(([owner, peer]) => {
          upsertSettings.run(owner as string, peer as string, chatType, disappearAfterSec, user, now)
          const event: UserEvent = {
            kind: 'conversationSettings',
            conversation: peer as string,
            chatType,
            payload: pb.ConversationSettings.encode({ conversation: peer, chatType, disappearAfterSec, changedBy: user, at: now }).finish()
          }
          return { user: owner as string, seq: appendUserEvent(owner as string, event, now), event }
        })
        return { settings: settingsOf(user, conversation, chatType), deliveries }
      })
    },

    clearConversationElsewhere(user, conversation, chatType, upToTimestamp, now) {
      return inTransaction(() => {
        const event: UserEvent = {
          kind: 'conversationCleared',
          conversation,
          chatType,
          payload: pb.ConversationCleared.encode({ conversation, chatType, upToTimestamp, at: now }).finish()
        }
        return { user, seq: appendUserEvent(user, event, now), event }
      })
    },

    deleteForUser(user, conversation, chatType, serverIds, now) {
      return inTransaction(() => {
        const rows: MessageRow[] = []
        for (const serverId of new Set(serverIds)) {
          const row = findFor(user, { conversation, chatType, serverId })
          // A group message only for a member (a stranger learns nothing about the group's messages).
          if (row && row.chat_type === CHAT_GROUP && !(hooks.groupMemberNames?.(row.recipient) ?? []).includes(user)) continue
          if (row) rows.push(row)
        }
        if (rows.length === 0) return null
        const event: UserEvent = {
          kind: 'conversationCleared',
          conversation,
          chatType,
          payload: pb.ConversationCleared.encode({
            conversation,
            chatType,
            at: now,
            clientIds: rows.map((row) => new Uint8Array(row.client_id)),
            serverIds: rows.map((row) => row.server_id)
          }).finish()
        }
        // The entry goes into the log BEFORE the messages' entries leave it (as in the sweep): one of them may be the
        // log's head, and a seq taken again would hide the entry from a device already past it.
        const delivery: LogDelivery = { user, seq: appendUserEvent(user, event, now), event }
        if (chatType === CHAT_SINGLE) {
          // Only this account's own entries go; the message row and the peer's entry stay (the peer keeps it).
          for (const row of rows) {
            if (row.sender === user) deleteLogEntry.run(user, row.sender_seq)
            if (row.recipient === user && row.recipient_seq !== null) deleteLogEntry.run(user, row.recipient_seq)
          }
          refreshSummary.run({ user, conversation, chat_type: chatType })
        } else {
          // The group's log is shared: the rows here make its history, sync and summary leave them out for `user`.
          for (const row of rows) hideForUser.run(user, row.server_id)
        }
        return delivery
      })
    },

    startBurnTimers(reader, peer, readSeq, now) {
      return inTransaction(() => {
        const deliveries: LogDelivery[] = []
        for (const row of burnWaiting.all(reader, peer, readSeq)) {
          if (row.sender === row.recipient) continue
          const expiresAt = now + (row.burn_sec ?? 0) * 1000
          setExpiry.run(expiresAt, row.server_id)
          const change: parley.v1.IMessageChange = {
            ...baseChange(row), kind: pb.MessageChangeKind.MESSAGE_CHANGE_EXPIRY_SET, by: reader, at: now, expiresAt
          }
          deliveries.push(...tellParticipants(row, change, now))
        }
        return deliveries
      })
    },

    startGroupBurnTimers(reader, group, readBefore, readSeq, now) {
      return inTransaction(() => {
        const deliveries: LogDelivery[] = []
        for (const row of groupBurnsRead.all(group, readBefore, readSeq, reader)) {
          if (hiddenFor.get(reader, row.server_id) || hasGroupBurn.get(reader, row.server_id)) continue
          const expiresAt = now + (row.burn_sec ?? 0) * 1000
          const change: parley.v1.IMessageChange = {
            ...baseChange(row), kind: pb.MessageChangeKind.MESSAGE_CHANGE_EXPIRY_SET, by: reader, at: now, expiresAt
          }
          // The reader's copy burns for the reader; the sender's with the first reader's (the one-to-one rule).
          const burning = [reader]
          if (!hasGroupBurn.get(row.sender, row.server_id) && !hiddenFor.get(row.sender, row.server_id)) burning.push(row.sender)
          for (const user of burning) {
            insertGroupBurn.run(user, row.server_id, expiresAt)
            const event = changeEvent(group, CHAT_GROUP, change)
            deliveries.push({ user, seq: appendUserEvent(user, event, now), event })
          }
        }
        return deliveries
      })
    },

    sweepExpired(now, limit) {
      return inTransaction(() => {
        const deliveries: LogDelivery[] = []
        const gone: number[] = []
        // Group copies burnt for one member: the message leaves that member's view (as a delete for me), and once
        // every member's copy is gone its content goes from the server too.
        const burns = dueGroupBurns.all(now, limit)
        for (const burn of burns) {
          deleteGroupBurn.run(burn.user, burn.server_id)
          const row = selectMessage.get(burn.server_id)
          if (!row || row.chat_type !== CHAT_GROUP) continue
          const change: parley.v1.IMessageChange = {
            ...baseChange(row), kind: pb.MessageChangeKind.MESSAGE_CHANGE_EXPIRED, at: now, expiresAt: burn.expires_at
          }
          const event = changeEvent(row.recipient, CHAT_GROUP, change)
          deliveries.push({ user: burn.user, seq: appendUserEvent(burn.user, event, now), event })
          hideForUser.run(burn.user, row.server_id)
          const members = hooks.groupMemberNames?.(row.recipient) ?? []
          if (row.recalled_by === null && members.every((member) => hiddenFor.get(member, row.server_id))) {
            markRecalled.run('', now, row.server_id)
            gone.push(row.server_id)
          }
        }
        const rows = expiredRows.all(now, Math.max(0, limit - burns.length))
        for (const row of rows) {
          const change: parley.v1.IMessageChange = {
            ...baseChange(row), kind: pb.MessageChangeKind.MESSAGE_CHANGE_EXPIRED, at: now, expiresAt: row.expires_at ?? now
          }
          // The change goes into the logs BEFORE the message's entries leave them: a log's head is its MAX(seq), and
          // the message may be that head; taking its seq again would hide the change from a device already past it.
          deliveries.push(...tellParticipants(row, change, now))
          if (row.chat_type === CHAT_SINGLE) {
            deleteLogEntry.run(row.sender, row.sender_seq)
            if (row.recipient_seq !== null && row.recipient !== row.sender) deleteLogEntry.run(row.recipient, row.recipient_seq)
            deleteMessage.run(row.server_id)
            refreshSummary.run({ user: row.sender, conversation: row.recipient, chat_type: row.chat_type })
            refreshSummary.run({ user: row.recipient, conversation: row.sender, chat_type: row.chat_type })
          } else {
            // A group message keeps its group_log row (the log's sequence has no gaps there); its content goes.
            markRecalled.run('', now, row.server_id)
          }
          gone.push(row.server_id)
        }
        return { swept: rows.length + burns.length, deliveries, more: rows.length + burns.length === limit, gone }
      })
    },

    nextExpiry() {
      return earliestExpiry.get()?.at ?? null
    }
  }
}
