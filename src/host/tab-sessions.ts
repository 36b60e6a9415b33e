// Owns the browser host's CoreSessions, one per tab id: attaching a tab's current connection, keeping a
// session through a grace period after its connection closes (so a reload re-attaches), disposing idle ones.
import { join } from 'node:path'
import { CoreSession, type CoreSessionOptions } from '../main/core/api/session'
import { HOST_CLOSE_REPLACED, type HostServerMessage } from '../shared/ipc/contract'
import { createLogger } from '../shared/logger'
import { processLanguages } from '../main/core/settings'

const log = createLogger('host:tabs')

/** How long a tab's session outlives its closed connection: long enough for reloads and short sleeps. */
export const TAB_SESSION_GRACE_MS = 10 * 60_000
/** Close code for a connection that a newer connection of the same tab replaced (the page starts over). */
export const CLOSE_REPLACED_BY_NEWER_TAB = HOST_CLOSE_REPLACED
/** WebSocket close code for a connection dropped because the host (or its tab session) is going away. */
export const CLOSE_GOING_AWAY = 1001

/** The part of a socket the registry needs; the bridge adapts a ws WebSocket to it. */
export interface TabConnection {
  send(message: HostServerMessage): void
  close(code: number, reason: string): void
}

export interface TabSessionsOptions {
  dataDir: string
  defaultServerUrl: string
  version: string
  graceMs?: number
  /** Extra CoreSession options (tests inject engine factories here). */
  sessionOverrides?: Partial<CoreSessionOptions>
  /** Per tab: the options that give its renderer URLs of cached files (the host's file route). */
  fileOptions?: (tab: string) => Pick<CoreSessionOptions, 'fileUrl' | 'fileHooks'>
}

interface TabEntry {
  session: CoreSession
  connection: TabConnection | null
  graceTimer: NodeJS.Timeout | null
  stopEvents: () => void
}

export class TabSessions {
  private readonly entries = new Map<string, TabEntry>()
  private readonly graceMs: number
  private closed = false

  constructor(private readonly options: TabSessionsOptions) {
    this.graceMs = options.graceMs ?? TAB_SESSION_GRACE_MS
  }

  get size(): number {
    return this.entries.size
  }

  has(tab: string): boolean {
    return this.entries.has(tab)
  }

  /** The tab's session, if it has one (the file route serves from it). */
  sessionOf(tab: string): CoreSession | null {
    return this.entries.get(tab)?.session ?? null
  }

  /**
   * Makes connection the tab's current one (closing an older one) and returns the tab's session. `languages`: the
   * browser's, best first (a new tab's settings start in the first one Parley speaks; else the host's LANG).
   */
  attach(tab: string, connection: TabConnection, languages: readonly string[] = []): CoreSession {
    if (this.closed) throw new Error('the host is shutting down')
    const entry = this.entries.get(tab) ?? this.create(tab, languages)
    if (entry.graceTimer) clearTimeout(entry.graceTimer)
    entry.graceTimer = null
    const previous = entry.connection
    entry.connection = connection
    if (previous && previous !== connection) {
      log.info('tab reconnected; closing its older connection', { tab })
      previous.close(CLOSE_REPLACED_BY_NEWER_TAB, 'Replaced by a newer connection from the same tab')
    }
    return entry.session
  }

  /** The connection closed: if it was the tab's current one, keep the session for the grace period. */
  detach(tab: string, connection: TabConnection): void {
    const entry = this.entries.get(tab)
    if (!entry || entry.connection !== connection) return
    entry.connection = null
    entry.graceTimer = setTimeout(() => void this.disposeTab(tab, 'idle after its page closed'), this.graceMs)
    entry.graceTimer.unref()
  }

  async closeAll(): Promise<void> {
    this.closed = true
    const tabs = [...this.entries.keys()]
    await Promise.all(tabs.map((tab) => this.disposeTab(tab, 'host shutting down')))
  }

  private create(tab: string, languages: readonly string[]): TabEntry {
    const session = new CoreSession({
      shell: 'browser',
      version: this.options.version,
      defaultServerUrl: this.options.defaultServerUrl,
      deviceId: `web-${tab}`,
      dataDir: join(this.options.dataDir, 'tabs', tab),
      // The tab's settings.json sits in its folder; a first start takes the browser's language, else the host's.
      systemLanguages: [...languages, ...processLanguages(process.env)],
      ...this.options.fileOptions?.(tab),
      ...this.options.sessionOverrides
    })
    const entry: TabEntry = { session, connection: null, graceTimer: null, stopEvents: () => undefined }
    entry.stopEvents = session.onEvent((event, payload) => {
      // Events while the page is away are dropped: a re-attaching page reloads its state by invoking.
      entry.connection?.send({ kind: 'event', event, payload })
    })
    this.entries.set(tab, entry)
    log.info('new tab session', { tab })
    return entry
  }

  private async disposeTab(tab: string, why: string): Promise<void> {
    const entry = this.entries.get(tab)
    if (!entry) return
    this.entries.delete(tab)
    if (entry.graceTimer) clearTimeout(entry.graceTimer)
    entry.stopEvents()
    entry.connection?.close(CLOSE_GOING_AWAY, 'Parley is shutting down')
    entry.connection = null
    try {
      await entry.session.dispose()
    } catch (err) {
      log.warn('disposing a tab session failed', { tab, error: String(err) })
    }
    log.info('tab session closed', { tab, why })
  }
}
