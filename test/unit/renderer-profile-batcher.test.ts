// The renderer's profile batching (features/contacts/profile-batcher.ts): many asks for names while rendering become
// one request per ≤ 100 ids, an id is fetched once per freshness window however often it is shown (also when the
// server has no profile for it, or the request failed), and the cache stays bounded without a refetch loop.
import { describe, expect, it } from 'vitest'
import type { UserProfile } from '../../src/shared/model/contacts'
import {
  PROFILE_BATCH_MAX_USERS,
  PROFILE_CACHE_MAX,
  PROFILE_EVICT_MIN_IDLE_MS,
  PROFILE_FRESH_MS,
  PROFILE_RETRY_MS,
  ProfileBatcher
} from '../../src/renderer/src/features/contacts/profile-batcher'

function profileOf(user: string): UserProfile {
  return { user, nickname: `Nick ${user}`, signature: '', statusText: '', attributes: {}, deleted: false, exists: true, updatedAt: 1 }
}

/** A batcher with a hand-driven clock and timer, recording every request. */
function harness(answer: (users: string[]) => Promise<UserProfile[]> = async (users) => users.map(profileOf)) {
  let now = 1_000_000
  let pending: (() => void) | null = null
  const requests: string[][] = []
  const received = new Map<string, string>()
  const evicted: string[] = []
  const batcher = new ProfileBatcher({
    fetch: (users) => {
      requests.push(users)
      return answer(users)
    },
    receive: (_asked, profiles) => {
      for (const profile of profiles) received.set(profile.user, profile.nickname)
    },
    evict: (users) => evicted.push(...users),
    now: () => now,
    later: (flush) => {
      pending = flush
    }
  })
  return {
    batcher,
    requests,
    received,
    evicted,
    advance: (ms: number) => (now += ms),
    /** Runs the scheduled flush (if any) and lets its requests answer. */
    async tick(): Promise<void> {
      const flush = pending
      pending = null
      flush?.()
      for (let i = 0; i < 20; i++) await Promise.resolve()
    }
  }
}

const ids = (count: number, prefix = 'u'): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`)

describe('profile batcher', () => {
  it('250 people asked for, each many times, in one render: three requests of at most 100, each id once', async () => {
    const h = harness()
    for (let pass = 0; pass < 5; pass++) for (const user of ids(250)) h.batcher.ask(user)
    await h.tick()
    expect(h.requests.map((r) => r.length)).toEqual([PROFILE_BATCH_MAX_USERS, PROFILE_BATCH_MAX_USERS, 50])
    expect(new Set(h.requests.flat()).size).toBe(250)
    expect(h.received.get('u7')).toBe('Nick u7')
  })

  it('re-renders after the answer ask again without a request, until the profile is stale', async () => {
    const h = harness()
    h.batcher.ask('ben')
    await h.tick()
    for (let i = 0; i < 100; i++) h.batcher.ask('ben')
    await h.tick()
    expect(h.requests).toEqual([['ben']])
    h.advance(PROFILE_FRESH_MS + 1)
    h.batcher.ask('ben')
    h.batcher.ask('ben')
    await h.tick()
    expect(h.requests).toEqual([['ben'], ['ben']])
  })

  it('asks while a request is on its way add nothing; a refresh asks again at once, once', async () => {
    let release: () => void = () => undefined
    const h = harness((users) => new Promise((resolve) => (release = () => resolve(users.map(profileOf)))))
    h.batcher.ask('ben')
    await h.tick()
    h.batcher.ask('ben')
    await h.tick()
    expect(h.requests).toEqual([['ben']])
    release()
    await h.tick()
    h.batcher.refresh(['ben', 'ben'])
    h.batcher.refresh(['ben'])
    await h.tick()
    release()
    await h.tick()
    expect(h.requests).toEqual([['ben'], ['ben']])
  })

  it('an id the server has no profile for is not asked again on every render', async () => {
    const h = harness(async () => [])
    for (let i = 0; i < 5; i++) {
      h.batcher.ask('ghost')
      await h.tick()
    }
    expect(h.requests).toEqual([['ghost']])
  })

  it('a failed request is retried after PROFILE_RETRY_MS, not on every render', async () => {
    let fail = true
    const h = harness(async (users) => {
      if (fail) throw new Error('offline')
      return users.map(profileOf)
    })
    h.batcher.ask('ben')
    await h.tick()
    for (let i = 0; i < 10; i++) {
      h.batcher.ask('ben')
      await h.tick()
    }
    expect(h.requests).toHaveLength(1)
    fail = false
    h.advance(PROFILE_RETRY_MS)
    h.batcher.ask('ben')
    await h.tick()
    expect(h.requests).toHaveLength(2)
    expect(h.received.get('ben')).toBe('Nick ben')
  })

  it('the cache is bounded: the least recently shown go, never those shown just now (no refetch loop)', async () => {
    const h = harness()
    for (const user of ids(PROFILE_CACHE_MAX, 'old')) h.batcher.ask(user)
    await h.tick()
    h.advance(PROFILE_EVICT_MIN_IDLE_MS + 1)
    // More people on screen than the bound, shown now.
    const shown = ids(PROFILE_CACHE_MAX + 10, 'new')
    for (const user of shown) h.batcher.ask(user)
    await h.tick()
    expect(h.evicted).toHaveLength(PROFILE_CACHE_MAX)
    expect(h.evicted.every((user) => user.startsWith('old'))).toBe(true)
    expect(h.batcher.size).toBe(PROFILE_CACHE_MAX + 10)
    // The next render of the same screen asks for nothing.
    const before = h.requests.length
    for (const user of shown) h.batcher.ask(user)
    await h.tick()
    expect(h.requests.length).toBe(before)
  })

  it('answers to requests made before a reset (sign-out) are dropped', async () => {
    let release: () => void = () => undefined
    const h = harness((users) => new Promise((resolve) => (release = () => resolve(users.map(profileOf)))))
    h.batcher.ask('ben')
    await h.tick()
    h.batcher.reset()
    release()
    await h.tick()
    expect(h.received.size).toBe(0)
  })
})
