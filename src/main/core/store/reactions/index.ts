// The reactions store domain on the device: emoji reactions, one-to-one pins and the account's conversation state
// (migrations 011, 014: do not disturb), applied from the user log's entries inside the sync batch's transaction and from the server's
// answers; a conversation deleted on any device of the account is deleted here too (its messages up to the seq).
import type { ChatType, Conversation, ConversationKey } from '../../../../shared/model'
import type { ConversationState, MessageReaction, MessageReactions } from '../../../../shared/model/reactions'
import { pb } from '../../../../shared/proto/codec'
import { canonicalUserId } from '../../../../shared/user-id'
import { chatTypeFromWire } from '../../protocol/messages'
import type { StoreDomain, StoreDomainContext, UserEventRecord } from '../domain-types'
import { StoreError } from '../errors'

/** What a reaction entry did (ChatClient 'userEvent' change). */
export interface ReactionEventChange {
  domain: 'reactions'
  conversation: ConversationKey
  serverId: number
  reactions: MessageReaction[]
}
export interface PinEventChange {
  domain: 'pins'
  conversation: ConversationKey
  pinned: number[]
}
export interface ConversationStateChange {
  domain: 'conversationState'
  state: ConversationState
  /** The entry deleted the conversation's messages here. */
  deleted: boolean
}
export interface DevicesEventChange {
  domain: 'devices'
  sessionId: string
  signedOut: boolean
}

export interface ReactionsStoreApi {
  reactionsOf(key: ConversationKey, serverIds: readonly number[]): MessageReactions[]
  /** Replaces the reactions of the messages asked about with the server's answer (messages absent had none). */
  replaceReactions(key: ConversationKey, asked: readonly number[], rows: readonly MessageReactions[]): void
  /** One reaction change (a group push): returns the message's reactions now. */
  applyReaction(key: ConversationKey, serverId: number, emoji: string, user: string, removed: boolean, at: number): MessageReactions
  pinsOf(key: ConversationKey): number[]
  setPins(key: ConversationKey, pinned: readonly number[]): void
  states(): ConversationState[]
  /** Takes the server's list of conversation states (a new device); returns the conversations deleted here. */
  putStates(states: readonly ConversationState[]): ConversationKey[]
  stateOf(key: ConversationKey): ConversationState
  /** Where this device stands in each group's reaction changes (0: never asked; migration 015), in one call. */
  groupReactionCursors(groups: readonly string[]): Array<{ group: string; after: number }>
  setGroupReactionCursor(group: string, cursor: number): void
}

interface StateRow {
  chat_type: ChatType
  conversation_id: string
  pinned: number
  marked_unread: number
  deleted_through_seq: number
  muted_until: number
}

function rowToState(row: StateRow): ConversationState {
  return {
    conversation: { type: row.chat_type, id: row.conversation_id },
    pinned: row.pinned === 1,
    markedUnread: row.marked_unread === 1,
    deletedThroughSeq: row.deleted_through_seq,
    mutedUntil: row.muted_until
  }
}

/** The conversation of an entry as this device keys it (a canonical user for one-to-one chats). */
export function conversationKeyFromWire(conversation: string | null | undefined, chatType: number | null | undefined): ConversationKey | null {
  const type = chatTypeFromWire(chatType ?? 0)
  const id = type === 'single' ? canonicalUserId(conversation) : (conversation ?? '')
  return id ? { type, id } : null
}

export function openReactionsStore(context: StoreDomainContext): StoreDomain<ReactionsStoreApi> {
  const { db } = context
  const cursors = {
    get: db.prepare<[string], { cursor: number }>('SELECT cursor FROM group_reaction_cursors WHERE group_id = ?'),
    put: db.prepare<[string, number]>(
      'INSERT INTO group_reaction_cursors (group_id, cursor) VALUES (?, ?) ON CONFLICT (group_id) DO UPDATE SET cursor = excluded.cursor'
    )
  }
  const s = {
    reactionsOf: db.prepare<[string, string, number], { emoji: string; user: string }>(
      'SELECT emoji, user FROM reactions WHERE chat_type = ? AND conversation_id = ? AND server_id = ? ORDER BY at, user'
    ),
    clear: db.prepare<[string, string, number]>('DELETE FROM reactions WHERE chat_type = ? AND conversation_id = ? AND server_id = ?'),
    put: db.prepare<[string, string, number, string, string, number]>(
      'INSERT OR IGNORE INTO reactions (chat_type, conversation_id, server_id, emoji, user, at) VALUES (?, ?, ?, ?, ?, ?)'
    ),
    remove: db.prepare<[string, string, number, string, string]>(
      'DELETE FROM reactions WHERE chat_type = ? AND conversation_id = ? AND server_id = ? AND emoji = ? AND user = ?'
    ),
    pins: db.prepare<[string, string], { server_id: number }>(
      'SELECT server_id FROM message_pins WHERE chat_type = ? AND conversation_id = ? ORDER BY at DESC, server_id DESC'
    ),
    clearPins: db.prepare<[string, string]>('DELETE FROM message_pins WHERE chat_type = ? AND conversation_id = ?'),
    putPin: db.prepare<[string, string, number, number]>('INSERT OR REPLACE INTO message_pins (chat_type, conversation_id, server_id, at) VALUES (?, ?, ?, ?)'),
    removePin: db.prepare<[string, string, number]>('DELETE FROM message_pins WHERE chat_type = ? AND conversation_id = ? AND server_id = ?'),
    states: db.prepare<[], StateRow>(
      'SELECT chat_type, conversation_id, pinned, marked_unread, deleted_through_seq, muted_until FROM conversation_states'
    ),
    state: db.prepare<[string, string], StateRow>(
      `SELECT chat_type, conversation_id, pinned, marked_unread, deleted_through_seq, muted_until
       FROM conversation_states WHERE chat_type = ? AND conversation_id = ?`
    ),
    putState: db.prepare<[string, string, number, number, number, number]>(
      `INSERT INTO conversation_states (chat_type, conversation_id, pinned, marked_unread, deleted_through_seq, muted_until)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (chat_type, conversation_id) DO UPDATE SET pinned = excluded.pinned, marked_unread = excluded.marked_unread,
         deleted_through_seq = MAX(deleted_through_seq, excluded.deleted_through_seq), muted_until = excluded.muted_until`
    ),
    deleteMessages: db.prepare<[string, string, number]>(
      'DELETE FROM messages WHERE chat_type = ? AND conversation_id = ? AND seq IS NOT NULL AND seq <= ?'
    ),
    remaining: db.prepare<[string, string], { n: number }>('SELECT COUNT(*) AS n FROM messages WHERE chat_type = ? AND conversation_id = ?'),
    deleteConversation: db.prepare<[string, string]>('DELETE FROM conversations WHERE chat_type = ? AND id = ?')
  }

  const reactionsRow = (key: ConversationKey, serverId: number): MessageReactions => {
    const byEmoji = new Map<string, string[]>()
    for (const row of s.reactionsOf.all(key.type, key.id, serverId)) byEmoji.set(row.emoji, [...(byEmoji.get(row.emoji) ?? []), row.user])
    return { serverId, reactions: [...byEmoji].map(([emoji, users]) => ({ emoji, users })) }
  }

  const applyReaction = (key: ConversationKey, serverId: number, emoji: string, user: string, removed: boolean, at: number): MessageReactions =>
    context.write(() => {
      if (removed) s.remove.run(key.type, key.id, serverId, emoji, user)
      else s.put.run(key.type, key.id, serverId, emoji, user, at)
      return reactionsRow(key, serverId)
    })

  const stateOf = (key: ConversationKey): ConversationState => {
    const row = s.state.get(key.type, key.id)
    return row ? rowToState(row) : { conversation: key, pinned: false, markedUnread: false, deletedThroughSeq: 0, mutedUntil: 0 }
  }

  /** Stores a state; when it deletes further than before, drops the conversation's messages up to that seq. */
  const putState = (state: ConversationState): boolean => {
    const { type, id } = state.conversation
    const before = stateOf(state.conversation)
    s.putState.run(type, id, state.pinned ? 1 : 0, state.markedUnread ? 1 : 0, state.deletedThroughSeq, state.mutedUntil)
    if (state.deletedThroughSeq <= before.deletedThroughSeq) return false
    s.deleteMessages.run(type, id, state.deletedThroughSeq)
    if ((s.remaining.get(type, id)?.n ?? 0) === 0) s.deleteConversation.run(type, id)
    return true
  }

  const bad = (message: string): StoreError => new StoreError('STORE_BAD_ARGUMENT', message)

  const applyReactionEntry = (event: UserEventRecord): ReactionEventChange => {
    const wire = pb.Event.decode(event.raw).reaction
    const key = conversationKeyFromWire(wire?.conversation, wire?.chatType)
    const user = canonicalUserId(wire?.user)
    const serverId = Number(wire?.serverId ?? 0)
    if (!wire || !key || !user || !(serverId > 0) || !wire.emoji) throw bad('The reaction entry names no message, user or emoji.')
    const row = applyReaction(key, serverId, wire.emoji, user, wire.removed === true, Number(wire.at ?? 0))
    return { domain: 'reactions', conversation: key, serverId, reactions: row.reactions }
  }

  const applyPinEntry = (event: UserEventRecord): PinEventChange => {
    const wire = pb.Event.decode(event.raw).messagePin
    const key = conversationKeyFromWire(wire?.conversation, 0)
    const serverId = Number(wire?.serverId ?? 0)
    if (!wire || !key || !(serverId > 0)) throw bad('The pin entry names no conversation or message.')
    context.write(() => {
      if (wire.pinned) s.putPin.run(key.type, key.id, serverId, Number(wire.at ?? 0))
      else s.removePin.run(key.type, key.id, serverId)
    })
    return { domain: 'pins', conversation: key, pinned: s.pins.all(key.type, key.id).map((row) => row.server_id) }
  }

  const applyStateEntry = (event: UserEventRecord): ConversationStateChange => {
    const wire = pb.Event.decode(event.raw).conversationState?.state
    const key = conversationKeyFromWire(wire?.conversation, wire?.chatType)
    if (!wire || !key) throw bad('The conversation state entry names no conversation.')
    const state: ConversationState = {
      conversation: key,
      pinned: wire.pinned === true,
      markedUnread: wire.markedUnread === true,
      deletedThroughSeq: Number(wire.deletedThroughSeq ?? 0),
      mutedUntil: Number(wire.mutedUntil ?? 0)
    }
    const deleted = context.write(() => putState(state))
    return { domain: 'conversationState', state: stateOf(key), deleted }
  }

  const applyDevicesEntry = (event: UserEventRecord): DevicesEventChange => {
    const wire = pb.Event.decode(event.raw).devicesChanged
    return { domain: 'devices', sessionId: wire?.sessionId ?? '', signedOut: wire?.signedOut === true }
  }

  const api: ReactionsStoreApi = {
    reactionsOf(key, serverIds) {
      return serverIds.map((id) => reactionsRow(key, id)).filter((row) => row.reactions.length > 0)
    },
    replaceReactions(key, asked, rows) {
      context.write(() => {
        for (const id of asked) s.clear.run(key.type, key.id, id)
        let order = 0
        for (const row of rows) {
          for (const reaction of row.reactions) {
            // The server's order (first appearance) is kept through `at`: increasing numbers in answer order.
            for (const user of reaction.users) s.put.run(key.type, key.id, row.serverId, reaction.emoji, user, ++order)
          }
        }
      })
    },
    applyReaction,
    groupReactionCursors(groups) {
      return groups.map((group) => ({ group, after: cursors.get.get(group)?.cursor ?? 0 }))
    },
    setGroupReactionCursor(group, cursor) {
      context.write(() => cursors.put.run(group, cursor))
    },
    pinsOf(key) {
      return s.pins.all(key.type, key.id).map((row) => row.server_id)
    },
    setPins(key, pinned) {
      context.write(() => {
        s.clearPins.run(key.type, key.id)
        pinned.forEach((id, index) => s.putPin.run(key.type, key.id, id, pinned.length - index))
      })
    },
    states() {
      return s.states.all().map(rowToState)
    },
    putStates(states) {
      return context.write(() => states.filter((state) => putState(state)).map((state) => state.conversation))
    },
    stateOf
  }

  const describe = (conversation: Conversation): Conversation => {
    const row = s.state.get(conversation.chatType, conversation.id)
    if (!row || (row.pinned === 0 && row.marked_unread === 0 && row.muted_until === 0)) return conversation
    return {
      ...conversation,
      pinned: row.pinned === 1,
      markedUnread: row.marked_unread === 1,
      ...(row.muted_until > 0 ? { mutedUntil: row.muted_until } : {})
    }
  }

  return {
    appliers: { reaction: applyReactionEntry, messagePin: applyPinEntry, conversationState: applyStateEntry, devicesChanged: applyDevicesEntry },
    api,
    describe
  }
}
