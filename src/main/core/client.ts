// Owns one device's chat session: sign-in, the store of the signed-in account, the connection, sync, outbox
// and token renewal, exposed as ChatClientApi with typed events. Shells and the session API only see this class.
import { existsSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/errors'
import { createLogger } from '../../shared/logger'
import {
  conversationKey,
  type ChatMessage,
  type ConnectionStatus,
  type Conversation,
  type ConversationKey,
  type GroupMembershipChange,
  type MessagePage,
  type SessionInfo
} from '../../shared/model'
import { hexToClientId } from '../../shared/proto/codec'
import { MAX_TEXT_BYTES, utf8ByteLength } from '../../shared/limits'
import { TypedEmitter } from '../../shared/typed-emitter'
import { canonicalUserId } from '../../shared/user-id'
import { loginAccount } from './app-server'
import { startAndAwaitFirstConnect } from './first-connect'
import { fullJitterDelayMs } from './net/backoff'
import { DEFAULT_TIMINGS } from './timings'
import { Connection, type AuthInfo, type ConnectionEnded, type PushFrame } from './net/connection'
import { GroupsClient } from './groups'
import { GroupSync } from './groups/group-sync'
import { ContactsClient } from './contacts'
import { RoomsClient } from './rooms/client'
import { decodeLogEntry, messageDecoder, rawEventOfPush, rawEventsOfResponse, type LogEntryDecoder } from './protocol/log-entry'
import { chatTypeToWire, newOutgoingText } from './protocol/messages'
import { openMessageStore, StoreError } from './store'
import type { MessageStore } from './store/types'
import { CatchUpLoop } from './sync/catch-up-loop'
import { HistoryPager } from './sync/history'
import { Outbox } from './sync/outbox'
import { recentPageFromWire, recentRequest } from './sync/recent'
import { Syncer, type AppliedChanges, type SyncError } from './sync/syncer'
import type { ChatClientApi, ChatClientEvents, ChatClientOptions, ClientDiagnostics, ClientTimings, ConversationRef, SessionCredentials } from './types'

const log = createLogger('core:client')

/** How long login() waits for the first connect before it returns and lets the client keep trying offline. */
const LOGIN_CONNECT_WAIT_FACTOR = 2
const RENEW_ATTEMPTS = 3
const SAVED_TOKEN_EXPIRED = 'Your saved sign-in has expired. Please sign in again.'
const SAVED_USER_MISMATCH = 'The saved sign-in belongs to a different account. Please sign in again.'
/**
 * After a new device starts from the conversation list, the newest page of this many conversations (the top of the
 * list, what the user opens first) is fetched in the background; the rest comes when opened. Bounded so a new
 * device costs ~10 small requests, not a download of the account.
 */
export const PREFETCH_CONVERSATIONS = 10
/** Messages per prefetched page: about one screen of a conversation. */
export const PREFETCH_PAGE_SIZE = 30
/** sign_out gets this long before the client closes locally anyway (the user asked to leave; don't make them wait). */
const SIGN_OUT_WAIT_MS = 3_000

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
  catchUp: CatchUpLoop
  /** The first catch-up attempt of the latest (re)connect. */
  lastCatchUp: Promise<void>
  /** Sending read pointers to the server (one flush at a time). */
  readPointerFlush: Promise<void>
  /** Failed read-pointer flushes in a row while online (decides the retry backoff); the pending retry. */
  readPointerFailures: number
  readPointerRetry: ReturnType<typeof setTimeout> | null
  prefetched: boolean
  /** Groups: requests (groups/index.ts) and the cursors in the groups' logs (groups/group-sync.ts). */
  groups: GroupsClient
  groupSync: GroupSync
  /** The device started from the conversation list: it learns its groups from the server, not from JOINED events. */
  adoptGroups: boolean
  /** Contacts, profiles and presence of this session (contacts/index.ts). */
  contacts: ContactsClient
  /** Why the session is ending when this device asked for it (account deleted): shown instead of the close's reason. */
  endingReason: string | null
  /** Chat rooms: live only, messages kept in memory (rooms/client.ts); the joined rooms saved for a restart. */
  rooms: RoomsClient
  unsubscribe: Array<() => void>
}

/** A single chat's key from a user id as typed or received (canonical form). */
function singleChat(userId: string): ConversationKey {
  const canonical = canonicalUserId(userId)
  if (!canonical) throw new AppError('BAD_ARGUMENT', 'That is not a valid user name.')
  return conversationKey('single', canonical)
}

/**
 * A conversation reference in canonical form: a plain string is a single chat with that user; group and room ids
 * are made by the server and kept exactly as it made them.
 */
function keyOf(ref: ConversationRef): ConversationKey {
  if (typeof ref === 'string') return singleChat(ref)
  if (ref.type === 'single') return singleChat(ref.id)
  const id = ref.id.trim()
  if (!id) throw new AppError('BAD_ARGUMENT', 'Choose a conversation.')
  return conversationKey(ref.type, id)
}

export function accountDatabasePath(dataDir: string, user: string): string {
  return join(dataDir, encodeURIComponent(user) + '.sqlite')
}

/** SQLite's companion files of a database in WAL mode: they move with it. */
const DATABASE_COMPANION_SUFFIXES = ['', '-wal', '-shm']

const ACCOUNT_DELETED_REASON = 'Your account was deleted.'

/** A deleted account's history has no owner any more: its database goes with it (after the store closed). */
function removeAccountDatabase(dataDir: string, user: string): void {
  const path = accountDatabasePath(dataDir, user)
  for (const suffix of DATABASE_COMPANION_SUFFIXES) {
    try {
      rmSync(path + suffix, { force: true })
    } catch (err) {
      log.warn('could not remove the deleted account\'s database', { error: String(err) })
    }
  }
}

/**
 * Older versions named the account's database after the user id as typed ('Alice.sqlite'). On a case-sensitive
 * file system that is another file than the canonical 'alice.sqlite': move it (with its WAL) to the canonical
 * name when only the old one exists, so the history stays with the account.
 */
export function adoptLegacyDatabase(dataDir: string, user: string, spellings: readonly string[]): void {
  const canonicalPath = accountDatabasePath(dataDir, user)
  if (existsSync(canonicalPath)) return
  for (const spelling of spellings) {
    const legacyPath = accountDatabasePath(dataDir, spelling.trim())
    if (legacyPath === canonicalPath || !existsSync(legacyPath)) continue
    for (const suffix of DATABASE_COMPANION_SUFFIXES) {
      if (existsSync(legacyPath + suffix)) renameSync(legacyPath + suffix, canonicalPath + suffix)
    }
    log.info('moved the account database to its canonical name', { user })
    return
  }
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
  private activeConversation: ConversationKey | null = null
  private currentStatus: ConnectionStatus = { state: 'disconnected', nextRetryAt: null, reason: null }
  private readonly timings: ClientTimings
  private readonly decode: LogEntryDecoder

  constructor(private readonly options: ChatClientOptions) {
    super()
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings }
    this.decode = options.decoder ?? decodeLogEntry
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
    const session = this.active
    return session ? { user: session.info.user, token: session.token, expiresAt: session.tokenExpiresAt } : null
  }

  /** The current heartbeat interval of the connection (diagnostics, tests). */
  get heartbeatIntervalMs(): number | null {
    return this.active?.connection.heartbeatIntervalMs ?? null
  }

  /** The chat rooms of the signed-in session (directory, join, live messages, moderation). */
  get rooms(): RoomsClient {
    return this.requireSession().rooms
  }

  /** Contacts, profiles, presence and the account of the signed-in session. */
  get contacts(): ContactsClient {
    return this.requireSession().contacts
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
      this.emit('sessionEnded', { reason: ACCOUNT_DELETED_REASON })
    }
    removeAccountDatabase(this.options.dataDir, session.info.user)
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
      const account = await loginAccount(this.options.serverUrl, typed, password, this.options.deviceId)
      const user = canonicalUserId(account.user) ?? account.user
      const store = await this.openStore(user, [username, account.user])
      const session = this.createSession(user, account.token, account.expiresAt, store)
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
    const user = canonicalUserId(saved.user)
    if (!user || typeof saved.token !== 'string' || !saved.token || !Number.isFinite(saved.expiresAt)) {
      throw new AppError('NOT_SIGNED_IN', 'The saved sign-in is incomplete. Please sign in again.')
    }
    if (saved.expiresAt <= Date.now()) throw new AppError('TOKEN_EXPIRED', SAVED_TOKEN_EXPIRED)
    this.signingIn = true
    try {
      const store = await this.openStore(user, [saved.user])
      const session = this.createSession(user, saved.token, saved.expiresAt, store)
      this.active = session
      await this.startSession(session, true)
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
    for (const off of session.unsubscribe) off()
    session.contacts.close()
    session.rooms.close()
    session.outbox.close()
    session.catchUp.stop()
    await session.connection.stop()
    await session.lastCatchUp.catch(() => undefined)
    if (session.readPointerRetry) clearTimeout(session.readPointerRetry)
    await session.readPointerFlush.catch(() => undefined)
    await session.store.close()
    this.setStatus({ state: 'disconnected', nextRetryAt: null, reason })
  }

  /** Tests: cut the link abruptly; the client reconnects by itself. */
  dropConnectionForTest(): void {
    this.active?.connection.dropForTest()
  }

  /** Resolves when catch-up has settled (caught up, or waiting for the next connect) and the outbox is idle. */
  async whenSynced(): Promise<void> {
    const session = this.active
    if (!session) return
    await session.lastCatchUp.catch(() => undefined)
    await session.catchUp.whenSettled()
    await session.outbox.whenIdle()
    await session.groupSync.whenIdle()
  }

  async sendText(to: ConversationRef, text: string, mentions: { mentions?: string[]; mentionAll?: boolean } = {}): Promise<ChatMessage> {
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
    if (conversation.type === 'group') {
      await this.checkGroupSendable(session, conversation.id)
      const users = [...new Set((mentions.mentions ?? []).flatMap((u) => canonicalUserId(u) ?? []))]
      if (message.content.type === 'text' && users.length > 0) message.content.mentions = users
      if (message.content.type === 'text' && mentions.mentionAll) message.content.mentionAll = true
    }
    return session.outbox.enqueue(message).catch(rethrowAsAppError)
  }

  async retry(messageId: string): Promise<ChatMessage> {
    const session = this.requireSession()
    return session.outbox.retry(messageId).catch(rethrowAsAppError)
  }

  async listConversations(): Promise<Conversation[]> {
    return this.requireSession().store.listConversations().catch(rethrowAsAppError)
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
    if (result.moved) this.flushReadPointers(session)
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
  private async checkGroupSendable(session: ActiveSession, group: string): Promise<void> {
    const summary = await session.store.domains.groups.get(group).catch(rethrowAsAppError)
    if (summary?.state === 'dissolved') throw new AppError('DISSOLVED', 'This group was dissolved; messages can no longer be sent to it.')
    if (summary && summary.state !== 'member') throw new AppError('NOT_MEMBER', 'You are no longer a member of this group.')
  }

  private requireSession(): ActiveSession {
    if (!this.active) throw new AppError('NOT_SIGNED_IN', 'Sign in first.')
    return this.active
  }

  private async openStore(user: string, spellings: readonly string[]): Promise<MessageStore> {
    try {
      adoptLegacyDatabase(this.options.dataDir, user, spellings)
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
      decode: this.decode,
      fetchBatch: async (afterSeq, limit) => {
        const response = await connection.requestRaw({ sync: { afterSeq, limit } }, 'syncBatch')
        return {
          events: rawEventsOfResponse(response.frameBytes, 'syncBatch'),
          hasMore: Boolean(response.body.hasMore),
          headSeq: Number(response.body.headSeq ?? 0)
        }
      },
      fetchRecent: async (after, limit) => recentPageFromWire(await connection.request(recentRequest(after, limit), 'recentOk')),
      activeConversation: () => this.activeConversation,
      onApplied: (changes) => {
        this.emitChanges(changes)
        this.onMembershipChanges(session, changes.userEvents)
        if (changes.userEvents.length > 0) session.contacts.onUserEvents(changes.userEvents)
        // The store moved the read pointer of the conversation on screen: tell the server.
        if (this.activeConversation && this.active === session) this.flushReadPointers(session)
      },
      onBootstrapped: (newest) => {
        for (const { key, seq } of newest) history.noteGap(key, seq)
        session.prefetched = false
        session.adoptGroups = true
        session.contacts.onBootstrapped()
      },
      onBehind: () => session.catchUp.request()
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
              body: {
                text: {
                  text: message.content.type === 'text' ? message.content.text : '',
                  mentions: message.content.type === 'text' ? (message.content.mentions ?? []) : [],
                  mentionAll: message.content.type === 'text' && message.content.mentionAll === true
                }
              }
            }
          },
          'sendAck'
        ),
      isOnline: () => connection.isOnline,
      onChanged: (message) => {
        this.emit('message', message)
        void this.emitConversation(session, conversationKey(message.chatType, message.conversationId))
      },
      // A group send's ack carries the group's seq, not a position in the account's log.
      onAcked: (seq, message) => (message.chatType === 'group' ? groupSync.noteOwnAck(message.to, seq) : syncer.noteOwnAck(seq)),
      retryBaseMs: this.timings.backoffBaseMs,
      retryMaxMs: this.timings.sendRetryMaxMs
    })
    const groupSync = new GroupSync({
      store,
      me: user,
      request: (cursors, limit) =>
        connection.request({ groupSync: { cursors: cursors.map((c) => ({ group: c.group, afterSeq: c.cursor })), limit } }, 'groupSyncOk'),
      activeConversation: () => this.activeConversation,
      onApplied: (changes) => {
        this.emitChanges({ ...changes, userEvents: [] })
        if (this.activeConversation?.type === 'group' && this.active === session) this.flushReadPointers(session)
      },
      onInfoStale: (group) => void session.groups.refreshInfo(group),
      onRestarted: (group) => void history.page(conversationKey('group', group), null, PREFETCH_PAGE_SIZE).catch(() => undefined),
      onStopped: (group) => void this.emitGroupChanged(session, group, null)
    })
    const groups = new GroupsClient({
      connection,
      store,
      onSummary: (summary) => {
        if (this.active === session) this.emit('groupsChanged', { group: summary.id, summary, membership: null })
        void this.emitConversation(session, conversationKey('group', summary.id))
      }
    })
    const history = new HistoryPager({
      store,
      syncer,
      isOnline: () => connection.isOnline,
      requestHistory: (frame) => connection.requestRaw(frame, 'historyPage')
    })
    const session: ActiveSession = {
      info: { user, serverUrl: this.options.serverUrl, deviceId: this.options.deviceId },
      token,
      tokenExpiresAt: expiresAt,
      store,
      connection,
      syncer,
      outbox,
      history,
      // Catch-up retries use the reconnect backoff's base and ceiling: both say how hard to press a struggling server.
      catchUp: new CatchUpLoop({
        // The account's log first (it says which groups this device is in), then one group_sync for the groups that moved.
        run: async () => {
          await syncer.catchUp()
          if (session.adoptGroups) {
            await groups.adoptMine()
            session.adoptGroups = false
          }
          await groupSync.syncAll()
        },
        isOnline: () => connection.isOnline,
        baseMs: this.timings.backoffBaseMs,
        maxMs: this.timings.backoffMaxMs
      }),
      lastCatchUp: Promise.resolve(),
      readPointerFlush: Promise.resolve(),
      readPointerFailures: 0,
      readPointerRetry: null,
      prefetched: true,
      groups,
      groupSync,
      adoptGroups: false,
      contacts: new ContactsClient({ me: user, store: store.domains.contacts, connection, catchUp: () => syncer.catchUp() }),
      endingReason: null,
      rooms: new RoomsClient({
        me: user,
        connection,
        store: store.domains.rooms,
        emit: (event) => {
          if (this.active === session) this.emit('roomEvent', event)
        }
      }),
      unsubscribe: []
    }
    session.unsubscribe.push(
      connection.on('status', (status) => this.setStatus(status)),
      connection.on('online', (info) => this.onOnline(session, info)),
      connection.on('push', (push) => this.onPush(session, push)),
      session.contacts.on('contactsChanged', (state) => this.emit('contactsChanged', state)),
      session.contacts.on('presenceChanged', (presence) => this.emit('presenceChanged', presence)),
      session.contacts.on('profileChanged', (profile) => this.emit('profileChanged', profile)),
      session.contacts.on('titlesChanged', (users) => {
        for (const user of users) void this.emitConversation(session, conversationKey('single', user))
      }),
      connection.on('ended', (ended) => void this.onEnded(session, ended))
    )
    return session
  }

  /** Start the connection and wait for the first auth + catch-up; a refusal closes the session. Offline is not an error. */
  private async startSession(session: ActiveSession, settleWhenUnreachable: boolean): Promise<void> {
    try {
      await session.syncer.init()
      // Holes left by an earlier start from the conversation list that the app quit before filling.
      await session.history.loadGaps()
      await session.outbox.start()
      await this.reinterpretStored(session)
      const outcome = await startAndAwaitFirstConnect(session.connection, {
        waitMs: this.timings.requestTimeoutMs * LOGIN_CONNECT_WAIT_FACTOR,
        settleWhenUnreachable,
        onOnline: async (info) => {
          if (!this.isSessionUser(session, info)) throw new AppError('NOT_SIGNED_IN', SAVED_USER_MISMATCH)
          // onOnline (registered earlier) has already started this connect's catch-up. A new device's catch-up is
          // the conversation list plus the log after its head, so sign-in never waits for the whole history.
          await session.lastCatchUp.catch(() => undefined)
        }
      })
      if (outcome !== 'online') log.warn('signed in but not connected yet; continuing offline', { outcome })
    } catch (err) {
      await this.close()
      throw toAppError(err)
    }
  }

  /** Messages and entries kept raw by an older version are read again with this version's decoder (no refetch). */
  private async reinterpretStored(session: ActiveSession): Promise<void> {
    try {
      const changed = await session.store.reinterpretUnsupported(messageDecoder(session.info.user, this.decode))
      if (changed.length > 0) log.info('messages kept from an older version can be shown now', { count: changed.length })
    } catch (err) {
      log.warn('could not re-read stored unsupported messages', { error: String(err) })
    }
  }

  private isSessionUser(session: ActiveSession, info: AuthInfo): boolean {
    return !info.user || canonicalUserId(info.user) === session.info.user
  }

  private onOnline(session: ActiveSession, info: AuthInfo): void {
    if (!this.isSessionUser(session, info)) {
      // Only a saved token can do this; never sync another account's events into this store.
      log.error('the server knows this token as another user', { expected: session.info.user, got: info.user })
      void this.onEnded(session, { code: 'NOT_SIGNED_IN', reason: SAVED_USER_MISMATCH, closeCode: 0 })
      return
    }
    if (info.tokenExpiresAt) session.tokenExpiresAt = info.tokenExpiresAt
    // Sending does not wait for catch-up: each lane resends from its oldest unacked message first thing
    // (the server de-duplicates), and catch-up runs beside it.
    session.outbox.notifyOnline()
    this.flushReadPointers(session)
    session.lastCatchUp = session.catchUp.start().then(() => this.prefetchAfterStart(session))
    // The contacts list (new device), profiles and friends' presence, once the log is caught up.
    void session.lastCatchUp.then(
      () => (this.active === session ? session.contacts.start() : undefined),
      () => undefined
    )
  }

  /** After a start from the conversation list: the newest page of the top conversations, in the background. */
  private async prefetchAfterStart(session: ActiveSession): Promise<void> {
    if (session.prefetched) return
    session.prefetched = true
    void (async () => {
      try {
        const conversations = await session.store.listConversations()
        for (const conversation of conversations.slice(0, PREFETCH_CONVERSATIONS)) {
          if (this.active !== session || !session.connection.isOnline) return
          await session.history.page(conversationKey(conversation.chatType, conversation.id), null, PREFETCH_PAGE_SIZE)
        }
      } catch (err) {
        log.debug('prefetch stopped', { error: String(err) })
      }
    })()
  }

  /** Send the read pointers this device moved and the server has not confirmed (one flush at a time). */
  private flushReadPointers(session: ActiveSession): void {
    session.readPointerFlush = session.readPointerFlush.then(async () => {
      if (this.active !== session || !session.connection.isOnline) return
      try {
        for (const pointer of await session.store.pendingReadPointers()) {
          if (this.active !== session) return
          await session.connection.request(
            { markRead: { conversation: pointer.key.id, chatType: chatTypeToWire(pointer.key.type), seq: pointer.seq } },
            'markReadOk'
          )
          await session.store.markReadPointerSynced(pointer.key, pointer.seq)
        }
        session.readPointerFailures = 0
      } catch (err) {
        // Still pending in the store. A timeout on a live link would otherwise wait for the next connect or read,
        // which may never come (the other devices would keep showing it unread): retry with backoff while online.
        log.info('could not send a read pointer yet', { error: String(err) })
        if (this.active !== session || !session.connection.isOnline || session.readPointerRetry) return
        const delay = fullJitterDelayMs(session.readPointerFailures++, {
          baseMs: this.timings.backoffBaseMs,
          maxMs: this.timings.backoffMaxMs
        })
        session.readPointerRetry = setTimeout(() => {
          session.readPointerRetry = null
          this.flushReadPointers(session)
        }, delay)
      }
    })
  }

  private onPush(session: ActiveSession, { frame, frameBytes }: PushFrame): void {
    if (frame.body === 'event') {
      const raw = rawEventOfPush(frameBytes)
      if (raw) session.syncer.onPush(raw)
    } else if (frame.body === 'groupEntry' && frame.groupEntry) {
      session.groupSync.onEntry(frame.groupEntry)
    } else if (frame.body === 'tokenWillExpire') {
      const expiresAt = Number(frame.tokenWillExpire?.expiresAt ?? 0)
      this.emit('tokenWillExpire', { expiresAt })
      if (this.options.autoRenewToken !== false) void this.renewToken(session)
    }
  }

  /** Renew rotates the token: the old one stops working, so the new one is kept at once and the shells save it. */
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
    const reason = session.endingReason ?? ended.reason
    await this.close(reason)
    this.emit('sessionEnded', { reason })
  }

  /** Membership events just applied: a joined group starts syncing; every change reaches the shells. */
  private onMembershipChanges(session: ActiveSession, events: AppliedChanges['userEvents']): void {
    const joined: string[] = []
    for (const event of events) {
      if (event.kind !== 'membership') continue
      const change = event.change as GroupMembershipChange
      void this.emitGroupChanged(session, change.group, change)
      if (change.kind === 'joined') joined.push(change.group)
      if (change.kind === 'joined' || change.kind === 'roleChanged') void session.groups.refreshInfo(change.group)
    }
    if (joined.length > 0) {
      void session.groupSync.syncGroups(joined).catch((err: unknown) => log.info('a joined group will sync at the next catch-up', { error: String(err) }))
    }
  }

  private async emitGroupChanged(session: ActiveSession, group: string, membership: GroupMembershipChange | null): Promise<void> {
    try {
      const summary = await session.store.domains.groups.get(group)
      if (this.active === session) this.emit('groupsChanged', { group, summary, membership })
    } catch (err) {
      log.debug('could not read the group', { error: String(err) })
    }
  }

  private emitChanges(changes: AppliedChanges): void {
    for (const message of changes.messages) this.emit('message', message)
    for (const conversation of changes.conversations) this.emit('conversation', conversation)
    for (const event of changes.userEvents) this.emit('userEvent', event)
  }

  private async emitConversation(session: ActiveSession, key: ConversationKey): Promise<void> {
    try {
      const conversation = await session.store.getConversation(key)
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
