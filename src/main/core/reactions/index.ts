// Owns one session's reactions, one-to-one pins, conversation state and device list over the connection: the
// requests, the store updates their answers and the groups' reaction pushes bring, and the events the shells show.
// The entries of the user's log (reactions, pins, states, devices) reach the store through sync (store/reactions).
import { AppError } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import type { ConversationKey } from '../../../shared/model'
import type { ConversationState, DeviceList, MessageReactions, PinsChanged, ReactionsChanged } from '../../../shared/model/reactions'
import type { parley } from '../../../shared/proto/gen/parley'
import { TypedEmitter } from '../../../shared/typed-emitter'
import type { Connection, PushFrame } from '../net/connection'
import { chatTypeToWire } from '../protocol/messages'
import type { AppliedUserEvent } from '../store/domain-types'
import { conversationKeyFromWire, type ReactionsStoreApi } from '../store/reactions'
import type { Promised } from '../store/domain-apis'

const log = createLogger('core:reactions')

/** The server answers the reactions of at most this many messages per request (services/reactions). */
export const REACTIONS_REQUEST_MAX_MESSAGES = 200
/** Groups per reaction catch-up request (the server's GROUP_REACTIONS_SYNC_MAX_GROUPS). */
export const GROUP_REACTIONS_SYNC_MAX_GROUPS = 100
/** Rounds of has_more per catch-up: a group with more changes than this many pages waits for the next catch-up. */
const GROUP_REACTIONS_SYNC_MAX_ROUNDS = 20

export interface ReactionsClientEvents {
  reactionsChanged: ReactionsChanged
  pinsChanged: PinsChanged
  /** The account's state of a conversation changed here or on another device (deleted: its messages are gone). */
  conversationStateChanged: ConversationState & { deleted: boolean }
  /** A device of the account signed in or out: the device list should be read again. */
  devicesChanged: { sessionId: string; signedOut: boolean }
}

export interface ReactionsClientOptions {
  store: Promised<ReactionsStoreApi>
  connection: Connection
}

function rowsFromWire(rows: readonly parley.v1.IMessageReactions[] | null | undefined): MessageReactions[] {
  return (rows ?? []).map((row) => ({
    serverId: Number(row.serverId ?? 0),
    reactions: (row.reactions ?? []).map((reaction) => ({ emoji: reaction.emoji ?? '', users: reaction.users ?? [] }))
  }))
}

function needsServerId(serverId: number | null): number {
  if (!serverId || serverId <= 0) throw new AppError('BAD_ARGUMENT', 'This message is not on the server yet; try again once it is sent.')
  return serverId
}

export class ReactionsClient extends TypedEmitter<ReactionsClientEvents> {
  private readonly unsubscribe: Array<() => void> = []

  constructor(private readonly options: ReactionsClientOptions) {
    super()
    this.unsubscribe.push(options.connection.on('push', (push) => this.onPush(push)))
  }

  close(): void {
    for (const off of this.unsubscribe) off()
  }

  /** Adds (or removes) my reaction; answers the message's reactions now. */
  async react(conversation: ConversationKey, serverId: number | null, emoji: string, remove: boolean): Promise<ReactionsChanged> {
    const id = needsServerId(serverId)
    const answer = await this.options.connection.request(
      { react: { conversation: conversation.id, chatType: chatTypeToWire(conversation.type), serverId: id, emoji, remove } },
      'reactOk'
    )
    const [row] = rowsFromWire(answer.reactions ? [answer.reactions] : [])
    await this.options.store.replaceReactions(conversation, [id], row ? [row] : [])
    const changed = { conversation, serverId: id, reactions: row?.reactions ?? [] }
    this.emit('reactionsChanged', changed)
    return changed
  }

  /** The reactions stored here for these messages (no request). */
  stored(conversation: ConversationKey, serverIds: readonly number[]): Promise<MessageReactions[]> {
    return this.options.store.reactionsOf(conversation, serverIds)
  }

  /** Reads the reactions of these messages from the server (a group's pushes missed while away, a new device). */
  async refresh(conversation: ConversationKey, serverIds: readonly number[]): Promise<MessageReactions[]> {
    const ids = [...new Set(serverIds.filter((id) => id > 0))]
    for (let start = 0; start < ids.length; start += REACTIONS_REQUEST_MAX_MESSAGES) {
      const chunk = ids.slice(start, start + REACTIONS_REQUEST_MAX_MESSAGES)
      const answer = await this.options.connection.request(
        { reactions: { conversation: conversation.id, chatType: chatTypeToWire(conversation.type), serverIds: chunk } },
        'reactionsOk'
      )
      await this.options.store.replaceReactions(conversation, chunk, rowsFromWire(answer.messages))
    }
    return this.options.store.reactionsOf(conversation, ids)
  }

  /**
   * Group reaction catch-up, after each group sync: a group's log has no reaction entries, so the reactions changed
   * while this device was away (pushes it missed) come from the server's per-group change positions. Each changed
   * message's reactions are replaced and announced (`reactionsChanged`), so an open conversation updates at once.
   */
  async catchUpGroups(groups: readonly string[]): Promise<void> {
    let pending = [...new Set(groups)]
    for (let round = 0; round < GROUP_REACTIONS_SYNC_MAX_ROUNDS && pending.length > 0; round++) {
      const more: string[] = []
      for (let start = 0; start < pending.length; start += GROUP_REACTIONS_SYNC_MAX_GROUPS) {
        const chunk = pending.slice(start, start + GROUP_REACTIONS_SYNC_MAX_GROUPS)
        // A group never asked starts at 0: the server answers only messages after this member joined, paged.
        // One store call per chunk (each call is a trip to the store's thread), not one per group.
        const cursors = await this.options.store.groupReactionCursors(chunk)
        const answer = await this.options.connection.request({ groupReactionsSync: { cursors } }, 'groupReactionsSyncOk')
        for (const changes of answer.groups ?? []) {
          const group = changes.group ?? ''
          if (!group || changes.notMember) continue
          const conversation: ConversationKey = { type: 'group', id: group }
          const ids = (changes.serverIds ?? []).map(Number).filter((id) => id > 0)
          if (ids.length > 0) {
            const rows = rowsFromWire(changes.messages)
            await this.options.store.replaceReactions(conversation, ids, rows)
            const byId = new Map(rows.map((row) => [row.serverId, row.reactions]))
            for (const serverId of ids) this.emit('reactionsChanged', { conversation, serverId, reactions: byId.get(serverId) ?? [] })
          }
          await this.options.store.setGroupReactionCursor(group, Number(changes.cursor ?? 0))
          if (changes.hasMore) more.push(group)
        }
      }
      pending = more
    }
  }

  /** One-to-one pins (groups pin through GroupsClient.pin). `serverId` null only reads the list from the server. */
  async pin(conversation: ConversationKey, serverId: number | null, pinned: boolean): Promise<number[]> {
    if (conversation.type !== 'single') throw new AppError('BAD_ARGUMENT', 'Pin messages of a group from the group.')
    const answer = await this.options.connection.request(
      { messagePin: { conversation: conversation.id, serverId: serverId ?? 0, pinned } },
      'messagePinOk'
    )
    const list = (answer.pinned ?? []).map(Number)
    await this.options.store.setPins(conversation, list)
    this.emit('pinsChanged', { conversation, pinned: list })
    return list
  }

  pins(conversation: ConversationKey): Promise<number[]> {
    return this.options.store.pinsOf(conversation)
  }

  /**
   * Pins to the top, marks unread, deletes (through `deleteThroughSeq`) or mutes (until `mutedUntil`, 0 = unmute) a
   * conversation on all my devices.
   */
  async setState(
    conversation: ConversationKey,
    change: { pinned: boolean } | { markedUnread: boolean } | { deleteThroughSeq: number } | { mutedUntil: number }
  ): Promise<ConversationState> {
    const answer = await this.options.connection.request(
      { conversationState: { conversation: conversation.id, chatType: chatTypeToWire(conversation.type), ...change } },
      'conversationStateOk'
    )
    const deleted = await this.takeStates(answer.states)
    const state = await this.options.store.stateOf(conversation)
    this.emit('conversationStateChanged', { ...state, deleted: deleted.some((key) => key.type === conversation.type && key.id === conversation.id) })
    return state
  }

  /** After each connect's catch-up: the server's list of conversation states (a new device learns them here). */
  async loadStates(): Promise<void> {
    try {
      const answer = await this.options.connection.request({ conversationState: { list: true } }, 'conversationStateOk')
      for (const key of await this.takeStates(answer.states)) this.emit('conversationStateChanged', { ...(await this.options.store.stateOf(key)), deleted: true })
    } catch (err) {
      log.warn('could not load the conversation states', { error: AppError.from(err).message })
    }
  }

  async devices(signOutSession = ''): Promise<DeviceList> {
    const answer = await this.options.connection.request({ devices: { signOutSession } }, 'devicesOk')
    return {
      limit: Number(answer.limit ?? 0),
      devices: (answer.devices ?? []).map((device) => ({
        sessionId: device.sessionId ?? '',
        deviceId: device.deviceId ?? '',
        name: device.name ?? '',
        platform: device.platform ?? '',
        signedInAt: Number(device.signedInAt ?? 0),
        lastSeenAt: Number(device.lastSeenAt ?? 0),
        current: device.current === true,
        online: device.online === true
      }))
    }
  }

  /** Applied log entries of this domain, as events for the shells. */
  onUserEvents(events: readonly AppliedUserEvent[]): void {
    for (const event of events) {
      const change = event.change as { domain?: string } | undefined
      switch (change?.domain) {
        case 'reactions': {
          const { conversation, serverId, reactions } = change as ReactionsChanged & { domain: string }
          this.emit('reactionsChanged', { conversation, serverId, reactions })
          break
        }
        case 'pins': {
          const { conversation, pinned } = change as PinsChanged & { domain: string }
          this.emit('pinsChanged', { conversation, pinned })
          break
        }
        case 'conversationState': {
          const { state, deleted } = change as { state: ConversationState; deleted: boolean }
          this.emit('conversationStateChanged', { ...state, deleted })
          break
        }
        case 'devices': {
          const { sessionId, signedOut } = change as { sessionId: string; signedOut: boolean }
          this.emit('devicesChanged', { sessionId, signedOut })
          break
        }
      }
    }
  }

  private takeStates(states: readonly parley.v1.IConversationState[] | null | undefined): Promise<ConversationKey[]> {
    const parsed: ConversationState[] = []
    for (const wire of states ?? []) {
      const key = conversationKeyFromWire(wire.conversation, wire.chatType)
      if (!key) continue
      parsed.push({
        conversation: key,
        pinned: wire.pinned === true,
        markedUnread: wire.markedUnread === true,
        deletedThroughSeq: Number(wire.deletedThroughSeq ?? 0),
        mutedUntil: Number(wire.mutedUntil ?? 0)
      })
    }
    return this.options.store.putStates(parsed)
  }

  private onPush({ frame }: PushFrame): void {
    if (frame.body !== 'reactionUpdate' || !frame.reactionUpdate) return
    // Groups: a live change (the group's log holds no reactions).
    const wire = frame.reactionUpdate
    const key = conversationKeyFromWire(wire.conversation, wire.chatType)
    const serverId = Number(wire.serverId ?? 0)
    if (!key || !(serverId > 0) || !wire.emoji || !wire.user) return
    void this.options.store.applyReaction(key, serverId, wire.emoji, wire.user, wire.removed === true, Number(wire.at ?? 0)).then(
      (row) => this.emit('reactionsChanged', { conversation: key, serverId, reactions: row.reactions }),
      (err: unknown) => log.warn('could not apply a reaction change', { error: String(err) })
    )
  }
}
