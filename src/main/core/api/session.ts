// Owns one signed-in (or not yet signed-in) user session behind the IPC contract: validates every invoke,
// drives the ChatClient, maps its events to push events. Electron-free: both shells (Electron, browser host) use it.
import type { ChatClientApi, ChatClientEvents, ChatClientOptions, ClientDiagnostics } from '../types'
import type { Diagnostics, InvokeReply, InvokeResults, PushEventName, PushEvents, UserLookup } from '../../../shared/ipc/contract'
import type { InvokeArgsOf, InvokeMethod } from '../../../shared/ipc/schemas'
import type { ChatMessage, ConnectionStatus, ConversationKey, SessionInfo } from '../../../shared/model'
import { AppError } from '../../../shared/errors'
import { canonicalUserId } from '../../../shared/user-id'
import { createLogger } from '../../../shared/logger'
import type { SessionVault } from './session-vault'
import type { RoomsClient } from '../rooms/client'
import type { ContactsApi } from '../contacts'
import type { GroupsClient } from '../groups'
import type { SearchClient } from '../search'
import type { MessageOpsClient } from '../message-ops'
import type { ReactionsClient } from '../reactions'
import type { ReceiptsClient } from '../receipts'
import { isInvokeMethod, parseInvokeArgs, unknownMethodError } from './validation'
import { attachmentHandlers, type AttachmentCapableClient, type AttachmentShellHooks } from './attachment-handlers'
import type { CachedFile } from '../attachments'
import type { AttachmentWhich } from '../../../shared/model'

const log = createLogger('core:session')

const DEFAULT_PAGE_LIMIT = 50
/** What the user does (not what the renderer polls): the history back-fill pauses while these come in. */
const USER_ACTIVITY_METHODS: ReadonlySet<string> = new Set([
  'messages.page',
  'messages.sendText',
  'messages.retry',
  'messages.around',
  'messages.after',
  'conversations.markRead',
  'conversations.setActive',
  'drafts.set',
  'search.messages'
])

export interface CoreSessionOptions {
  shell: 'electron' | 'browser'
  version: string
  defaultServerUrl: string
  /** Stable id of this device (install, or browser tab). */
  deviceId: string
  /** This device's folder (one DB per account inside, the engine decides). */
  dataDir: string
  /** better-sqlite3 binding built for the host runtime (the Electron shell passes its own). */
  nativeBinding?: string
  /** Default: new ChatClient(options). */
  createClient?: (options: ChatClientOptions) => ChatClientApi
  /** Default: registerAccount from the app-server module. */
  register?: (serverUrl: string, username: string, password: string) => Promise<void>
  /** Where the sign-in is kept to resume after a restart ("stay signed in"); none: sign in every time. */
  vault?: SessionVault
  /** Opens a checked http/https/mailto link outside the app (Electron: shell.openExternal); none: refused. */
  openExternal?: (url: string) => Promise<void>
  /** The URL the renderer loads a cached attachment from (Electron: parley-file:, browser host: its file route). */
  fileUrl?: (messageId: string, which: AttachmentWhich) => string
  /** What the shell does with files: save dialog, open, show in folder (Electron) or a download URL (browser host). */
  fileHooks?: AttachmentShellHooks
}

export type PushListener = <E extends PushEventName>(event: E, payload: PushEvents[E]) => void

/**
 * ChatClient methods that ChatClientApi does not (yet) declare: user lookup, drafts, diagnostics, and closing
 * without signing out. Optional here, so a client without one (a test fake) gets a sentence, not a crash.
 */
interface ClientExtras {
  lookupUser?(username: string): Promise<string | { user: string } | null>
  setDraft?(conversation: ConversationKey, text: string | null): Promise<unknown>
  diagnostics?(): Promise<Partial<ClientDiagnostics>>
  /** Close the socket and the store, keeping the session on the server (ChatClient.close). */
  close?(): Promise<void>
  /** The session's chat rooms (ChatClient.rooms). */
  readonly rooms?: RoomsClient
  /** The session's contacts, profiles and presence (ChatClient.contacts). */
  readonly contacts?: ContactsApi
  /** The session's groups (ChatClient.groups). */
  readonly groups?: GroupsClient
  /** Message search and the history back-fill (ChatClient.search). */
  readonly search?: SearchClient
  /** The user did something: background work (the history back-fill) waits (ChatClient.noteUserActivity). */
  noteUserActivity?(): void
  /** Recall, edit, delete for me, clear, disappearing timer (ChatClient.messageOps). */
  readonly messageOps?: MessageOpsClient
  /** Reactions, one-to-one pins, conversation state, devices (ChatClient.reactions). */
  readonly reactions?: ReactionsClient
  /** Forward messages to conversations (ChatClient.forward). */
  forward?(messageIds: readonly string[], targets: readonly ConversationKey[]): Promise<ChatMessage[]>
  /** The session's receipts, privacy settings and typing (ChatClient.receipts). */
  readonly receipts?: ReceiptsClient
  /** Delete the account on the server, then end the session (ChatClient.deleteAccount). */
  deleteAccount?(password: string): Promise<void>
  /** Send a location (ChatClient.sendLocation). */
  sendLocation?(to: ConversationKey, place: { latitude: number; longitude: number; address: string; name: string }): Promise<ChatMessage>
}

function withExtras(client: ChatClientApi): ChatClientApi & ClientExtras {
  // Every extra is optional and checked before use.
  return client as ChatClientApi & ClientExtras
}

function notYetAvailable(what: string): AppError {
  return new AppError('INTERNAL', `${what} is not available in this version of Parley.`)
}

/** A conversation named by the renderer in its canonical form: single chats by canonical user id (any spelling
 *  reaches the same chat); group and room ids are made by the server and compared exactly as it made them. */
function canonicalConversation(key: ConversationKey): ConversationKey {
  if (key.type !== 'single') return { type: key.type, id: key.id.trim() }
  const user = canonicalUserId(key.id)
  if (!user) throw new AppError('BAD_ARGUMENT', 'That is not a valid user name.')
  return { type: 'single', id: user }
}

type Handlers = { [M in InvokeMethod]: (args: InvokeArgsOf<M>) => Promise<InvokeResults[M]> }

const OFFLINE_STATUS: ConnectionStatus = { state: 'disconnected', nextRetryAt: null, reason: null }

// The engine (and with it better-sqlite3) is loaded only when someone signs in, so a session that only
// answers app.info, and the unit tests with their fake client, never load native modules.
async function createDefaultClient(options: ChatClientOptions): Promise<ChatClientApi> {
  const { ChatClient } = await import('../client')
  return new ChatClient(options)
}

async function defaultRegister(serverUrl: string, username: string, password: string): Promise<void> {
  const { registerAccount } = await import('../app-server')
  return registerAccount(serverUrl, username, password)
}

function sameServer(a: string, b: string): boolean {
  return a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase()
}

export class CoreSession {
  private readonly options: CoreSessionOptions
  private readonly listeners = new Set<PushListener>()
  private client: ChatClientApi | null = null
  private detachClient: (() => void) | null = null
  /** Set when the client reports its session ended: the client may still hold a stale SessionInfo. */
  private clientSessionEnded = false
  /** Sign-in, sign-out and dispose run one at a time so two logins cannot create two clients. */
  private authQueue: Promise<unknown> = Promise.resolve()
  /** The one attempt to resume the saved sign-in; every auth.session call before it settles shares it. */
  private resumeAttempt: Promise<void> | null = null
  /** Saves and clears started by client events; dispose() waits for them so nothing writes after it. */
  private vaultWork: Promise<unknown> = Promise.resolve()
  private disposed = false
  private readonly handlers: Handlers

  constructor(options: CoreSessionOptions) {
    this.options = options
    this.handlers = {
      'app.info': async () => ({
        version: options.version,
        shell: options.shell,
        defaultServerUrl: options.defaultServerUrl
      }),
      'app.openExternal': async ({ url }) => {
        // The browser host's page opens links itself (window.open): no shell here can.
        if (!options.openExternal) throw new AppError('INTERNAL', 'This window cannot open links outside the app.')
        await options.openExternal(new URL(url).href)
      },
      'auth.register': async ({ serverUrl, username, password }) => {
        const register = options.register ?? defaultRegister
        await register(serverUrl ?? options.defaultServerUrl, username, password)
      },
      'auth.login': (args) => this.serialised(() => this.login(args)),
      'auth.logout': () =>
        this.serialised(async () => {
          await this.closeClient('logout', { signOut: true })
          await this.forgetSavedSession('signed out')
        }),
      'auth.session': () => this.sessionOrResume(),
      'connection.status': async () => this.client?.status ?? OFFLINE_STATUS,
      'conversations.list': () => this.signedIn().listConversations(),
      'conversations.markRead': ({ conversation, uptoSeq }) => this.signedIn().markRead(canonicalConversation(conversation), uptoSeq),
      'conversations.setActive': async ({ conversation }) => {
        this.signedIn().setActiveConversation(conversation === null ? null : canonicalConversation(conversation))
      },
      'drafts.set': async ({ conversation, text }) => {
        const client = withExtras(this.signedIn())
        if (!client.setDraft) throw notYetAvailable('Drafts')
        await client.setDraft(canonicalConversation(conversation), text === '' ? null : text)
      },
      'users.lookup': ({ username }) => this.lookupUser(username),
      'app.diagnostics': () => this.diagnostics(),
      'messages.page': ({ conversation, beforeSeq, limit }) =>
        this.signedIn().page(canonicalConversation(conversation), beforeSeq ?? null, limit ?? DEFAULT_PAGE_LIMIT),
      'messages.sendText': ({ to, text, mentions, mentionAll, replyTo, burnAfterReadSec }) =>
        mentions || mentionAll || replyTo || burnAfterReadSec
          ? this.signedIn().sendText(canonicalConversation(to), text, {
              ...(mentions ? { mentions } : {}),
              ...(mentionAll ? { mentionAll } : {}),
              ...(replyTo ? { replyTo } : {}),
              ...(burnAfterReadSec ? { burnAfterReadSec } : {})
            })
          : this.signedIn().sendText(canonicalConversation(to), text),
      'messages.retry': ({ messageId }) => this.signedIn().retry(messageId),
      'messages.sendLocation': async ({ to, ...place }) => {
        const client = withExtras(this.signedIn())
        if (!client.sendLocation) throw notYetAvailable('Sending a location')
        return client.sendLocation(canonicalConversation(to), place)
      },
      ...this.messageOpsHandlers(),
      ...this.roomHandlers(),
      ...this.searchHandlers(),
      ...this.contactHandlers(),
      ...this.groupHandlers(),
      ...this.replyHandlers(),
      ...attachmentHandlers(
        () => this.signedIn() as ChatClientApi & AttachmentCapableClient,
        options.fileHooks ?? {},
        canonicalConversation
      ),
      ...this.receiptHandlers()
    }
  }

  /** Forward, reactions, pins, conversation state and devices: the session's ReactionsClient and ChatClient.forward. */
  private replyHandlers(): Pick<
    Handlers,
    Extract<InvokeMethod, 'messages.forward' | `reactions.${string}` | `pins.${string}` | 'conversations.setState' | `devices.${string}`>
  > {
    const client = (): ChatClientApi & ClientExtras => withExtras(this.signedIn())
    const reactions = (): ReactionsClient => {
      const found = client().reactions
      if (!found) throw notYetAvailable('Reactions')
      return found
    }
    return {
      'messages.forward': ({ messageIds, targets }) => {
        const forward = client().forward
        if (!forward) throw notYetAvailable('Forwarding')
        return forward.call(client(), messageIds, targets.map(canonicalConversation))
      },
      'reactions.react': ({ conversation, serverId, emoji, remove }) => reactions().react(canonicalConversation(conversation), serverId, emoji, remove === true),
      'reactions.of': ({ conversation, serverIds, refresh }) =>
        refresh ? reactions().refresh(canonicalConversation(conversation), serverIds) : Promise.resolve(reactions().stored(canonicalConversation(conversation), serverIds)),
      'pins.set': ({ conversation, serverId, pinned }) => reactions().pin(canonicalConversation(conversation), serverId, pinned),
      'pins.list': ({ conversation }) => Promise.resolve(reactions().pins(canonicalConversation(conversation))),
      'conversations.setState': (args) => {
        const { conversation, ...change } = args
        return reactions().setState(canonicalConversation(conversation), change)
      },
      'devices.list': () => reactions().devices(),
      'devices.signOut': ({ sessionId }) => reactions().devices(sessionId)
    }
  }

  /** Recall, edit, delete for me, clear and the disappearing timer: the session's MessageOpsClient. */
  private messageOpsHandlers(): Pick<
    Handlers,
    | 'messages.recall'
    | 'messages.edit'
    | 'messages.deleteForMe'
    | 'conversations.clear'
    | 'conversations.disappearingTimer'
    | 'conversations.setDisappearingTimer'
  > {
    const ops = (): MessageOpsClient => {
      const client = withExtras(this.signedIn())
      if (!client.messageOps) throw notYetAvailable('Recalling and editing messages')
      return client.messageOps
    }
    return {
      'messages.recall': ({ conversation, messageId }) => ops().recall(canonicalConversation(conversation), messageId),
      'messages.edit': ({ conversation, messageId, text }) => ops().edit(canonicalConversation(conversation), messageId, text),
      'messages.deleteForMe': ({ conversation, messageIds }) => ops().deleteForMe(canonicalConversation(conversation), messageIds),
      'conversations.clear': ({ conversation, everywhere }) => ops().clear(canonicalConversation(conversation), everywhere),
      'conversations.disappearingTimer': async ({ conversation }) => ({
        seconds: await ops().disappearingTimer(canonicalConversation(conversation))
      }),
      'conversations.setDisappearingTimer': async ({ conversation, seconds }) => ({
        seconds: await ops().setDisappearingTimer(canonicalConversation(conversation), seconds)
      })
    }
  }

  /** The receipts.*, privacy.* and typing.* methods: each goes to the session's ReceiptsClient (ChatClient.receipts). */
  private receiptHandlers(): Pick<Handlers, Extract<InvokeMethod, `receipts.${string}` | `privacy.${string}` | `typing.${string}`>> {
    const receipts = (): ReceiptsClient => {
      const client = withExtras(this.signedIn())
      if (!client.receipts) throw notYetAvailable('Receipts')
      return client.receipts
    }
    return {
      'receipts.peer': ({ conversation }) => receipts().peer(canonicalConversation(conversation)),
      'receipts.groupCounts': ({ conversation, seqs }) => receipts().groupCounts(canonicalConversation(conversation), seqs),
      'receipts.groupReaders': ({ conversation, seq }) => receipts().groupReaders(canonicalConversation(conversation), seq),
      'privacy.get': () => receipts().privacy(),
      'privacy.set': (settings) => receipts().setPrivacy(settings),
      'typing.set': async ({ conversation, typing }) => {
        await receipts().setTyping(canonicalConversation(conversation), typing)
      },
      'typing.list': async ({ conversation }) => receipts().typingIn(canonicalConversation(conversation))
    }
  }

  /**
   * A cached attachment of the signed-in account, for the shell's file protocol or route: only a file inside the
   * account's cache folder, never a path the renderer names. Null when not signed in or not cached.
   */
  async cachedFile(messageId: string, which: AttachmentWhich): Promise<CachedFile | null> {
    if (!this.client || !this.currentSession()) return null
    try {
      const attachments = (this.client as ChatClientApi & AttachmentCapableClient).attachments
      return attachments ? await attachments.cachedFile(messageId, which) : null
    } catch (err) {
      // Signed out between the check and the read: nothing to serve.
      log.debug('no cached file to serve', { error: AppError.from(err).message })
      return null
    }
  }

  /** The search.* methods and opening a hit in context (messages.around / messages.after): ChatClient.search. */
  private searchHandlers(): Pick<Handlers, Extract<InvokeMethod, `search.${string}` | 'messages.around' | 'messages.after'>> {
    const search = (): SearchClient => {
      const client = withExtras(this.signedIn())
      if (!client.search) throw notYetAvailable('Search')
      return client.search
    }
    return {
      'search.messages': ({ query, limit }) => search().messages(query, limit ?? DEFAULT_PAGE_LIMIT),
      'search.status': () => search().status(),
      'search.setBackfillDays': ({ days }) => search().setBackfillDays(days),
      'messages.around': ({ conversation, messageId, limit }) =>
        search().around(canonicalConversation(conversation), messageId, limit ?? DEFAULT_PAGE_LIMIT),
      'messages.after': ({ conversation, afterSeq, limit }) =>
        search().after(canonicalConversation(conversation), afterSeq, limit ?? DEFAULT_PAGE_LIMIT)
    }
  }

  /** The contacts.* and profile.* methods: each goes to the session's ContactsClient (ChatClient.contacts). */
  private contactHandlers(): Pick<Handlers, Extract<InvokeMethod, `contacts.${string}` | `profile.${string}`>> {
    const contacts = (): ContactsApi => {
      const client = withExtras(this.signedIn())
      if (!client.contacts) throw notYetAvailable('Contacts')
      return client.contacts
    }
    return {
      'contacts.state': () => contacts().state(),
      'contacts.search': ({ username }) => contacts().search(username),
      'contacts.request': ({ user, message }) => contacts().sendRequest(user, message),
      'contacts.decide': ({ user, accept }) => contacts().decide(user, accept),
      'contacts.cancel': ({ user }) => contacts().cancelRequest(user),
      'contacts.remove': ({ user }) => contacts().remove(user),
      'contacts.setRemark': ({ user, remark }) => contacts().setRemark(user, remark),
      'contacts.block': ({ user, blocked }) => contacts().setBlocked(user, blocked),
      'contacts.presence': () => contacts().presence(),
      'profile.get': ({ users }) => contacts().profiles(users),
      'profile.me': () => contacts().myProfile(),
      'profile.update': (patch) =>
        contacts().updateProfile({
          ...(patch.nickname !== undefined ? { nickname: patch.nickname } : {}),
          ...(patch.signature !== undefined ? { signature: patch.signature } : {}),
          ...(patch.statusText !== undefined ? { statusText: patch.statusText } : {}),
          ...(patch.attributes !== undefined ? { attributes: patch.attributes } : {})
        }),
      'profile.changePassword': ({ currentPassword, newPassword }) => contacts().changePassword(currentPassword, newPassword),
      'profile.deleteAccount': async ({ password }) => {
        const client = withExtras(this.signedIn())
        if (!client.deleteAccount) throw notYetAvailable('Deleting an account')
        await client.deleteAccount(password)
      }
    }
  }

  /** The groups.* methods: each goes to the session's GroupsClient (ChatClient.groups). */
  private groupHandlers(): Pick<Handlers, Extract<InvokeMethod, `groups.${string}`>> {
    const groups = (): GroupsClient => {
      const client = withExtras(this.signedIn())
      if (!client.groups) throw notYetAvailable('Groups')
      return client.groups
    }
    return {
      'groups.create': (options) => groups().create(options),
      'groups.info': ({ group }) => groups().info(group),
      'groups.update': ({ group, name, description, announcement, settings }) =>
        groups().update(group, {
          ...(name !== undefined ? { name } : {}),
          ...(description !== undefined ? { description } : {}),
          ...(announcement !== undefined ? { announcement } : {}),
          ...(settings !== undefined ? { settings } : {})
        }),
      'groups.dissolve': ({ group }) => groups().dissolve(group),
      'groups.transfer': ({ group, user }) => groups().transfer(group, user),
      'groups.setAdmin': ({ group, user, admin }) => groups().setAdmin(group, user, admin),
      'groups.invite': ({ group, users, message }) => groups().invite(group, users, message ?? ''),
      'groups.remove': ({ group, user }) => groups().remove(group, user),
      'groups.join': ({ group, message }) => groups().join(group, message ?? ''),
      'groups.decideJoin': ({ group, user, accept, reason }) => groups().decideJoin(group, user, accept, reason ?? ''),
      'groups.decideInvitation': ({ group, accept }) => groups().decideInvitation(group, accept),
      'groups.mute': ({ group, user, until }) => groups().mute(group, user, until),
      'groups.muteAll': ({ group, muted }) => groups().muteAll(group, muted),
      'groups.ban': ({ group, user, banned }) => groups().ban(group, user, banned),
      'groups.pin': ({ group, serverId, pinned }) => groups().pin(group, serverId, pinned),
      'groups.leave': ({ group }) => groups().leave(group),
      'groups.members': ({ group, afterUser, limit }) => groups().members(group, afterUser ?? '', limit),
      'groups.directory': ({ query, after, limit }) => groups().directory(query ?? '', after ?? '', limit),
      'groups.mine': () => groups().list(),
      'groups.pending': ({ group }) => groups().pendingJoinRequests(group),
      'groups.invitations': () => groups().invitations()
    }
  }

  /** The rooms.* methods: each goes to the session's RoomsClient (ids as the server made them: case matters). */
  private roomHandlers(): Pick<Handlers, Extract<InvokeMethod, `rooms.${string}`>> {
    const rooms = (): RoomsClient => {
      const client = withExtras(this.signedIn())
      if (!client.rooms) throw notYetAvailable('Chat rooms')
      return client.rooms
    }
    return {
      'rooms.directory': ({ query, after, limit }) => rooms().directory(query ?? '', after ?? null, limit ?? DEFAULT_PAGE_LIMIT),
      'rooms.create': async ({ name, description, maxMembers }) => ({ room: await rooms().create(name, description ?? '', maxMembers ?? 0) }),
      'rooms.joined': async () => rooms().list(),
      'rooms.join': ({ room }) => rooms().join(room),
      'rooms.leave': ({ room }) => rooms().leave(room),
      'rooms.info': ({ room }) => rooms().info(room),
      'rooms.sendText': ({ room, text }) => rooms().sendText(room, text),
      'rooms.members': ({ room, afterUser, limit }) => rooms().members(room, afterUser ?? null, limit ?? DEFAULT_PAGE_LIMIT),
      'rooms.kick': ({ room, user }) => rooms().kick(room, user),
      'rooms.mute': ({ room, user, durationMs }) => rooms().mute(room, user, durationMs),
      'rooms.muteAll': ({ room, muted }) => rooms().muteAll(room, muted),
      'rooms.ban': ({ room, user, banned }) => rooms().ban(room, user, banned),
      'rooms.setAdmin': ({ room, user, admin }) => rooms().setAdmin(room, user, admin),
      'rooms.update': ({ room, name, description, announcement }) =>
        rooms().update(room, {
          ...(name !== undefined ? { name } : {}),
          ...(description !== undefined ? { description } : {}),
          ...(announcement !== undefined ? { announcement } : {})
        }),
      'rooms.attributes': ({ room }) => rooms().attributes(room),
      'rooms.setAttributes': ({ room, attributes, overwriteOthers }) => rooms().setAttributes(room, attributes, overwriteOthers ?? false),
      'rooms.removeAttributes': ({ room, keys }) => rooms().removeAttributes(room, keys),
      'rooms.delete': ({ room }) => rooms().delete(room)
    }
  }

  /** Validates, runs, and never throws: every failure comes back as { ok: false, error }. */
  async invoke(method: string, rawArgs: unknown): Promise<InvokeReply> {
    try {
      if (!isInvokeMethod(method)) throw unknownMethodError(method)
      const args = parseInvokeArgs(method, rawArgs)
      if (USER_ACTIVITY_METHODS.has(method) && this.client) withExtras(this.client).noteUserActivity?.()
      const result = await this.run(method, args)
      return { ok: true, result } as InvokeReply
    } catch (err) {
      const error = AppError.from(err)
      const details = { method: String(method).slice(0, 64), code: error.code, error: error.message }
      if (error.code === 'INTERNAL') log.error('invoke failed', details)
      else log.debug('invoke refused', details)
      return { ok: false, error: error.toJSON() }
    }
  }

  onEvent(listener: PushListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Close the client (socket + store) without signing out on the server. */
  async dispose(): Promise<void> {
    this.disposed = true
    await this.serialised(() => this.closeClient('dispose'))
    await this.vaultWork
    this.listeners.clear()
  }

  private run<M extends InvokeMethod>(method: M, args: InvokeArgsOf<M>): Promise<InvokeResults[M]> {
    const handler = this.handlers[method] as (args: InvokeArgsOf<M>) => Promise<InvokeResults[M]>
    return handler(args)
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const next = this.authQueue.then(task, task)
    this.authQueue = next.catch(() => undefined)
    return next
  }

  private currentSession(): SessionInfo | null {
    if (this.clientSessionEnded) return null
    return this.client?.session ?? null
  }

  private signedIn(): ChatClientApi {
    const client = this.client
    if (!client || !this.currentSession()) throw new AppError('NOT_SIGNED_IN', 'Please sign in first.')
    return client
  }

  /** users.lookup: the user's canonical id, or USER_NOT_FOUND { user } when the server knows no such user. */
  private async lookupUser(typed: string): Promise<UserLookup> {
    const canonical = canonicalUserId(typed)
    if (canonical === null) {
      throw new AppError('INVALID_USERNAME', `"${typed.slice(0, 64)}" is not a valid username.`, { params: { user: typed.slice(0, 64) } })
    }
    const client = withExtras(this.signedIn())
    if (!client.lookupUser) throw notYetAvailable('Looking up users')
    const found = await client.lookupUser(canonical)
    if (found === null) {
      throw new AppError('USER_NOT_FOUND', `There is no user named ${canonical}.`, { params: { user: canonical } })
    }
    return { user: typeof found === 'string' ? found : found.user }
  }

  private async diagnostics(): Promise<Diagnostics> {
    const client = this.client
    const connection = client?.status ?? OFFLINE_STATUS
    const extras = client && this.currentSession() ? withExtras(client) : null
    if (!extras?.diagnostics) return { syncCursor: null, pendingOutbox: 0, quarantinedEvents: null, lastSyncError: null, connection }
    const report = await extras.diagnostics()
    const quarantined = report.quarantinedEvents ?? null
    return {
      syncCursor: report.syncCursor ?? null,
      pendingOutbox: report.pendingOutbox ?? 0,
      // The core says -1 when it could not read the count.
      quarantinedEvents: quarantined !== null && quarantined >= 0 ? quarantined : null,
      lastSyncError: report.lastSyncError ?? null,
      connection
    }
  }

  private async login(args: InvokeArgsOf<'auth.login'>): Promise<SessionInfo> {
    if (this.disposed) throw new AppError('NOT_SIGNED_IN', 'This session has been closed; reload the app.')
    const serverUrl = args.serverUrl ?? this.options.defaultServerUrl
    const current = this.currentSession()
    if (current) {
      const sameUser = current.user.toLowerCase() === args.username.toLowerCase()
      if (sameUser && sameServer(current.serverUrl, serverUrl)) return current
      throw new AppError('ALREADY_SIGNED_IN', `You are already signed in as ${current.user}. Sign out first.`)
    }
    // A client whose session ended (token expired, replaced) is closed before a fresh one starts.
    await this.closeClient('replaced by a new sign-in')
    const client = await this.createAttachedClient(serverUrl)
    try {
      const session = await client.login(args.username, args.password)
      log.info('signed in', { user: session.user, deviceId: session.deviceId })
      await this.saveSession(client)
      return session
    } catch (err) {
      await this.closeClient('sign-in failed')
      throw err
    }
  }

  private async createAttachedClient(serverUrl: string): Promise<ChatClientApi> {
    const clientOptions: ChatClientOptions = {
      serverUrl,
      deviceId: this.options.deviceId,
      dataDir: this.options.dataDir,
      platform: this.options.shell === 'electron' ? 'desktop' : 'web',
      ...(this.options.fileUrl ? { fileUrl: this.options.fileUrl } : {}),
      ...(this.options.nativeBinding ? { nativeBinding: this.options.nativeBinding } : {})
    }
    const client = this.options.createClient
      ? this.options.createClient(clientOptions)
      : await createDefaultClient(clientOptions)
    this.attach(client)
    return client
  }

  /** The current session; when there is none yet, the saved sign-in is resumed once (no password). */
  private async sessionOrResume(): Promise<SessionInfo | null> {
    const current = this.currentSession()
    if (current || !this.options.vault || this.disposed) return current
    if (!this.resumeAttempt) this.resumeAttempt = this.serialised(() => this.resumeSaved())
    await this.resumeAttempt
    return this.currentSession()
  }

  private async resumeSaved(): Promise<void> {
    const vault = this.options.vault
    if (!vault || this.disposed || this.client) return
    const saved = await vault.load()
    if (!saved) return
    if (saved.deviceId !== this.options.deviceId) {
      log.warn('the saved sign-in belongs to another device id; signing in is needed')
      await this.forgetSavedSession('other device')
      return
    }
    if (saved.expiresAt <= Date.now()) {
      log.info('the saved sign-in has expired; signing in is needed', { user: saved.user })
      await this.forgetSavedSession('expired')
      return
    }
    const client = await this.createAttachedClient(saved.serverUrl)
    if (!client.resume) {
      await this.closeClient('this client cannot resume')
      return
    }
    try {
      const session = await client.resume({ user: saved.user, token: saved.token, expiresAt: saved.expiresAt })
      log.info('resumed the saved sign-in', { user: session.user, state: client.status.state })
      await this.saveSession(client) // the server may have told a newer expiry
    } catch (err) {
      const error = AppError.from(err)
      await this.closeClient('resume failed')
      if (error.code === 'TOKEN_EXPIRED' || error.code === 'NOT_SIGNED_IN') {
        log.info('the server refused the saved sign-in; signing in is needed', { code: error.code })
        await this.forgetSavedSession('refused')
      } else {
        // e.g. the database could not be opened: keep the sign-in for the next start, show sign-in now.
        log.warn('could not resume the saved sign-in', { code: error.code, error: error.message })
      }
    }
  }

  /** Saves the client's current sign-in; a failure only costs the next start a password prompt. */
  private saveSession(client: ChatClientApi): Promise<void> {
    const vault = this.options.vault
    const credentials = client.credentials
    const session = client.session
    if (!vault || !credentials || !session || this.client !== client || this.clientSessionEnded) return Promise.resolve()
    const saved = { ...credentials, serverUrl: session.serverUrl, deviceId: session.deviceId }
    return this.trackVaultWork(vault.save(saved), 'could not save the sign-in')
  }

  private forgetSavedSession(why: string): Promise<void> {
    const vault = this.options.vault
    if (!vault) return Promise.resolve()
    return this.trackVaultWork(vault.clear(), `could not remove the saved sign-in (${why})`)
  }

  private trackVaultWork(work: Promise<void>, failure: string): Promise<void> {
    const logged = work.catch((err: unknown) => log.warn(failure, { error: AppError.from(err).message }))
    this.vaultWork = Promise.all([this.vaultWork, logged])
    return logged
  }

  private attach(client: ChatClientApi): void {
    const forward = <K extends keyof ChatClientEvents, E extends PushEventName>(
      from: K,
      to: E,
      map: (payload: ChatClientEvents[K]) => PushEvents[E]
    ): (() => void) => client.on(from, (payload) => this.push(to, map(payload)))
    const offs = [
      forward('connection', 'connection.status', (status) => status),
      forward('message', 'message.upsert', (message) => message),
      forward('conversation', 'conversation.upsert', (conversation) => conversation),
      forward('roomEvent', 'rooms.event', (event) => event),
      forward('contactsChanged', 'contacts.changed', (state) => state),
      forward('presenceChanged', 'presence.changed', (presence) => presence),
      forward('profileChanged', 'profile.changed', (profile) => profile),
      forward('groupsChanged', 'groups.changed', (changed) => changed),
      forward('command', 'command', (command) => command),
      forward('messagesRemoved', 'messages.removed', (removed) => removed),
      forward('conversationSettings', 'conversation.settings', (settings) => settings),
      forward('reactionsChanged', 'reactions.changed', (changed) => changed),
      forward('pinsChanged', 'pins.changed', (changed) => changed),
      forward('conversationStateChanged', 'conversations.state', (state) => state),
      forward('devicesChanged', 'devices.changed', (changed) => changed),
      forward('transfer', 'transfer', (event) => event),
      forward('backfill', 'search.backfill', (status) => status),
      forward('peerReceipts', 'receipts.peer', (receipts) => receipts),
      forward('groupRead', 'receipts.groupRead', (read) => read),
      forward('typing', 'typing.changed', (typing) => typing),
      forward('privacy', 'privacy.changed', (settings) => settings),
      forward('sessionEnded', 'session.ended', (ended) => {
        this.clientSessionEnded = true
        log.warn('session ended', { reason: ended.reason })
        void this.forgetSavedSession('session ended')
        return { reason: ended.reason }
      }),
      client.on('tokenWillExpire', ({ expiresAt }) => log.debug('token will expire', { expiresAt })),
      client.on('tokenRenewed', ({ expiresAt }) => {
        log.debug('token renewed', { expiresAt })
        void this.saveSession(client)
      })
    ]
    this.client = client
    this.clientSessionEnded = false
    this.detachClient = () => offs.forEach((off) => off())
  }

  /**
   * Stops listening to the client and closes its socket and store. Nothing to do when there is none. Only the
   * user's "Sign out" (`signOut`) ends the session on the server too; closing the app, a tab session going idle
   * or a failed sign-in keep it, so "stay signed in" resumes it later.
   */
  private async closeClient(why: string, { signOut = false }: { signOut?: boolean } = {}): Promise<void> {
    const client = this.client
    if (!client) return
    this.client = null
    const user = client.session?.user ?? null
    const closing = withExtras(client)
    try {
      if (signOut || !closing.close) await client.logout()
      else await closing.close()
    } catch (err) {
      log.warn('closing the client failed', { why, error: AppError.from(err).message })
    } finally {
      this.detachClient?.()
      this.detachClient = null
    }
    if (user) log.info(signOut ? 'signed out' : 'closed the session here', { user, why })
    // The client no longer exists, so it cannot report its last state itself.
    this.push('connection.status', OFFLINE_STATUS)
  }

  private push<E extends PushEventName>(event: E, payload: PushEvents[E]): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event, payload)
      } catch (err) {
        log.error('push listener threw', { event, error: AppError.from(err).message })
      }
    }
  }
}
