// The contacts feature's state in the renderer: friends, requests both ways and the blocklist (`contacts.state` +
// live `contacts.changed`), the profiles and presence they show (`profile.changed`, `presence.changed`), my own
// profile, the operations (each answers a sentence on failure) and the rail badge = incoming requests. Everyone
// else's name comes from the people store (people-store.ts); displayName is the one resolver over both.
import { computed, ref, watch } from 'vue'
import { defineStore } from 'pinia'
import type { ContactsState, ProfilePatch, UserPresence, UserProfile, UserSearchResult } from '../../../../shared/model/contacts'
import { displayNameOf } from '../../../../shared/model/contacts'
import { bridge } from '../../bridge'
import { errorSentence } from '../../utils/app-error'
import { useConnectionStore } from '../../stores/connection'
import { useNavigationStore } from '../../stores/navigation'
import { followSignedInSession, useSessionStore } from '../../stores/session'
import { usePeopleStore } from './people-store'

const EMPTY: ContactsState = { friends: [], incoming: [], outgoing: [], blocked: [] }

/** A failed operation: null = done, else the sentence to show. */
export type OperationOutcome = string | null

export const useContactsStore = defineStore('contacts', () => {
  const navigation = useNavigationStore()
  const people = usePeopleStore()
  const state = ref<ContactsState>(EMPTY)
  const profiles = ref(new Map<string, UserProfile>())
  const presence = ref(new Map<string, UserPresence>())
  const me = ref<UserProfile | null>(null)
  const loaded = ref(false)
  const error = ref<string | null>(null)
  /** Users with an operation in flight (their buttons show busy). */
  const busy = ref(new Set<string>())

  const incomingCount = computed(() => state.value.incoming.length)
  watch(incomingCount, (count) => navigation.setBadge('contacts', count), { immediate: true })

  const signedIn = (): boolean => useSessionStore().phase === 'signedIn'

  function setState(next: ContactsState): void {
    if (!signedIn()) return
    state.value = next
  }

  function putProfile(profile: UserProfile): void {
    if (!signedIn()) return
    const next = new Map(profiles.value)
    next.set(profile.user, profile)
    profiles.value = next
    if (profile.user === useSessionStore().session?.user) me.value = profile
  }

  function putPresence(entry: UserPresence): void {
    if (!signedIn()) return
    const next = new Map(presence.value)
    next.set(entry.user, entry)
    presence.value = next
  }

  bridge.on('contacts.changed', (next) => {
    setState(next)
    void loadProfiles(usersOf(next))
  })
  // Contacts' and mine; anyone else's is the people store's (so this map stays the size of the contacts).
  bridge.on('profile.changed', (profile) => {
    if (profiles.value.has(profile.user) || profile.user === useSessionStore().session?.user || usersOf(state.value).includes(profile.user)) {
      putProfile(profile)
    }
  })
  bridge.on('presence.changed', putPresence)

  function usersOf(current: ContactsState): string[] {
    return [
      ...current.friends.map((f) => f.user),
      ...current.incoming.map((r) => r.peer),
      ...current.outgoing.map((r) => r.peer),
      ...current.blocked
    ]
  }

  async function loadProfiles(users: string[]): Promise<void> {
    const missing = users.filter((user) => !profiles.value.has(user))
    if (missing.length === 0) return
    try {
      for (const profile of await bridge.invoke('profile.get', { users: missing })) putProfile(profile)
    } catch (err) {
      console.warn('[renderer:contacts] profiles could not be read', err)
    }
  }

  async function load(): Promise<void> {
    error.value = null
    try {
      const [current, presenceList, mine] = await Promise.all([
        bridge.invoke('contacts.state'),
        bridge.invoke('contacts.presence'),
        bridge.invoke('profile.me')
      ])
      setState(current)
      for (const entry of presenceList) putPresence(entry)
      putProfile(mine)
      await loadProfiles(usersOf(current))
      loaded.value = true
    } catch (err) {
      error.value = errorSentence(err)
    }
  }

  /**
   * The name shown for a user: my remark, else their nickname (a contact's from here, anyone else's from the people
   * store, fetched on first use), else the id. Reactive: a nickname arriving later renames them.
   */
  /** My remarks by friend: displayName runs for every name on screen, so a lookup rather than a scan of the friends. */
  const remarks = computed(() => new Map(state.value.friends.map((f) => [f.user, f.remark])))

  function displayName(user: string): string {
    const remark = remarks.value.get(user)
    const known = profiles.value.get(user)
    const shown = displayNameOf(remark, known?.nickname)
    if (shown) return shown
    // A contact's (or my) profile is here and kept live; only someone else's is looked up.
    return (known ? null : people.nicknameOf(user)) ?? user
  }

  function presenceOf(user: string): UserPresence | null {
    return presence.value.get(user) ?? null
  }

  function isFriend(user: string): boolean {
    return state.value.friends.some((f) => f.user === user)
  }

  async function run(user: string, work: () => Promise<ContactsState>): Promise<OperationOutcome> {
    const marked = new Set(busy.value)
    marked.add(user)
    busy.value = marked
    try {
      setState(await work())
      return null
    } catch (err) {
      return errorSentence(err)
    } finally {
      const unmarked = new Set(busy.value)
      unmarked.delete(user)
      busy.value = unmarked
    }
  }

  const sendRequest = (user: string, message: string) => run(user, () => bridge.invoke('contacts.request', { user, message }))
  const decide = (user: string, accept: boolean) => run(user, () => bridge.invoke('contacts.decide', { user, accept }))
  const cancelRequest = (user: string) => run(user, () => bridge.invoke('contacts.cancel', { user }))
  const remove = (user: string) => run(user, () => bridge.invoke('contacts.remove', { user }))
  const setRemark = (user: string, remark: string) => run(user, () => bridge.invoke('contacts.setRemark', { user, remark }))
  const setBlocked = (user: string, blocked: boolean) => run(user, () => bridge.invoke('contacts.block', { user, blocked }))

  /** A user by id, or the sentence why not. */
  async function search(username: string): Promise<UserSearchResult | string> {
    try {
      const found = await bridge.invoke('contacts.search', { username })
      putProfile(found.profile)
      return found
    } catch (err) {
      return errorSentence(err)
    }
  }

  async function updateProfile(patch: ProfilePatch): Promise<OperationOutcome> {
    try {
      putProfile(await bridge.invoke('profile.update', patch))
      return null
    } catch (err) {
      return errorSentence(err)
    }
  }

  async function changePassword(currentPassword: string, newPassword: string): Promise<OperationOutcome> {
    try {
      await bridge.invoke('profile.changePassword', { currentPassword, newPassword })
      return null
    } catch (err) {
      return errorSentence(err)
    }
  }

  /** On success the session ends (session.ended takes the app back to the sign-in screen). */
  async function deleteAccount(password: string): Promise<OperationOutcome> {
    try {
      await bridge.invoke('profile.deleteAccount', { password })
      return null
    } catch (err) {
      return errorSentence(err)
    }
  }

  function reset(): void {
    state.value = EMPTY
    profiles.value = new Map()
    presence.value = new Map()
    me.value = null
    loaded.value = false
    error.value = null
    busy.value = new Set()
    navigation.setBadge('contacts', 0)
  }

  followSignedInSession(load, reset)
  // After the link comes back: what changed while it was down (presence above all).
  watch(
    () => useConnectionStore().reconnectCount,
    () => {
      if (signedIn()) void load()
    }
  )

  return {
    state,
    profiles,
    presence,
    me,
    loaded,
    error,
    busy,
    incomingCount,
    load,
    displayName,
    presenceOf,
    isFriend,
    sendRequest,
    decide,
    cancelRequest,
    remove,
    setRemark,
    setBlocked,
    search,
    updateProfile,
    changePassword,
    deleteAccount,
    reset
  }
})
