// Owns one signed-in (or not yet signed-in) user session behind the IPC contract: validates every invoke,
// drives the ChatClient, maps its events to push events. Electron-free: both shells (Electron, browser host) use it.
import type { ChatClientApi, ChatClientOptions, SessionCredentials } from '../types'
import type { Diagnostics, InvokeReply, InvokeResults, PushEventName, PushEvents, UserLookup } from '../../../shared/ipc/contract'
import type { InvokeArgsOf, InvokeMethod } from '../../../shared/ipc/schemas'
import type { ConnectionStatus, SessionInfo } from '../../../shared/model'
import { AppError } from '../../../shared/errors'
import { canonicalUserId } from '../../../shared/user-id'
import { createLogger } from '../../../shared/logger'
import type { SessionVault } from './session-vault'
import { isInvokeMethod, parseInvokeArgs, unknownMethodError } from './validation'
import { canonicalConversation, DEFAULT_PAGE_LIMIT, notYetAvailable, withExtras, type Handlers } from './client-access'
import { contactHandlers, groupHandlers, messageOpsHandlers, receiptHandlers, replyHandlers, roomHandlers, searchHandlers } from './domain-handlers'
import { attachmentHandlers, type AttachmentCapableClient, type AttachmentShellHooks } from './attachment-handlers'
import { notificationHandlers, type NotificationShellHooks } from '../notifications/handlers'
import type { CachedFile } from '../attachments'
import type { AttachmentWhich } from '../../../shared/model'
import type { DeviceSettingsStore } from '../settings'
import type { SystemProxyResolver } from '../net/proxy'
import { settingsHandlers, type AccountStorage, type SettingsShellHooks } from './settings-handlers'
import { SessionSettings } from './session-settings'
import { forwardClientEvents } from './client-push-events'
import { RendererViews } from './batch-forwarding'

const log = createLogger('core:session')

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
  /** This device's settings file (Electron: userData/settings.json); default: settings.json in dataDir; null: memory only. */
  settingsFile?: string | null
  /** The system's preferred languages, best first: a first start takes the interface language from them. */
  systemLanguages?: readonly string[]
  /** The proxy setting "system" (Electron: the session's resolveProxy); default: HTTPS_PROXY/HTTP_PROXY/NO_PROXY. */
  resolveSystemProxy?: SystemProxyResolver
  /** What the shell adds to the settings (Electron: a folder picker). */
  settingsHooks?: SettingsShellHooks
  /** Opens a checked http/https/mailto link outside the app (Electron: shell.openExternal); none: refused. */
  openExternal?: (url: string) => Promise<void>
  /** Quits and installs a downloaded update (Electron: src/main/updates); false or none: there is none. */
  restartToUpdate?: () => boolean
  /** The URL the renderer loads a cached attachment from (Electron: parley-file:, browser host: its file route). */
  fileUrl?: (messageId: string, which: AttachmentWhich) => string
  /** What the shell does with files: save dialog, open, show in folder (Electron) or a download URL (browser host). */
  fileHooks?: AttachmentShellHooks
  /** Where the renderer's notifications and badge go (Electron: native notifications, tray, badge); none: nowhere. */
  notificationHooks?: NotificationShellHooks
}

export type PushListener = <E extends PushEventName>(event: E, payload: PushEvents[E]) => void

const OFFLINE_STATUS: ConnectionStatus = { state: 'disconnected', nextRetryAt: null, reason: null }

// The engine (and with it better-sqlite3) is loaded only when someone signs in, so a session that only
// answers app.info, and the unit tests with their fake client, never load native modules.
async function createDefaultClient(options: ChatClientOptions): Promise<ChatClientApi> {
  const { ChatClient } = await import('../client')
  return new ChatClient(options)
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
  /** Clients signed out or whose session ended: a renewal answer arriving late must not save their sign-in again. */
  private readonly endedClients = new WeakSet<ChatClientApi>()
  /** Sign-in, sign-out and dispose run one at a time so two logins cannot create two clients. */
  private authQueue: Promise<unknown> = Promise.resolve()
  /** The one attempt to resume the saved sign-in; every auth.session call before it settles shares it. */
  private resumeAttempt: Promise<void> | null = null
  /** Saves and clears started by client events; dispose() waits for them so nothing writes after it. */
  private vaultWork: Promise<unknown> = Promise.resolve()
  private disposed = false
  private readonly handlers: Handlers
  /** The device's settings (they do not wait for sign-in), its default server and network route. */
  private readonly deviceSettings: SessionSettings
  /** Which conversations' messages the renderer holds: a big batch sends it only those (batch-forwarding.ts). */
  private readonly views = new RendererViews()

  constructor(options: CoreSessionOptions) {
    this.options = options
    const signedIn = (): ChatClientApi => this.signedIn()
    this.deviceSettings = new SessionSettings({
      dataDir: options.dataDir,
      ...(options.settingsFile !== undefined ? { file: options.settingsFile } : {}),
      ...(options.systemLanguages ? { systemLanguages: options.systemLanguages } : {}),
      ...(options.resolveSystemProxy ? { resolveSystemProxy: options.resolveSystemProxy } : {}),
      defaultServerUrl: options.defaultServerUrl,
      onChange: (settings) => this.push('settings.changed', settings)
    })
    this.handlers = {
      'app.info': async () => ({
        version: options.version,
        shell: options.shell,
        defaultServerUrl: await this.deviceSettings.defaultServerUrl()
      }),
      'app.openExternal': async ({ url }) => {
        // The browser host's page opens links itself (window.open): no shell here can.
        if (!options.openExternal) throw new AppError('INTERNAL', 'This window cannot open links outside the app.')
        await options.openExternal(new URL(url).href)
      },
      'app.restartToUpdate': async () => {
        if (!options.restartToUpdate?.()) throw new AppError('UNSUPPORTED', 'There is no downloaded update to install.')
      },
      'auth.register': async ({ serverUrl, username, password }) => {
        const target = serverUrl ?? (await this.deviceSettings.defaultServerUrl())
        if (options.register) await options.register(target, username, password)
        else await (await import('../app-server')).registerAccount(target, username, password, await this.deviceSettings.networkAgent())
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
      'conversations.firstPage': ({ limit }) => this.signedIn().listConversations(limit),
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
      'messages.sendLocation': async ({ to, burnAfterReadSec, ...place }) => {
        const client = withExtras(this.signedIn())
        if (!client.sendLocation) throw notYetAvailable('Sending a location')
        return client.sendLocation(canonicalConversation(to), place, burnAfterReadSec ? { burnAfterReadSec } : {})
      },
      ...settingsHandlers({
        settings: () => this.deviceSettings.store,
        account: () => this.accountStorage(),
        hooks: options.settingsHooks ?? {},
        push: (event, payload) => this.push(event, payload)
      }),
      ...messageOpsHandlers(signedIn),
      ...roomHandlers(signedIn),
      ...searchHandlers(signedIn),
      ...contactHandlers(signedIn),
      ...groupHandlers(signedIn),
      ...replyHandlers(signedIn),
      ...attachmentHandlers(
        () => this.signedIn() as ChatClientApi & AttachmentCapableClient,
        options.fileHooks ?? {},
        canonicalConversation,
        () => this.deviceSettings.current.downloads.folder
      ),
      ...receiptHandlers(signedIn),
      ...notificationHandlers(options.notificationHooks)
    }
  }

  /** This device's settings (the shells' glue reads and follows them: startup, tray, notifications). */
  settings(): Promise<DeviceSettingsStore> {
    return this.deviceSettings.store
  }

  /** The signed-in account's files here, for the storage section of the settings. */
  private accountStorage(): AccountStorage | null {
    const session = this.currentSession()
    if (!this.client || !session) return null
    const attachments = (this.client as ChatClientApi & AttachmentCapableClient).attachments ?? null
    return { dataDir: this.options.dataDir, user: session.user, attachments }
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

  /** Validates, runs, and never throws: every failure comes back as { ok: false, error }. */
  async invoke(method: string, rawArgs: unknown): Promise<InvokeReply> {
    try {
      if (!isInvokeMethod(method)) throw unknownMethodError(method)
      const args = parseInvokeArgs(method, rawArgs)
      if (USER_ACTIVITY_METHODS.has(method) && this.client) withExtras(this.client).noteUserActivity?.()
      this.views.noteInvoke(method, args)
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
    this.deviceSettings.dispose()
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
    const serverUrl = args.serverUrl ?? (await this.deviceSettings.defaultServerUrl())
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
    const agent = await this.deviceSettings.networkAgent()
    let created: ChatClientApi | null = null
    const clientOptions: ChatClientOptions = {
      serverUrl,
      keepRenewedToken: (renewed) => this.keepRenewed(created, serverUrl, renewed),
      agent,
      autoDownloadMaxBytes: () => this.deviceSettings.current.downloads.autoDownloadMaxBytes,
      deviceId: this.options.deviceId,
      dataDir: this.options.dataDir,
      platform: this.options.shell === 'electron' ? 'desktop' : 'web',
      ...(this.options.fileUrl ? { fileUrl: this.options.fileUrl } : {}),
      ...(this.options.nativeBinding ? { nativeBinding: this.options.nativeBinding } : {})
    }
    const client = this.options.createClient
      ? this.options.createClient(clientOptions)
      : await createDefaultClient(clientOptions)
    created = client
    this.attach(client)
    return client
  }

  /** Saves a renewed sign-in, also while its client closes (the app quitting), never after a sign-out or an end. */
  private keepRenewed(client: ChatClientApi | null, serverUrl: string, renewed: SessionCredentials): Promise<void> {
    const vault = this.options.vault
    if (!vault || !client || this.endedClients.has(client)) return Promise.resolve()
    const saved = { ...renewed, serverUrl, deviceId: this.options.deviceId }
    return this.trackVaultWork(vault.save(saved), 'could not save the renewed sign-in')
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
      const { user, token, expiresAt, gateways, lastGoodGateway } = saved
      const session = await client.resume({ user, token, expiresAt, ...(gateways ? { gateways, lastGoodGateway } : {}) })
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
    // A new client (sign-in): the renderer's stores were reset with the last session.
    this.views.clear()
    const detach = forwardClientEvents(client, {
      push: (event, payload) => this.push(event, payload),
      views: this.views,
      sessionEnded: (reason) => {
        this.clientSessionEnded = true
        this.endedClients.add(client)
        log.warn('session ended', { reason })
        void this.forgetSavedSession('session ended')
      },
      tokenWillExpire: (expiresAt) => log.debug('token will expire', { expiresAt }),
      // Saved through keepRenewedToken (before the server is told), not here.
      tokenRenewed: (expiresAt) => log.debug('token renewed', { expiresAt })
    })
    this.client = client
    this.clientSessionEnded = false
    this.detachClient = detach
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
    if (signOut) this.endedClients.add(client)
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
