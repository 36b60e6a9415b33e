// Owns the chat rooms of one signed-in session: the RoomsRequest operations, the rooms this device is in (info and
// live messages in memory, bounded), live RoomEvent pushes, room sends, and re-joining after a reconnect.
import { AppError, failureOf } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import type { ChatMessage } from '../../../shared/model'
import {
  mergeRoomMessages,
  type JoinedRoom,
  type RoomAttribute,
  type RoomDirectoryPage,
  type RoomEvent,
  type RoomExitReason,
  type RoomInfo,
  type RoomMemberChange,
  type RoomMemberPage
} from '../../../shared/model/rooms'
import { ChatTypePb, hexToClientId, type DecodedFrame } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { MAX_TEXT_BYTES, utf8ByteLength } from '../../../shared/limits'
import { canonicalUserId } from '../../../shared/user-id'
import type { Connection } from '../net/connection'
import type { RoomsStoreApi } from '../store/rooms'
import type { Promised } from '../store/domain-apis'
import { newOutgoingText } from '../protocol/messages'
import type { AppCommand } from '../../../shared/model/commands'
import { splitCommands } from '../messages/commands'
import { memberChangeFromWire, roomAttributeFromWire, roomInfoFromWire, roomMemberFromWire, roomMessageFromWire } from './wire'

const log = createLogger('core:rooms')

/**
 * Incoming room messages are handed on at most once per this many ms per room (one 'messages' event with all of
 * them): a room at hundreds of messages a second then costs ~30 IPC messages a second, not hundreds, and 30 ms is
 * below what a reader notices. Member, info and exit events go at once (rare, and they change what the view allows).
 */
export const ROOM_MESSAGE_BATCH_MS = 30

/**
 * After a restart, the rooms this device was in are joined again only if it was last known in them this recently:
 * the server's default grace period (PARLEY_ROOM_GRACE_SEC, 120 s). Past it the server has taken the user out, and
 * joining again unasked would announce an arrival the user did not choose.
 */
export const ROOM_REJOIN_AFTER_RESTART_MS = 120_000

type RoomsRequestProps = parley.v1.RoomsRequest.$Properties
type RoomsResponse = NonNullable<DecodedFrame['roomsOk']>

/** The part of the connection the rooms client uses. */
export type RoomsConnection = Pick<Connection, 'request' | 'on' | 'isOnline'>

export interface RoomsClientOptions {
  me: string
  connection: RoomsConnection
  /** Every room event goes out here (ChatClient re-emits them as 'roomEvent'). */
  emit: (event: RoomEvent) => void
  /** Command messages sent in a joined room: for the app, never in the room's messages (messages/commands.ts). */
  onCommands?: (commands: AppCommand[]) => void
  /** Where the joined rooms are kept for a restart (the account's store, migration 007); none: memory only. */
  store?: Promised<RoomsStoreApi>
}

interface JoinedState {
  info: RoomInfo
  messages: ChatMessage[]
  /** Incoming messages waiting for the next batch. */
  pending: ChatMessage[]
  flushTimer: ReturnType<typeof setTimeout> | null
  /** A re-read of the recent window is running (after a drop notice): further notices wait for it. */
  rereading: boolean
}

const EXIT_SENTENCES: Record<RoomExitReason, string> = {
  left: 'You left the room.',
  kicked: 'You were removed from the room.',
  banned: 'You were banned from the room.',
  deleted: 'The room was deleted.',
  gone: 'You are no longer in the room.'
}

function roomId(raw: string): string {
  const id = raw.trim()
  if (!id) throw new AppError('BAD_ARGUMENT', 'Choose a room.')
  return id
}

function member(raw: string): string {
  const user = canonicalUserId(raw)
  if (!user) throw new AppError('BAD_ARGUMENT', 'That is not a valid user name.')
  return user
}

export class RoomsClient {
  private readonly joined = new Map<string, JoinedState>()
  private readonly offs: Array<() => void>
  private closed = false
  /** Rooms saved by the previous run, joined again on the first connect. */
  private restoring: string[] = []
  /** The saved rooms read from the store (the first re-join waits for it). */
  private readonly restored: Promise<void>

  constructor(private readonly options: RoomsClientOptions) {
    const { connection, store } = options
    this.restored = store
      ? store.list().then(
          (saved) => {
            const now = Date.now()
            for (const room of saved) {
              if (now - room.seenAt <= ROOM_REJOIN_AFTER_RESTART_MS) this.restoring.push(room.room)
              else this.persist((rooms) => rooms.remove(room.room))
            }
          },
          (err: unknown) => log.warn('could not read the rooms joined before', { error: String(err) })
        )
      : Promise.resolve()
    this.offs = [
      connection.on('push', ({ frame }) => {
        if (frame.body === 'roomEvent' && frame.roomEvent) this.onRoomEvent(frame.roomEvent)
      }),
      // Within the server's grace period this device is still a member: joining again adds the new socket and
      // answers the recent window, which fills in what was missed while the link was down.
      connection.on('online', () => void this.rejoinAll())
    ]
  }

  /** The rooms this device is in, with the messages kept for each. */
  list(): JoinedRoom[] {
    return [...this.joined.values()].map((state) => ({ info: state.info, messages: state.messages.slice() }))
  }

  async directory(query: string, after: string | null, limit: number): Promise<RoomDirectoryPage> {
    const answer = await this.rooms({ directory: { query: query.trim(), after: after ?? '', limit } })
    const page = answer.directory
    return { rooms: (page?.rooms ?? []).map(roomInfoFromWire), next: page?.next ? page.next : null }
  }

  /** Creates a room (the server decides who may) and answers its id; the creator is not in it until it joins. */
  async create(name: string, description: string, maxMembers: number): Promise<string> {
    const answer = await this.rooms({ create: { name: name.trim(), description: description.trim(), maxMembers } })
    const id = answer.done?.room
    if (!id) throw new AppError('SERVER_ERROR', 'The server did not say which room it created.')
    return id
  }

  async info(room: string): Promise<RoomInfo> {
    const id = roomId(room)
    const answer = await this.rooms({ info: { room: id } })
    if (!answer.info) throw new AppError('SERVER_ERROR', 'The server sent no room information.')
    const info = roomInfoFromWire(answer.info)
    const state = this.joined.get(id)
    if (state) state.info = info
    return info
  }

  /** Joins (or re-joins) a room: its info and the recent window, merged into what this device kept. */
  async join(room: string): Promise<JoinedRoom> {
    const id = roomId(room)
    const answer = await this.rooms({ join: { room: id } })
    return this.applyWindow(id, answer)
  }

  async leave(room: string): Promise<void> {
    const id = roomId(room)
    try {
      await this.rooms({ leave: { room: id } })
    } catch (err) {
      // Already out (the grace period ran out, kicked, deleted): leaving is done either way.
      const code = AppError.from(err).code
      if (code !== 'NOT_MEMBER' && code !== 'NOT_FOUND') throw err
    }
    this.exit(id, 'left')
  }

  /**
   * Sends a text to a joined room. Room messages are live only: nothing is queued while offline (the sentence says
   * so) and nothing is stored; the message shows at once as 'sending', then 'sent' with the server's id, or
   * 'failed' with the reason (e.g. muted), and the promise rejects with that reason.
   */
  async sendText(room: string, text: string): Promise<ChatMessage> {
    const id = roomId(room)
    const state = this.joined.get(id)
    if (!state) throw new AppError('NOT_MEMBER', 'Join the room before writing in it.')
    if (text.trim().length === 0) throw new AppError('BAD_ARGUMENT', 'Type a message before sending.')
    if (utf8ByteLength(text) > MAX_TEXT_BYTES) {
      throw new AppError('TEXT_TOO_LONG', `This message is too long: the limit is ${MAX_TEXT_BYTES} bytes.`, { params: { limit: MAX_TEXT_BYTES } })
    }
    if (!this.options.connection.isOnline) {
      throw new AppError('DISCONNECTED', 'You are offline. Room messages are live, so they cannot wait to be sent; try again once connected.')
    }
    const pending = newOutgoingText(this.options.me, { type: 'room', id }, text)
    this.mergeMessages(id, [pending], true)
    try {
      const ack = await this.options.connection.request(
        { send: { clientId: hexToClientId(pending.id), to: id, chatType: ChatTypePb.CHAT_TYPE_ROOM, body: { text: { text } } } },
        'sendAck'
      )
      const sent: ChatMessage = { ...pending, serverId: Number(ack.serverId ?? 0) || null, timestamp: Number(ack.timestamp ?? pending.timestamp), status: 'sent' }
      this.mergeMessages(id, [sent], true)
      return sent
    } catch (err) {
      const error = AppError.from(err)
      this.mergeMessages(id, [{ ...pending, status: 'failed', error: failureOf(error) }], true)
      throw error
    }
  }

  async members(room: string, afterUser: string | null, limit: number): Promise<RoomMemberPage> {
    const answer = await this.rooms({ members: { room: roomId(room), afterUser: afterUser ?? '', limit } })
    const page = answer.members
    return { members: (page?.members ?? []).map(roomMemberFromWire), hasMore: page?.hasMore === true, memberCount: Number(page?.memberCount ?? 0) }
  }

  async kick(room: string, user: string): Promise<void> {
    await this.rooms({ kick: { room: roomId(room), user: member(user) } })
  }

  /** Mutes a member for `durationMs` from now; 0 lifts the mute. */
  async mute(room: string, user: string, durationMs: number): Promise<void> {
    const until = durationMs > 0 ? Date.now() + durationMs : 0
    await this.rooms({ mute: { room: roomId(room), user: member(user), until } })
  }

  async muteAll(room: string, muted: boolean): Promise<RoomInfo> {
    const answer = await this.rooms({ muteAll: { room: roomId(room), muted } })
    return this.noteInfo(answer)
  }

  async ban(room: string, user: string, banned: boolean): Promise<void> {
    await this.rooms({ ban: { room: roomId(room), user: member(user), banned } })
  }

  async setAdmin(room: string, user: string, admin: boolean): Promise<void> {
    await this.rooms({ setAdmin: { room: roomId(room), user: member(user), admin } })
  }

  /** Changes the name, description and/or announcement (only the fields given). */
  async update(room: string, changes: { name?: string; description?: string; announcement?: string }): Promise<RoomInfo> {
    const answer = await this.rooms({ update: { room: roomId(room), ...changes } })
    return this.noteInfo(answer)
  }

  async attributes(room: string): Promise<RoomAttribute[]> {
    const answer = await this.rooms({ attributes: { room: roomId(room) } })
    return (answer.attributes?.attributes ?? []).map(roomAttributeFromWire)
  }

  /** Sets keys (members only their own; admins any, replacing another member's only with `overwriteOthers`). */
  async setAttributes(room: string, attributes: Record<string, string>, overwriteOthers = false): Promise<RoomAttribute[]> {
    const answer = await this.rooms({ setAttributes: { room: roomId(room), attributes, overwriteOthers } })
    return (answer.attributes?.attributes ?? []).map(roomAttributeFromWire)
  }

  async removeAttributes(room: string, keys: string[]): Promise<RoomAttribute[]> {
    const answer = await this.rooms({ removeAttributes: { room: roomId(room), keys } })
    return (answer.attributes?.attributes ?? []).map(roomAttributeFromWire)
  }

  async delete(room: string): Promise<void> {
    const id = roomId(room)
    await this.rooms({ delete: { room: id } })
    this.exit(id, 'deleted')
  }

  /** Signing out: the rooms are not joined again on the next sign-in. */
  forget(): void {
    for (const room of this.joined.keys()) this.persist((rooms) => rooms.remove(room))
    for (const room of this.restoring) this.persist((rooms) => rooms.remove(room))
    this.restoring = []
  }

  close(): void {
    if (!this.closed) {
      const at = Date.now()
      this.persist((rooms) => rooms.touchAll(at))
    }
    this.closed = true
    for (const off of this.offs) off()
    for (const state of this.joined.values()) if (state.flushTimer) clearTimeout(state.flushTimer)
    this.joined.clear()
  }

  /** A write to the saved rooms; a failure only costs the re-join after a restart, so it is logged. */
  private persist(write: (rooms: Promised<RoomsStoreApi>) => Promise<unknown>): void {
    const { store } = this.options
    if (store) void write(store).catch((err: unknown) => log.warn('could not save the joined rooms', { error: String(err) }))
  }

  private async rooms(request: RoomsRequestProps): Promise<RoomsResponse> {
    return this.options.connection.request({ rooms: request }, 'roomsOk')
  }

  private noteInfo(answer: RoomsResponse): RoomInfo {
    if (!answer.info) throw new AppError('SERVER_ERROR', 'The server sent no room information.')
    const info = roomInfoFromWire(answer.info)
    const state = this.joined.get(info.id)
    if (state) {
      state.info = info
      this.options.emit({ kind: 'info', room: info.id, info })
    }
    return info
  }

  /** A RoomJoined answer (join, re-join, recent): info and window merged into the kept state, told as a snapshot. */
  private applyWindow(room: string, answer: RoomsResponse): JoinedRoom {
    const joinedAnswer = answer.joined
    if (!joinedAnswer?.info) throw new AppError('SERVER_ERROR', 'The server sent no room information.')
    const info = roomInfoFromWire(joinedAnswer.info)
    const recent = (joinedAnswer.recent ?? []).flatMap((message) => roomMessageFromWire(message, this.options.me) ?? [])
    let state = this.joined.get(room)
    if (!state) {
      state = { info, messages: [], pending: [], flushTimer: null, rereading: false }
      this.joined.set(room, state)
    }
    state.info = info
    const at = Date.now()
    this.persist((rooms) => rooms.save(room, info.name, at))
    // Messages held for the next batch go in now, so the snapshot is complete and nothing is told twice.
    state.messages = mergeRoomMessages(state.messages, [...recent, ...state.pending])
    state.pending = []
    if (state.flushTimer) clearTimeout(state.flushTimer)
    state.flushTimer = null
    const snapshot = { info, messages: state.messages.slice() }
    this.options.emit({ kind: 'snapshot', room, joined: snapshot })
    return snapshot
  }

  private mergeMessages(room: string, incoming: ChatMessage[], immediately: boolean): void {
    const state = this.joined.get(room)
    if (!state) return
    const { shown: messages, commands } = splitCommands(incoming)
    if (commands.length > 0) this.options.onCommands?.(commands)
    if (messages.length === 0) return
    if (immediately) {
      state.messages = mergeRoomMessages(state.messages, messages)
      this.options.emit({ kind: 'messages', room, messages })
      return
    }
    state.pending.push(...messages)
    state.flushTimer ??= setTimeout(() => this.flush(room), ROOM_MESSAGE_BATCH_MS)
  }

  private flush(room: string): void {
    const state = this.joined.get(room)
    if (!state) return
    state.flushTimer = null
    const batch = state.pending
    state.pending = []
    if (batch.length === 0) return
    state.messages = mergeRoomMessages(state.messages, batch)
    this.options.emit({ kind: 'messages', room, messages: batch })
  }

  private onRoomEvent(event: parley.v1.RoomEvent.$Properties): void {
    const room = event.room ?? ''
    const state = this.joined.get(room)
    if (!state) return // a late frame for a room this device left
    if (event.message) {
      const message = roomMessageFromWire(event.message, this.options.me)
      if (message) this.mergeMessages(room, [message], false)
    } else if (event.member) {
      const change = memberChangeFromWire(event.member)
      if (change) this.onMemberChange(room, state, change)
    } else if (event.info) {
      // A broadcast is encoded once for everyone, so it carries no viewer: keep this viewer's role and mute.
      const broadcast = roomInfoFromWire(event.info)
      state.info = { ...broadcast, myRole: state.info.myRole, myMutedUntil: state.info.myMutedUntil }
      this.options.emit({ kind: 'info', room, info: state.info })
    } else if (event.attributes) {
      this.options.emit({ kind: 'attributes', room, attributes: (event.attributes.attributes ?? []).map(roomAttributeFromWire) })
    } else if (event.dropped) {
      log.info('room frames were dropped for this connection; reading the recent window again', { room, count: event.dropped.count })
      void this.reread(room, state)
    } else if (event.deleted) {
      this.exit(room, 'deleted')
    }
  }

  private onMemberChange(room: string, state: JoinedState, change: RoomMemberChange): void {
    const info: RoomInfo = { ...state.info, memberCount: change.memberCount || state.info.memberCount }
    if (change.user === this.options.me) {
      if (change.kind === 'kicked' || change.kind === 'banned' || change.kind === 'left') {
        // 'left' for me: my other device left, or the grace period ran out while this one was away.
        this.exit(room, change.kind === 'left' ? 'gone' : change.kind)
        return
      }
      if (change.kind === 'muted') info.myMutedUntil = change.until
      if (change.kind === 'unmuted') info.myMutedUntil = 0
      if (change.kind === 'roleChanged') info.myRole = change.role
    }
    state.info = info
    this.options.emit({ kind: 'member', room, change, info })
  }

  /** After a drop notice: the recent window again, merged (one re-read at a time per room). */
  private async reread(room: string, state: JoinedState): Promise<void> {
    if (state.rereading) return
    state.rereading = true
    try {
      const answer = await this.rooms({ recent: { room } })
      if (this.joined.get(room) === state) this.applyWindow(room, answer)
    } catch (err) {
      log.warn('could not read the recent window again', { room, error: String(err) })
    } finally {
      state.rereading = false
    }
  }

  private async rejoinAll(): Promise<void> {
    await this.restored
    const restoring = new Set(this.restoring)
    for (const room of [...this.joined.keys(), ...restoring]) {
      if (this.closed) return
      try {
        await this.join(room)
        restoring.delete(room)
      } catch (err) {
        const error = AppError.from(err)
        if (error.code === 'DISCONNECTED' || error.code === 'TIMEOUT') return // the next 'online' tries again
        log.info('could not re-join a room after reconnecting', { room, code: error.code })
        if (restoring.delete(room)) this.persist((rooms) => rooms.remove(room))
        else this.exit(room, error.code === 'BANNED' ? 'banned' : error.code === 'NOT_FOUND' ? 'deleted' : 'gone', error.message)
      }
      this.restoring = [...restoring]
    }
  }

  private exit(room: string, reason: RoomExitReason, message = EXIT_SENTENCES[reason]): void {
    const state = this.joined.get(room)
    if (!state) return
    if (state.flushTimer) clearTimeout(state.flushTimer)
    this.joined.delete(room)
    this.persist((rooms) => rooms.remove(room))
    this.options.emit({ kind: 'exit', room, reason, message })
  }
}
