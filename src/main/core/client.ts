// Owns one device's chat session: sign-in, the store of the signed-in account, the connection, sync, outbox
// and token renewal, exposed as ChatClientApi with typed events. Shells and the session API only see this class.
import { join } from 'node:path'
import { AppError } from '../../shared/errors'
import { createLogger } from '../../shared/logger'
import type { ChatMessage, ConnectionStatus, Conversation, MessagePage, SessionInfo } from '../../shared/model'
import { hexToClientId, type DecodedFrame } from '../../shared/proto/codec'
import { MAX_TEXT_BYTES, utf8ByteLength } from '../../shared/limits'
import { TypedEmitter } from '../../shared/typed-emitter'
import { loginAccount } from './app-server'
import { startAndAwaitFirstConnect } from './first-connect'
import { DEFAULT_TIMINGS } from './timings'
import { Connection, type AuthInfo, type ConnectionEnded } from './net/connection'
import { chatTypeToWire, newOutgoingText } from './protocol/messages'
import { openMessageStore, StoreError } from './store'
import type { MessageStore } from './store/types'
import { HistoryPager } from './sync/history'
import { Outbox } from './sync/outbox'
import { Syncer, type AppliedChanges } from './sync/syncer'
import type { ChatClientApi, ChatClientEvents, ChatClientOptions, ClientTimings, SessionCredentials } from './types'

const log = createLogger('core:client')

/** How long login() waits for the first connect before it returns and lets the client keep trying offline. */
const LOGIN_CONNECT_WAIT_FACTOR = 2
const RENEW_ATTEMPTS = 3
const SAVED_TOKEN_EXPIRED = 'Your saved sign-in has expired. Please sign in again.'
const SAVED_USER_MISMATCH = 'The saved sign-in belongs to a different account. Please sign in again.'

const DEFAULT_PLATFORM = 'desktop'

interface ActiveSession {
  info: SessionInfo
  token: string
  tokenExpiresAt: number
  store: MessageStore
  connection: Connection
  syncer: Syncer
  outbox: Outbox
  history: HistoryPager
  /** The catch-up + outbox flush started by the latest (re)connect. */
  lastCatchUp: Promise<void>
  unsubscribe: Array<() => void>
}

export function accountDatabasePath(dataDir: string, user: string): string {
  return join(dataDir, encodeURIComponent(user) + '.sqlite')
}

/** Store failures carry their own codes; everything leaving the client is an AppError. */
export function toAppError(err: unknown): AppError {
  if (err instanceof StoreError) return err.toAppError()
  return AppError.from(err)
}

function rethrowAsAppError(err: unknown): never {
  throw toAppError(err)
}

export class ChatClient extends TypedEmitter<ChatClientEvents> implements ChatClientApi {
  private active: ActiveSession | null = null
  private signingIn = false
  private activeConversationId: string | null = null
  private currentStatus: ConnectionStatus = { state: 'disconnected', nextRetryAt: null, reason: null }
  private readonly timings: ClientTimings

  constructor(private readonly options: ChatClientOptions) {
    super()
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings }
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

  /** The newest token this session holds (renewals replace it). */
  get token(): string | null {
    return this.active?.token ?? null
  }

  get tokenExpiresAt(): number | null {
    return this.active?.tokenExpiresAt ?? null
  }

  /** What a shell saves to resume this session later; renewals replace the token (see 'tokenRenewed'). */
  get credentials(): SessionCredentials | null {
    const session = this.active
    return session ? { user: session.info.user, token: session.token, expiresAt: session.tokenExpiresAt } : null
  }

  /** The current heartbeat interval of the connection (diagnostics, tests). */
  get heartbeatIntervalMs(): number | null {
    return this.active?.connection.heartbeatIntervalMs ?? null
  }

  get syncCursor(): number | null {
    return this.active?.syncer.currentCursor ?? null
  }

  async login(username: string, password: string): Promise<SessionInfo> {
    if (this.active || this.signingIn) throw new AppError('ALREADY_SIGNED_IN', 'You are already signed in.')
    this.signingIn = true
    try {
      const account = await loginAccount(this.options.serverUrl, username, password)
      const store = await this.openStore(account.user)
      const session = this.createSession(account.user, account.token, account.expiresAt, store)
      this.active = session
      await this.startSession(session, false)
      return session.info
    } finally {
      this.signingIn = false
    }
  }

  /**
   * Continue a saved session without a password: open the account's store, then connect with the saved token.
   * Resolves once connected and caught up, or as soon as the server is unreachable (the client keeps reconnecting
   * and the local history is readable). Rejects (TOKEN_EXPIRED / NOT_SIGNED_IN) only when the token is refused.
   */
  async resume(saved: SessionCredentials): Promise<SessionInfo> {
    if (this.active || this.signingIn) throw new AppError('ALREADY_SIGNED_IN', 'You are already signed in.')
    const user = typeof saved.user === 'string' ? saved.user.trim() : ''
    if (!user || typeof saved.token !== 'string' || !saved.token || !Number.isFinite(saved.expiresAt)) {
      throw new AppError('NOT_SIGNED_IN', 'The saved sign-in is incomplete. Please sign in again.')
    }
    if (saved.expiresAt <= Date.now()) throw new AppError('TOKEN_EXPIRED', SAVED_TOKEN_EXPIRED)
    this.signingIn = true
    try {
      const store = await this.openStore(user)
      const session = this.createSession(user, saved.token, saved.expiresAt, store)
      this.active = session
      await this.startSession(session, true)
      log.info('resumed a saved session', { user, state: this.currentStatus.state })
      return session.info
    } finally {
      this.signingIn = false
    }
  }

  async logout(): Promise<void> {
    await this.close()
  }

  /** Stop the connection and close the store (no server-side sign-out is involved). Safe to call twice. */
  async close(reason: string | null = null): Promise<void> {
    const session = this.active
    if (!session) return
    this.active = null
    for (const off of session.unsubscribe) off()
    session.outbox.close()
    await session.connection.stop()
    await session.lastCatchUp.catch(() => undefined)
    await session.store.close()
    this.setStatus({ state: 'disconnected', nextRetryAt: null, reason })
  }

  /** Tests: cut the link abruptly; the client reconnects by itself. */
  dropConnectionForTest(): void {
    this.active?.connection.dropForTest()
  }

  /** Resolves when the catch-up and outbox flush of the latest (re)connect have finished. */
  async whenSynced(): Promise<void> {
    await this.active?.lastCatchUp.catch(() => undefined)
  }

  async sendText(to: string, text: string): Promise<ChatMessage> {
    const session = this.requireSession()
    const peer = to.trim()
    if (!peer) throw new AppError('BAD_ARGUMENT', 'Choose who to send the message to.')
    if (text.trim().length === 0) throw new AppError('BAD_ARGUMENT', 'Type a message before sending.')
    if (utf8ByteLength(text) > MAX_TEXT_BYTES) {
      throw new AppError('TEXT_TOO_LONG', `This message is too long: the limit is ${MAX_TEXT_BYTES} bytes.`)
    }
    const message = newOutgoingText(session.info.user, peer, text)
    return session.outbox.enqueue(message).catch(rethrowAsAppError)
  }

  async retry(messageId: string): Promise<ChatMessage> {
    const session = this.requireSession()
    return session.outbox.retry(messageId).catch(rethrowAsAppError)
  }

  async listConversations(): Promise<Conversation[]> {
    return this.requireSession().store.listConversations().catch(rethrowAsAppError)
  }

  async page(conversationId: string, beforeSeq: number | null, limit: number): Promise<MessagePage> {
    return this.requireSession().history.page(conversationId, beforeSeq, limit).catch(rethrowAsAppError)
  }

  /** One page from this device's store only (never asks the server). */
  async pageLocal(conversationId: string, beforeSeq: number | null, limit: number): Promise<MessagePage> {
    return this.requireSession().store.page(conversationId, beforeSeq, limit).catch(rethrowAsAppError)
  }

  async markRead(conversationId: string): Promise<void> {
    const session = this.requireSession()
    const conversation = await session.store.markRead(conversationId).catch(rethrowAsAppError)
    if (conversation) this.emit('conversation', conversation)
  }

  setActiveConversation(conversationId: string | null): void {
    this.activeConversationId = conversationId
  }

  private requireSession(): ActiveSession {
    if (!this.active) throw new AppError('NOT_SIGNED_IN', 'Sign in first.')
    return this.active
  }

  private async openStore(user: string): Promise<MessageStore> {
    try {
      // openMessageStore creates the data folder itself (and says so when it cannot).
      const path = accountDatabasePath(this.options.dataDir, user)
      return await openMessageStore(path, this.options.nativeBinding ? { nativeBinding: this.options.nativeBinding } : undefined)
    } catch (err) {
      log.error('could not open the message database', { error: String(err) })
      if (err instanceof StoreError) throw err.toAppError()
      throw new AppError('STORE_ERROR', 'Could not open the message database on this device.', { cause: err })
    }
  }

  private createSession(user: string, token: string, expiresAt: number, store: MessageStore): ActiveSession {
    const connection = new Connection({
      serverUrl: this.options.serverUrl,
      deviceId: this.options.deviceId,
      platform: this.options.platform ?? DEFAULT_PLATFORM,
      token,
      timings: this.timings
    })
    const syncer = new Syncer({
      store,
      me: user,
      fetchBatch: (afterSeq, limit) => connection.request({ sync: { afterSeq, limit } }, 'syncBatch'),
      activeConversation: () => this.activeConversationId,
      onApplied: (changes) => this.emitChanges(changes)
    })
    const outbox = new Outbox({
      store,
      send: (message) =>
        connection.request(
          {
            send: {
              clientId: hexToClientId(message.id),
              to: message.to,
              chatType: chatTypeToWire(message.chatType),
              body: { text: { text: message.content.text } }
            }
          },
          'sendAck'
        ),
      isOnline: () => connection.isOnline,
      onChanged: (message) => {
        this.emit('message', message)
        void this.emitConversation(session, message.conversationId)
      },
      onAcked: (seq) => syncer.noteOwnAck(seq),
      retryDelayMs: this.timings.backoffBaseMs
    })
    const session: ActiveSession = {
      info: { user, serverUrl: this.options.serverUrl, deviceId: this.options.deviceId },
      token,
      tokenExpiresAt: expiresAt,
      store,
      connection,
      syncer,
      outbox,
      history: new HistoryPager({
        store,
        syncer,
        me: user,
        isOnline: () => connection.isOnline,
        requestHistory: (frame) => connection.request(frame, 'historyPage')
      }),
      lastCatchUp: Promise.resolve(),
      unsubscribe: []
    }
    session.unsubscribe.push(
      connection.on('status', (status) => this.setStatus(status)),
      connection.on('online', (info) => this.onOnline(session, info)),
      connection.on('push', (frame) => this.onPush(session, frame)),
      connection.on('ended', (ended) => void this.onEnded(session, ended))
    )
    return session
  }

  /** Start the connection and wait for the first auth + catch-up; a refusal closes the session. Offline is not an error. */
  private async startSession(session: ActiveSession, settleWhenUnreachable: boolean): Promise<void> {
    try {
      await session.syncer.init()
      const outcome = await startAndAwaitFirstConnect(session.connection, {
        waitMs: this.timings.requestTimeoutMs * LOGIN_CONNECT_WAIT_FACTOR,
        settleWhenUnreachable,
        onOnline: async (info) => {
          if (!this.isSessionUser(session, info)) throw new AppError('NOT_SIGNED_IN', SAVED_USER_MISMATCH)
          // onOnline (registered earlier) has already started this connect's catch-up.
          await session.lastCatchUp.catch(() => undefined)
        }
      })
      if (outcome !== 'online') log.warn('signed in but not connected yet; continuing offline', { outcome })
    } catch (err) {
      await this.close()
      throw toAppError(err)
    }
  }

  private isSessionUser(session: ActiveSession, info: AuthInfo): boolean {
    return !info.user || info.user.toLowerCase() === session.info.user.toLowerCase()
  }

  private onOnline(session: ActiveSession, info: AuthInfo): void {
    if (!this.isSessionUser(session, info)) {
      // Only a saved token can do this; never sync another account's events into this store.
      log.error('the server knows this token as another user', { expected: session.info.user, got: info.user })
      void this.onEnded(session, { code: 'NOT_SIGNED_IN', reason: SAVED_USER_MISMATCH, closeCode: 0 })
      return
    }
    if (info.tokenExpiresAt) session.tokenExpiresAt = info.tokenExpiresAt
    this.startCatchUp(session)
  }

  /** Catch up, then flush the outbox. If that fails while the link stays up (e.g. a timeout), try again later. */
  private startCatchUp(session: ActiveSession): void {
    session.lastCatchUp = session.syncer
      .catchUp()
      .then(() => session.outbox.flush())
      .catch((err: unknown) => {
        log.info('catch-up interrupted', { error: String(err) })
        if (this.active !== session || !session.connection.isOnline) return // the next connect catches up
        setTimeout(() => {
          if (this.active === session && session.connection.isOnline) this.startCatchUp(session)
        }, this.timings.backoffBaseMs)
      })
  }

  private onPush(session: ActiveSession, frame: DecodedFrame): void {
    if (frame.body === 'event' && frame.event) {
      session.syncer.onPush(frame.event)
    } else if (frame.body === 'tokenWillExpire') {
      const expiresAt = Number(frame.tokenWillExpire?.expiresAt ?? 0)
      this.emit('tokenWillExpire', { expiresAt })
      if (this.options.autoRenewToken !== false) void this.renewToken(session)
    }
  }

  private async renewToken(session: ActiveSession): Promise<void> {
    for (let attempt = 1; attempt <= RENEW_ATTEMPTS; attempt++) {
      try {
        const renewed = await session.connection.request({ renew: { token: '' } }, 'renewOk')
        if (!renewed.token || this.active !== session) return
        session.token = renewed.token
        session.tokenExpiresAt = Number(renewed.expiresAt ?? 0)
        session.connection.setToken(renewed.token)
        log.info('token renewed', { expiresAt: session.tokenExpiresAt })
        this.emit('tokenRenewed', { expiresAt: session.tokenExpiresAt })
        return
      } catch (err) {
        // After a disconnect the server warns again on the next auth, which starts a new renewal.
        log.warn('could not renew the token', { error: String(err), attempt })
        if (this.active !== session || !session.connection.isOnline) return
        await new Promise((resolve) => setTimeout(resolve, this.timings.backoffBaseMs * attempt))
      }
    }
  }

  private async onEnded(session: ActiveSession, ended: ConnectionEnded): Promise<void> {
    if (this.active !== session || this.signingIn) return // login() reports a refusal itself
    await this.close(ended.reason)
    this.emit('sessionEnded', { reason: ended.reason })
  }

  private emitChanges(changes: AppliedChanges): void {
    for (const message of changes.messages) this.emit('message', message)
    for (const conversation of changes.conversations) this.emit('conversation', conversation)
  }

  private async emitConversation(session: ActiveSession, conversationId: string): Promise<void> {
    try {
      const conversation = await session.store.getConversation(conversationId)
      if (conversation && this.active === session) this.emit('conversation', conversation)
    } catch (err) {
      log.debug('could not read the conversation', { error: String(err) })
    }
  }

  private setStatus(status: ConnectionStatus): void {
    this.currentStatus = status
    this.emit('connection', status)
  }
}
