// When the renderer asks the core for people's profiles: names asked for while rendering are queued and fetched
// together (one request per ≤ 100 ids per tick), each id at most once per freshness window, in a bounded cache.
import type { UserProfile } from '../../../../shared/model/contacts'

/** The server answers at most this many profiles a request (ProfileGet). */
export const PROFILE_BATCH_MAX_USERS = 100
/** Asks made within this delay go out together (a whole render pass, a virtual list settling). */
export const PROFILE_BATCH_DELAY_MS = 10
/** A profile fetched this long ago is asked for again the next time it is shown (non-contacts get no pushes). */
export const PROFILE_FRESH_MS = 10 * 60_000
/** After a failed request its ids are asked for again no sooner than this. */
export const PROFILE_RETRY_MS = 30_000
/** The cache keeps about this many people; beyond it the least recently shown are dropped ... */
export const PROFILE_CACHE_MAX = 2_000
/** ... but never one shown within this time (so a screen with more people than the bound cannot refetch in a loop). */
export const PROFILE_EVICT_MIN_IDLE_MS = 60_000

export interface ProfileBatcherOptions {
  /** One request: the core's `profile.get` (fresh) for at most PROFILE_BATCH_MAX_USERS ids. */
  fetch: (users: string[]) => Promise<UserProfile[]>
  /** An answer: `asked` the ids of the request (one without a profile in it has none). */
  receive: (asked: readonly string[], profiles: readonly UserProfile[]) => void
  /** Ids dropped from the cache. */
  evict: (users: readonly string[]) => void
  now?: () => number
  /** Runs `flush` after `ms` (tests pass their own). */
  later?: (flush: () => void, ms: number) => void
}

interface Entry {
  /** When the server was last asked about this id (0: never, or asked to refresh). */
  checkedAt: number
  /** When it was last shown (asked for). */
  askedAt: number
}

export class ProfileBatcher {
  /** In the order last asked for, oldest first (re-inserted on each ask). */
  private readonly entries = new Map<string, Entry>()
  private readonly queued = new Set<string>()
  private readonly inFlight = new Set<string>()
  private flushPending = false
  /** Bumped by reset: answers to requests made before it are dropped. */
  private generation = 0
  private readonly now: () => number
  private readonly later: (flush: () => void, ms: number) => void

  constructor(private readonly options: ProfileBatcherOptions) {
    this.now = options.now ?? Date.now
    this.later = options.later ?? ((flush, ms) => void setTimeout(flush, ms))
  }

  /** The user is being shown: fetch their profile unless it is fresh or already on its way. Cheap; call it freely. */
  ask(user: string): void {
    const now = this.now()
    const entry = this.entries.get(user)
    this.entries.delete(user)
    this.entries.set(user, { checkedAt: entry?.checkedAt ?? 0, askedAt: now })
    if (entry && now - entry.checkedAt < PROFILE_FRESH_MS) return
    this.enqueue(user)
  }

  /** These users' profiles are asked for again now (a conversation or group with them was opened). */
  refresh(users: readonly string[]): void {
    for (const user of users) {
      const entry = this.entries.get(user)
      if (entry) entry.checkedAt = 0
      this.ask(user)
    }
  }

  /** Sign-out: forget everything, ignore answers still on their way. */
  reset(): void {
    this.generation += 1
    this.entries.clear()
    this.queued.clear()
    this.inFlight.clear()
  }

  private enqueue(user: string): void {
    if (this.queued.has(user) || this.inFlight.has(user)) return
    this.queued.add(user)
    if (this.flushPending) return
    this.flushPending = true
    this.later(() => void this.flush(), PROFILE_BATCH_DELAY_MS)
  }

  private async flush(): Promise<void> {
    this.flushPending = false
    const users = [...this.queued]
    this.queued.clear()
    for (const user of users) this.inFlight.add(user)
    const generation = this.generation
    for (let i = 0; i < users.length; i += PROFILE_BATCH_MAX_USERS) {
      const part = users.slice(i, i + PROFILE_BATCH_MAX_USERS)
      let profiles: UserProfile[] | null = null
      try {
        profiles = await this.options.fetch(part)
      } catch (err) {
        console.warn('[renderer:people] profiles could not be read', err)
      }
      if (generation !== this.generation) return
      // A failure is tried again after PROFILE_RETRY_MS, not at the next render.
      const checkedAt = profiles ? this.now() : this.now() - PROFILE_FRESH_MS + PROFILE_RETRY_MS
      for (const user of part) {
        this.inFlight.delete(user)
        const entry = this.entries.get(user)
        if (entry) entry.checkedAt = checkedAt
      }
      if (profiles) this.options.receive(part, profiles)
    }
    this.evictIdle()
  }

  private evictIdle(): void {
    const now = this.now()
    const dropped: string[] = []
    for (const [user, entry] of this.entries) {
      if (this.entries.size - dropped.length <= PROFILE_CACHE_MAX) break
      if (now - entry.askedAt < PROFILE_EVICT_MIN_IDLE_MS) break
      if (this.queued.has(user) || this.inFlight.has(user)) continue
      dropped.push(user)
    }
    for (const user of dropped) this.entries.delete(user)
    if (dropped.length > 0) this.options.evict(dropped)
  }

  /** How many ids the cache holds (tests). */
  get size(): number {
    return this.entries.size
  }
}
