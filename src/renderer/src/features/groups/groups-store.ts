// The groups feature's state: the groups this device keeps (`groups.mine` + live `groups.changed`), invitations
// waiting for me and join requests of the groups I run (live: the badge on the list's Invitations button and the
// rail's Chats badge), and every group operation with its failure as a sentence. A dissolved group leaves the list.
import { computed, ref, watch } from 'vue'
import { defineStore } from 'pinia'
import type {
  GroupChangeResult,
  GroupCreateOptions,
  GroupInvitation,
  GroupJoinRequest,
  GroupMembershipChange,
  GroupRole,
  GroupSummary
} from '../../../../shared/model'
import { conversationKeyString, parseConversationKeyString } from '../../../../shared/model'
import { bridge } from '../../bridge'
import { useConversationStore } from '../../stores/conversations'
import { useNavigationStore } from '../../stores/navigation'
import { followSignedInSession, useSessionStore } from '../../stores/session'

/** The group a '<type>:<id>' key opens, or null when it is not a group. */
export function groupOfKey(key: string | null): string | null {
  const parsed = key ? parseConversationKeyString(key) : null
  return parsed?.type === 'group' ? parsed.id : null
}

export function groupKey(group: string): string {
  return conversationKeyString({ type: 'group', id: group })
}

/** Owners and admins run the group (invite, remove, mute, approve...). */
export function runsGroup(role: GroupRole | undefined): boolean {
  return role === 'owner' || role === 'admin'
}

/**
 * Reads of the pending lists before one stands even though live changes keep arriving: a busy group's requests
 * could overtake every read, and the events themselves keep the lists right after the last one.
 */
const PENDING_LOAD_ATTEMPTS = 3

export const useGroupStore = defineStore('groups', () => {
  const conversations = useConversationStore()
  const navigation = useNavigationStore()
  const byId = ref(new Map<string, GroupSummary>())
  const invitations = ref<GroupInvitation[]>([])
  const joinRequests = ref<GroupJoinRequest[]>([])
  const loaded = ref(false)

  /** What waits for my answer: invitations to me and join requests to the groups I run. */
  const pendingCount = computed(() => invitations.value.length + joinRequests.value.length)
  watch(pendingCount, (count) => navigation.setBadge('chats', count), { immediate: true })

  function summaryOf(group: string | null): GroupSummary | null {
    return group ? (byId.value.get(group) ?? null) : null
  }

  function setSummary(summary: GroupSummary): void {
    const next = new Map(byId.value)
    next.set(summary.id, summary)
    byId.value = next
  }

  async function load(): Promise<void> {
    try {
      const mine = await bridge.invoke('groups.mine')
      byId.value = new Map(mine.map((g) => [g.id, g]))
      loaded.value = true
    } catch (err) {
      console.warn('[renderer:groups] could not load the groups', err)
    }
    await loadPending()
  }

  /** Live changes applied so far: a load that a change overtook reads again rather than drop the change. */
  let liveChanges = 0

  /** Invitations to me, and the join requests of every group I own or administer. */
  async function loadPending(): Promise<void> {
    try {
      for (let attempt = 1; ; attempt++) {
        const changesBefore = liveChanges
        const mine = await bridge.invoke('groups.invitations')
        const requests: GroupJoinRequest[] = []
        for (const group of byId.value.values()) {
          if (group.state !== 'member' || !runsGroup(group.myRole)) continue
          requests.push(...(await bridge.invoke('groups.pending', { group: group.id })))
        }
        if (liveChanges !== changesBefore && attempt < PENDING_LOAD_ATTEMPTS) continue
        invitations.value = mine
        joinRequests.value = requests
        return
      }
    } catch (err) {
      console.warn('[renderer:groups] could not load the pending invitations and requests', err)
    }
  }

  const withoutRequest = (group: string, user: string): GroupJoinRequest[] =>
    joinRequests.value.filter((r) => !(r.group === group && r.user === user))

  /**
   * What waits for an answer, kept live from the membership events every device of mine gets (the server tells
   * owners and admins of each join request and its end, and the invitee of each invitation and its end).
   */
  function applyPendingChange(change: GroupMembershipChange): void {
    liveChanges++
    switch (change.kind) {
      case 'joinRequested':
        joinRequests.value = [...withoutRequest(change.group, change.user), { group: change.group, user: change.user, message: change.text, at: Date.now() }]
        return
      case 'joinRequestClosed':
        joinRequests.value = withoutRequest(change.group, change.user)
        return
      case 'invitationClosed':
        invitations.value = invitations.value.filter((i) => i.group !== change.group)
        return
      case 'left':
      case 'removed':
      case 'dissolved':
        // No longer mine to run: its requests are not mine to answer.
        joinRequests.value = joinRequests.value.filter((r) => r.group !== change.group)
        invitations.value = invitations.value.filter((i) => i.group !== change.group)
        return
      case 'invited':
      case 'joined':
      case 'roleChanged':
        // An invitation's details, or the requests of a group I now run (or no longer do), come from the server.
        void loadPending()
        return
      default:
    }
  }

  bridge.on('groups.changed', (changed) => {
    if (useSessionStore().phase !== 'signedIn') return
    if (changed.summary) setSummary(changed.summary)
    if (changed.membership?.kind === 'dissolved') {
      // The group is gone on every device: out of the list, and closed if it was open.
      if (conversations.selectedKey === groupKey(changed.group)) conversations.select(null)
      void conversations.load()
    }
    if (changed.membership) applyPendingChange(changed.membership)
    else void loadPending()
  })

  async function create(options: GroupCreateOptions): Promise<GroupChangeResult> {
    const done = await bridge.invoke('groups.create', options)
    return done
  }

  async function decideInvitation(group: string, accept: boolean): Promise<void> {
    await bridge.invoke('groups.decideInvitation', { group, accept })
    invitations.value = invitations.value.filter((i) => i.group !== group)
  }

  async function decideJoin(group: string, user: string, accept: boolean): Promise<void> {
    await bridge.invoke('groups.decideJoin', { group, user, accept })
    joinRequests.value = withoutRequest(group, user)
  }

  /** Refreshes a group's description from the server (the info panel opens with it). */
  async function refresh(group: string): Promise<void> {
    await bridge.invoke('groups.info', { group })
    // groups.changed carries the stored record; read it in case this device does not keep the group.
    const mine = await bridge.invoke('groups.mine')
    byId.value = new Map(mine.map((g) => [g.id, g]))
  }

  function reset(): void {
    byId.value = new Map()
    invitations.value = []
    joinRequests.value = []
    loaded.value = false
    navigation.setBadge('chats', 0)
  }

  // Loaded at sign-in (not when the list first shows), so the rail's badge counts from the start; gone at sign-out.
  followSignedInSession(load, reset)

  return { byId, invitations, joinRequests, pendingCount, loaded, summaryOf, load, loadPending, create, decideInvitation, decideJoin, refresh, reset }
})
