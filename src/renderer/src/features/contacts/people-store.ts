// Everyone else's public name in the renderer: the nicknames of people who are not my contacts (group members, room
// senders, strangers, search hits), fetched in batches as they are shown (profile-batcher.ts), kept fresh by the
// `profile.changed` pushes, by a refresh when a chat with them opens, and after PROFILE_FRESH_MS.
import { shallowReactive, watch } from 'vue'
import { defineStore } from 'pinia'
import type { UserProfile } from '../../../../shared/model/contacts'
import { bridge } from '../../bridge'
import { parseConversationKeyString } from '../../../../shared/model'
import { useConversationStore } from '../../stores/conversations'
import { followSignedInSession, useSessionStore } from '../../stores/session'
import { ProfileBatcher } from './profile-batcher'

export const usePeopleStore = defineStore('people', () => {
  /** A user's nickname as last fetched ('' = none, or a deleted account); absent = not fetched yet. Per-key reactive. */
  const nicknames = shallowReactive(new Map<string, string>())
  const signedIn = (): boolean => useSessionStore().phase === 'signedIn'

  function put(profile: UserProfile): void {
    nicknames.set(profile.user, profile.deleted || !profile.exists ? '' : profile.nickname.trim())
  }

  const batcher = new ProfileBatcher({
    fetch: (users) => bridge.invoke('profile.get', { users, fresh: true }),
    receive: (asked, profiles) => {
      if (!signedIn()) return
      const answered = new Set<string>()
      for (const profile of profiles) {
        put(profile)
        answered.add(profile.user)
      }
      // No profile in the answer: no such user; noted, so the id shows and nothing asks again before the next refresh.
      for (const user of asked) if (!answered.has(user) && !nicknames.has(user)) nicknames.set(user, '')
    },
    evict: (users) => {
      for (const user of users) nicknames.delete(user)
    }
  })

  // A change the core hears of (a contact's push, my other device, a fetch that found a newer profile).
  bridge.on('profile.changed', (profile) => {
    if (signedIn() && nicknames.has(profile.user)) put(profile)
  })

  /** Their nickname, or null while unknown or when they have none; asks for it when not fetched or stale. Reactive. */
  function nicknameOf(user: string): string | null {
    batcher.ask(user)
    return nicknames.get(user) || null
  }

  /** Ask the server again for these people now (a group's members when its info opens, a room's members). */
  function refresh(users: readonly string[]): void {
    if (signedIn()) batcher.refresh(users)
  }

  function reset(): void {
    batcher.reset()
    nicknames.clear()
  }

  followSignedInSession(async () => {}, reset)
  // Opening a one-to-one chat reads the peer's profile again (a stranger's name may have changed since).
  watch(
    () => useConversationStore().selectedKey,
    (key) => {
      const parsed = key ? parseConversationKeyString(key) : null
      if (parsed?.type === 'single') refresh([parsed.id])
    }
  )

  return { nicknameOf, refresh, reset }
})
