// Owns back-filling history in the background: every conversation's older messages fetched page by page (through
// the HistoryPager, which reads the local store first and closes holes) back to the window the user chose (default
// one year), paused while the user is active or the app is offline, resumed where it stopped after a restart.
import { createLogger } from '../../../shared/logger'
import { conversationKeyString, type BackfillStatus, type ConversationKey, type MessagePage } from '../../../shared/model'
import type { BackfillState, MessageStore } from '../store/types'

const log = createLogger('core:backfill')

/** One year: what a person expects to find on a new computer without waiting for the whole account. */
export const DEFAULT_BACKFILL_WINDOW_DAYS = 365
/** Messages per history request: the server's page cap is larger; 100 keeps one request well under a second. */
export const BACKFILL_PAGE_SIZE = 100
const DAY_MS = 24 * 60 * 60 * 1_000
/**
 * A search answer reuses a status worked out this recently: working it out lists every conversation (1,000 chats:
 * tens of ms of the core's thread), and a person typing a query searches on every few letters.
 */
export const STATUS_REUSE_MS = 2_000

export interface BackfillTimings {
  /** The back-fill waits until the user has done nothing for this long (their requests go first). */
  idleMs: number
  /** Pause between two pages, so a long back-fill never saturates the link or the store. */
  pageIntervalMs: number
  /** Wait after a failed request before trying again (while online). */
  retryMs: number
}

/** 3 s idle: typing and scrolling keep it paused; 250 ms between pages is ~400 messages/s at most. */
export const DEFAULT_BACKFILL_TIMINGS: BackfillTimings = { idleMs: 3_000, pageIntervalMs: 250, retryMs: 10_000 }

export interface BackfillOptions {
  store: MessageStore
  /** HistoryPager.page with failOnFetchError: the local page, or the server's below it. */
  page: (key: ConversationKey, beforeSeq: number | null, limit: number) => Promise<MessagePage>
  isOnline: () => boolean
  timings: BackfillTimings
  now?: () => number
  onStatus?: (status: BackfillStatus) => void
}

export class Backfill {
  private states = new Map<string, BackfillState>()
  private windowDays = DEFAULT_BACKFILL_WINDOW_DAYS
  private lastActivity = 0
  private running: Promise<void> | null = null
  private stopped = false
  private loaded = false
  private paused = false
  private current: BackfillStatus = { state: 'running', windowDays: DEFAULT_BACKFILL_WINDOW_DAYS, since: null }
  /** Wakes the loop early (the window changed, the link came back). */
  private wake: (() => void) | null = null
  /** The first run waits an idle period (see run). */
  private ranBefore = false
  /** When the status was last worked out from the store (ms, this.now()). */
  private refreshedAt = Number.NEGATIVE_INFINITY
  /** Pages asked for (tests, diagnostics). */
  pages = 0

  constructor(private readonly options: BackfillOptions) {}

  /**
   * How far back local history reaches now (read again from the store: sync and prefetch add history too), or as
   * worked out at most `maxAgeMs` ago (search answers: STATUS_REUSE_MS).
   */
  async status(maxAgeMs = 0): Promise<BackfillStatus> {
    await this.load()
    if (maxAgeMs <= 0 || this.now() - this.refreshedAt > maxAgeMs) await this.refreshStatus()
    // A conversation that appeared after the last run ended (a chat started here, one a sync brought) has history to
    // fetch, and nothing else starts the loop before the next connect: search would say "fetching older ones…" forever.
    if (this.ranBefore && !this.running && (this.current.state === 'running' || this.current.state === 'paused')) this.start()
    return this.current
  }

  /** The user did something: the back-fill waits until they have been idle for a while. */
  noteUserActivity(): void {
    this.lastActivity = this.now()
  }

  /** Starts the loop (or wakes it); safe to call on every (re)connect. */
  start(): void {
    if (this.stopped) return
    if (this.running) {
      this.wakeUp()
      return
    }
    this.running = this.run()
      .catch((err: unknown) => log.warn('back-fill stopped', { error: String(err) }))
      .finally(() => {
        this.running = null
      })
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wakeUp()
    await this.running
  }

  /** Resolves when the current run has finished (every conversation done, or stopped). Tests. */
  async whenIdle(): Promise<void> {
    await this.running
  }

  /** Changes the window (days; 0 turns back-fill off) and starts again over the conversations it now reaches. */
  async setWindowDays(days: number): Promise<BackfillStatus> {
    await this.options.store.setBackfillWindowDays(days)
    await this.load()
    this.windowDays = days
    this.start()
    return this.status()
  }

  /** The window and each conversation's place, read from the store once (they change only through this object). */
  private async load(): Promise<void> {
    if (this.loaded) return
    const { store } = this.options
    this.windowDays = (await store.backfillWindowDays()) ?? DEFAULT_BACKFILL_WINDOW_DAYS
    this.states = new Map((await store.backfillStates()).map((state) => [conversationKeyString(state.key), state]))
    this.loaded = true
  }

  private async run(): Promise<void> {
    const { store } = this.options
    // The first run waits one idle period: it starts with the session, when the user is opening the app and the
    // core's thread is needed for the list and the first chat (listing 1,000 conversations takes tens of ms).
    if (!this.ranBefore) {
      this.ranBefore = true
      this.noteUserActivity()
      this.paused = this.options.timings.idleMs > 0
      await this.sleep(this.options.timings.idleMs)
      this.paused = false
      if (this.stopped) return
    }
    await this.load()
    // Rounds until a whole round had nothing to do: conversations may appear (sync) while it runs.
    for (let round = 0; !this.stopped; round++) {
      // Keys only: the whole list's rows (a thousand chats, ~0.5 MB) would cross from the store's thread each time.
      const listed = await store.conversationKeys()
      await this.refreshStatus(listed)
      if (this.windowDays === 0) return
      const conversations = listed.filter((key) => key.type !== 'room')
      let worked = false
      for (const key of conversations) {
        if (this.stopped) return
        if (!this.needsWork(key)) continue
        worked = true
        await this.fillConversation(key)
      }
      // Nothing fetched: the list read at the round's start is still what the status is about.
      await this.refreshStatus(worked ? undefined : listed)
      if (!worked) return
    }
  }

  /** Whether a conversation still has history to fetch within the window. */
  private needsWork(key: ConversationKey): boolean {
    const state = this.states.get(conversationKeyString(key))
    if (state === undefined || !state.done) return true
    // Finished at an older window start; a wider window now reaches further back.
    return state.reachedAt !== null && state.reachedAt > this.cutoff()
  }

  private cutoff(): number {
    return this.now() - this.windowDays * DAY_MS
  }

  /** Walks one conversation down, page by page, until the window's start or its first message. */
  private async fillConversation(key: ConversationKey): Promise<void> {
    const mapKey = conversationKeyString(key)
    let state = this.states.get(mapKey) ?? { key, belowSeq: null, done: false, reachedAt: null }
    if (state.done) state = { ...state, done: false }
    while (!this.stopped && !state.done) {
      if (!(await this.waitForTurn())) return
      let page: MessagePage
      try {
        this.pages += 1
        page = await this.options.page(key, state.belowSeq, BACKFILL_PAGE_SIZE)
      } catch (err) {
        log.info('a history page could not be fetched; trying again later', { error: String(err) })
        await this.sleep(this.options.timings.retryMs)
        continue
      }
      const acked = page.messages.filter((m) => m.seq !== null)
      const oldest = acked.reduce<(typeof acked)[number] | null>((min, m) => (min === null || m.seq! < min.seq! ? m : min), null)
      const cutoff = this.cutoff()
      if (oldest === null) state = { ...state, done: true, reachedAt: null }
      else if (oldest.timestamp < cutoff) state = { key, belowSeq: oldest.seq, done: true, reachedAt: cutoff }
      // A full page says nothing about what lies below it (the store's hasMore is local): only a short one ends it.
      else if (!page.hasMore && page.messages.length < BACKFILL_PAGE_SIZE) state = { key, belowSeq: oldest.seq, done: true, reachedAt: null }
      else state = { key, belowSeq: oldest.seq, done: false, reachedAt: null }
      this.states.set(mapKey, state)
      await this.options.store.setBackfillState(state)
      await this.refreshStatus()
    }
  }

  /** Waits until online, the user idle and the page interval passed; false when stopped (or switched off). */
  private async waitForTurn(): Promise<boolean> {
    const { timings } = this.options
    await this.sleep(timings.pageIntervalMs)
    for (;;) {
      if (this.stopped || this.windowDays === 0) return false
      const idleFor = this.now() - this.lastActivity
      const waitOnline = !this.options.isOnline()
      const waitIdle = idleFor < timings.idleMs
      const paused = waitOnline || waitIdle
      if (paused !== this.paused) {
        this.paused = paused
        await this.refreshStatus()
      }
      if (!paused) return true
      await this.sleep(waitOnline ? timings.retryMs : timings.idleMs - idleFor)
    }
  }

  /**
   * How far back search reaches: every conversation is complete since the latest of (its window start when it
   * stopped there, its oldest stored message while it is still being filled); null when all history is here.
   */
  private async refreshStatus(listed?: readonly ConversationKey[]): Promise<void> {
    const { store } = this.options
    let since: number | null = null
    let pending = false
    for (const key of listed ?? (await store.conversationKeys())) {
      if (key.type === 'room') continue
      const state = this.states.get(conversationKeyString(key))
      let reach: number | null
      if (state?.done === true) reach = state.reachedAt
      else {
        if (this.needsWork(key)) pending = true
        reach = await store.oldestMessageTime(key)
      }
      if (reach !== null && (since === null || reach > since)) since = reach
    }
    this.refreshedAt = this.now()
    const state: BackfillStatus['state'] = this.windowDays === 0 ? 'off' : !pending ? 'done' : this.paused ? 'paused' : 'running'
    const next: BackfillStatus = { state, windowDays: this.windowDays, since }
    if (next.state !== this.current.state || next.since !== this.current.since || next.windowDays !== this.current.windowDays) {
      this.current = next
      this.options.onStatus?.(next)
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)()
  }

  private wakeUp(): void {
    const wake = this.wake
    this.wake = null
    wake?.()
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null
        resolve()
      }, ms)
      this.wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }
}
