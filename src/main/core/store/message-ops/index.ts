// Owns recall, edit, delete and self-destruct in the device's store (migration 010): the user log's MessageChange,
// ConversationSettings and ConversationCleared events applied inside the sync batch, deleting for me, clearing a
// conversation, and deleting expired messages on time (search follows: the index triggers see every change).
import type { ChatMessage, ChatType, ConversationKey } from '../../../../shared/model'
import { pb } from '../../../../shared/proto/codec'
import {
  conversationClearedFromWire,
  conversationSettingsFromWire,
  messageChangeFromWire,
  type ConversationSettingsRecord,
  type MessageChangeRecord
} from '../../protocol/message-ops'
import type { StoreDomain, StoreDomainContext, UserEventRecord } from '../domain-types'
import { StoreError } from '../errors'
import { MESSAGE_COLUMNS, rowToMessage, type MessageRow } from '../rows'

/** What an applied event (or a local operation) changed, as ChatClient reports it ('userEvent' change). */
export type MessageOpsChange =
  | { domain: 'messageOps'; kind: 'changed'; conversation: ConversationKey; message: ChatMessage }
  | { domain: 'messageOps'; kind: 'removed'; conversation: ConversationKey; ids: string[] }
  | { domain: 'messageOps'; kind: 'settings'; conversation: ConversationKey; disappearAfterSec: number; changedBy: string }

export interface MessageOpsStoreApi {
  /** Applies a change the server answered or pushed (idempotent); null when the message is not on this device. */
  applyChange(change: MessageChangeRecord): Promise<MessageOpsChange | null>
  /** Deletes messages on this device (the server was told first, for the account's other devices); returns what went. */
  deleteForMe(key: ConversationKey, ids: readonly string[]): Promise<MessageOpsChange | null>
  /** Deletes the conversation's messages sent up to `upToTimestamp` on this device (unsent ones stay). */
  clear(key: ConversationKey, upToTimestamp: number): Promise<MessageOpsChange | null>
  /** Deletes every message whose time ran out by `now`; one change per conversation. */
  expireDue(now: number): Promise<MessageOpsChange[]>
  /** The earliest expiry of a message on this device, or null. */
  nextExpiry(): Promise<number | null>
  settings(key: ConversationKey): Promise<{ disappearAfterSec: number; changedBy: string; at: number }>
  setSettings(record: ConversationSettingsRecord): Promise<MessageOpsChange>
}

export function openMessageOpsStore(context: StoreDomainContext): StoreDomain<MessageOpsStoreApi> {
  const { db, write } = context
  const byId = db.prepare<[string], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`)
  const setContent = db.prepare<[string, string, string | null, string]>(
    'UPDATE messages SET type = ?, text = ?, body = ?, expires_at = NULL, burn_sec = NULL WHERE id = ?'
  )
  const setText = db.prepare<[string, string | null, string]>('UPDATE messages SET text = ?, body = ? WHERE id = ?')
  const setExpiry = db.prepare<[number, string]>('UPDATE messages SET expires_at = ? WHERE id = ?')
  const deleteById = db.prepare<[string]>('DELETE FROM messages WHERE id = ?')
  const tombstone = db.prepare<[string]>('INSERT INTO deleted_for_me (id) VALUES (?) ON CONFLICT (id) DO NOTHING')
  const idsUpTo = db.prepare<[ChatType, string, number], { id: string }>(
    `SELECT id FROM messages WHERE chat_type = ? AND conversation_id = ? AND timestamp <= ? AND status <> 'sending'`
  )
  const due = db.prepare<[number], { id: string; chat_type: ChatType; conversation_id: string }>(
    'SELECT id, chat_type, conversation_id FROM messages WHERE expires_at IS NOT NULL AND expires_at <= ?'
  )
  const earliest = db.prepare<[], { at: number | null }>('SELECT MIN(expires_at) AS at FROM messages WHERE expires_at IS NOT NULL')
  const readState = db.prepare<[ChatType, string], { read_seq: number; unread_count: number; last_message_id: string | null }>(
    'SELECT read_seq, unread_count, last_message_id FROM conversations WHERE chat_type = ? AND id = ?'
  )
  const newestRemaining = db.prepare<[ChatType, string], { id: string }>(
    `SELECT id FROM messages WHERE chat_type = ? AND conversation_id = ?
     ORDER BY seq IS NULL DESC, seq DESC, local_order DESC LIMIT 1`
  )
  const updateConversation = db.prepare<[string | null, number, ChatType, string]>(
    'UPDATE conversations SET last_message_id = ?, unread_count = ? WHERE chat_type = ? AND id = ?'
  )
  const selectSettings = db.prepare<[ChatType, string], { disappear_after_sec: number; changed_by: string; at: number }>(
    'SELECT disappear_after_sec, changed_by, at FROM conversation_settings WHERE chat_type = ? AND id = ?'
  )
  const upsertSettings = db.prepare<[ChatType, string, number, string, number]>(
    `INSERT INTO conversation_settings (chat_type, id, disappear_after_sec, changed_by, at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (chat_type, id) DO UPDATE SET disappear_after_sec = excluded.disappear_after_sec,
       changed_by = excluded.changed_by, at = excluded.at WHERE excluded.at >= conversation_settings.at`
  )

  /** Deletes the rows and keeps the conversation's newest message and unread count right; inside `write`. */
  const remove = (key: ConversationKey, ids: readonly string[]): MessageOpsChange | null => {
    const state = readState.get(key.type, key.id)
    let unreadGone = 0
    const removed: string[] = []
    for (const id of ids) {
      const row = byId.get(id)
      if (!row || row.chat_type !== key.type || row.conversation_id !== key.id) continue
      if (state && row.direction === 'in' && row.seq !== null && row.seq > state.read_seq) unreadGone++
      deleteById.run(id)
      removed.push(id)
    }
    if (removed.length === 0) return null
    if (state) {
      const newest = newestRemaining.get(key.type, key.id)?.id ?? null
      updateConversation.run(newest, Math.max(0, state.unread_count - unreadGone), key.type, key.id)
    }
    return { domain: 'messageOps', kind: 'removed', conversation: key, ids: removed }
  }

  /** Delete for me: the rows go and their tombstones stay (migration 013), so nothing in flight brings them back. */
  const deleteForMe = (key: ConversationKey, ids: readonly string[]): MessageOpsChange | null => {
    for (const id of ids) tombstone.run(id)
    return remove(key, ids)
  }

  const changed = (id: string): MessageOpsChange | null => {
    const row = byId.get(id)
    if (!row) return null
    const message = rowToMessage(row)
    return { domain: 'messageOps', kind: 'changed', conversation: { type: message.chatType, id: message.conversationId }, message }
  }

  /** One change inside the caller's transaction. */
  const apply = (change: MessageChangeRecord): MessageOpsChange | null => {
    const row = byId.get(change.id)
    if (!row) return null
    const key: ConversationKey = { type: row.chat_type as ChatType, id: row.conversation_id }
    switch (change.kind) {
      case 'recalled': {
        // The notice replaces the content; its empty text takes the message out of the search indexes.
        if (row.type === 'recalled') return null
        setContent.run('recalled', '', JSON.stringify({ type: 'recalled', by: change.by, at: change.at }), change.id)
        return changed(change.id)
      }
      case 'edited': {
        if (row.type !== 'text' || change.text === null) return null
        const current = rowToMessage(row)
        const content = current.content.type === 'text' ? current.content : { type: 'text' as const, text: '' }
        if ((content.editedAt ?? 0) >= change.at && content.text === change.text) return null
        const edited = { type: 'text' as const, text: change.text, editedAt: change.at }
        setText.run(change.text, JSON.stringify(edited), change.id)
        return changed(change.id)
      }
      case 'expirySet': {
        if (row.expires_at !== null && row.expires_at <= change.expiresAt) return null
        setExpiry.run(change.expiresAt, change.id)
        return changed(change.id)
      }
      case 'expired':
        return remove(key, [change.id])
    }
  }

  const decodeEvent = (event: UserEventRecord): ReturnType<typeof pb.Event.decode> => {
    try {
      return pb.Event.decode(event.raw)
    } catch (err) {
      throw new StoreError('STORE_BAD_ARGUMENT', `not an Event: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  const bad = (err: unknown): never => {
    throw new StoreError('STORE_BAD_ARGUMENT', err instanceof Error ? err.message : String(err))
  }

  const settingsChange = (record: ConversationSettingsRecord): MessageOpsChange => {
    const key: ConversationKey = { type: record.conversation.type, id: record.conversation.id }
    upsertSettings.run(key.type, key.id, record.disappearAfterSec, record.changedBy, record.at)
    const stored = selectSettings.get(key.type, key.id)
    return {
      domain: 'messageOps',
      kind: 'settings',
      conversation: key,
      disappearAfterSec: stored?.disappear_after_sec ?? record.disappearAfterSec,
      changedBy: stored?.changed_by ?? record.changedBy
    }
  }

  return {
    appliers: {
      messageChange: (event) => {
        const wire = decodeEvent(event).messageChange
        if (!wire) return bad('the event carries no change')
        let record: MessageChangeRecord
        try {
          record = messageChangeFromWire(wire)
        } catch (err) {
          return bad(err)
        }
        return apply(record) ?? undefined
      },
      conversationSettings: (event) => {
        const wire = decodeEvent(event).conversationSettings
        if (!wire) return bad('the event carries no settings')
        try {
          return settingsChange(conversationSettingsFromWire(wire))
        } catch (err) {
          return bad(err)
        }
      },
      conversationCleared: (event) => {
        const wire = decodeEvent(event).conversationCleared
        if (!wire) return bad('the event carries no conversation')
        let record
        try {
          record = conversationClearedFromWire(wire)
        } catch (err) {
          return bad(err)
        }
        const key: ConversationKey = { type: record.conversation.type, id: record.conversation.id }
        // Delete for me on another device names its messages; a clear names a time.
        if (record.messageIds.length > 0) return deleteForMe(key, record.messageIds) ?? undefined
        return remove(key, idsUpTo.all(key.type, key.id, record.upToTimestamp).map((row) => row.id)) ?? undefined
      }
    },
    api: {
      async applyChange(change) {
        return write(() => apply(change))
      },
      async deleteForMe(key, ids) {
        return write(() => deleteForMe(key, ids))
      },
      async clear(key, upToTimestamp) {
        return write(() => remove(key, idsUpTo.all(key.type, key.id, upToTimestamp).map((row) => row.id)))
      },
      async expireDue(now) {
        return write(() => {
          const byConversation = new Map<string, { key: ConversationKey; ids: string[] }>()
          for (const row of due.all(now)) {
            const mapKey = `${row.chat_type}:${row.conversation_id}`
            const entry = byConversation.get(mapKey) ?? { key: { type: row.chat_type, id: row.conversation_id }, ids: [] }
            entry.ids.push(row.id)
            byConversation.set(mapKey, entry)
          }
          return [...byConversation.values()].flatMap(({ key, ids }) => remove(key, ids) ?? [])
        })
      },
      async nextExpiry() {
        return earliest.get()?.at ?? null
      },
      async settings(key) {
        const row = selectSettings.get(key.type, key.id)
        return { disappearAfterSec: row?.disappear_after_sec ?? 0, changedBy: row?.changed_by ?? '', at: row?.at ?? 0 }
      },
      async setSettings(record) {
        return write(() => settingsChange(record))
      }
    }
  }
}
