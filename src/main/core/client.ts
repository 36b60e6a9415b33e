// Owns the device's chat client: sign-in, resume and sign-out, which session is the signed-in one, and the
// ChatClientApi the shells and the session API see (the session's own parts are in session/device-session.ts).
import { AppError, failureBecause, type FailureReason } from '../../shared/errors'
import { createLogger } from '../../shared/logger'
import {
  type ChatMessage,
  type ConnectionStatus,
  type Conversation,
  type ConversationKey,
  type MessagePage,
  type ReplyInfo,
  type SessionInfo
} from '../../shared/model'
import { MAX_TEXT_BYTES, utf8ByteLength } from '../../shared/limits'
import { TypedEmitter } from '../../shared/typed-emitter'
import { canonicalUserId } from '../../shared/user-id'
import { loginAccount } from './app-server'
import { DEFAULT_TIMINGS } from './timings'
import type { ConnectionEnded } from './net/connection'
import type { GroupsClient } from './groups'
import type { ContactsClient } from './contacts'
import type { RoomsClient } from './rooms/client'
import type { MessageOpsClient } from './message-ops'
import type { AttachmentsClient, SendAttachmentArgs } from './attachments'
import type { SearchClient } from './search'
import type { ReceiptsClient } from './receipts'
import { decodeLogEntry, type LogEntryDecoder } from './protocol/log-entry'
import { newOutgoingText } from './protocol/messages'
import type { ReactionsClient } from './reactions'
import { FORWARD_MAX_TARGETS, forwardContent, replyInfoOf } from './forward/compose'
import type { MessageStore } from './store/types'
import type { SyncError } from './sync/syncer'
import { openAccountStore, removeAccountDatabase, removeAccountFiles } from './session/account-files'
import { DeviceSession, type DeviceSessionHost } from './session/device-session'
import { keyOf, rethrowAsAppError, toAppError } from './client-refs'
import type { ChatClientApi, ChatClientEvents, ChatClientOptions, ClientDiagnostics, ClientTimings, ConversationRef, SessionCredentials } from './types'

const log = createLogger('core:client')

export { toAppError }

const SAVED_TOKEN_EXPIRED = 'Your saved sign-in has expired. Please sign in again.'
/** sign_out gets this long before the client closes locally anyway (the user asked to leave; don't make them wait). */
const SIGN_OUT_WAIT_MS = 3_000
const ACCOUNT_DELETED_REASON = 'Your account was deleted.'
const ACCOUNT_DELETED: FailureReason = failureBecause('NOT_SIGNED_IN', 'accountDeleted')

export class ChatClient extends TypedEmitter<ChatClientEvents> implements ChatClientApi {
  private active: DeviceSession | null = null
  private signingIn = false
  private activeConversation: ConversationKey | null = null
  private currentStatus: ConnectionStatus = { state: 'disconnected', nextRetryAt: null, reason: null }
  private readonly timings: ClientTimings
  private readonly decode: LogEntryDecoder
  /** What each session is given of this client (events, which session is current, the conversation on screen). */
  private readonly host: DeviceSessionHost

  constructor(private readonly options: ChatClientOptions) {
    super()
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings }
    this.decode = options.decoder ?? decodeLogEntry
    this.host = {
      options,
      timings: this.timings,
      decode: this.decode,
      emit: (event, payload) => this.emit(event, payload),
      isCurrent: (session) => this.active === session,
      activeConversation: () => this.activeConversation,
      setStatus: (status) => this.setStatus(status),
      ended: (session, ended) => void this.onEnded(session, ended)
    }
  }

  get session(): SessionInfo | null {
    return this.active?.info ?? null
  }

  get status(): ConnectionStatus {
    return this.currentStatus
  }

  get deviceId(): string {
    return this.options.deviceId
  }

  get user(): string | null {
    return this.active?.info.user ?? null
  }

  /** The newest token this session holds (each renewal rotates it). */
  get token(): string | null {
    return this.active?.token ?? null
  }

  get tokenExpiresAt(): number | null {
    return this.active?.tokenExpiresAt ?? null
  }

  /** What a shell saves to resume this session later; renewals replace the token (see 'tokenRenewed'). */
  get credentials(): SessionCredentials | null {
    return this.active?.credentials ?? null
  }

  /** The current heartbeat interval of the connection (diagnostics, tests). */
  get heartbeatIntervalMs(): number | null {
    return this.active?.connection.heartbeatIntervalMs ?? null
  }

  /** The chat rooms of the signed-in session (directory, join, live messages, moderation). */
  get rooms(): RoomsClient {
    return this.requireSession().rooms
  }

  /** Reactions, one-to-one pins, conversation state and the device list of the signed-in session. */
  get reactions(): ReactionsClient {
    return this.requireSession().reactions
  }

  /** Delivery and read receipts, privacy settings and typing of the signed-in session. */
  get receipts(): ReceiptsClient {
    return this.requireSession().receipts
  }

  /** Contacts, profiles, presence and the account of the signed-in session. */
  get contacts(): ContactsClient {
    return this.requireSession().contacts
  }

  /** Message search, opening a hit in context, and the history back-fill of the signed-in session. */
  get search(): SearchClient {
    return this.requireSession().search
  }

  /** The user did something (the history back-fill waits until they are idle). */
  noteUserActivity(): void {
    this.active?.backfill.noteUserActivity()
  }

  /**
   * Deletes the account on the server (the password confirms it), then ends the session here and removes this
   * device's copy of the account's history.
   */
  async deleteAccount(password: string): Promise<void> {
    const session = this.requireSession()
    session.endingReason = ACCOUNT_DELETED_REASON
    try {
      await session.contacts.deleteAccount(password)
    } catch (err) {
      session.endingReason = null
      throw toAppError(err)
    }
    if (this.active === session) {
      await this.close(ACCOUNT_DELETED_REASON)
      this.emit('sessionEnded', { reason: ACCOUNT_DELETED_REASON, error: ACCOUNT_DELETED })
    }
    removeAccountDatabase(this.options.dataDir, session.info.user)
    removeAccountFiles(this.options.dataDir, session.info.user)
  }

  /** Staging, uploads, downloads and the cache of the signed-in session (attachments/index.ts). */
  get attachments(): AttachmentsClient {
    return this.requireSession().attachments
  }

  /**
   * A message with a staged file (image, voice, video, file): stored in the outbox as 'sending' with the file's id
   * '' and sent in two phases (upload, then the message), surviving restarts. Resolves once stored.
   */
  async sendAttachment(args: Omit<SendAttachmentArgs, 'conversation'> & { conversation: ConversationRef }): Promise<ChatMessage> {
    const session = this.requireSession()
    const conversation = keyOf(args.conversation)
    if (conversation.type === 'group') await this.checkGroupSendable(session, conversation.id)
    if (conversation.type === 'room') throw new AppError('BAD_ARGUMENT', 'Files cannot be sent to a chat room.')
    return session.attachments
      .newMessage({ ...args, conversation }, (message) => session.outbox.enqueue(message))
      .catch(rethrowAsAppError)
  }

  /** Recall, edit, delete for me, clearing and self-destruct of the signed-in session. */
  get messageOps(): MessageOpsClient {
    return this.requireSession().messageOps
  }

  /** The groups of the signed-in session (create, manage, members, directory, invitations). */
  get groups(): GroupsClient {
    return this.requireSession().groups
  }

  /** group_sync requests made and the groups the last catch-up's answer held (tests, diagnostics). */
  get groupSyncCounters(): { requests: number; entries: number; lastAnswered: string[] } | null {
    const counters = this.active?.groupSync.counters
    return counters ? { ...counters, lastAnswered: [...counters.lastAnswered] } : null
  }

  /** This device's cursor in each followed group's log (tests and diagnostics compare it with the server's head). */
  async groupCursors(): Promise<Array<{ group: string; cursor: number }>> {
    return this.active ? this.active.store.domains.groups.cursors() : []
  }

  get syncCursor(): number | null {
    return this.active?.syncer.currentCursor ?? null
  }

  /** Requests this session made to sync (sync batches, conversation-list pages, history pages): tests, diagnostics. */
  get syncCounters(): { syncRequests: number; eventsFetched: number; recentRequests: number; historyRequests: number } | null {
    const session = this.active
    return session ? { ...session.syncer.counters, historyRequests: session.history.requests } : null
  }

  async login(username: string, password: string): Promise<SessionInfo> {
    if (this.active || this.signingIn) throw new AppError('ALREADY_SIGNED_IN', 'You are already signed in.')
    this.signingIn = true
    try {
      const typed = canonicalUserId(username) ?? username.trim()
      const account = await loginAccount(this.options.serverUrl, typed, password, this.options.deviceId, `Parley (${this.options.platform ?? 'desktop'})`, this.options.agent)
      const user = canonicalUserId(account.user) ?? account.user
      const store = await this.openStore(user, [username, account.user])
      const session = new DeviceSession(this.host, user, account.token, account.expiresAt, store, { gateways: account.gateways })
      this.active = session
      await this.startSession(session, false, true)
      return session.info
    } finally {
      this.signingIn = false
    }
  }

  /**
   * Continue a saved session without a password: open the account's store, then connect with the saved token.
   * Resolves once the server accepted the token, without waiting for catch-up (the local conversation list shows at
   * once; what catch-up brings arrives as events, `whenSynced()` waits for it), or as soon as the server is
   * unreachable (the client keeps reconnecting and the local history is readable). Rejects (TOKEN_EXPIRED / NOT_SIGNED_IN) only when the token is refused.
   */
  async resume(saved: SessionCredentials): Promise<SessionInfo> {
    if (this.active || this.signingIn) throw new AppError('ALREADY_SIGNED_IN', 'You are already signed in.')
    const user = canonicalUserId(saved.user)
    if (!user || typeof saved.token !== 'string' || !saved.token || !Number.isFinite(saved.expiresAt)) {
      throw new AppError('NOT_SIGNED_IN', 'The saved sign-in is incomplete. Please sign in again.')
    }
    if (saved.expiresAt <= Date.now()) throw new AppError('TOKEN_EXPIRED', SAVED_TOKEN_EXPIRED)
    this.signingIn = true
    try {
      const store = await this.openStore(user, [saved.user])
      const session = new DeviceSession(this.host, user, saved.token, saved.expiresAt, store, { gateways: saved.gateways ?? [], lastGoodGateway: saved.lastGoodGateway ?? null })
      this.active = session
      await this.startSession(session, true, false)
      log.info('resumed a saved session', { user, state: this.currentStatus.state })
      return session.info
    } finally {
      this.signingIn = false
    }
  }

  /** Sign out: the server revokes this device's session (when reachable), then everything closes. */
  async logout(): Promise<void> {
    await this.signOut()
  }

  /**
   * End this device's session on the server (its token stops working) and close. Offline, or when the server
   * does not answer within SIGN_OUT_WAIT_MS, it closes locally (the token then ends when it expires).
   */
  async signOut(): Promise<void> {
    const session = this.active
    if (!session) return
    session.rooms.forget()
    if (session.connection.isOnline) {
      try {
        await session.connection.request({ signOut: { allDevices: false } }, 'signOutOk', SIGN_OUT_WAIT_MS)
      } catch (err) {
        log.warn('the server did not confirm the sign-out; closing locally', { error: String(err) })
      }
    }
    await this.close()
  }

  /** Stop the connection and close the store (no server-side sign-out is involved). Safe to call twice. */
  async close(reason: string | null = null): Promise<void> {
    const session = this.active
    if (!session) return
    this.active = null
    await session.close()
    this.setStatus({ state: 'disconnected', nextRetryAt: null, reason })
  }

  /** Tests: cut the link abruptly; the client reconnects by itself. */
  dropConnectionForTest(): void {
    this.active?.connection.dropForTest()
  }

  /** Resolves when catch-up has settled (caught up, or waiting for the next connect) and the outbox is idle. */
  async whenSynced(): Promise<void> {
    await this.active?.whenSynced()
  }

  async sendText(
    to: ConversationRef,
    text: string,
    mentions: {
      mentions?: string[]
      mentionAll?: boolean
      /** The id of the message this one replies to. */
      replyTo?: string
      /** Burn after reading (one-to-one and groups): seconds from the recipient's first read. */
      burnAfterReadSec?: number
    } = {}
  ): Promise<ChatMessage> {
    const session = this.requireSession()
    if (typeof to === 'string' && !to.trim()) throw new AppError('BAD_ARGUMENT', 'Choose who to send the message to.')
    const conversation = keyOf(to)
    if (text.trim().length === 0) throw new AppError('BAD_ARGUMENT', 'Type a message before sending.')
    if (utf8ByteLength(text) > MAX_TEXT_BYTES) {
      throw new AppError('TEXT_TOO_LONG', `This message is too long: the limit is ${MAX_TEXT_BYTES} bytes.`, {
        params: { limit: MAX_TEXT_BYTES }
      })
    }
    const message = newOutgoingText(session.info.user, conversation, text)
    if (mentions.replyTo) message.replyTo = await this.replyQuote(session, conversation, mentions.replyTo)
    if (conversation.type === 'group') {
      await this.checkGroupSendable(session, conversation.id)
      const users = [...new Set((mentions.mentions ?? []).flatMap((u) => canonicalUserId(u) ?? []))]
      if (message.content.type === 'text' && users.length > 0) message.content.mentions = users
      if (message.content.type === 'text' && mentions.mentionAll) message.content.mentionAll = true
    }
    // Burn after reading (message-ops): the timer starts at the recipient's first read (in a group, each member's own
    // copy at their own read, the sender's at the first reader's: the server's design). Rooms keep no history to burn.
    if (mentions.burnAfterReadSec && conversation.type !== 'room') message.burnAfterReadSec = Math.floor(mentions.burnAfterReadSec)
    return session.outbox.enqueue(message).catch(rethrowAsAppError)
  }

  /** Sends a location (the seed service's location message): stored, then sent through the outbox like a text. */
  async sendLocation(
    to: ConversationRef,
    place: { latitude: number; longitude: number; address: string; name: string },
    extras: { burnAfterReadSec?: number } = {}
  ): Promise<ChatMessage> {
    const session = this.requireSession()
    const conversation = keyOf(to)
    if (!Number.isFinite(place.latitude) || Math.abs(place.latitude) > 90 || !Number.isFinite(place.longitude) || Math.abs(place.longitude) > 180) {
      throw new AppError('BAD_ARGUMENT', 'A latitude is between -90 and 90 and a longitude between -180 and 180.')
    }
    if (conversation.type === 'group') await this.checkGroupSendable(session, conversation.id)
    const message: ChatMessage = {
      ...newOutgoingText(session.info.user, conversation, ' '),
      content: { type: 'location', latitude: place.latitude, longitude: place.longitude, address: place.address.trim(), name: place.name.trim() },
      ...(extras.burnAfterReadSec && conversation.type !== 'room' ? { burnAfterReadSec: Math.floor(extras.burnAfterReadSec) } : {})
    }
    return session.outbox.enqueue(message).catch(rethrowAsAppError)
  }

  /** The quote of a message of `conversation` for a reply to it. */
  private async replyQuote(session: DeviceSession, conversation: ConversationKey, messageId: string): Promise<ReplyInfo> {
    const original = await session.store.getMessage(messageId).catch(rethrowAsAppError)
    if (!original || original.chatType !== conversation.type || original.conversationId !== conversation.id) {
      throw new AppError('NOT_FOUND', 'The message you are replying to is not in this conversation.')
    }
    return replyInfoOf(original)
  }

  /**
   * Forwards messages of this device to conversations: one message as itself (marked forwarded), several as one
   * combined message. Attachments keep their references (the server grants the target conversation the bytes).
   */
  async forward(messageIds: readonly string[], targets: readonly ConversationRef[]): Promise<ChatMessage[]> {
    const session = this.requireSession()
    if (targets.length === 0) throw new AppError('BAD_ARGUMENT', 'Choose where to forward the messages.')
    if (targets.length > FORWARD_MAX_TARGETS) {
      throw new AppError('LIMIT_EXCEEDED', `You can forward to at most ${FORWARD_MAX_TARGETS} conversations at once.`, { params: { limit: FORWARD_MAX_TARGETS } })
    }
    const originals: ChatMessage[] = []
    for (const id of messageIds) {
      const original = await session.store.getMessage(id).catch(rethrowAsAppError)
      if (!original) throw new AppError('NOT_FOUND', 'A message to forward is no longer on this device.')
      originals.push(original)
    }
    const { content, forwarded } = forwardContent(originals)
    const sent: ChatMessage[] = []
    for (const target of targets) {
      const conversation = keyOf(target)
      if (conversation.type === 'room') throw new AppError('BAD_ARGUMENT', 'Messages cannot be forwarded to a chat room.')
      if (conversation.type === 'group') await this.checkGroupSendable(session, conversation.id)
      const message: ChatMessage = { ...newOutgoingText(session.info.user, conversation, ''), content: structuredClone(content) }
      if (forwarded) message.forwarded = true
      sent.push(await session.outbox.enqueue(message).catch(rethrowAsAppError))
    }
    return sent
  }

  async retry(messageId: string): Promise<ChatMessage> {
    const session = this.requireSession()
    // An attachment message failed or canceled mid-upload uploads again from where the server has it.
    await session.attachments.resetUploads(messageId).catch(rethrowAsAppError)
    return session.outbox.retry(messageId).catch(rethrowAsAppError)
  }

  async listConversations(limit?: number): Promise<Conversation[]> {
    return this.requireSession().store.listConversations(limit).catch(rethrowAsAppError)
  }

  async page(conversation: ConversationRef, beforeSeq: number | null, limit: number): Promise<MessagePage> {
    const session = this.requireSession()
    return session.history.page(keyOf(conversation), beforeSeq, limit).catch(rethrowAsAppError)
  }

  /** One page from this device's store only (never asks the server). */
  async pageLocal(conversation: ConversationRef, beforeSeq: number | null, limit: number): Promise<MessagePage> {
    return this.requireSession().store.page(keyOf(conversation), beforeSeq, limit).catch(rethrowAsAppError)
  }

  /**
   * The user has seen the conversation up to `uptoSeq` (default: its newest message). The read pointer moves in
   * the store first (so it works offline), then goes to the server, which tells the account's other devices.
   */
  async markRead(conversation: ConversationRef, uptoSeq?: number): Promise<void> {
    const session = this.requireSession()
    const result = await session.store.markRead(keyOf(conversation), uptoSeq).catch(rethrowAsAppError)
    if (!result) return
    this.emit('conversation', result.conversation)
    if (result.moved) session.flushReadPointers()
  }

  /** Keep typed, unsent text for a conversation (null or '' clears it). */
  async setDraft(key: ConversationRef, text: string | null): Promise<Conversation | null> {
    const session = this.requireSession()
    const conversation = await session.store.setDraft(keyOf(key), text || null).catch(rethrowAsAppError)
    if (conversation) this.emit('conversation', conversation)
    return conversation
  }

  /** The canonical id of an existing user (any spelling); USER_NOT_FOUND when there is none. Needs the link. */
  async lookupUser(name: string): Promise<string> {
    const session = this.requireSession()
    const canonical = canonicalUserId(name)
    if (!canonical) throw new AppError('USER_NOT_FOUND', `There is no user named ${name.trim().slice(0, 64)}.`, { params: { user: name.trim().slice(0, 64) } })
    const answer = await session.connection.request({ lookupUser: { user: canonical } }, 'lookupUserOk').catch(rethrowAsAppError)
    if (!answer.exists) throw new AppError('USER_NOT_FOUND', `There is no user named ${canonical}.`, { params: { user: canonical } })
    return canonicalUserId(answer.user) ?? canonical
  }

  /** What the diagnostics view shows: the cursor, what waits to be sent, what was put aside, the last sync error. */
  async diagnostics(): Promise<ClientDiagnostics> {
    const session = this.requireSession()
    const quarantine = await session.store.quarantined(1).catch(() => ({ count: -1 }))
    const lastError: SyncError | null = session.syncer.lastError
    return {
      syncCursor: session.syncer.currentCursor,
      pendingOutbox: session.outbox.pendingCount,
      sendsInFlight: session.outbox.inFlightCount,
      quarantinedEvents: quarantine.count,
      lastSyncError: lastError?.message ?? null,
      lastSyncErrorAt: lastError?.at ?? null,
      catchUpFailures: session.catchUp.failures,
      heartbeatIntervalMs: session.connection.heartbeatIntervalMs,
      connection: this.currentStatus
    }
  }

  setActiveConversation(conversation: ConversationRef | null): void {
    this.activeConversation = conversation === null ? null : keyOf(conversation)
  }

  /** Nothing goes to a group this device knows to be dissolved or left (the server would refuse it anyway). */
  private async checkGroupSendable(session: DeviceSession, group: string): Promise<void> {
    const summary = await session.store.domains.groups.get(group).catch(rethrowAsAppError)
    if (summary?.state === 'dissolved') throw new AppError('DISSOLVED', 'This group was dissolved; messages can no longer be sent to it.')
    if (summary && summary.state !== 'member') throw new AppError('NOT_MEMBER', 'You are no longer a member of this group.')
  }

  private requireSession(): DeviceSession {
    if (!this.active) throw new AppError('NOT_SIGNED_IN', 'Sign in first.')
    return this.active
  }

  private async openStore(user: string, spellings: readonly string[]): Promise<MessageStore> {
    return openAccountStore(this.options.dataDir, user, spellings, this.options.nativeBinding, this.options.openStore)
  }

  /** Start the session and wait for the first auth (+ catch-up when asked); a refusal closes the session. Offline is not an error. */
  private async startSession(session: DeviceSession, settleWhenUnreachable: boolean, awaitFirstCatchUp: boolean): Promise<void> {
    try {
      await session.start(settleWhenUnreachable, awaitFirstCatchUp)
    } catch (err) {
      await this.close()
      throw toAppError(err)
    }
  }

  private async onEnded(session: DeviceSession, ended: ConnectionEnded): Promise<void> {
    if (this.active !== session || this.signingIn) return // login() reports a refusal itself
    const reason = session.endingReason ?? ended.reason
    const error: FailureReason = session.endingReason ? ACCOUNT_DELETED : { code: ended.code, params: ended.params }
    await this.close(reason)
    this.emit('sessionEnded', { reason, error })
  }

  private setStatus(status: ConnectionStatus): void {
    this.currentStatus = status
    this.emit('connection', status)
  }
}
