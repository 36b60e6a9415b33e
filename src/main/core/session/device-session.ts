// Owns one signed-in session's parts and how they are wired: the connection, the syncer, outbox, history pager and
// catch-up loop, the group, contacts and room clients, and what the session does with what they report.
import { AppError } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import { conversationKey, type ConnectionStatus, type ConversationKey, type GroupMembershipChange, type SessionInfo } from '../../../shared/model'
import { hexToClientId } from '../../../shared/proto/codec'
import { canonicalUserId } from '../../../shared/user-id'
import { startAndAwaitFirstConnect } from '../first-connect'
import { Connection, type AuthInfo, type ConnectionEnded, type PushFrame } from '../net/connection'
import { GroupsClient } from '../groups'
import { GroupSync } from '../groups/group-sync'
import { ContactsClient } from '../contacts'
import { MessageOpsClient } from '../message-ops'
import { RoomsClient } from '../rooms/client'
import { ReactionsClient } from '../reactions'
import { ReadPointerFlusher } from './read-pointers'
import { renewToken } from './token-renewal'
import { PREFETCH_PAGE_SIZE, prefetchTopConversations } from './prefetch'
import { forwardSessionEvents } from './event-forwarding'
import { AttachmentsClient } from '../attachments'
import { accountFilesDir } from './account-files'
import { ReceiptsClient } from '../receipts'
import type { ReceiptsChange } from '../store/receipts'
import { messageDecoder, rawEventOfPush, rawEventsOfResponse, type LogEntryDecoder } from '../protocol/log-entry'
import { chatTypeToWire } from '../protocol/messages'
import { bodyOfMessage } from '../protocol/content'
import type { MessageStore } from '../store/types'
import { followingHttpTarget, rememberGatewayMoves, savedGatewayFacts } from './gateway-memory'
import { CatchUpLoop } from '../sync/catch-up-loop'
import { Backfill, DEFAULT_BACKFILL_TIMINGS } from '../sync/backfill'
import { HistoryPager } from '../sync/history'
import { SearchClient } from '../search'
import { Outbox } from '../sync/outbox'
import { recentPageFromWire, recentRequest } from '../sync/recent'
import { Syncer, type AppliedChanges } from '../sync/syncer'
import type { ChatClientEvents, ChatClientOptions, ClientTimings, GatewayFacts, SessionCredentials } from '../types'

const log = createLogger('core:session')

/** How long the first start waits for the first connect (× the request timeout) before it goes on offline. */
const START_CONNECT_WAIT_FACTOR = 2
const DEFAULT_PLATFORM = 'desktop'
export const SAVED_USER_MISMATCH = 'The saved sign-in belongs to a different account. Please sign in again.'

/** What a session needs of the client that holds it. */
export interface DeviceSessionHost {
  readonly options: ChatClientOptions
  readonly timings: ClientTimings
  readonly decode: LogEntryDecoder
  emit<K extends keyof ChatClientEvents>(event: K, payload: ChatClientEvents[K]): void
  /** The session is still the client's signed-in one: a closed or replaced session's late events are dropped. */
  isCurrent(session: DeviceSession): boolean
  /** The conversation on screen (its new messages count as read). */
  activeConversation(): ConversationKey | null
  setStatus(status: ConnectionStatus): void
  /** The connection ended for good (a refused token, signed out elsewhere). */
  ended(session: DeviceSession, ended: ConnectionEnded): void
}

export class DeviceSession {
  readonly info: SessionInfo
  token: string
  tokenExpiresAt: number
  readonly connection: Connection
  readonly syncer: Syncer
  readonly outbox: Outbox
  readonly history: HistoryPager
  /** Older history fetched in the background (sync/backfill.ts) and searching it (search/index.ts). */
  readonly backfill: Backfill
  readonly search: SearchClient
  readonly catchUp: CatchUpLoop
  /** Groups: requests (groups/index.ts) and the cursors in the groups' logs (groups/group-sync.ts). */
  readonly groups: GroupsClient
  readonly groupSync: GroupSync
  /** Contacts, profiles and presence of this session (contacts/index.ts). */
  readonly contacts: ContactsClient
  /** Chat rooms: live only, messages kept in memory (rooms/client.ts); the joined rooms saved for a restart. */
  readonly rooms: RoomsClient
  /** Recall, edit, delete for me, clear and self-destruct (message-ops/index.ts). */
  readonly messageOps: MessageOpsClient
  /** Reactions, one-to-one pins, conversation state and the device list (reactions/index.ts). */
  readonly reactions: ReactionsClient
  /** Staging, uploads (the outbox's first phase), the download queue and cache (attachments/index.ts). */
  readonly attachments: AttachmentsClient
  /** Delivery and read receipts, privacy settings and typing (receipts/index.ts). */
  readonly receipts: ReceiptsClient
  /** Why the session is ending when this device asked for it (account deleted): shown instead of the close's reason. */
  endingReason: string | null = null
  /** The first catch-up attempt of the latest (re)connect. */
  private lastCatchUp: Promise<void> = Promise.resolve()
  /** Sends the read pointers this device moved (session/read-pointers.ts). */
  private readonly readPointers: ReadPointerFlusher
  private prefetched = true
  /** The device started from the conversation list: it learns its groups from the server, not from JOINED events. */
  private adoptGroups = false
  private readonly unsubscribe: Array<() => void>

  constructor(
    private readonly host: DeviceSessionHost,
    user: string,
    token: string,
    expiresAt: number,
    readonly store: MessageStore,
    private readonly gateways: GatewayFacts = {} // the login answer's list, the last good address (net/gateway-list.ts)
  ) {
    const { options, timings } = host
    this.info = { user, serverUrl: options.serverUrl, deviceId: options.deviceId }
    this.token = token
    this.tokenExpiresAt = expiresAt
    const connection = new Connection({
      serverUrl: options.serverUrl,
      deviceId: options.deviceId,
      platform: options.platform ?? DEFAULT_PLATFORM,
      token,
      timings,
      ...(options.agent ? { agent: options.agent } : {}), ...gateways
    })
    this.connection = connection
    this.syncer = new Syncer({
      store,
      me: user,
      decode: host.decode,
      fetchBatch: async (afterSeq, limit) => {
        const response = await connection.requestRaw({ sync: { afterSeq, limit } }, 'syncBatch')
        return {
          events: rawEventsOfResponse(response.frameBytes, 'syncBatch'),
          hasMore: Boolean(response.body.hasMore),
          headSeq: Number(response.body.headSeq ?? 0)
        }
      },
      fetchRecent: async (after, limit) => recentPageFromWire(await connection.request(recentRequest(after, limit), 'recentOk')),
      activeConversation: () => host.activeConversation(),
      onApplied: (changes) => {
        this.emitChanges(changes)
        this.messageOps.onUserEvents(changes.userEvents)
        this.onMembershipChanges(changes.userEvents)
        if (changes.userEvents.length > 0) this.contacts.onUserEvents(changes.userEvents)
        if (changes.userEvents.length > 0) this.reactions.onUserEvents(changes.userEvents)
        this.onReceiptChanges(changes)
        // The store moved the read pointer of the conversation on screen: tell the server.
        if (host.activeConversation() && this.isCurrent) this.flushReadPointers()
      },
      onBootstrapped: (newest) => {
        for (const { key, seq } of newest) this.history.noteGap(key, seq)
        this.prefetched = false
        this.adoptGroups = true
        this.contacts.onBootstrapped()
      },
      onBehind: () => this.catchUp.request()
    })
    this.outbox = new Outbox({
      store,
      send: (message) =>
        connection.request(
          {
            send: {
              clientId: hexToClientId(message.id),
              to: message.to,
              chatType: chatTypeToWire(message.chatType),
              body: bodyOfMessage(message)
            }
          },
          'sendAck'
        ),
      isOnline: () => connection.isOnline,
      prepare: (message, signal) => this.attachments.prepare(message, signal),
      onChanged: (message) => {
        host.emit('message', message)
        // An acked message in a conversation with a disappearing timer expires here as on the server.
        if (message.status === 'sent') void this.messageOps.onSent(message)
        void this.attachments.onOutgoingChanged(message)
        void this.emitConversation(conversationKey(message.chatType, message.conversationId))
      },
      // A group send's ack carries the group's seq, not a position in the account's log.
      onAcked: (seq, message) => (message.chatType === 'group' ? this.groupSync.noteOwnAck(message.to, seq) : this.syncer.noteOwnAck(seq)),
      retryBaseMs: timings.backoffBaseMs,
      retryMaxMs: timings.sendRetryMaxMs
    })
    this.groupSync = new GroupSync({
      store,
      me: user,
      request: (cursors, limit) =>
        connection.request({ groupSync: { cursors: cursors.map((c) => ({ group: c.group, afterSeq: c.cursor })), limit } }, 'groupSyncOk'),
      activeConversation: () => host.activeConversation(),
      onApplied: (changes) => {
        this.emitChanges({ ...changes, userEvents: [] })
        for (const message of changes.messages) if (message.direction === 'in') this.receipts.noteMessageFrom(conversationKey('group', message.conversationId), message.from)
        if (host.activeConversation()?.type === 'group' && this.isCurrent) this.flushReadPointers()
      },
      onInfoStale: (group) => void this.groups.refreshInfo(group),
      onRestarted: (group) => void this.history.page(conversationKey('group', group), null, PREFETCH_PAGE_SIZE).catch(() => undefined),
      onStopped: (group) => void this.emitGroupChanged(group, null)
    })
    this.groups = new GroupsClient({
      connection,
      store,
      onSummary: (summary) => {
        if (this.isCurrent) host.emit('groupsChanged', { group: summary.id, summary, membership: null })
        void this.emitConversation(conversationKey('group', summary.id))
      }
    })
    this.history = new HistoryPager({
      store,
      syncer: this.syncer,
      isOnline: () => connection.isOnline,
      requestHistory: (frame) => connection.requestRaw(frame, 'historyPage')
    })
    this.backfill = new Backfill({
      store,
      page: (key, beforeSeq, limit) => this.history.page(key, beforeSeq, limit, true),
      isOnline: () => connection.isOnline,
      timings: {
        idleMs: timings.backfillIdleMs ?? DEFAULT_BACKFILL_TIMINGS.idleMs,
        pageIntervalMs: timings.backfillPageIntervalMs ?? DEFAULT_BACKFILL_TIMINGS.pageIntervalMs,
        retryMs: timings.backfillRetryMs ?? DEFAULT_BACKFILL_TIMINGS.retryMs
      },
      onStatus: (status) => {
        if (this.isCurrent) host.emit('backfill', status)
      }
    })
    this.search = new SearchClient(store, this.backfill)
    // Catch-up retries use the reconnect backoff's base and ceiling: both say how hard to press a struggling server.
    this.catchUp = new CatchUpLoop({
      // The account's log first (it says which groups this device is in), then one group_sync for the groups that moved.
      run: async () => {
        await this.syncer.catchUp()
        if (this.adoptGroups) {
          await this.groups.adoptMine()
          this.adoptGroups = false
        }
        await this.groupSync.syncAll()
        // Reactions in groups changed while away travel beside the group log (reactions/index.ts).
        await this.reactions
          .catchUpGroups((await store.domains.groups.cursors()).map((cursor) => cursor.group))
          .catch((err: unknown) => log.warn('group reactions will catch up at the next sync', { error: err instanceof Error ? err.message : String(err) }))
      },
      isOnline: () => connection.isOnline,
      baseMs: timings.backoffBaseMs,
      maxMs: timings.backoffMaxMs
    })
    this.attachments = new AttachmentsClient({
      me: user,
      store,
      filesDir: accountFilesDir(options.dataDir, user),
      http: followingHttpTarget(options.serverUrl, gateways, connection, () => this.token, options.agent),
      emitTransfer: (event) => {
        if (this.isCurrent) host.emit('transfer', event)
      },
      emitMessage: (message) => {
        if (this.isCurrent) host.emit('message', message)
      },
      cancelSend: (messageId, reason) => this.outbox.cancel(messageId, reason),
      ...(options.fileUrl ? { fileUrl: options.fileUrl } : {}),
      ...(options.attachmentCacheBytes !== undefined ? { cacheCapBytes: options.attachmentCacheBytes } : {}),
      ...(options.autoDownloadMaxBytes ? { autoDownloadMaxBytes: options.autoDownloadMaxBytes } : {}),
      ...(options.downloadRetryBaseMs !== undefined ? { downloadRetryBaseMs: options.downloadRetryBaseMs } : {})
    })
    this.contacts = new ContactsClient({ me: user, store: store.domains.contacts, connection, catchUp: () => this.syncer.catchUp() })
    this.rooms = new RoomsClient({
      me: user,
      connection,
      store: store.domains.rooms,
      emit: (event) => {
        if (this.isCurrent) host.emit('roomEvent', event)
      },
      onCommands: (commands) => {
        if (this.isCurrent) for (const command of commands) host.emit('command', command)
      }
    })
    this.reactions = new ReactionsClient({ store: store.domains.reactions, connection })
    this.receipts = new ReceiptsClient({ me: user, connection, store: store.domains.receipts, cursor: () => this.syncer.currentCursor })
    this.messageOps = new MessageOpsClient({ connection, store })
    this.readPointers = new ReadPointerFlusher({ store, connection, isCurrent: () => this.isCurrent, timings: host.timings })
    this.unsubscribe = forwardSessionEvents(
      { connection, messageOps: this.messageOps, reactions: this.reactions, receipts: this.receipts, contacts: this.contacts, attachments: this.attachments },
      host,
      {
        isCurrent: () => this.isCurrent,
        emitConversation: (key) => this.emitConversation(key),
        onOnline: (info) => this.onOnline(info),
        onPush: (push) => this.onPush(push),
        ended: (ended) => host.ended(this, ended)
      }
    )
    this.unsubscribe.push(rememberGatewayMoves(connection, this.gateways, () => host.options.keepRenewedToken?.(this.credentials)))
  }

  /** What a shell saves to resume this session later (renewals replace the token; fail-over the last good gateway). */
  get credentials(): SessionCredentials {
    return { user: this.info.user, token: this.token, expiresAt: this.tokenExpiresAt, ...savedGatewayFacts(this.gateways, this.info.serverUrl) }
  }

  private get isCurrent(): boolean {
    return this.host.isCurrent(this)
  }

  /**
   * Loads what the store holds, then starts the connection and waits for the first auth (and, when
   * `awaitFirstCatchUp`, the first catch-up). Offline is not an error (`settleWhenUnreachable`: a resume returns at
   * once when the server cannot be reached). A resume does not wait for catch-up: the store already holds the
   * conversation list, which must show at once; what the catch-up brings reaches the shells as events.
   */
  async start(settleWhenUnreachable: boolean, awaitFirstCatchUp: boolean): Promise<void> {
    await this.syncer.init()
    // Holes left by an earlier start from the conversation list that the app quit before filling.
    await this.history.loadGaps()
    await this.outbox.start()
    await this.attachments.start().catch((err: unknown) => log.warn('could not tidy the staged files', { error: String(err) }))
    await this.reinterpretStored()
    this.messageOps.start()
    const outcome = await startAndAwaitFirstConnect(this.connection, {
      waitMs: this.host.timings.requestTimeoutMs * START_CONNECT_WAIT_FACTOR,
      settleWhenUnreachable,
      onOnline: async (info) => {
        if (!this.isSessionUser(info)) throw new AppError('NOT_SIGNED_IN', SAVED_USER_MISMATCH, { params: { reason: 'savedMismatch' } })
        // onOnline (registered earlier) has already started this connect's catch-up. A new device's catch-up is
        // the conversation list plus the log after its head, so sign-in never waits for the whole history.
        if (awaitFirstCatchUp) await this.lastCatchUp.catch(() => undefined)
      }
    })
    if (outcome !== 'online') log.warn('signed in but not connected yet; continuing offline', { outcome })
  }

  /** Stops everything and closes the store; the client has already stopped treating this session as current. */
  async close(): Promise<void> {
    for (const off of this.unsubscribe) off()
    this.contacts.close()
    this.rooms.close()
    this.messageOps.close()
    this.reactions.close()
    this.receipts.close()
    this.outbox.close()
    this.attachments.close()
    this.catchUp.stop()
    // Stopped before the connection, so a history page in flight fails at once instead of waiting for its timeout.
    const backfillStopped = this.backfill.stop()
    await this.connection.stop()
    await backfillStopped
    await this.lastCatchUp.catch(() => undefined)
    await this.readPointers.stop()
    await this.store.close()
  }

  /** Resolves when catch-up has settled (caught up, or waiting for the next connect) and the outbox is idle. */
  async whenSynced(): Promise<void> {
    await this.lastCatchUp.catch(() => undefined)
    await this.catchUp.whenSettled()
    await this.outbox.whenIdle()
    await this.groupSync.whenIdle()
  }

  /** Send the read pointers this device moved and the server has not confirmed (one flush at a time). */
  flushReadPointers(): void {
    this.readPointers.flush()
  }

  /** Messages and entries kept raw by an older version are read again with this version's decoder (no refetch). */
  private async reinterpretStored(): Promise<void> {
    try {
      const changed = await this.store.reinterpretUnsupported(messageDecoder(this.info.user, this.host.decode))
      if (changed.length > 0) log.info('messages kept from an older version can be shown now', { count: changed.length })
    } catch (err) {
      log.warn('could not re-read stored unsupported messages', { error: String(err) })
    }
  }

  private isSessionUser(info: AuthInfo): boolean {
    return !info.user || canonicalUserId(info.user) === this.info.user
  }

  private onOnline(info: AuthInfo): void {
    if (!this.isSessionUser(info)) {
      // Only a saved token can do this; never sync another account's events into this store.
      log.error('the server knows this token as another user', { expected: this.info.user, got: info.user })
      this.host.ended(this, { code: 'NOT_SIGNED_IN', params: { reason: 'savedMismatch' }, reason: SAVED_USER_MISMATCH, closeCode: 0 })
      return
    }
    if (info.tokenExpiresAt) this.tokenExpiresAt = info.tokenExpiresAt
    // Sending does not wait for catch-up: each lane resends from its oldest unacked message first thing
    // (the server de-duplicates), and catch-up runs beside it.
    this.outbox.notifyOnline()
    this.flushReadPointers()
    this.lastCatchUp = this.catchUp.start().then(() => this.prefetchAfterStart())
    // Older history in the background once the log is caught up (resumes where the last run stopped).
    void this.lastCatchUp.then(
      () => (this.isCurrent ? this.backfill.start() : undefined),
      () => undefined
    )
    // The contacts list (new device), profiles and friends' presence, once the log is caught up.
    void this.lastCatchUp.then(
      () => (this.isCurrent ? this.contacts.start() : undefined),
      () => undefined
    )
    // The account's conversation states (a new device learns pins, unread marks and deletions here).
    void this.lastCatchUp.then(
      () => (this.isCurrent ? this.reactions.loadStates() : undefined),
      () => undefined
    )
  }

  /** After a start from the conversation list: the newest page of the top conversations, in the background. */
  private async prefetchAfterStart(): Promise<void> {
    if (this.prefetched) return
    this.prefetched = true
    void prefetchTopConversations(this.store, this.history, () => this.isCurrent && this.connection.isOnline)
  }

  private onPush({ frame, frameBytes }: PushFrame): void {
    if (frame.body === 'event') {
      const raw = rawEventOfPush(frameBytes)
      if (raw) this.syncer.onPush(raw)
    } else if (frame.body === 'groupEntry' && frame.groupEntry) {
      this.groupSync.onEntry(frame.groupEntry)
    } else if (frame.body === 'tokenWillExpire') {
      const expiresAt = Number(frame.tokenWillExpire?.expiresAt ?? 0)
      this.host.emit('tokenWillExpire', { expiresAt })
      if (this.host.options.autoRenewToken !== false) {
        void renewToken({
          connection: this.connection,
          isCurrent: () => this.isCurrent,
          retryBaseMs: this.host.timings.backoffBaseMs,
          keep: (token, tokenExpiresAt) => this.tokenRenewed(token, tokenExpiresAt)
        })
      }
    }
  }

  /**
   * Renew rotated the token: the new one is used at once (socket, HTTP) and saved by the shell before the renewal
   * acknowledges it (session/token-renewal.ts), also while the session is closing (the app quitting).
   */
  private async tokenRenewed(token: string, expiresAt: number): Promise<void> {
    this.token = token
    this.tokenExpiresAt = expiresAt
    this.connection.setToken(token)
    log.info('token renewed', { expiresAt })
    if (this.isCurrent) this.host.emit('tokenRenewed', { expiresAt })
    await this.host.options.keepRenewedToken?.(this.credentials)
  }

  /** Receipt and privacy entries reach the shells; stored incoming messages are confirmed as delivered. */
  private onReceiptChanges(changes: AppliedChanges): void {
    const receipts = changes.userEvents.filter((event) => event.kind === 'receipt' || event.kind === 'privacy').map((event) => event.change as ReceiptsChange)
    if (receipts.length > 0) this.receipts.onApplied(receipts)
    let incoming = false
    for (const message of changes.messages) {
      if (message.direction !== 'in') continue
      this.receipts.noteMessageFrom(conversationKey(message.chatType, message.conversationId), message.from)
      if (message.chatType === 'single') incoming = true
    }
    if (incoming) this.receipts.noteStored()
  }

  /** Membership events just applied: a joined group starts syncing; every change reaches the shells. */
  private onMembershipChanges(events: AppliedChanges['userEvents']): void {
    const joined: string[] = []
    for (const event of events) {
      if (event.kind !== 'membership') continue
      const change = event.change as GroupMembershipChange
      void this.emitGroupChanged(change.group, change)
      if (change.kind === 'joined') joined.push(change.group)
      if (change.kind === 'joined' || change.kind === 'roleChanged') void this.groups.refreshInfo(change.group)
    }
    if (joined.length > 0) {
      void this.groupSync.syncGroups(joined).catch((err: unknown) => log.info('a joined group will sync at the next catch-up', { error: String(err) }))
    }
  }

  private async emitGroupChanged(group: string, membership: GroupMembershipChange | null): Promise<void> {
    try {
      const summary = await this.store.domains.groups.get(group)
      if (this.isCurrent) this.host.emit('groupsChanged', { group, summary, membership })
    } catch (err) {
      log.debug('could not read the group', { error: String(err) })
    }
  }

  private emitChanges(changes: AppliedChanges): void {
    this.messageOps.onMessages(changes.messages)
    if (changes.messages.length > 0 || changes.conversations.length > 0) {
      this.host.emit('batch', { messages: changes.messages, conversations: changes.conversations })
    }
    for (const message of changes.messages) this.host.emit('message', message)
    if (this.isCurrent) this.attachments.onMessages(changes.messages)
    for (const conversation of changes.conversations) this.host.emit('conversation', conversation)
    for (const event of changes.userEvents) this.host.emit('userEvent', event)
    for (const command of changes.commands ?? []) this.host.emit('command', command)
  }

  /** Tells the shells a conversation changed (its row read again from the store). */
  async emitConversation(key: ConversationKey): Promise<void> {
    try {
      const conversation = await this.store.getConversation(key)
      if (conversation && this.isCurrent) this.host.emit('conversation', conversation)
    } catch (err) {
      log.debug('could not read the conversation', { error: String(err) })
    }
  }
}
